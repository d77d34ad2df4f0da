"""Importing a 5,000-candidate list and its 5,000-row result sheet with every check [003 §15]:
target ≤ 5 s each on PostgreSQL. Run: `.venv/bin/python bench/batches.py` (prints the figures).

Until the lead's migration for supervision's batch models exists, the tables missing from the
migrated database are created from the models (schema_editor), so the figure is the same code path
as the portal's."""

from __future__ import annotations

import datetime
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_on_postgres, machine  # noqa: E402

N = 5000


def main() -> None:
    django_on_postgres("portal_bench_batches")
    from django.db import connection
    from django.utils import timezone

    from filings.choices import AgencyKind, Ownership
    from filings.demo import agency_user, draft_filing, get_agency, make_uscc
    from filings.models import Filing
    from portal.models import Occupation, PolicyProfile
    from portal.reference_data import load_occupations, load_regions
    from supervision.demo_batches import build_batch, candidate_sheet, people, result_sheet
    from supervision.models import batches as models
    from supervision.services import batches as services

    tables = set(connection.introspection.table_names())
    with connection.schema_editor() as editor:
        for model in (models.EvaluationBatch, models.BatchGroup, models.BatchModule, models.BatchStaff,
                      models.Candidate, models.BatchDocument):
            if model._meta.db_table not in tables:
                editor.create_model(model)
    load_regions()
    load_occupations()
    PolicyProfile.ensure_presets("shanghai")
    agency = get_agency(name="上海基准测试电气有限公司", uscc=make_uscc(77), kind=AgencyKind.ENTERPRISE,
                        ownership=Ownership.DISTRICT_ENTERPRISE, region_code="310115")
    clerk = agency_user(agency, "bench_batches_clerk")
    occupation = Occupation.objects.get(code="6-31-01-03", work_type="")
    filing = draft_filing(agency, clerk, occupations=[occupation])
    Filing.objects.filter(pk=filing.pk).update(state="active", number=f"BENCH{filing.pk}", submitted_at=timezone.now(),
                                               valid_until=datetime.date(2030, 1, 1))
    filing.refresh_from_db()
    exam = datetime.date.today() - datetime.timedelta(days=3)
    batch = build_batch(filing, clerk, exam_on=exam, persons=[], title=f"基准批次{time.time_ns()}")
    persons = people(N, seed=batch.pk)
    level = batch.groups.get().level
    cand = candidate_sheet(occupation.code, level, persons)
    res = result_sheet(persons, prefix=f"B{batch.pk:06d}-")

    t0 = time.perf_counter()
    services.import_candidates(batch_id=batch.pk, data=cand, actor=clerk)
    t_cand = time.perf_counter() - t0
    models.EvaluationBatch.objects.filter(pk=batch.pk).update(state="approved")
    t0 = time.perf_counter()
    services.import_results(batch_id=batch.pk, data=res, actor=clerk)
    t_res = time.perf_counter() - t0
    print(machine())
    print(f"candidate list {N} rows ({len(cand) // 1024} KiB): {t_cand:.2f} s (target ≤ 5 s)")
    print(f"result sheet   {N} rows ({len(res) // 1024} KiB): {t_res:.2f} s (target ≤ 5 s)")


if __name__ == "__main__":
    main()
