"""公示 [003 §7, 001 §3(3)]: the public pages (no login) where anyone reads the running notices and
objects; the city's screens to verify each objection and read its evidence."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from filings import panel_services, permissions, services, uploads
from filings.choices import FilingState
from filings.forms.review import ObjectionForm, ObjectionResolveForm
from filings.models import NoticeItem, Objection, PublicNotice
from filings.notices import file_objection
from filings.ratelimit import rate_limited
from filings.selectors import filings_visible_to
from portal.audit import record


def _running(notice: PublicNotice, today) -> bool:
    return notice.starts_on <= today <= notice.ends_on


def open_for_objection(item: NoticeItem, today) -> bool:
    """Objections are taken while the notice runs and, for a filing notice, while the filing is
    still in it (a filing sent back to review or refused has left the notice)."""
    if not _running(item.notice, today):
        return False
    if item.notice.purpose == PublicNotice.Purpose.CHANGE:  # a change sent back or refused has left it
        return item.change is not None and item.change.state == item.change.State.NOTICE
    return item.notice.purpose != PublicNotice.Purpose.FILING or item.filing.state == FilingState.PUBLIC_NOTICE


@rate_limited("directory")
def notice_list(request):
    today = timezone.localdate()
    notices = PublicNotice.objects.filter(starts_on__lte=today).prefetch_related("items")
    current = [n for n in notices.filter(ends_on__gte=today)]
    past = list(notices.filter(ends_on__lt=today)[:20])
    return render(request, "filings/notices/list.html", {"current": current, "past": past, "today": today})


@rate_limited("directory")
def notice_detail(request, pk):
    today = timezone.localdate()
    notice = get_object_or_404(PublicNotice, pk=pk, starts_on__lte=today)
    items = notice.items.select_related("filing__agency", "filing__region", "change")
    rows = [{"item": i, "open": open_for_objection(i, today)} for i in items]
    return render(request, "filings/notices/detail.html", {"notice": notice, "rows": rows,
                                                           "running": _running(notice, today)})


@rate_limited("directory")
def objection_new(request, item_pk):
    """Anyone may object: name, contact, text, and optional evidence checked like every upload [003 §7]."""
    today = timezone.localdate()
    item = get_object_or_404(NoticeItem.objects.select_related("notice", "filing__agency", "change"), pk=item_pk,
                             notice__starts_on__lte=today)
    if not open_for_objection(item, today):
        return render(request, "filings/notices/closed.html", {"item": item}, status=410)
    form = ObjectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            objection = file_objection(item=item, name=data["name"], contact=data["contact"], text=data["text"],
                                       evidence=data["evidence"])
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("您的异议已提交，我们将在核实后处理。感谢您的监督。"))
            if tracking := getattr(objection, "tracking", None):  # supervision's tracking number and code
                messages.info(request, _("受理编号：%(number)s，查询码：%(code)s（只显示这一次，请妥善保存），"
                                         "可在“投诉举报—查询办理进度”页查询核实结果。") % tracking)
            return redirect("filings:notice_detail", pk=item.notice_id)
    return render(request, "filings/notices/objection_form.html", {"item": item, "form": form})


def _city_objection(request, pk) -> Objection:
    visible = filings_visible_to(request.user).values("pk")
    objection = get_object_or_404(Objection.objects.select_related("item__notice", "item__filing__agency",
                                                                   "item__filing__region"),
                                  pk=pk, item__filing_id__in=visible)
    if not permissions.is_city_reviewer(objection.item.filing, request.user):
        raise PermissionDenied
    return objection


@login_required
def objection_resolve(request, pk):
    """[003 §7, 001 §3(3)] Upheld → back to review or refused; dismissed → the notice runs on."""
    objection = _city_objection(request, pk)
    filing = objection.item.filing
    # A change's notice offers the same choices as a filing's: back to review, or refused [002 §13].
    on_filing_notice = objection.item.notice.purpose in (PublicNotice.Purpose.FILING, PublicNotice.Purpose.CHANGE)
    form = ObjectionResolveForm(request.POST or None, on_filing_notice=on_filing_notice)
    back = (("filings:change_detail", objection.item.change_id) if objection.item.change_id
            else ("filings:detail", filing.pk))
    if objection.state != Objection.State.PENDING:
        messages.info(request, _("该异议已核实：%(state)s。") % {"state": objection.get_state_display()})
        return redirect(back[0], pk=back[1])
    if request.method == "POST" and form.is_valid():
        result = form.cleaned_data["result"]
        then = result if result in panel_services.UPHELD_ACTIONS else None
        try:
            panel_services.resolve_objection(
                objection_id=objection.pk, actor=request.user, upheld=result != "dismissed",
                resolution=form.cleaned_data["resolution"], then=then)
        except services.AlreadyDecided as exc:
            messages.error(request, str(exc))
            return redirect(back[0], pk=back[1])
        except services.TransitionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("异议已核实：%(result)s。")
                             % {"result": dict(form.fields["result"].choices)[result]})
            return redirect(back[0], pk=back[1])
    return render(request, "filings/notices/resolve.html", {"objection": objection, "filing": filing, "form": form})


@login_required
def objection_evidence(request, pk):
    """The objector's evidence, for the city only; every download is recorded [003 §18]."""
    objection = _city_objection(request, pk)
    if not objection.evidence:
        raise Http404
    record("notice.objection_evidence_download", objection.item.filing, actor=request.user,
           data={"objection": objection.pk})
    with objection.evidence.open("rb") as stored:
        content_type = uploads.sniff(stored)  # checked on upload; named again from the bytes
    response = FileResponse(objection.evidence.open("rb"), as_attachment=True,
                            filename=objection.evidence_name or "evidence", content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("notices/", notice_list, name="notice_list"),
    path("notices/<int:pk>/", notice_detail, name="notice_detail"),
    path("notices/items/<int:item_pk>/object/", objection_new, name="objection_new"),
    path("objections/<int:pk>/resolve/", objection_resolve, name="objection_resolve"),
    path("objections/<int:pk>/evidence/", objection_evidence, name="objection_evidence"),
]
