"""The directory search on SQLite (the embedded default): the same filters as a live query over the
filings (icontains, EXISTS on scope). tests/test_directory_entries.py checks both find the same."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from filings.directory.entries import Found, Labels, attach_scope, listed, serialize
from filings.directory.query import OCCUPATION_CODE, SORTS, DirectoryQuery
from filings.models import Filing, ScopeItem
from portal.models import Occupation

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
