"""The public directory (机构目录): read-only selectors over filings in force [SPEC §7, 001 §3(4), 003 §7].

Only filings in force (active, suspended, rectifying) are listed.

On PostgreSQL a search reads `DirectoryEntry`, one row per filing in force that triggers rebuild
in the same statement that changes the filing, its agency, scope or region, so a filing leaves
the directory in the same transaction that ends it (filings/models/directory.py). Every filter
becomes a key in the row's `keys` array and one GIN probe answers any combination: "浦江" must
find the pair 浦江 and then the exact substring, `occupation=电工&level=3` any of the keys
`o:<id>:3`, `region=310115` the key `r:310115`. pg_trgm was measured and rejected: it cannot use
trigrams for one- or two-character queries, which are the common case for Chinese names
(docs/benchmarks.md). The page's rows come from the filings themselves, by primary key.

On SQLite the same filters run as a live query over the filings (icontains, EXISTS on scope).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import get_language
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


def find(query: DirectoryQuery, *, page: int = 1, page_size: int = 20) -> Found:
    """Page `page` of the directory filtered by `query`: name fragment, occupation (name or code),
    level, region (code, its subtree included), kind and status [SPEC §7]. A page far past the
    end (a crawler's page=10**30) is asked for as page 1,000,000: empty, with the count."""
    page = min(page, MAX_PAGE)
    if connections[DATABASE].vendor == "postgresql":
        return _find_in_entries(query, page, page_size)
    return _find_live(query, page, page_size)


def every_entry(query: DirectoryQuery, chunk: int = 2000) -> Iterator[dict]:
    """Every match of `query`, in order, a chunk at a time (for downloads), all read from one
    snapshot, so that a filing changing during a long download is neither skipped nor listed twice."""
    db = connections[DATABASE]
    outermost = not db.in_atomic_block
    with transaction.atomic(using=DATABASE):
        if outermost and db.vendor == "postgresql":
            with db.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        page = 1
        while True:
            found = find(query, page=page, page_size=chunk)
            yield from found.entries
            if page >= found.num_pages:
                return
            page += 1


# ----- PostgreSQL: the search rows ------------------------------------------------------------

ENTRY_ORDER = {
    "name": "e.name, e.filing_id",
    "-name": "e.name DESC, e.filing_id DESC",
    "valid_until": "e.valid_until, e.filing_id",
    "-valid_until": "e.valid_until DESC, e.filing_id DESC",
    "number": "e.number",
    "-number": "e.number DESC",
}

# One round trip: the count, the page's filings in order, and their scope as a text array per
# filing, which psycopg parses in C and Python puts in order (building and ordering JSON on the
# server was a quarter of an empty search's time).
#
# The statement is prepared on each connection's first search of its shape and planned once, with
# a generic plan (portal/settings.py: prepare_threshold 0, plan_cache_mode force_generic_plan):
# planning it took a millisecond of a three-millisecond page. A generic plan also keeps the search
# rows on their GIN index: planned for the actual values, PostgreSQL prices the containment test
# on an 80-key array like an integer comparison and, for a filter that matches most rows
# (level=5, status=active), would rather read the whole table and test every row (30-50 ms at
# 20,000 agencies) than the GIN bitmap (5-11 ms). See docs/benchmarks.md.
FIND_SQL = """
WITH {matches}page AS (
  SELECT p.filing_id, p.position
    FROM unnest(ARRAY({page_ids})) WITH ORDINALITY AS p(filing_id, position)
), scope AS (
  SELECT s.filing_id,
         array_agg(ARRAY[o.code, o.name, o.work_type, s.level_from::text, s.level_to::text]) AS items
    FROM filings_scopeitem s JOIN portal_occupation o ON o.id = s.occupation_id
   WHERE s.filing_id IN (SELECT filing_id FROM page)
   GROUP BY s.filing_id
)
SELECT c.total, a.name, a.uscc, a.kind, f.number, f.valid_from, f.valid_until, f.state, r.code, r.name,
       a.address, sc.items
  FROM ({count}) AS c(total)
  LEFT JOIN page p ON TRUE
  LEFT JOIN filings_filing f ON f.id = p.filing_id
  LEFT JOIN filings_agency a ON a.id = f.agency_id
  LEFT JOIN portal_region r ON r.id = f.region_id
  LEFT JOIN scope sc ON sc.filing_id = p.filing_id
 ORDER BY p.position
"""
PAGE_IDS = "SELECT e.filing_id FROM {source} e {where} ORDER BY {order} LIMIT %s OFFSET %s"


def _find_sql(query: DirectoryQuery, page: int, page_size: int) -> tuple[str, list]:
    """The statement for one page of `query`, in one of three shapes:

    - nothing asked: the size of the directory is read from `DirectoryTotal` and the page from the
      name (or validity, or number) index;
    - a name fragment or an occupation, which narrow the search: the matches are read once from
      the GIN index, then counted and sorted;
    - only broad filters (level, region, kind, status), which may match most of the directory:
      the count and the page each read the GIN index, so that counting fetches no row (PostgreSQL
      skips the pages its visibility map knows) and only the page's sort reads them.
    """
    where, params = _entry_filter(query)
    order = ENTRY_ORDER[query.sort]
    limits = [page_size, (page - 1) * page_size]
    if not where:
        page_ids = PAGE_IDS.format(source="filings_directoryentry", where="", order=order)
        return FIND_SQL.format(matches="", page_ids=page_ids, count=TOTAL_SQL), limits
    if query.q or query.occupation:
        matches = ("matches AS MATERIALIZED (SELECT e.filing_id, e.name, e.number, e.valid_until"
                   f" FROM filings_directoryentry e WHERE {where}), ")
        page_ids = PAGE_IDS.format(source="matches", where="", order=order)
        return FIND_SQL.format(matches=matches, page_ids=page_ids,
                               count="SELECT count(*) FROM matches"), [*params, *limits]
    page_ids = PAGE_IDS.format(source="filings_directoryentry", where=f"WHERE {where}", order=order)
    count = f"SELECT count(*) FROM filings_directoryentry e WHERE {where}"
    return FIND_SQL.format(matches="", page_ids=page_ids, count=count), \
        [*params, *limits, *params]


TOTAL_SQL = "SELECT coalesce((SELECT listed FROM filings_directorytotal WHERE id = 1), 0)"


def _entry_filter(query: DirectoryQuery) -> tuple[str, list]:
    """The WHERE clause over the search rows `e` for `query` ("" for none).
    Every filter is a key of the row (filings/models/directory.py), so one GIN probe serves all."""
    clauses: list[str] = []
    params: list = []
    required: list[str] = []
    if query.q:
        # The pairs find the candidates through the index. A fragment of one or two characters is
        # then found exactly (its one pair is in the name); a longer one needs the substring test.
        # (A sub-select, so that it is worked out once per search and not once per row.)
        clauses.append("e.keys @> (SELECT directory_query_grams(%s))")
        params.append(query.q)
        if len(query.q) > 2:
            clauses.append("upper(e.name) LIKE upper(%s)")
            params.append(f"%{_escape_like(query.q)}%")
    if query.occupation:
        # The same scope row must cover the level: "电工 at 三级", not 电工 and some 三级.
        suffix = f":{query.level}" if query.level else ""
        # The occupations are looked up inside the same statement (one round trip fewer).
        occupations, occupation_params = _occupations_sql(query.occupation)
        clauses.append(f"e.keys && ARRAY(SELECT 'o:' || o.id || %s FROM portal_occupation o WHERE {occupations})")
        params += [suffix, *occupation_params]
    elif query.level:
        required.append(f"l:{query.level}")
    if query.region:
        required.append(f"r:{query.region.code}")
    if query.kind:
        required.append(f"k:{query.kind}")
    if query.status:
        required.append(f"s:{query.status}")
    if required:
        clauses.append("e.keys @> %s::text[]")
        params.append(required)
    return " AND ".join(clauses), params


# The connection the search runs on (bench/directory.py points it at one without indexes).
DATABASE = DEFAULT_DB_ALIAS


def _server_bound_cursor():
    """A Django cursor (logged and counted like any other) whose parameters are bound on the
    server, so that psycopg can prepare the statement; Django's own cursors bind on the client."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    db = connections[DATABASE]
    db.ensure_connection()
    db.validate_thread_sharing()
    cursor = ServerBindingCursor(db.connection)
    return db.make_debug_cursor(cursor) if db.queries_logged else db.make_cursor(cursor)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _find_in_entries(query: DirectoryQuery, page: int, page_size: int) -> Found:
    sql, params = _find_sql(query, page, page_size)
    with _server_bound_cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    labels = Labels.current()
    entries = [_entry(*row[1:11], _scope(row[11], labels), labels) for row in rows if row[1] is not None]
    return Found(rows[0][0], entries, page, page_size)


def _scope(items: list[list[str]] | None, labels: Labels) -> list[dict]:
    """A filing's scope rows from the search statement, ordered by occupation code and level, as
    `attach_scope` orders them."""
    rows = sorted((code, int(low), int(high), name, work_type) for code, name, work_type, low, high in items or ())
    return [labels.scope_row(code, name, work_type, low, high) for code, low, high, name, work_type in rows]


# ----- SQLite: a live query over the filings --------------------------------------------------

def _live(query: DirectoryQuery) -> QuerySet[Filing]:
    qs = listed()
    if query.q:
        qs = qs.filter(agency__name__icontains=query.q)
    if query.occupation or query.level:
        scope = ScopeItem.objects.filter(filing_id=OuterRef("pk"))
        if query.occupation:
            scope = scope.filter(occupation_id__in=_occupations(query.occupation).values("id"))
        if query.level:
            # The same scope row must cover the level: "电工 at 三级", not 电工 and some 三级.
            scope = scope.filter(level_from__lte=query.level, level_to__gte=query.level)
        qs = qs.filter(Exists(scope))
    if query.region:
        qs = qs.filter(region__path__startswith=query.region.path)
    if query.kind:
        qs = qs.filter(agency__kind=query.kind)
    if query.status:
        qs = qs.filter(state=query.status)
    return qs.order_by(*SORTS[query.sort])


def _find_live(query: DirectoryQuery, page: int, page_size: int) -> Found:
    qs = _live(query)
    labels = Labels.current()
    filings = attach_scope(qs[(page - 1) * page_size:page * page_size], labels)
    return Found(qs.count(), [serialize(f, labels) for f in filings], page, page_size)


def _occupations(text: str) -> QuerySet[Occupation]:
    """A code (or its leading part, "6-31") or part of a name or work type."""
    if OCCUPATION_CODE.match(text):
        return Occupation.objects.filter(code__startswith=text)
    return Occupation.objects.filter(Q(name__icontains=text) | Q(work_type__icontains=text))


def _occupations_sql(text: str) -> tuple[str, list[str]]:
    """The same test as `_occupations`, as a condition on `portal_occupation o` for the search
    statement: compiling the queryset on every search cost more than a tenth of an occupation
    search. tests/test_directory_entries.py checks that both find the same."""
    escaped = _escape_like(text)
    if OCCUPATION_CODE.match(text):
        return "o.code LIKE %s", [f"{escaped}%"]
    return "upper(o.name) LIKE upper(%s) OR upper(o.work_type) LIKE upper(%s)", [f"%{escaped}%"] * 2


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
