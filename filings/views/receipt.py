"""备案回执: the download for those who may see the filing, and the public verification page that the
receipt's QR code leads to [002 §12, 001 §3(4), SPEC §7]."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from filings import directory
from filings.choices import IN_FORCE, FilingState
from filings.models import Receipt
from filings.ratelimit import rate_limited
from filings.receipt_pdf import render_and_store
from filings.selectors import filings_visible_to
from filings.views.directory import cache_publicly
from portal.audit import record


@dataclass(frozen=True)
class Standing:
    """Whether a receipt version is the one in force, said plainly."""

    code: str  # "current" | "superseded" | "revoked"
    headline: str
    detail: str
    current_version: int | None


def receipt_standing(receipt: Receipt, current: Receipt | None) -> Standing:
    """A receipt is valid only while its filing is in force and no later version replaced it
    [002 §13: 变更后重新出具; 003 §7: 注销、期满的机构移出目录]."""
    filing = receipt.filing
    if filing.state not in IN_FORCE:
        ended = date_format(filing.ended_on, "Y年n月j日") if filing.ended_on else ""
        return Standing("revoked", _("该回执已失效"),
                        _("该机构的备案已于%(date)s终止（%(state)s），本回执不再有效。")
                        % {"date": ended, "state": FilingState(filing.state).label}, None)
    if current is not None and current.pk != receipt.pk:
        return Standing("superseded", _("该回执已作废"),
                        _("本回执为第 %(v)s 版，已被第 %(n)s 版回执取代，请以第 %(n)s 版为准。")
                        % {"v": receipt.version, "n": current.version}, current.version)
    return Standing("current", _("该回执为现行有效版本"),
                    _("本回执为第 %(v)s 版，备案处于有效期内。") % {"v": receipt.version}, receipt.version)


@require_safe
@rate_limited("directory")
def verify(request, number: str):
    """Public: anyone holding a receipt checks it by number (and version, from the QR code).
    Limited and cached like the directory's pages, whose crawlers it would otherwise serve."""
    return cache_publicly(request, _verification(request, number))


def _verification(request, number: str):
    filing = directory.get_numbered(number)
    receipts = list(filing.receipts.order_by("-version")) if filing else []
    if not receipts:
        return render(request, "filings/receipt/verify_not_found.html", {"number": number}, status=404)
    current = next((r for r in receipts if r.superseded_at is None), receipts[0])
    version = request.GET.get("v", "")
    if version:
        receipt = next((r for r in receipts if str(r.version) == version.strip()), None)
        if receipt is None:
            return render(request, "filings/receipt/verify_not_found.html",
                          {"number": number, "version": version}, status=404)
    else:
        receipt = current
    standing = receipt_standing(receipt, current)
    scope = filing.scope.select_related("occupation") if standing.code != "revoked" else []
    return render(request, "filings/receipt/verify.html", {
        "filing": filing, "agency": filing.agency, "receipt": receipt, "standing": standing,
        "scope": scope, "in_directory": filing.state in IN_FORCE,
    })


@login_required
def receipt_download(request, pk: int):
    """The current receipt (or `?v=N`) of a filing the user may see; anything else is 404."""
    filing = get_object_or_404(filings_visible_to(request.user), pk=pk)
    receipts = filing.receipts.all()
    version = request.GET.get("v", "").strip()
    if version:
        receipt = get_object_or_404(receipts, version=version) if version.isdigit() else None
    else:
        receipt = receipts.filter(superseded_at__isnull=True).order_by("-version").first()
    if receipt is None:
        raise Http404(_("该备案尚未出具回执"))
    if not receipt.rendered_at:
        # Normally rendered in the background right after issue; if the worker has not got to it,
        # render now (idempotent and locked) rather than make the person wait and retry.
        receipt = render_and_store(receipt.pk)
    record("receipt.download", receipt, actor=request.user, data={"filing": filing.pk, "version": receipt.version})
    name = f"备案回执-{filing.number}-v{receipt.version}.pdf"
    return FileResponse(receipt.file.open("rb"), as_attachment=True, filename=name,
                        content_type="application/pdf")


@require_safe
@rate_limited("directory")
def verify_form(request):
    """Public: check a receipt by typing its number (and version), for those without the QR code
    [002 §12, SPEC §7]."""
    number = directory.clean_number(request.GET.get("number", ""))
    version = (request.GET.get("v") or "").strip()
    if number:
        url = reverse("filings:receipt_verify", args=[number])
        return redirect(f"{url}?{urlencode({'v': version})}" if version.isdigit() else url)
    error = _("请输入回执上的备案编号。") if "number" in request.GET else ""
    return cache_publicly(request, render(request, "filings/receipt/verify_form.html", {"error": error}))


urlpatterns = [
    path("verify/", verify_form, name="receipt_verify_form"),
    path("filings/<int:pk>/receipt/", receipt_download, name="receipt_download"),
    path("verify/<str:number>/", verify, name="receipt_verify"),
]
