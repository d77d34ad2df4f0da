"""Benchmark: how long one 备案回执 takes to render (WeasyPrint, CJK fonts, QR code). Target ≤ 2 s.

    .venv/bin/python bench/receipt.py [N]

Uses DATABASE_URL if set (an already migrated database; everything the benchmark creates is rolled
back), otherwise a throwaway SQLite file that is migrated, used and deleted. Files go to a
temporary MEDIA_ROOT. The filing has a scope of ten occupations and is built through the real
services (filings.demo), so the receipt is exactly what an agency would get.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = tempfile.mkdtemp(prefix="bench-receipt-")
os.environ["MEDIA_ROOT"] = str(Path(WORKDIR) / "files")
THROWAWAY = not os.environ.get("DATABASE_URL")
if THROWAWAY:
    os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

TARGET_SECONDS = 2.0


class Rollback(Exception):
    pass


def build_filing():
    from filings.choices import AgencyKind, FilingState, ManagingLevel, Ownership
    from filings.demo import agency_user, draft_filing, drive, get_agency, make_uscc
    from portal.demo import demo_user
    from portal.models import Occupation, PolicyProfile, Region, Role
    from portal.reference_data import load_occupations, load_regions

    if not Region.objects.filter(code="310000").exists():
        load_regions()
    if Occupation.objects.filter(restricted=False).count() < 10:
        load_occupations()
    PolicyProfile.ensure_presets()
    shanghai = Region.objects.get(code="310000")
    city = demo_user("bench_city", role=Role.CITY, full_name="基准测试审核员", region=shanghai)
    experts = [demo_user(f"bench_expert{i}", role=Role.EXPERT, full_name=f"基准专家{i}") for i in range(3)]
    agency = get_agency(name="上海堃喆精密机械制造集团有限公司", uscc=make_uscc(990_001), kind=AgencyKind.ENTERPRISE,
                        ownership=Ownership.MUNICIPAL_SOE, region_code="310115")
    clerk = agency_user(agency, "bench_clerk")
    occupations = list(Occupation.objects.filter(restricted=False).order_by("code")[:10])
    filing = draft_filing(agency, clerk, occupations=occupations, managing_level=ManagingLevel.CITY)
    filing = drive(filing, FilingState.ACTIVE, actors={"city": city, "agency": clerk}, experts=experts)
    assert filing.state == FilingState.ACTIVE, filing.state
    return filing


def main(n: int) -> int:
    from filings.receipt_pdf import render_pdf

    if THROWAWAY:
        print("数据库：临时 SQLite（迁移中……）", flush=True)
        call_command("migrate", verbosity=0)
    else:
        print("数据库：DATABASE_URL（事务结束时回滚）", flush=True)
    timings, size, occupations = [], 0, 0
    try:
        with transaction.atomic():
            filing = build_filing()
            receipt = filing.receipts.get()
            occupations = filing.scope.count()
            render_pdf(receipt)  # warm-up: font loading and WeasyPrint imports, once per process
            for _ in range(n):
                start = time.perf_counter()
                size = len(render_pdf(receipt))
                timings.append(time.perf_counter() - start)
            raise Rollback
    except Rollback:
        pass
    finally:
        shutil.rmtree(WORKDIR, ignore_errors=True)
    median, worst = statistics.median(timings), max(timings)
    print(f"回执渲染 N={n}，备案范围 {occupations} 个职业，PDF {size / 1024:.0f} KB")
    print(f"median {median:.3f} s  max {worst:.3f} s  (target ≤ {TARGET_SECONDS:.0f} s)")
    ok = worst <= TARGET_SECONDS
    print("OK" if ok else "SLOWER THAN TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10))
