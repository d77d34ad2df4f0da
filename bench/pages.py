"""Staff pages at scale on PostgreSQL [issue #15 §6].

Seeds (as bench/ledgers.py does) 20,000 agencies with 10,000 and then 100,000 filings, each size in a
database of its own, and times each staff page — the agency register, the work list's tabs, the
change list, the renewal board, the dashboard (with its charts) and a filing's detail page — as the
city reviewer and as the 浦东 district reviewer through Django's test client (the whole request:
middleware, view, template), printing the median and the number of queries at each size. A fixed
number of queries means the same count at 10,000 and 100,000 filings.

    .venv/bin/python bench/pages.py                 (--sizes 10000 100000, --runs 30, --reseed,
                                                     --pages agencies review: only those pages)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
for key, value in {"SECRET_KEY": "bench-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
                   "STATIC_MANIFEST": "0", "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0"}.items():
    os.environ.setdefault(key, value)

PAGES = [
    ("机构名录 agencies", "/agencies/"),
    ("审核待办 review?tab=todo", "/review/?tab=todo"),
    ("审核全部 review?tab=all", "/review/?tab=all"),
    ("已逾期 review?tab=overdue", "/review/?tab=overdue"),
    ("变更列表 changes", "/changes/"),
    ("评估看板 renewals/board", "/renewals/board/"),
    ("工作台 dashboard", "/dashboard/"),
    ("备案详情 filings/<id>", "/filings/{pk}/"),
]


def measure(size: int, runs: int, reseed: bool, only: list[str] | None = None) -> None:
    from _setup import django_on_postgres, machine
    from ledgers import database_for, ensure_data

    django_on_postgres(database_for(size, reseed))
    ensure_data(size)
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from filings.models import Filing
    from portal.models import User

    settings.ALLOWED_HOSTS = ["*"]
    settings.AXES_ENABLED = False
    print(f"{size} filings — {machine()}")
    for username in ("bench_city", "bench_pudong"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        filing = Filing.objects.filter(region__path__startswith=user.region.path, state="active").order_by("pk").first()
        for label, url in PAGES:
            if only and not any(word in label for word in only):
                continue
            url = url.format(pk=filing.pk)
            try:
                for _ in range(3):
                    response = client.get(url)
            except Exception as exc:  # noqa: BLE001 — e.g. a table of an area with no migration yet
                print(f"  {username:13s} {label:28s} error: {type(exc).__name__}: {str(exc).splitlines()[0][:80]}")
                continue
            counted = []
            with connection.execute_wrapper(lambda execute, sql, *a: (counted.append(sql), execute(sql, *a))[1]):
                response = client.get(url)
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - start) * 1000)
            print(f"  {username:13s} {label:28s} {response.status_code}  median {statistics.median(times):6.1f} ms"
                  f"  p90 {sorted(times)[int(runs * 0.9) - 1]:6.1f} ms  {len(counted):3d} queries")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--pages", nargs="+", help="only the pages whose label holds one of these words")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        measure(args.one, args.runs, args.reseed, args.pages)
        return
    for size in args.sizes:  # one process per database
        command = [sys.executable, __file__, "--one", str(size), "--runs", str(args.runs)]
        subprocess.run(command + (["--reseed"] if args.reseed else []) + (["--pages", *args.pages] if args.pages else []),
                       check=True)


if __name__ == "__main__":
    main()
