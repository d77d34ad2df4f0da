"""The directory's rows as open data: which filings are listed, their labels, scope and one entry's
fields, shared by the PostgreSQL statement, the live query, the pages, the API and the downloads."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q, QuerySet
from django.utils.translation import get_language

from filings.choices import IN_FORCE, AgencyKind, FilingState
from filings.directory.query import CONTROL
from filings.models import Filing, ScopeItem
from portal.models import SkillLevel

# The connection the search runs on (bench/directory.py points it at one without indexes).
DATABASE = DEFAULT_DB_ALIAS

LISTED_FIELDS = ("id", "number", "state", "valid_from", "valid_until", "region_id", "agency_id",
                 "agency__name", "agency__uscc", "agency__kind", "agency__address", "region__code", "region__name")


def listed() -> QuerySet[Filing]:
    """Every filing in the directory: in force [SPEC §7]. Ended filings stay in the records, not here."""
    return (Filing.objects.filter(state__in=IN_FORCE, number__isnull=False)
            .select_related("agency", "region").only(*LISTED_FIELDS))


class Labels:
    """The labels a page shows, in one language, translated once per process and language rather
    than once or twice per row (gettext on lazy labels was a third of a page's time)."""

    @classmethod
    def current(cls) -> "Labels":
        return _labels(get_language())

    def __init__(self):
        names = {value: str(label) for value, label in SkillLevel.choices}
        self.levels = {(low, high): names[low] if low == high else f"{names[low]}—{names[high]}"
                       for low in names for high in names if low <= high}
        self.kinds = {value: str(label) for value, label in AgencyKind.choices}
        self.states = {value: str(label) for value, label in FilingState.choices}

    def scope_row(self, code: str, name: str, work_type: str, low: int, high: int) -> dict:
        return {"occupation_code": code, "occupation_name": name, "work_type": work_type,
                "levels": list(range(low, high + 1)), "levels_label": self.levels[low, high]}


@functools.lru_cache(maxsize=8)
def _labels(language: str) -> Labels:
    return Labels()


def attach_scope(filings, labels: Labels | None = None) -> list[Filing]:
    """Give each filing its scope as `scope_rows`, in one query for all of them. Plain rows, not
    model instances: a page of 20 agencies has ~200 scope rows (docs/benchmarks.md)."""
    labels = labels or Labels.current()
    filings = list(filings)
    rows: dict[int, list[dict]] = {f.pk: [] for f in filings}
    scope = (ScopeItem.objects.filter(filing_id__in=rows)
             .order_by("filing_id", "occupation__code", "level_from")
             .values_list("filing_id", "occupation__code", "occupation__name", "occupation__work_type",
                          "level_from", "level_to"))
    for filing_id, *row in scope:
        rows[filing_id].append(labels.scope_row(*row))
    for filing in filings:
        filing.scope_rows = rows[filing.pk]
    return filings


MAX_PAGE = 1_000_000


@dataclass
class Found:
    """One page of a search: how many filings matched in all, and this page's entries (as
    `serialize` gives them)."""

    count: int
    entries: list[dict]
    number: int
    page_size: int

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.page_size))


# A USCC (18 characters) or a filing number: letters, digits and hyphens, no Chinese.
IDENTIFIER = re.compile(r"^[0-9A-Z-]{8,40}$")


def clean_number(text: str) -> str:
    """A number as typed or pasted: spaces (full-width too) and control characters dropped, upper case."""
    return re.sub(r"[\s\u3000]+", "", CONTROL.sub("", text or "")).upper()[:40]


def find_identified(text: str) -> Filing | None:
    """The listed filing whose number or agency USCC is exactly `text`, if it looks like one."""
    number = clean_number(text)
    if not IDENTIFIER.match(number):
        return None
    found = attach_scope(listed().filter(Q(number=number) | Q(agency__uscc=number)).order_by("pk")[:1])
    return found[0] if found else None


def get_listed(number: str) -> Filing | None:
    if CONTROL.search(number):
        return None
    return listed().filter(number=number).first()


def get_numbered(number: str) -> Filing | None:
    """Any filing with this number, listed or not: an ended one is said to be ended, plainly."""
    if CONTROL.search(number):
        return None
    return Filing.objects.select_related("agency", "region").filter(number=number).first()


# Suspended and rectifying agencies are listed with a clear mark [SPEC §7, 002 §30].
MARKED = (FilingState.SUSPENDED, FilingState.RECTIFYING)


def is_marked(filing: Filing) -> bool:
    return filing.state in MARKED


def serialize(filing: Filing, labels: Labels | None = None) -> dict:
    """One directory entry as open data (the API, the pages and the downloads share it);
    `attach_scope` first."""
    agency = filing.agency
    return _entry(agency.name, agency.uscc, agency.kind, filing.number, filing.valid_from, filing.valid_until,
                  filing.state, filing.region.code, filing.region.name, agency.address, filing.scope_rows,
                  labels or Labels.current())


def _entry(name, uscc, kind, number, valid_from, valid_until, state, region_code, region_name, address,
           scope, labels: Labels) -> dict:
    return {
        "name": name,
        "uscc": uscc,
        "kind": kind,
        "kind_label": labels.kinds[kind],
        "filing_number": number,
        "valid_from": valid_from.isoformat() if valid_from else None,
        "valid_until": valid_until.isoformat() if valid_until else None,
        "status": state,
        "status_label": labels.states[state],
        "region_code": region_code,
        "region_name": region_name,
        "address": address,
        "scope": scope,
        "marked": state in MARKED,
    }
