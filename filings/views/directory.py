"""Public directory pages, no login [SPEC §7]: search, agency page, downloads."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from filings import directory
from filings.choices import AgencyKind
from filings.directory_marks import attach_marks, marks_for
from filings.exports_directory import export_csv, export_xlsx
from filings.ratelimit import rate_limited
from portal.models import Region, SkillLevel

PAGE_SIZE = 20
PUBLIC_MAX_AGE = 60


def cache_publicly(request, response):
    """Anonymous pages may be cached by browsers and proxies for a minute; a signed-in user's page
    shows their name in the header, so it stays private."""
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    patch_vary_headers(response, ["Accept-Language"])
    return response


def verify_url(number: str) -> str | None:
    """The public receipt verification page for a filing number (built with the receipts)."""
    for name in ("filings:receipt_verify", "filings:verify"):
        try:
            return reverse(name, args=[number])
        except NoReverseMatch:
            continue
    return None


class _Counted:
    """What Paginator needs of a search whose count came with its page."""

    def __init__(self, count: int):
        self._count = count

    def count(self) -> int:
        return self._count


def _choices() -> dict:
    return {
        "levels": SkillLevel.choices,
        "regions": Region.objects.exclude(level=Region.Level.PROVINCE).order_by("path").only("code", "name", "level"),
        "kinds": AgencyKind.choices,
        "statuses": directory.STATUS_CHOICES,
        "sorts": list(directory.SORT_LABELS.items()),
    }


@require_GET
@rate_limited("directory")
def search(request):
    query = directory.DirectoryQuery.from_params(request.GET)
    number = request.GET.get("page", "")
    found = directory.find(query, page=int(number) if number.isdigit() and int(number) > 0 else 1,
                           page_size=PAGE_SIZE)
    if found.number > found.num_pages:  # past the end: the last page, as Paginator.get_page would
        found = directory.find(query, page=found.num_pages, page_size=PAGE_SIZE)
    params = request.GET.copy()
    params.pop("page", None)
    attach_marks(found.entries)
    context = {
        "page_obj": Page(found.entries, found.number, Paginator(_Counted(found.count), PAGE_SIZE)),
        "entries": found.entries,
        "query": query,
        "errors": query.errors,
        "query_string": params.urlencode(),
        "searched": any(request.GET.get(k) for k in ("q", "occupation", "level", "region", "kind", "status")),
        **_choices(),
    }
    return cache_publicly(request, render(request, "directory/search.html", context))


@require_GET
@rate_limited("directory")
def agency(request, filing_number: str):
    """An agency's directory entry. A filing that has ended is not listed; its number still answers,
    plainly, that it has left the directory [SPEC §7, 003 §7]."""
    filing = directory.get_listed(filing_number)
    if filing is None:
        ended = directory.get_numbered(filing_number)
        if ended is None:
            raise Http404(_("没有这个备案编号。"))
        response = render(request, "directory/ended.html",
                          {"filing": ended, "verify_url": verify_url(ended.number)}, status=410)
        return cache_publicly(request, response)
    directory.attach_scope([filing])
    context = {"filing": filing, "marked": directory.is_marked(filing), "scope": filing.scope_rows,
               "verify_url": verify_url(filing.number), "marks": marks_for([filing.agency_id])[filing.agency_id]}
    return cache_publicly(request, render(request, "directory/agency.html", context))


@require_GET
@rate_limited("export")
def export(request, fmt: str):
    """Download of the current search; writes an audit entry with the filters [003 §18]."""
    query = directory.DirectoryQuery.from_params(request.GET)
    response = export_csv(query) if fmt == "csv" else export_xlsx(query)
    patch_cache_control(response, no_store=True)
    return response
