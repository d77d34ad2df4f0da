"""The public directory (机构目录): read-only selectors over live filing state [SPEC §7, 001 §3(4), 003 §7].

Only filings in force (active, suspended, rectifying) are listed. The directory is a live query on
`Filing.state`, not a copy, so a filing leaves it in the same transaction that ends it.

Name search on PostgreSQL is served by a GIN index on `directory_name_grams(name)` — the set of
single characters and two-character pairs of the agency's name (migration 0004). A query "浦江"
becomes `directory_name_grams(name) @> '{浦江}'` (an index probe) plus a LIKE recheck for the exact
substring. pg_trgm was measured and rejected: it cannot use trigrams for one- or two-character
queries, which are the common case for Chinese names. On SQLite the search falls back to icontains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import Exists, F, Func, OuterRef, Q, QuerySet, TextField
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.choices import IN_FORCE, AgencyKind, FilingState
from filings.models import Filing, ScopeItem
from portal.models import Occupation, Region, SkillLevel

SORTS = {
    "name": ("agency__name", "id"),
    "-name": ("-agency__name", "-id"),
    "valid_until": ("valid_until", "id"),
    "-valid_until": ("-valid_until", "-id"),
    "number": ("number",),
    "-number": ("-number",),
}
SORT_LABELS = {
    "name": gettext_lazy("机构名称（升序）"),
    "-name": gettext_lazy("机构名称（降序）"),
    "valid_until": gettext_lazy("有效期至（最早在前）"),
    "-valid_until": gettext_lazy("有效期至（最晚在前）"),
    "number": gettext_lazy("备案编号（升序）"),
    "-number": gettext_lazy("备案编号（降序）"),
}
DEFAULT_SORT = "name"
STATUS_CHOICES = [(s.value, s.label) for s in IN_FORCE]
OCCUPATION_CODE = re.compile(r"^\d[\d-]*$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_QUERY_LENGTH = 50


class NameGrams(Func):
    """The characters and character pairs of a name; the PostgreSQL function from migration 0004."""

    function = "directory_name_grams"
    output_field = ArrayField(TextField())


def name_grams(text: str) -> list[str]:
    """What `directory_name_grams` computes in SQL, for the query side: pairs, or the one character."""
    text = text.lower()
    if len(text) == 1:
        return [text]
    return sorted({text[i:i + 2] for i in range(len(text) - 1)})


@dataclass
class DirectoryQuery:
    """Validated search parameters; `errors` holds a Chinese message per bad field, and a bad field
    is ignored rather than guessed at."""

    q: str = ""
    occupation: str = ""
    level: int | None = None
    region: Region | None = None
    kind: str = ""
    status: str = ""
    sort: str = DEFAULT_SORT
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_params(cls, params) -> "DirectoryQuery":
        def get(name: str) -> str:
            # Control characters (NUL above all, which PostgreSQL refuses) never belong in a query.
            return CONTROL.sub("", params.get(name) or "").strip()[:MAX_QUERY_LENGTH]

        query = cls()
        query.q = get("q")
        query.occupation = get("occupation")
        level = get("level")
        if level:
            if level.isdigit() and int(level) in SkillLevel.values:
                query.level = int(level)
            else:
                query.errors["level"] = _("等级无效，请从列表中选择。")
        region = get("region")
        if region:
            query.region = Region.objects.filter(code=region).first()
            if query.region is None:
                query.errors["region"] = _("没有这个行政区划代码。")
        kind = get("kind")
        if kind:
            if kind in AgencyKind.values:
                query.kind = kind
            else:
                query.errors["kind"] = _("机构类别无效，请从列表中选择。")
        status = get("status")
        if status:
            if status in IN_FORCE:
                query.status = status
            else:
                query.errors["status"] = _("目录只收录已备案、暂停评价和限期整改的机构。")
        sort = get("sort")
        if sort:
            if sort in SORTS:
                query.sort = sort
            else:
                query.errors["sort"] = _("排序方式无效。")
        return query

    def as_filters(self) -> dict[str, str]:
        """The filters in effect, as plain values (for the export's audit entry)."""
        out = {"q": self.q, "occupation": self.occupation, "level": self.level or "",
               "region": self.region.code if self.region else "", "kind": self.kind, "status": self.status,
               "sort": self.sort}
        return {k: str(v) for k, v in out.items() if v}


LISTED_FIELDS = ("id", "number", "state", "valid_from", "valid_until", "region_id", "agency_id",
                 "agency__name", "agency__uscc", "agency__kind", "agency__address", "region__code", "region__name")


def listed() -> QuerySet[Filing]:
    """Every filing in the directory: in force [SPEC §7]. Ended filings stay in the records, not here."""
    return (Filing.objects.filter(state__in=IN_FORCE, number__isnull=False)
            .select_related("agency", "region").only(*LISTED_FIELDS))


def _levels_label(low: int, high: int) -> str:
    if low == high:
        return SkillLevel(low).label
    return f"{SkillLevel(low).label}—{SkillLevel(high).label}"


def attach_scope(filings) -> list[Filing]:
    """Give each filing of a page its scope as `scope_rows`, in one query for the whole page.
    Plain rows, not model instances: a page of 20 agencies has ~200 scope rows, and building
    400 model objects per request cost more than the search itself (docs/benchmarks.md)."""
    filings = list(filings)
    rows: dict[int, list[dict]] = {f.pk: [] for f in filings}
    scope = (ScopeItem.objects.filter(filing_id__in=rows)
             .order_by("filing_id", "occupation__code", "level_from")
             .values_list("filing_id", "occupation__code", "occupation__name", "occupation__work_type",
                          "level_from", "level_to"))
    for filing_id, code, name, work_type, low, high in scope:
        rows[filing_id].append({"occupation_code": code, "occupation_name": name, "work_type": work_type,
                                "levels": list(range(low, high + 1)), "levels_label": _levels_label(low, high)})
    for filing in filings:
        filing.scope_rows = rows[filing.pk]
    return filings


def search(params) -> tuple[QuerySet[Filing], DirectoryQuery]:
    """The directory filtered by `params` (a QueryDict or dict): name fragment, occupation (name or
    code), level, region (code, its subtree included), kind and status [SPEC §7]."""
    query = params if isinstance(params, DirectoryQuery) else DirectoryQuery.from_params(params)
    qs = listed()
    if query.q:
        qs = _filter_name(qs, query.q)
    if query.occupation or query.level:
        scope = ScopeItem.objects.filter(filing_id=OuterRef("pk"))
        if query.occupation:
            scope = scope.filter(occupation_id__in=_occupation_ids(query.occupation))
        if query.level:
            # The same scope row must cover the level: "电工 at 三级", not 电工 and some 三级.
            scope = scope.filter(level_from__lte=query.level, level_to__gte=query.level)
        qs = qs.filter(Exists(scope))
    if query.region:
        # A handful of ids from the small region table, so the planner needs no join to filter.
        qs = qs.filter(region_id__in=list(query.region.subtree().values_list("id", flat=True)))
    if query.kind:
        qs = qs.filter(agency__kind=query.kind)
    if query.status:
        qs = qs.filter(state=query.status)
    return qs.order_by(*SORTS[query.sort]), query


# bench/directory.py turns this off to time the same search without the bigram index.
USE_NAME_GRAMS = True


def _filter_name(qs: QuerySet[Filing], text: str) -> QuerySet[Filing]:
    if USE_NAME_GRAMS and connection.vendor == "postgresql":
        return (qs.alias(name_grams=NameGrams(F("agency__name")))
                .filter(name_grams__contains=name_grams(text), agency__name__icontains=text))
    return qs.filter(agency__name__icontains=text)


def _occupation_ids(text: str) -> list[int]:
    """A code (or its leading part, "6-31") or part of a name or work type."""
    occupations = Occupation.objects.all()
    if OCCUPATION_CODE.match(text):
        occupations = occupations.filter(code__startswith=text)
    else:
        occupations = occupations.filter(Q(name__icontains=text) | Q(work_type__icontains=text))
    return list(occupations.values_list("id", flat=True))


def get_listed(number: str) -> Filing | None:
    if CONTROL.search(number):
        return None
    return listed().filter(number=number).first()


def get_numbered(number: str) -> Filing | None:
    """Any filing with this number, listed or not: an ended one is said to be ended, plainly."""
    if CONTROL.search(number):
        return None
    return Filing.objects.select_related("agency", "region").filter(number=number).first()


def is_marked(filing: Filing) -> bool:
    """Suspended and rectifying agencies are listed with a clear mark [SPEC §7, 002 §30]."""
    return filing.state in (FilingState.SUSPENDED, FilingState.RECTIFYING)


def serialize(filing: Filing) -> dict:
    """One directory entry as open data (the API and the exports share it); `attach_scope` first."""
    return {
        "name": filing.agency.name,
        "uscc": filing.agency.uscc,
        "kind": filing.agency.kind,
        "kind_label": str(AgencyKind(filing.agency.kind).label),
        "filing_number": filing.number,
        "valid_from": filing.valid_from.isoformat() if filing.valid_from else None,
        "valid_until": filing.valid_until.isoformat() if filing.valid_until else None,
        "status": filing.state,
        "status_label": str(FilingState(filing.state).label),
        "region_code": filing.region.code,
        "region_name": filing.region.name,
        "address": filing.agency.address,
        "scope": filing.scope_rows,
    }
