"""Directory search benchmark on PostgreSQL [SPEC §7].

Seeds 20,000 agencies (one filing each, ~90% in force) and 200,000 scope rows with COPY into its
own database (the triggers of migration 0005 build the search rows as it loads), then times five
representative searches through the API view (parameter parsing, the one search statement, JSON
serialization) with the indexes, and again without them: the same statement, prepared the same
way, on a second connection whose planner has index, bitmap and index-only scans disabled.
Indexed and unindexed runs alternate, so that both see the machine in the same state.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_directory .venv/bin/python bench/directory.py
    (--reseed to rebuild the data, --runs N for more timings)
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
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_directory"
os.environ["DATABASE_URL"] = os.environ.get("DATABASE_URL") or DEFAULT_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

AGENCIES = 20_000
SCOPE_PER_FILING = 10

WORDS = ["浦江", "申城", "东方", "华夏", "金桥", "外高", "张江", "陆家", "长江", "黄浦", "明珠", "锦绣", "宏达", "恒信",
         "卓越", "精工", "鼎盛", "瑞丰", "德润", "博雅", "新航", "星河", "海湾", "临港", "宝钢", "滨江", "虹桥", "松江",
         "佘山", "淀山", "九亭", "泗泾", "嘉禾", "安亭", "南翔", "罗店", "吴淞", "大场", "顾村", "杨行", "月浦", "高桥",
         "川沙", "惠南", "周浦", "航头", "新场", "祝桥", "书院", "万祥", "泥城", "芦潮", "朱家", "枫泾", "亭林", "金山"]
TRADES = ["电气", "机电", "建设", "家政", "养老", "烹饪", "汽车", "电子", "信息", "物流", "美容", "机械", "化工", "纺织"]
SUFFIXES = [("有限公司", "enterprise", "other_enterprise"), ("职业技能培训学校", "social", "other_social"),
            ("技能评价中心", "social", "other_social"), ("技工学校", "school", "school"),
            ("集团有限公司", "enterprise", "district_enterprise")]


def ensure_database(url: str) -> None:
    import psycopg
    from urllib.parse import urlparse

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def seed() -> None:
    from django.db import connection, transaction

    from filings.demo import make_uscc
    from filings.models import Agency
    from portal.models import Occupation, PolicyProfile, Region
    from portal.reference_data import load_occupations, load_regions

    load_regions()
    load_occupations()
    PolicyProfile.ensure_presets("shanghai")
    rng = random.Random(20240601)
    districts = list(Region.objects.filter(level=Region.Level.DISTRICT).values_list("id", flat=True))
    occupations = list(Occupation.objects.filter(restricted=False).values_list("id", flat=True))
    states = ["active"] * 85 + ["suspended"] * 3 + ["rectifying"] * 2 + ["expired"] * 4 + ["cancelled"] * 2 + \
             ["expert_review"] * 2 + ["draft"] * 2
    today = datetime.date.today()
    start = time.perf_counter()
    with transaction.atomic():
        cur = connection.cursor().cursor
        cur.execute("TRUNCATE filings_scopeitem, filings_filing, filings_agency RESTART IDENTITY CASCADE")
        agency_id0 = 1
        agency_regions = [rng.choice(districts) for _ in range(AGENCIES)]
        with cur.copy("COPY filings_agency (id, name, uscc, kind, ownership, region_id, address, legal_representative,"
                      " contact_name, contact_phone, contact_email, entity_status, created_at) FROM STDIN") as copy:
            for i in range(AGENCIES):
                suffix, kind, ownership = rng.choice(SUFFIXES)
                name = f"上海{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.choice(TRADES)}{suffix}{i:05d}号"
                copy.write_row([agency_id0 + i, name, make_uscc(500000 + i), kind, ownership, agency_regions[i],
                                "上海市示范路 1 号", "张三", "李四", "021-60000000", "", "existing",
                                datetime.datetime.now(datetime.timezone.utc)])
        with cur.copy("COPY filings_filing (id, agency_id, state, managing_level, route, region_id, facilities,"
                      " number, pilot, valid_from, valid_until, last_comment, created_at, updated_at)"
                      " FROM STDIN") as copy:
            for i in range(AGENCIES):
                state = rng.choice(states)
                numbered = state not in ("expert_review", "draft")
                valid_from = today - datetime.timedelta(days=rng.randint(0, 1000))
                now = datetime.datetime.now(datetime.timezone.utc)
                copy.write_row([i + 1, agency_id0 + i, state, "district", "district", agency_regions[i], "",
                                f"3100002024B{i + 1:06d}" if numbered else None, False,
                                valid_from if numbered else None,
                                valid_from + datetime.timedelta(days=1095) if numbered else None, "", now, now])
        with cur.copy("COPY filings_scopeitem (filing_id, occupation_id, level_from, level_to) FROM STDIN") as copy:
            for i in range(AGENCIES):
                for occupation in rng.sample(occupations, SCOPE_PER_FILING):
                    low = rng.randint(2, 5)
                    copy.write_row([i + 1, occupation, low, rng.randint(low, 6)])
        for table in ("filings_agency", "filings_filing", "filings_scopeitem"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE filings_agency")
        cur.execute("VACUUM ANALYZE filings_filing")
        cur.execute("VACUUM ANALYZE filings_scopeitem")
        cur.execute("VACUUM ANALYZE filings_directoryentry")
    from filings.models import DirectoryEntry, DirectoryTotal

    listed = DirectoryEntry.objects.count()
    assert DirectoryTotal.objects.get(pk=1).listed == listed, "the directory's total disagrees with its rows"
    print(f"seeded {Agency.objects.count()} agencies ({listed} listed), "
          f"{connection.cursor().execute('SELECT count(*) FROM filings_scopeitem').fetchone()[0]} scope rows "
          f"in {time.perf_counter() - start:.1f} s")


SEARCHES = [
    ("两字名称片段 q=浦江", {"q": "浦江"}),
    ("职业编码 occupation=6-31-01-03", {"occupation": "6-31-01-03"}),
    ("等级+区县 level=5&region=310115", {"level": "5", "region": "310115"}),
    ("组合 q=电气&occupation=电工&level=4&region=310115&kind=enterprise",
     {"q": "电气", "occupation": "电工", "level": "4", "region": "310115", "kind": "enterprise"}),
    ("空查询（第一页）", {}),
]


NO_INDEX = "-c enable_indexscan=off -c enable_bitmapscan=off -c enable_indexonlyscan=off"


def _add_connection_without_indexes() -> None:
    """A second connection whose planner may not use any index. Two connections rather than a SET
    between runs: the search statement is prepared and planned once per connection, and a plan
    made with the indexes would be reused without them."""
    import copy

    from django.conf import settings

    alias = copy.deepcopy(settings.DATABASES["default"])
    alias["OPTIONS"]["options"] = f"{alias['OPTIONS'].get('options', '')} {NO_INDEX}"
    settings.DATABASES["noindex"] = alias


def _use_indexes(indexed: bool) -> None:
    from filings import directory

    directory.entries.DATABASE = "default" if indexed else "noindex"


def time_searches(runs: int) -> list[tuple[int, dict[bool, list[float]]]]:
    """Each search `runs` times with the indexes and `runs` times without, alternating run by run
    so that both see the machine in the same state (its speed drifts by half over a minute)."""
    import json

    from django.conf import settings
    from django.test import RequestFactory

    from filings import api

    settings.DIRECTORY_RATE_LIMITS = {"api": (10**9, 60)}
    factory = RequestFactory()
    results = []
    for _, params in SEARCHES:
        times: dict[bool, list[float]] = {True: [], False: []}
        counts = set()
        for i in range(runs + 3):
            for indexed in (True, False):
                _use_indexes(indexed)
                request = factory.get("/api/v1/directory/", params, REMOTE_ADDR="127.0.0.1")
                t0 = time.perf_counter()
                response = api.directory_list(request)
                elapsed = (time.perf_counter() - t0) * 1000
                assert response.status_code == 200, response.content
                counts.add(json.loads(response.content)["count"])
                if i >= 3:  # warm-up
                    times[indexed].append(elapsed)
        assert len(counts) == 1, f"with and without the indexes the counts differ: {counts}"
        results.append((counts.pop(), times))
    _use_indexes(True)
    return results


def _p(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[int(round(q * (len(ordered) - 1)))]


def machine() -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        version = cur.fetchone()[0]
    mem_kb = int(next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1])
    return f"nproc {os.cpu_count()}, memory {mem_kb / 1024 / 1024:.1f} GiB, PostgreSQL {version}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from filings.models import Agency

    call_command("migrate", verbosity=0)
    if args.reseed or Agency.objects.count() < AGENCIES:
        seed()
    print(machine())
    _add_connection_without_indexes()
    results = time_searches(args.runs)
    print(f"{'search':<64} {'hits':>6} {'p50 ms':>8} {'p95 ms':>8} {'no-index p50':>13} {'p95':>8} {'speed-up':>9}")
    for (label, _), (hits, times) in zip(SEARCHES, results):
        p50, p95, u50, u95 = _p(times[True], .5), _p(times[True], .95), _p(times[False], .5), _p(times[False], .95)
        print(f"{label:<64} {hits:>6} {p50:>8.1f} {p95:>8.1f} {u50:>13.1f} {u95:>8.1f} {u50 / p50:>8.1f}x")


if __name__ == "__main__":
    main()
