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

from collections.abc import Iterator

from django.db import connections, transaction

from filings.directory import entries
from filings.directory.entries import (MARKED, Found, Labels, attach_scope, clean_number, find_identified,
                                       get_listed, get_numbered, is_marked, listed, serialize)
from filings.directory.live import _find_live, _occupations
from filings.directory.postgres import _find_in_entries, _occupations_sql
from filings.directory.query import (DEFAULT_SORT, MAX_QUERY_LENGTH, SORT_LABELS, SORTS, STATUS_CHOICES,
                                     DirectoryQuery)

__all__ = ["MARKED", "Found", "Labels", "attach_scope", "clean_number", "find_identified", "get_listed", "get_numbered", "is_marked", "listed",
           "serialize", "DEFAULT_SORT", "MAX_QUERY_LENGTH", "SORT_LABELS", "SORTS", "STATUS_CHOICES",
           "DirectoryQuery", "find", "every_entry", "_find_live", "_find_in_entries", "_occupations",
           "_occupations_sql"]

MAX_PAGE = 1_000_000


def find(query: DirectoryQuery, *, page: int = 1, page_size: int = 20) -> Found:
    """Page `page` of the directory filtered by `query`: name fragment, occupation (name or code),
    level, region (code, its subtree included), kind and status [SPEC §7]. A page far past the
    end (a crawler's page=10**30) is asked for as page 1,000,000: empty, with the count."""
    page = min(page, MAX_PAGE)
    if query.q and not (query.occupation or query.level or query.region or query.kind or query.status):
        exact = find_identified(query.q)  # a USCC or filing number finds its agency directly
        if exact is not None:
            return Found(1, [serialize(exact)] if page == 1 else [], page, page_size)
    if connections[entries.DATABASE].vendor == "postgresql":
        return _find_in_entries(query, page, page_size)
    return _find_live(query, page, page_size)


def every_entry(query: DirectoryQuery, chunk: int = 2000) -> Iterator[dict]:
    """Every match of `query`, in order, a chunk at a time (for downloads), all read from one
    snapshot, so that a filing changing during a long download is neither skipped nor listed twice."""
    db = connections[entries.DATABASE]
    outermost = not db.in_atomic_block
    with transaction.atomic(using=entries.DATABASE):
        if outermost and db.vendor == "postgresql":
            with db.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        page = 1
        while True:
            found = find(query, page=page, page_size=chunk)
            yield from found.entries
            if page >= found.num_pages:
                return
