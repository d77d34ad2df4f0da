"""Screens of inspections and rectification orders (thin: read through the selectors, parse a form,
call one service, redirect with a message) and the public 结果公告 [002 §25-26, §30, 003 §17, §20]."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from filings.uploads import EXTENSIONS
from portal import transitions
from portal.audit import record
from portal.models import Role
from portal.transitions import TransitionRefused
from supervision.forms.inspections import (EvidenceForm, FindingForm, NotesForm, OpenInspectionForm, OrderForm,
                                           ResponseForm)
from supervision.models.inspections import (Finding, Inspection, InspectionEvidence, RectificationEvidence,
                                            RectificationOrder)
from supervision.permissions import inspections as perm
from supervision.selectors.inspections import inspections_visible_to, orders_visible_to, public_results
from supervision.services import inspections as svc

USERS = (Role.INSPECTOR, Role.AGENCY, Role.CITY, Role.DISTRICT, Role.ADMIN)
SUPERVISORS = (Role.CITY, Role.DISTRICT)


def _may_use(user) -> bool:
    return user.is_superuser or user.role in USERS


def _role_guard(user, roles=USERS) -> None:
    """A role that never uses these screens gets 404, like an object out of scope."""
    if not (user.is_superuser or user.role in roles):
        raise Http404


def _errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}：{errors[0]}" if label else errors[0])


def _download(obj, code: str, data: dict, request):
    record(code, obj, actor=request.user, data=data)
    extension = EXTENSIONS.get(obj.content_type, "bin")
    name = obj.original_name if obj.original_name.lower().endswith(f".{extension}") else f"{obj.original_name}.{extension}"
    response = FileResponse(obj.file.open("rb"), as_attachment=True, filename=name, content_type=obj.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ----- inspections ---------------------------------------------------------------------------------------

@login_required
@require_GET
def inspection_list(request):
    _role_guard(request.user)
    qs = inspections_visible_to(request.user).annotate(n_findings=Count("findings"))
    state = request.GET.get("state", "")
    if state in Inspection.State.values:
        qs = qs.filter(state=state)
    page = Paginator(qs.order_by("-opened_on", "-pk"), 20).get_page(request.GET.get("page"))
    may_open = request.user.role in SUPERVISORS or request.user.is_superuser or request.user.role == Role.ADMIN
    return render(request, "supervision/inspections/list.html", {
        "page_obj": page, "inspections": page.object_list, "states": Inspection.State.choices, "state": state,
        "may_open": may_open})


@login_required
def inspection_new(request):
    _role_guard(request.user, (*SUPERVISORS, Role.ADMIN))
    form = OpenInspectionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = svc.open_inspection(agency=data["agency"], team=list(data["team"]),
                                             origin=Inspection.Origin.AD_HOC, phase=data["phase"],
                                             reason=data["reason"], actor=request.user)
        except (TransitionRefused, PermissionDenied) as exc:
            form.add_error(None, str(exc) or _("无权对该机构发起检查。"))
        else:
            messages.success(request, _("已发起检查 %(n)s。") % {"n": inspection.number})
            return redirect("supervision:inspection_detail", pk=inspection.pk)
    return render(request, "supervision/inspections/new.html", {"form": form})


def _visible_inspection(request, pk) -> Inspection:
    _role_guard(request.user)
    return get_object_or_404(inspections_visible_to(request.user), pk=pk)


@login_required
@require_GET
def inspection_detail(request, pk: int):
    inspection = _visible_inspection(request, pk)
    user = request.user
    is_team = perm.is_team_member(inspection, user)
    is_agency = perm.is_agency_member(inspection, user)
    internal = not is_agency  # the team, the supervisors and administrators read the working papers
    context = {
        "inspection": inspection, "is_team": is_team, "is_agency": is_agency, "internal": internal,
        "checks": list(inspection.checks.all()),
        "findings": list(inspection.findings.select_related("checklist_row")),
        "evidence": list(inspection.evidence.all()) if internal else [],
        "team": list(inspection.team.order_by("username")),
        "orders": list(inspection.orders.all()),
        "actions": transitions.available_actions(svc.INSPECTION_MACHINE, inspection, user),
        "results": [("compliant", "符合"), ("non_compliant", "不符合"), ("na", "不适用")],
        "editable": is_team and inspection.state == Inspection.State.OPEN,
        "may_issue": (inspection.state == Inspection.State.CONCLUDED and not inspection.orders.exists()
                      and perm.may_issue_order(inspection, user)),
    }
    if context["editable"]:
        # Two forms on one page: their own id prefixes, so each label names its own field.
        context.update(finding_form=FindingForm(inspection=inspection, auto_id="finding_%s"),
                       evidence_form=EvidenceForm(auto_id="evidence_%s"))
    if is_team and inspection.state != Inspection.State.CONCLUDED:
        context["notes_form"] = NotesForm(initial={"summary": inspection.summary,
                                                   "internal_notes": inspection.internal_notes,
                                                   "conclusion": inspection.conclusion},
                                          summary_locked=inspection.state != Inspection.State.OPEN)
    if context["may_issue"]:
        findings = "\n".join(f"{i}. （{f.get_severity_display()}）{f.description}"
                             for i, f in enumerate(context["findings"], start=1))
        context["order_form"] = OrderForm(initial={"findings": findings})
    return render(request, "supervision/inspections/detail.html", context)


def _back(pk):
    return redirect("supervision:inspection_detail", pk=pk)


def _run(request, pk, fn, success: str):
    try:
        fn()
    except TransitionRefused as exc:
        messages.error(request, str(exc))
    except PermissionDenied:
        raise
    else:
        messages.success(request, success)
    return _back(pk)


@login_required
@require_POST
def inspection_checklist(request, pk: int):
    inspection = _visible_inspection(request, pk)
    results = {}
    for row in inspection.checks.all():
        if f"result_{row.pk}" in request.POST:
            results[row.pk] = (request.POST.get(f"result_{row.pk}", ""), request.POST.get(f"notes_{row.pk}", ""))
    return _run(request, pk, lambda: svc.fill_checklist(inspection_id=inspection.pk, results=results,
                                                        actor=request.user), _("检查清单已保存。"))


@login_required
@require_POST
def inspection_finding(request, pk: int):
    inspection = _visible_inspection(request, pk)
    form = FindingForm(request.POST, inspection=inspection)
    if not form.is_valid():
        if not perm.is_team_member(inspection, request.user):
            raise PermissionDenied
        _errors(request, form)
        return _back(pk)
    d = form.cleaned_data
    return _run(request, pk, lambda: svc.add_finding(inspection_id=inspection.pk, severity=d["severity"],
                                                     description=d["description"], check_id=d["check"],
                                                     actor=request.user), _("已记录问题。"))


@login_required
@require_POST
def inspection_evidence(request, pk: int):
    inspection = _visible_inspection(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        if not perm.is_team_member(inspection, request.user):
            raise PermissionDenied
        _errors(request, form)
        return _back(pk)
    d = form.cleaned_data
    return _run(request, pk, lambda: svc.add_evidence(inspection_id=inspection.pk, upload=d["file"],
                                                      description=d["description"], actor=request.user),
                _("证据已上传。"))


@login_required
@require_POST
def inspection_notes(request, pk: int):
    inspection = _visible_inspection(request, pk)
    form = NotesForm(request.POST, initial={"summary": inspection.summary},
                     summary_locked=inspection.state != Inspection.State.OPEN)
    if not form.is_valid():
        if not perm.is_team_member(inspection, request.user):
            raise PermissionDenied
        _errors(request, form)
        return _back(pk)
    d = form.cleaned_data
    return _run(request, pk, lambda: svc.save_notes(inspection_id=inspection.pk, summary=d["summary"],
                                                    internal_notes=d["internal_notes"], conclusion=d["conclusion"],
                                                    actor=request.user), _("已保存。"))


@login_required
@require_POST
def inspection_act(request, pk: int):
    inspection = _visible_inspection(request, pk)
    action = request.POST.get("action", "")
    if action not in svc.INSPECTION_MACHINE.actions:
        raise Http404
    return _run(request, pk, lambda: svc.perform_inspection(
        inspection_id=inspection.pk, action=action, actor=request.user, comment=request.POST.get("comment", ""),
        expected_state=request.POST.get("expected_state") or None),
        _("已%(action)s。") % {"action": svc.INSPECTION_MACHINE.actions[action]})


@login_required
@require_POST
def inspection_order(request, pk: int):
    inspection = _visible_inspection(request, pk)
    if not perm.may_issue_order(inspection, request.user):
        raise PermissionDenied
    form = OrderForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return _back(pk)
    if inspection.state != Inspection.State.CONCLUDED:
        messages.error(request, _("检查办结后才能下达整改通知。"))
        return _back(pk)
    try:
        order = svc.issue_rectification_order(
            agency=inspection.agency, filing=inspection.filing, inspection=inspection,
            origin=RectificationOrder.Origin.INSPECTION, origin_id=inspection.pk,
            findings=form.cleaned_data["findings"], working_days=form.cleaned_data["working_days"],
            actor=request.user)
    except TransitionRefused as exc:
        messages.error(request, str(exc))
        return _back(pk)
    messages.success(request, _("已下达整改通知 %(n)s，整改截止 %(d)s。") % {"n": order.number, "d": f"{order.due_on:%Y-%m-%d}"})
    return redirect("supervision:rectification_detail", pk=order.pk)


@login_required
@require_GET
def inspection_evidence_download(request, pk: int):
    """Confidential: the team, the supervising authority and administrators; every download audited."""
    _role_guard(request.user, (Role.INSPECTOR, *SUPERVISORS, Role.ADMIN))
    visible = inspections_visible_to(request.user).values("pk")
    evidence = get_object_or_404(InspectionEvidence, pk=pk, inspection_id__in=visible)
    return _download(evidence, "inspection.evidence_download", {"inspection": evidence.inspection_id,
                                                                 "sha256": evidence.sha256}, request)


# ----- rectification orders -------------------------------------------------------------------------------

@login_required
@require_GET
def rectification_list(request):
    _role_guard(request.user)
    qs = orders_visible_to(request.user)
    state = request.GET.get("state", "")
    if state in RectificationOrder.State.values:
        qs = qs.filter(state=state)
    page = Paginator(qs.order_by("-issued_on", "-pk"), 20).get_page(request.GET.get("page"))
    return render(request, "supervision/inspections/order_list.html", {
        "page_obj": page, "orders": page.object_list, "states": RectificationOrder.State.choices, "state": state,
        "today": timezone.localdate()})


def _visible_order(request, pk) -> RectificationOrder:
    _role_guard(request.user)
    return get_object_or_404(orders_visible_to(request.user), pk=pk)


@login_required
@require_GET
def rectification_detail(request, pk: int):
    order = _visible_order(request, pk)
    user = request.user
    is_agency = perm.is_order_agency(order, user)
    may_respond = is_agency and order.state == RectificationOrder.State.ISSUED
    return render(request, "supervision/inspections/order_detail.html", {
        "order": order, "is_agency": is_agency, "evidence": list(order.evidence.all()),
        "actions": [a for a in transitions.available_actions(svc.ORDER_MACHINE, order, user) if a[0] != "respond"],
        "may_respond": may_respond, "response_form": ResponseForm(initial={"response": order.response}) if may_respond else None,
        "evidence_form": EvidenceForm() if may_respond else None, "today": timezone.localdate()})


def _order_back(pk):
    return redirect("supervision:rectification_detail", pk=pk)


@login_required
@require_POST
def rectification_respond(request, pk: int):
    order = _visible_order(request, pk)
    if not perm.is_order_agency(order, request.user):
        raise PermissionDenied
    form = ResponseForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return _order_back(pk)
    try:
        svc.respond_order(order_id=order.pk, response=form.cleaned_data["response"], actor=request.user,
                          expected_state=request.POST.get("expected_state") or None)
    except TransitionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("整改报告已提交，等待验收。"))
    return _order_back(pk)


@login_required
@require_POST
def rectification_evidence(request, pk: int):
    order = _visible_order(request, pk)
    if not perm.is_order_agency(order, request.user):
        raise PermissionDenied
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        _errors(request, form)
        return _order_back(pk)
    try:
        svc.add_order_evidence(order_id=order.pk, upload=form.cleaned_data["file"],
                               description=form.cleaned_data["description"], actor=request.user)
    except TransitionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("证明材料已上传。"))
    return _order_back(pk)


@login_required
@require_POST
def rectification_act(request, pk: int):
    order = _visible_order(request, pk)
    action = request.POST.get("action", "")
    if action not in svc.ORDER_MACHINE.actions or action == "respond":
        raise Http404
    try:
        svc.perform_order(order_id=order.pk, action=action, actor=request.user,
                          comment=request.POST.get("comment", ""),
                          expected_state=request.POST.get("expected_state") or None)
    except TransitionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已%(action)s。") % {"action": svc.ORDER_MACHINE.actions[action]})
    return _order_back(pk)


@login_required
@require_GET
def rectification_evidence_download(request, pk: int):
    _role_guard(request.user)
    visible = orders_visible_to(request.user).values("pk")
    evidence = get_object_or_404(RectificationEvidence, pk=pk, order_id__in=visible)
    return _download(evidence, "rectification.evidence_download", {"order": evidence.order_id,
                                                                    "sha256": evidence.sha256}, request)


# ----- public --------------------------------------------------------------------------------------------

@require_GET
def inspection_results(request):
    """结果公告: concluded inspections — agency, date, phase, conclusion, whether an order was issued;
    never the internal notes or who inspected [002 §25 “一公开”]."""
    page = Paginator(public_results(), 30).get_page(request.GET.get("page"))
    return render(request, "supervision/inspections/results.html", {"page_obj": page, "results": page.object_list})


# ----- dashboard panels (registered in supervision.wiring.inspections) ------------------------------------

def inspector_panel(user) -> dict:
    rows = list(inspections_visible_to(user).exclude(state=Inspection.State.CONCLUDED).order_by("opened_on")[:5])
    return {"title": _("我的检查任务"), "template": "supervision/inspections/_panel.html", "inspections": rows,
            "list_url": "supervision:inspection_list"}


def agency_panel(user) -> dict | None:
    inspections = list(inspections_visible_to(user).filter(state=Inspection.State.FINDINGS_SUBMITTED)[:5])
    orders = list(orders_visible_to(user).filter(state__in=RectificationOrder.OPEN_STATES)[:5])
    if not inspections and not orders:
        return None
    return {"title": _("监督检查与整改"), "template": "supervision/inspections/_panel.html",
            "inspections": inspections, "orders": orders, "list_url": "supervision:inspection_list"}


def supervisor_panel(user) -> dict:
    inspections = list(inspections_visible_to(user).exclude(state=Inspection.State.CONCLUDED)[:5])
    orders = list(orders_visible_to(user).filter(state__in=(RectificationOrder.State.RESPONDED,
                                                            RectificationOrder.State.OVERDUE))[:5])
    return {"title": _("监督检查与整改"), "template": "supervision/inspections/_panel.html",
            "inspections": inspections, "orders": orders, "list_url": "supervision:inspection_list"}
