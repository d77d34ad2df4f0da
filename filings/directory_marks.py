"""Marks shown next to an agency in the public directory and its API (整改中, a star rating):
other apps register a provider, so filings imports none of them.

`register_mark(provider)` where `provider(agency_ids) -> {agency_id: [(css class, Chinese label), ...]}`
answers for a whole page in one query; `marks_for(agency_ids)` joins every provider's answer."""

from __future__ import annotations

from collections.abc import Callable, Iterable

_providers: list[Callable[[list[int]], dict[int, list[tuple[str, str]]]]] = []


def register_mark(provider: Callable[[list[int]], dict[int, list[tuple[str, str]]]]) -> None:
    if provider not in _providers:
        _providers.append(provider)


def marks_for(agency_ids: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
    """{agency_id: [(css class, label), ...]} for the ids given (each provider asked once)."""
    ids = sorted({int(pk) for pk in agency_ids})
    out: dict[int, list[tuple[str, str]]] = {pk: [] for pk in ids}
    if not ids:
        return out
    for provider in _providers:
        for pk, marks in (provider(ids) or {}).items():
            if pk in out:
                out[pk].extend(marks)
    return out


def attach_marks(entries: list[dict]) -> list[dict]:
    """Add `marks` ([{"class", "label"}, ...]) to directory entries (dicts keyed by `uscc`): one
    query to find the agencies, then one per provider, whatever the number of entries."""
    for entry in entries:
        entry["marks"] = []
    if not _providers or not entries:
        return entries
    from filings.models import Agency

    ids = dict(Agency.objects.filter(uscc__in={e["uscc"] for e in entries}).values_list("uscc", "pk"))
    marks = marks_for(ids.values())
    for entry in entries:
        entry["marks"] = [{"class": css, "label": str(label)} for css, label in marks.get(ids.get(entry["uscc"]), [])]
    return entries
