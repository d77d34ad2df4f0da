"""The filings' deadline sweep over a large table on PostgreSQL [002 §10, 003 §7].

Seeds N filings (default 100,000; mostly in force or waiting, a fixed number due), then runs the
sweep and prints its wall time, query count and peak Python memory; then runs it again (nothing is
due any more). Repeats at a tenth of the size to show the figures don't grow with the table.

    .venv/bin/python bench/sweep.py [N]
"""

from __future__ import annotations

import datetime
import sys
import time
import tracemalloc

from _setup import django_on_postgres, machine

DUE_PER_RULE = 100


def seed(n: int, today: datetime.date) -> None:
    from django.db import connection

    from filings.demo import get_agency, make_uscc
    from filings.models import Filing
    from portal.demo import seed_people
    from portal.models import PolicyProfile
    from portal.reference_data import load_occupations, load_regions

    load_regions()
    load_occupations()
    PolicyProfile.ensure_presets("shanghai")
    seed_people()
    agencies = [get_agency(name=f"基准机构{i}", uscc=make_uscc(900000 + i), kind="enterprise",
                           ownership="district_enterprise", region_code="310115") for i in range(50)]
    with connection.cursor() as cur:
        cur.execute("SET portal.audit_truncate = 'on'")  # a benchmark's own database: the guard lets it start over
        cur.execute("TRUNCATE filings_filing, filings_material, filings_scopeitem, filings_examiner, "
                    "filings_noticeitem, filings_objection, filings_publicnotice, filings_receipt, "
                    "filings_expertassignment, filings_changerequest, portal_notification, portal_auditentry CASCADE")
        cur.execute("DELETE FROM portal_auditchainhead")
        # Bulk-loaded rows: the bulk of the table is filings nobody is waiting on today.
        cur.execute(
            """
            INSERT INTO filings_filing (agency_id, state, managing_level, route, region_id, facilities, number,
                pilot, valid_from, valid_until, received_on, acceptance_due, supplement_due, notice_ends_on,
                last_comment, created_at, updated_at)
            SELECT %(agency)s + (g %% 50), s.state, 'district', 'district', %(region)s, '', NULL, false,
                CASE WHEN s.state = 'active' THEN %(today)s::date - (g %% 1000) END,
                CASE WHEN s.state = 'active' THEN %(today)s::date + 365 + (g %% 700) END,
                %(today)s::date,
                CASE WHEN s.state = 'submitted' THEN %(today)s::date + 3 END,
                CASE WHEN s.state = 'supplement_requested' THEN %(today)s::date + 10 END,
                CASE WHEN s.state = 'public_notice' THEN %(today)s::date + 2 END,
                '', now(), now()
            FROM generate_series(1, %(n)s) AS g
            CROSS JOIN LATERAL (SELECT (ARRAY['active','active','active','active','active','active','submitted',
                'supplement_requested','public_notice','refused'])[1 + g %% 10] AS state) s
            """,
            {"agency": agencies[0].pk, "region": agencies[0].region_id, "today": today, "n": n},
        )
        # A fixed number due under each rule.
        for state, column in (("submitted", "acceptance_due"), ("supplement_requested", "supplement_due"),
                              ("public_notice", "notice_ends_on")):
            cur.execute(
                f"""UPDATE filings_filing SET {column} = %s WHERE id IN (
                        SELECT id FROM filings_filing WHERE state = %s ORDER BY id LIMIT %s)""",
                [today - datetime.timedelta(days=1), state, DUE_PER_RULE])
        cur.execute("ANALYZE filings_filing")
    assert Filing.objects.count() == n


def measure(today: datetime.date) -> tuple[int, float, int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from filings.deadlines import sweep

    tracemalloc.start()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        changed = sweep(today)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return changed, elapsed, len(queries), peak


def main() -> None:
    sizes = [int(sys.argv[1])] if len(sys.argv) > 1 else [10_000, 100_000]
    django_on_postgres("bench_sweep")
    from django.utils import timezone

    today = timezone.localdate()
    print(f"machine: {machine()}")
    print(f"{'filings':>9} {'run':>6} {'changed':>8} {'seconds':>8} {'queries':>8} {'peak MiB':>9}")
    for n in sizes:
        seed(n, today)
        for run in ("first", "second"):
            changed, elapsed, queries, peak = measure(today)
            print(f"{n:>9} {run:>6} {changed:>8} {elapsed:>8.2f} {queries:>8} {peak:>9.1f}")


if __name__ == "__main__":
    main()
