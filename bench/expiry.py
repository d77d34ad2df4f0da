"""Expiry flags over a large table on PostgreSQL [000 §3, 004 §3(1)].

Bulk-loads N filings in force (default 100,000 then 1,000,000) with INSERT … SELECT generate_series
into its own database (bench_expiry), their expiry dates spread evenly over the next three years, then
runs the renewal sweep (`assessments.deadlines.sweep`, the code `run_deadlines` and Celery beat run)
and prints wall time, query count and peak Python memory for:

  first   the backlog on the day the portal goes live (every filing already inside the window)
  again   the same day once more (idempotent: nothing new)
  daily   the next day (one day's worth of filings enters the window)
  sweep   the whole nightly sweep the day after: flags plus the filings that expired unrenewed, which
          are ended one by one through the services (audited, notified) — about N/1095 a day

The first three rows time the flagging alone (`flag_expiring`): the filings ending that day are
ended first, unmeasured, so the row shows what grows with the table and what does not.

    .venv/bin/python bench/expiry.py [N ...]
"""

from __future__ import annotations

import datetime
import sys
import time
import tracemalloc

from _setup import django_on_postgres, machine

AGENCIES = 200


def seed(n: int, today: datetime.date) -> None:
    from django.db import connection

    from django.contrib.auth.hashers import make_password

    from filings.demo import get_agency, make_uscc
    from portal.demo import DEMO_PASSWORD, seed_people
    from portal.models import PolicyProfile, Role, User
    from portal.reference_data import load_occupations, load_regions

    load_regions()
    load_occupations()
    PolicyProfile.ensure_presets("shanghai")
    seed_people()
    with connection.cursor() as cur:
        cur.execute("SET portal.audit_truncate = 'on'")  # a benchmark's own database: the guard lets it start over
        cur.execute("TRUNCATE assessments_renewalreminder, portal_notification, portal_auditentry CASCADE")
        cur.execute("DELETE FROM portal_auditchainhead")
        cur.execute("SELECT count(*) FROM filings_filing")
        if cur.fetchone()[0] == n:
            return  # already loaded at this size
        cur.execute("TRUNCATE filings_filing, filings_material, filings_scopeitem, filings_examiner, "
                    "filings_noticeitem, filings_objection, filings_publicnotice, filings_receipt, "
                    "filings_expertassignment, filings_changerequest, assessments_renewalassessment CASCADE")
    agencies = [get_agency(name=f"基准企业{i}", uscc=make_uscc(800000 + i), kind="enterprise",
                           ownership="district_enterprise", region_code="310115") for i in range(AGENCIES)]
    # One user per agency, one password hash for all (hashing 200 passwords would dominate the set-up).
    password = make_password(DEMO_PASSWORD)
    User.objects.bulk_create([User(username=f"bench_agency_{i}", role=Role.AGENCY, agency=a, password=password,
                                   email=f"bench_agency_{i}@example.com") for i, a in enumerate(agencies)],
                             ignore_conflicts=True)
    ids = sorted(a.pk for a in agencies)
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO filings_filing (agency_id, state, managing_level, route, region_id, facilities, number,
                pilot, valid_from, valid_until, last_comment, created_at, updated_at)
            SELECT (%(ids)s::int[])[1 + g %% %(k)s], 'active', 'district', 'district', %(region)s, '',
                'BENCH' || g, false, %(today)s::date - 1095 + (g %% 1095), %(today)s::date + (g %% 1095),
                '', now(), now()
            FROM generate_series(1, %(n)s) AS g
            """,
            {"ids": ids, "k": len(ids), "region": agencies[0].region_id, "today": today, "n": n})
        cur.execute("ANALYZE filings_filing")


def measure(today: datetime.date, only_flags: bool = False) -> tuple[int, float, int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.deadlines import flag_expiring, sweep

    if only_flags:
        from assessments import deadlines

        deadlines.end_abandoned(today)
    tracemalloc.start()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        changed = sum(flag_expiring(today).values()) if only_flags else sweep(today)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return changed, elapsed, len(queries), peak


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100_000, 1_000_000]
    django_on_postgres("bench_expiry")
    from django.utils import timezone

    from portal.models import Notification

    today = timezone.localdate()
    print(f"machine: {machine()}")
    print(f"{'filings':>9} {'run':>6} {'flagged':>8} {'messages':>9} {'seconds':>8} {'queries':>8} {'peak MiB':>9}")
    for n in sizes:
        started = time.perf_counter()
        seed(n, today)
        print(f"(seeded {n:,} filings in {time.perf_counter() - started:.1f} s)")
        runs = (("first", today, True), ("again", today, True), ("daily", today + datetime.timedelta(days=1), True),
                ("sweep", today + datetime.timedelta(days=2), False))
        for run, day, only_flags in runs:
            before = Notification.objects.count()
            flagged, elapsed, queries, peak = measure(day, only_flags)
            messages = Notification.objects.count() - before
            print(f"{n:>9} {run:>6} {flagged:>8} {messages:>9} {elapsed:>8.2f} {queries:>8} {peak:>9.1f}")


if __name__ == "__main__":
    main()
