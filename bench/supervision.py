"""Supervision benchmarks on PostgreSQL [SPEC §5]: one section function per measurement, each
printing its figures: the draw, the draw's pure algorithm, a year's star ratings.

Seeds 20,000 agencies (one filing each, ~90% in force) with COPY and 200 inspectors into its own
database, then times a plan's draw (reveal: fix and hash the candidates, compute the result, store
it) over the whole city, uniform and risk weighted, and counts its queries at two population sizes
(the count must not grow with the population); then computes a year's star ratings for every
agency in force (goal ≤ 5 s) at a tenth of the population and at all of it.

    .venv/bin/python bench/supervision.py   (--runs N; --only draw|algorithm|ratings; -v;
                                             drop the database bench_supervision to reseed)
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_supervision"
os.environ["BENCH_DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL

AGENCIES = 20_000
INSPECTORS = 200


def setup() -> None:
    from bench._setup import django_on_postgres

    django_on_postgres(os.environ["BENCH_DATABASE_URL"].rsplit("/", 1)[1])
    _ensure_supervision_tables()


def _ensure_supervision_tables() -> None:
    """Until the lead generates supervision's migrations, build its tables from the models."""
    from django.apps import apps
    from django.db import connection

    existing = set(connection.introspection.table_names())
    models = [m for m in apps.get_app_config("supervision").get_models() if m._meta.db_table not in existing]
    if models:
        with connection.schema_editor() as editor:
            for model in models:
                editor.create_model(model)


def seed() -> None:
    from django.db import connection, transaction

    from filings.demo import make_uscc
    from filings.models import Agency
    from portal.models import PolicyProfile, Region, Role, User
    from portal.reference_data import load_occupations, load_regions

    if Agency.objects.count() >= AGENCIES:
        return
    load_regions()
    load_occupations()
    PolicyProfile.ensure_presets("shanghai")
    rng = random.Random(20260301)
    districts = list(Region.objects.filter(level=Region.Level.DISTRICT).values_list("id", flat=True))
    states = ["active"] * 85 + ["suspended"] * 3 + ["rectifying"] * 2 + ["expired"] * 6 + ["draft"] * 4
    kinds = [("enterprise", "other_enterprise"), ("social", "other_social"), ("school", "school")]
    today = datetime.date.today()
    start = time.perf_counter()
    with transaction.atomic():
        cur = connection.cursor().cursor
        if Agency.objects.exists():  # the audit trail is append-only: no TRUNCATE … CASCADE here
            raise SystemExit("bench_supervision already holds agencies: drop the database to reseed")
        regions = [rng.choice(districts) for _ in range(AGENCIES)]
        now = datetime.datetime.now(datetime.timezone.utc)
        with cur.copy("COPY filings_agency (id, name, uscc, kind, ownership, region_id, address, legal_representative,"
                      " contact_name, contact_phone, contact_email, entity_status, created_at) FROM STDIN") as copy:
            for i in range(AGENCIES):
                kind, ownership = rng.choice(kinds)
                copy.write_row([i + 1, f"上海抽查基准评价机构{i:05d}号", make_uscc(700000 + i), kind, ownership,
                                regions[i], "上海市示范路 1 号", "张三", "李四", "021-60000000", "", "existing", now])
        with cur.copy("COPY filings_filing (id, agency_id, state, managing_level, route, region_id, facilities,"
                      " number, pilot, valid_from, valid_until, last_comment, created_at, updated_at)"
                      " FROM STDIN") as copy:
            for i in range(AGENCIES):
                state = rng.choice(states)
                numbered = state != "draft"
                valid_from = today - datetime.timedelta(days=rng.randint(0, 1000))
                copy.write_row([i + 1, i + 1, state, "district", "district", regions[i], "",
                                f"3100002026S{i + 1:06d}" if numbered else None, False,
                                valid_from if numbered else None,
                                valid_from + datetime.timedelta(days=1095) if numbered else None, "", now, now])
        for table in ("filings_agency", "filings_filing"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    shanghai = Region.objects.get(code="310000")
    existing = set(User.objects.filter(role=Role.INSPECTOR).values_list("username", flat=True))
    User.objects.bulk_create([User(username=f"bench_inspector{i:03d}", role=Role.INSPECTOR, full_name=f"督导员{i:03d}",
                                   region=shanghai, password="!", email=f"bi{i}@example.gov.cn")
                              for i in range(INSPECTORS) if f"bench_inspector{i:03d}" not in existing])
    from portal.demo import demo_user

    demo_user("bench_city", role=Role.CITY, full_name="市局", region=shanghai)
    with connection.cursor() as c:
        for table in ("filings_agency", "filings_filing"):
            c.execute(f"VACUUM ANALYZE {table}")
    print(f"seeded {Agency.objects.count()} agencies, {INSPECTORS} inspectors in {time.perf_counter() - start:.1f} s")


def _plan(*, region_code: str, weighting: str, share: float):
    from portal.models import Region, Role, User
    from supervision.services import plans as svc

    city = User.objects.get(username="bench_city")
    item = svc.create_item(name="基准抽查事项", basis="[002 §26]", method="现场检查", actor=city)
    plan = svc.create_plan(region=Region.objects.get(code=region_code), year=2026, title="基准计划", items=[item],
                           inspectors=User.objects.filter(role=Role.INSPECTOR, username__startswith="bench_"),
                           sample_share=share, weighting=weighting, actor=city)
    svc.transitions.perform(svc.PLAN_MACHINE, pk=plan.pk, action="publish", actor=city)
    return plan, city


_CPU: list[float] = []  # this process's CPU time of each timed draw (the machine may be shared)


def _timed_draw(plan, city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from supervision.services import plans as svc

    draw = svc.commit_draw(plan_id=plan.pk, actor=city)
    with CaptureQueriesContext(connection) as ctx:
        t, cpu = time.perf_counter(), time.process_time()
        draw = svc.reveal_draw(draw_id=draw.pk, actor=city)
        elapsed = time.perf_counter() - t
        _CPU.append(time.process_time() - cpu)
    t = time.perf_counter()
    assert svc.verify_draw(draw) == []
    verify = time.perf_counter() - t
    return draw, elapsed, len(ctx.captured_queries), verify


def section_draw(runs: int) -> None:
    """A plan's draw over the whole city (goal ≤ 1 s), uniform and weighted by risk."""
    from django.db import transaction

    print("\n== 双随机抽取：全市 20,000 家机构，抽取 5%，每组 2 人，检查人员库 200 人 ==")
    for weighting in ("uniform", "risk"):
        times, queries = [], set()
        _CPU.clear()
        for _ in range(runs):
            with transaction.atomic():
                plan, city = _plan(region_code="310000", weighting=weighting, share=5)
                draw, elapsed, n_queries, verify = _timed_draw(plan, city)
                times.append(elapsed)
                queries.add(n_queries)
                transaction.set_rollback(True)
        print(f"{weighting:8s} candidates {len(draw.candidates):6d}  drawn {draw.sample_size:5d}  "
              f"median {statistics.median(times) * 1000:7.1f} ms  max {max(times) * 1000:7.1f} ms  "
              f"(CPU {statistics.median(_CPU) * 1000:.0f} ms)  queries {sorted(queries)}  verify {verify * 1000:.0f} ms")


def section_queries_constant() -> None:
    """The query count does not depend on the population: one district against the whole city."""
    from django.db import transaction

    from portal.models import Region

    print("\n== 查询次数与机构数量无关 ==")
    district = Region.objects.filter(level=Region.Level.DISTRICT).order_by("code").first()
    for code, label in ((district.code, f"一个区（{district.name}）"), ("310000", "全市")):
        with transaction.atomic():
            plan, city = _plan(region_code=code, weighting="risk", share=5)
            draw, elapsed, n_queries, _v = _timed_draw(plan, city)
            transaction.set_rollback(True)
        print(f"{label:12s} candidates {len(draw.candidates):6d}  queries {n_queries}  {elapsed * 1000:.1f} ms")


def section_algorithm(runs: int) -> None:
    """The pure algorithm alone (no database): what anyone recomputing a draw spends."""
    from supervision import draw as algo

    cands = [algo.Candidate(i, 1.0 + (i % 7) / 3) for i in range(1, AGENCIES + 1)]
    times = []
    for r in range(runs):
        t = time.perf_counter()
        algo.draw(seed=f"{r:064x}", candidates=cands, n=1000, inspectors=range(1, INSPECTORS + 1), team_size=2)
        times.append(time.perf_counter() - t)
    print(f"\n== 纯算法（无数据库）：20,000 候选、抽 1,000、200 人 == median {statistics.median(times) * 1000:.1f} ms")


def _ratings_round(city, year: int):
    """Seed a year's records for two factors (supplement notices for a tenth of the filings, overdue
    rectification orders for a twentieth of the agencies), a published formula and a round."""
    from django.db import connection

    from supervision import rating_factors
    from supervision.services import ratings as svc

    with connection.cursor() as cur:
        cur.execute("""
            INSERT INTO filings_writtennotice (filing_id, kind, action, number, issued_on, authority, reasons, basis,
                created_at, file, sha256)
            SELECT f.id, 'supplement', 'request_supplement', 'BZ' || f.id, make_date(%(y)s, 5, 6), '区人社局', '',
                '[002 §10]', now(), '', ''
            FROM filings_filing f WHERE f.id %% 10 = 0""", {"y": year})
        cur.execute("""
            INSERT INTO supervision_rectificationorder (number, agency_id, origin, findings, issued_on, working_days,
                due_on, state, response, overdue_on, rejections, last_comment, created_at, updated_at)
            SELECT 'BZG' || a.id, a.id, 'inspection', '考场规则未张贴', make_date(%(y)s, 4, 1), 20,
                make_date(%(y)s, 4, 29), 'overdue', '', make_date(%(y)s, 4, 30), 0, '', now(), now()
            FROM filings_agency a WHERE a.id %% 20 = 0""", {"y": year})
    formula = svc.create_formula(title="基准计分办法", effective_year=year, weights=rating_factors.default_weights(),
                                 thresholds=[60, 70, 80, 90], actor=city)
    svc.perform(svc.FORMULA_MACHINE, pk=formula.pk, action="publish", actor=city)
    return svc.create_round(year=year, actor=city, formula=formula)


def section_ratings(runs: int) -> None:
    """A year's star ratings for every agency in force (goal ≤ 5 s) through the real service
    (`compute_ratings`: lock, the population, one query per factor, one delete, one insert, the
    audit entry), at a tenth of the population and at all of it: the query count must not change.
    Everything is rolled back."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from portal.models import User
    from django.db.models import Count

    from supervision.models.ratings import StarRating
    from supervision.services import ratings as svc

    print("\n== 年度星级评定：全部备案有效机构，8 个计分因子 ==")
    city = User.objects.get(username="bench_city")
    year = 2025
    for label, tenth in (("十分之一", True), ("全部", False)):
        times, cpus, counts = [], [], set()
        for _ in range(runs):
            with transaction.atomic():
                if tenth:
                    with connection.cursor() as cur:
                        cur.execute("UPDATE filings_filing SET state = 'expired' WHERE agency_id % 10 <> 0")
                rnd = _ratings_round(city, year)
                with CaptureQueriesContext(connection) as ctx:
                    t, cpu = time.perf_counter(), time.process_time()
                    svc.compute_ratings(round_id=rnd.pk, actor=city)
                    times.append(time.perf_counter() - t)
                    cpus.append(time.process_time() - cpu)
                counts.add(len(ctx.captured_queries))
                rated = StarRating.objects.filter(round=rnd).count()
                dist = dict(StarRating.objects.filter(round=rnd).values_list("stars").annotate(n=Count("pk"))
                            .order_by("stars"))
                transaction.set_rollback(True)
        print(f"{label:6s} rated {rated:6d}  median {statistics.median(times) * 1000:7.1f} ms  "
              f"max {max(times) * 1000:7.1f} ms  (CPU {statistics.median(cpus) * 1000:.0f} ms)  "
              f"queries {sorted(counts)}  stars {dist}")
        if "-v" in sys.argv:
            for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:5]:
                print(f"    {q['time']} s  {q['sql'][:140]}")


SECTIONS = {"draw": lambda runs: (section_draw(runs), section_queries_constant()),
            "algorithm": section_algorithm, "ratings": section_ratings}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=sorted(SECTIONS), action="append",
                        help="run only these sections (default: all)")
    parser.add_argument("-v", action="store_true", help="print the slowest queries of the ratings")
    args = parser.parse_args()
    setup()
    from django.conf import settings

    from bench._setup import machine

    settings.DEBUG = False
    seed()
    print(machine(), "· load average", " ".join(f"{x:.1f}" for x in os.getloadavg()))
    for name, section in SECTIONS.items():
        if not args.only or name in args.only:
            section(args.runs)


if __name__ == "__main__":
    main()
