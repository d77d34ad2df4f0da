"""Loaders for reference data shipped in fixtures/: regions (any province or city) and occupations.
Idempotent: running them again updates in place."""

from __future__ import annotations

import csv
from pathlib import Path

from django.conf import settings
from django.db import transaction

from portal.models import Occupation, Region

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


@transaction.atomic
def load_regions(path: Path | str = FIXTURES / "regions" / "shanghai.csv") -> int:
    """CSV columns: code, name, level (province/city/district), parent_code; parents before children."""
    count = 0
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            parent = Region.objects.get(code=row["parent_code"]) if row["parent_code"].strip() else None
            region, _ = Region.objects.get_or_create(code=row["code"].strip(), defaults={
                "name": row["name"].strip(), "level": row["level"].strip(), "parent": parent})
            region.name, region.level, region.parent = row["name"].strip(), row["level"].strip(), parent
            region.save()
            count += 1
    return count


@transaction.atomic
def load_occupations(path: Path | str = FIXTURES / "occupations.csv") -> int:
    """CSV columns: code, name, work_type, restricted, has_standard, edition."""
    count = 0
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            Occupation.objects.update_or_create(
                code=row["code"].strip(), work_type=row["work_type"].strip(),
                defaults={"name": row["name"].strip(), "restricted": row["restricted"].strip() == "1",
                          "has_standard": row["has_standard"].strip() == "1",
                          "edition": int(row["edition"] or 2022)})
            count += 1
    return count
