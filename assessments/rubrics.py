"""Rubrics as data: `fixtures/rubrics/*.json` loaded by a data migration (Shandong's) and, for the
active bureau's preset, by `Rubric.current()` (the wording comes with the preset), so a new version
needs no code [SPEC §4.3]."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from portal.policy_presets import DEFAULT_RUBRIC_FILE, RUBRIC_FILES

RUBRICS = Path(settings.BASE_DIR) / "fixtures" / "rubrics"
SHANDONG = RUBRICS / "shandong-2024.json"


def shipped_for(preset: str) -> Path:
    """The rubric file the bureau's preset ships with (`portal.policy_presets.RUBRIC_FILES`)."""
    return RUBRICS / RUBRIC_FILES.get(preset, DEFAULT_RUBRIC_FILE)


@lru_cache(maxsize=8)
def shipped_name(path: Path) -> str:
    return json.loads(Path(path).read_text(encoding="utf-8"))["name"]


def other_presets_rubrics(preset: str) -> list[str]:
    """Names of the rubrics shipped for other presets: never used here, since their wording names
    another province's platform and rules (an administrator's own rubric counts for every preset)."""
    mine = shipped_for(preset)
    files = {RUBRICS / f for f in (*RUBRIC_FILES.values(), DEFAULT_RUBRIC_FILE)}
    return sorted(shipped_name(f) for f in files if f != mine and shipped_name(f) != shipped_name(mine))


# [004 Annex 2 4.3] 投诉处理及时并反馈 (4) / 未及时处理无反馈 (0): read from the complaint records.
COMPLAINT_ITEM_CODE = "4.3"


def item_kind(item: dict) -> str:
    """The kind the portal gives a rubric line: item 4.3 on complaints, shipped as 4-or-0, is read
    from the complaint records (`assessments.complaint_records`); every other line keeps its kind."""
    if item["code"] == COMPLAINT_ITEM_CODE and item["kind"] == "all_or_nothing" and "投诉" in item["title"]:
        return "complaint_records"
    return item["kind"]


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
            item_model(rubric=rubric, order=n, kind=item_kind(item), **{k: item[k] for k in (
                "section", "code", "title", "guidance", "max_score", "deduction_per_count")})
            for n, item in enumerate(data["items"], start=1)])
    return rubric
