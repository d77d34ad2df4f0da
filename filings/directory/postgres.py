"""The directory search on PostgreSQL: one prepared statement over the trigger-kept search rows
(`DirectoryEntry`, filings/models/directory.py) answers a page with its count and scope."""

from __future__ import annotations

from django.db import connections
from django.db.backends.postgresql.base import ServerBindingCursor

from filings.directory import entries
from filings.directory.entries import Found, Labels, _entry
from filings.directory.query import OCCUPATION_CODE, DirectoryQuery

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


def _server_bound_cursor():
    """A Django cursor (logged and counted like any other) whose parameters are bound on the
    server, so that psycopg can prepare the statement; Django's own cursors bind on the client."""
    db = connections[entries.DATABASE]
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


def _occupations_sql(text: str) -> tuple[str, list[str]]:
    """The same test as `_occupations`, as a condition on `portal_occupation o` for the search
    statement: compiling the queryset on every search cost more than a tenth of an occupation
    search. tests/test_directory_entries.py checks that both find the same."""
    escaped = _escape_like(text)
    if OCCUPATION_CODE.match(text):
        return "o.code LIKE %s", [f"{escaped}%"]
    return "upper(o.name) LIKE upper(%s) OR upper(o.work_type) LIKE upper(%s)", [f"%{escaped}%"] * 2
