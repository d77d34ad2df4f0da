"""Rubrics as data: `fixtures/rubrics/*.json` loaded by a data migration (the Shandong default) and by
`manage.py load_rubric` (any other bureau's), so a new version needs no code [SPEC §4.3]."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.utils import timezone

SHANDONG = Path(settings.BASE_DIR) / "fixtures" / "rubrics" / "shandong-2024.json"


def load_rubric(path: Path = SHANDONG, *, rubric_model, item_model, publish: bool = True):
    """Create the rubric described by the JSON file unless that name and version exist. Idempotent.
    The model classes are passed in: `Rubric.current()` passes the live ones, the data migration
    its historical ones, so this module never imports the models."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    rubric, created = rubric_model.objects.get_or_create(
        name=data["name"], version=data["version"],
        defaults={"source": data.get("source", ""), "published_at": timezone.now() if publish else None})
    if created:
        item_model.objects.bulk_create([
            item_model(rubric=rubric, order=n, **{k: item[k] for k in (
                "section", "code", "title", "guidance", "kind", "max_score", "deduction_per_count")})
            for n, item in enumerate(data["items"], start=1)])
    return rubric
