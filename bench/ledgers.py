"""Ledger export benchmark on PostgreSQL [issue #15 §3].

Seeds 20,000 agencies and `--rows` filings (default 100,000; one scope row each) with COPY into its
own database, then writes the filings ledger (two data sheets: filings and their scope, one query
each) three ways in the same run:

- through the portal (`portal.ledgers.export`: info sheet, dictionary, labels, dates, formula guard);
- with raw openpyxl write-only, the same two queries' tuples appended as they come (the floor);
- with django-import-export's default export (a ModelResource per sheet, `export()` → tablib → xlsx).

Then the portal's peak memory (tracemalloc, in a second pass so that tracing does not slow the
timings) at a tenth of the rows and at all of them: constant memory means the two are alike.

    .venv/bin/python bench/ledgers.py --rows 100000        (--reseed to rebuild, --skip-iex to skip the slowest)

The last line reads: ledger export N rows: <s> s, <x>× the time of raw openpyxl write-only,
<y>× faster than django-import-export, peak +<m> MiB
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

AGENCIES = 20_000
WORDS = ["浦江", "申城", "东方", "华夏", "金桥", "张江", "陆家", "长江", "黄浦", "明珠", "锦绣", "宏达", "恒信", "卓越",
         "精工", "鼎盛", "瑞丰", "德润", "博雅", "新航", "星河", "临港", "滨江", "虹桥", "松江", "嘉禾", "安亭", "南翔"]
TRADES = ["电气", "机电", "建设", "家政", "养老", "烹饪", "汽车", "电子", "信息", "物流", "美容", "机械"]
KINDS = [("有限公司", "enterprise", "other_enterprise"), ("职业技能培训学校", "social", "other_social"),
         ("技工学校", "school", "school")]
STATES = (["active"] * 70 + ["suspended"] * 3 + ["expired"] * 5 + ["submitted"] * 8 + ["accepted"] * 5
          + ["expert_review"] * 4 + ["refused"] * 3 + ["cancelled"] * 2)


def seed(filings: int, agencies: int = AGENCIES) -> None:
    """20,000 agencies in the districts, `filings` submitted filings spread over them, one scope row
    each; a district reviewer and the city's and the admin's accounts (`bench_*`)."""
    from django.db import connection, transaction

    from filings.demo import make_uscc
    from portal.demo import demo_user
    from portal.models import Occupation, PolicyProfile, Region, Role
    from portal.reference_data import load_occupations, load_regions

    load_regions()
    load_occupations()
    PolicyProfile.ensure_presets("shanghai")
    rng = random.Random(20261202)
    districts = list(Region.objects.filter(level=Region.Level.DISTRICT).values_list("id", flat=True))
    occupations = list(Occupation.objects.filter(restricted=False).values_list("id", flat=True))
    today = datetime.date.today()
    now = datetime.datetime.now(datetime.timezone.utc)
    start = time.perf_counter()
    with transaction.atomic():
        cur = connection.cursor().cursor
        regions = [rng.choice(districts) for _ in range(agencies)]
        with cur.copy("COPY filings_agency (id, name, uscc, kind, ownership, region_id, address, legal_representative,"
                      " contact_name, contact_phone, contact_email, entity_status, created_at) FROM STDIN") as copy:
            for i in range(agencies):
                suffix, kind, ownership = rng.choice(KINDS)
                name = f"上海{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.choice(TRADES)}{suffix}{i:05d}号"
                copy.write_row([i + 1, name, make_uscc(700000 + i), kind, ownership, regions[i], "上海市示范路 1 号",
                                "张三", "李四", "021-60000000", "", "existing", now])
        with cur.copy("COPY filings_filing (id, agency_id, state, managing_level, route, region_id, facilities,"
                      " number, pilot, submitted_at, received_on, acceptance_due, accepted_on, decision_due,"
                      " decided_on, valid_from, valid_until, last_comment, created_at, updated_at) FROM STDIN") as copy:
            for i in range(filings):
                agency = i % agencies
                state = rng.choice(STATES)
                decided = state in ("active", "suspended", "expired", "refused", "cancelled")
                numbered = decided and state != "refused"
                submitted = today - datetime.timedelta(days=rng.randint(5, 1200))
                valid_from = submitted + datetime.timedelta(days=60)
                copy.write_row([
                    i + 1, agency + 1, state, "district", "district", regions[agency], "",
                    f"3100002024B{i + 1:07d}" if numbered else None, False,
                    datetime.datetime.combine(submitted, datetime.time(9), datetime.timezone.utc), submitted,
                    submitted + datetime.timedelta(days=7), submitted + datetime.timedelta(days=3),
                    submitted + datetime.timedelta(days=90), valid_from if decided else None,
                    valid_from if numbered else None, valid_from + datetime.timedelta(days=1095) if numbered else None,
                    "", now, now])
        with cur.copy("COPY filings_scopeitem (filing_id, occupation_id, level_from, level_to) FROM STDIN") as copy:
            for i in range(filings):
                low = rng.randint(2, 5)
                copy.write_row([i + 1, rng.choice(occupations), low, rng.randint(low, 5)])
        for table in ("filings_agency", "filings_filing", "filings_scopeitem"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    shanghai = Region.objects.get(code="310000")
    pudong = Region.objects.get(code="310115")
    demo_user("bench_admin", role=Role.ADMIN, full_name="基准管理员").save()
    demo_user("bench_city", role=Role.CITY, full_name="基准市级", region=shanghai).save()
    demo_user("bench_pudong", role=Role.DISTRICT, full_name="基准浦东", region=pudong).save()
    with connection.cursor() as cur:
        # Every table, as autovacuum would have by then: the regions' and users' statistics too,
        # which the scope's subquery is planned with (the city's register at 10,000: 50 → 20 ms).
        cur.execute("VACUUM ANALYZE")
    print(f"seeded {agencies} agencies, {filings} filings, {filings} scope rows in {time.perf_counter() - start:.1f} s")


def database_for(filings: int, reseed: bool) -> str:
    """A database of its own per size (`bench_ledgers_100000`), dropped first with --reseed: the
    audit trail is append-only on PostgreSQL, so the data are never truncated in place."""
    name = f"{os.environ.get('BENCH_DB', 'bench_ledgers')}_{filings}"
    if reseed:
        import psycopg

        url = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{name}")
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    return name


def ensure_data(filings: int) -> None:
    from filings.models import Filing

    if not Filing.objects.exists():
        seed(filings)


def _portal(user, limit: int | None, path: str) -> int:
    from portal import ledgers

    ledger = ledgers.get("filings")
    if limit is None:
        return ledgers.export(ledger, user, {}, path, via="bench")
    # A tenth of the rows, through the same writer (for the memory comparison).
    from portal.ledgers import rows_of
    from portal.spreadsheets import Sheet, write_ledger

    sheets = []
    for title, fields, qs in ledger.sheets(user, {}):
        sheets.append(Sheet(title, [f.column for f in fields], rows_of(fields, qs[:limit])))
    write_ledger(path, title="bench", about=[], sheets=sheets)
    return sheets[0].count


def _raw(user, path: str) -> int:
    from openpyxl import Workbook

    from portal import ledgers

    workbook = Workbook(write_only=True)
    n = 0
    for title, fields, qs in ledgers.get("filings").sheets(user, {}):
        ws = workbook.create_sheet(title)
        ws.append([f.header for f in fields])
        # The least a raw writer must do: Excel has no time zones, so aware datetimes lose theirs.
        aware = [i for i, f in enumerate(fields) if f.kind == "datetime"]
        for row in qs.values_list(*[f.source for f in fields]).iterator(chunk_size=2000):
            if aware:
                row = list(row)
                for i in aware:
                    if row[i] is not None:
                        row[i] = row[i].replace(tzinfo=None)
            ws.append(row)
            n += 1
    workbook.save(path)
    return n


def _import_export(user, path: str) -> None:
    import tablib
    from import_export import fields as iex_fields
    from import_export import resources

    from filings.models import Filing, ScopeItem
    from portal import ledgers

    ledger = ledgers.get("filings")
    (_, main_fields, main), (_, scope_fields, scope) = ledger.sheets(user, {})

    def resource_for(model, ledger_fields):
        attrs = {f"f{i}": iex_fields.Field(attribute=f.source, column_name=f.header)
                 for i, f in enumerate(ledger_fields)}
        meta = type("Meta", (), {"model": model, "fields": tuple(attrs)})
        return type(f"{model.__name__}BenchResource", (resources.ModelResource,), {**attrs, "Meta": meta})()

    book = tablib.Databook()
    for model, ledger_fields, qs, title in ((Filing, main_fields, main, "备案"), (ScopeItem, scope_fields, scope, "备案范围")):
        dataset = resource_for(model, ledger_fields).export(qs)
        dataset.title = title
        book.add_sheet(dataset)
    Path(path).write_bytes(book.export("xlsx"))


def _time(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def _peak(fn, *args) -> float:
    import gc

    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - base) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--skip-iex", action="store_true", help="skip django-import-export (the slowest)")
    args = parser.parse_args()
    from _setup import django_on_postgres, machine

    django_on_postgres(database_for(args.rows, args.reseed))
    ensure_data(args.rows)
    from portal.models import User

    admin = User.objects.get(username="bench_admin")
    print(machine())
    tmp = tempfile.mkdtemp(prefix="bench-ledgers-")
    ours, raw, iex = [], [], []
    for _ in range(2):  # alternate, best of two
        ours.append(_time(_portal, admin, None, f"{tmp}/ours.xlsx"))
        raw.append(_time(_raw, admin, f"{tmp}/raw.xlsx"))
    if not args.skip_iex:
        iex.append(_time(_import_export, admin, f"{tmp}/iex.xlsx"))
    t_ours, t_raw = min(ours), min(raw)
    size = Path(f"{tmp}/ours.xlsx").stat().st_size / 2**20
    print(f"portal ledger (2 sheets, {args.rows} + {args.rows} rows): {t_ours:.2f} s, {size:.1f} MiB file")
    print(f"raw openpyxl write-only, same queries:          {t_raw:.2f} s")
    if iex:
        print(f"django-import-export default export:             {iex[0]:.2f} s")
    small = _peak(_portal, admin, args.rows // 10, f"{tmp}/small.xlsx")
    large = _peak(_portal, admin, None, f"{tmp}/ours.xlsx")
    print(f"peak memory (tracemalloc): {args.rows // 10} rows +{small:.1f} MiB, {args.rows} rows +{large:.1f} MiB")
    faster = f"{iex[0] / t_ours:.1f}× faster than django-import-export" if iex else "django-import-export skipped"
    print(f"ledger export {args.rows} rows: {t_ours:.2f} s, {t_ours / t_raw:.2f}× the time of raw openpyxl write-only, "
          f"{faster}, peak +{large:.1f} MiB")


if __name__ == "__main__":
    main()
