"""Screens of evaluation batches [003 §15-17]: the agency plans, imports and reports; the district
and city review and supervise; the public reads the result notices. Thin: a form, one service, a
redirect with a message. Objects come only through `supervision.selectors.batches` (out of scope
→ 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.audit import record
from portal.models import Role
from portal.transitions import TransitionRefused
from supervision import batch_import
from supervision.forms import batches as forms
from supervision.models.batches import BatchState, EvaluationBatch
from supervision.permissions import batches as perm
from supervision.selectors import batches as sel
from supervision.services import batches as services

S = BatchState
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STAFF_ROLES = (Role.AGENCY, Role.DISTRICT, Role.CITY, Role.INSPECTOR, Role.ADMIN)


def _batch(request, pk) -> EvaluationBatch:
    return get_object_or_404(sel.batches_visible_to(request.user), pk=pk)


def _refused(request, exc) -> None:
    if isinstance(exc, batch_import.ImportRefused):
        messages.error(request, _("文件未导入（整表不导入）：") + "；".join(exc.problems[:50]))
    else:
        messages.error(request, str(exc))


@login_required
def batch_list(request):
    user = request.user
    if user.role not in STAFF_ROLES and not user.is_superuser:
        raise PermissionDenied
    qs = sel.batches_visible_to(user)
    state = request.GET.get("state", "")
    if state in S.values:
        qs = qs.filter(state=state)
    today = timezone.localdate()
    return render(request, "supervision/batches/list.html", {
        "batches": qs.order_by("-pk")[:200], "states": S.choices, "state": state, "today": today,
        "is_agency": user.role == Role.AGENCY,
        "review": sel.to_review(user) if user.role in (Role.DISTRICT, Role.CITY) else [],
        "week": sel.this_week(user, today) if user.role in (Role.DISTRICT, Role.CITY) else [],
        "overdue": sel.overdue_reports(user) if user.role != Role.AGENCY else []})


@login_required
def batch_new(request):
    user = request.user
    if user.role != Role.AGENCY or not user.agency_id:
        raise PermissionDenied
    form = forms.PlanForm(request.POST or None, agency_id=user.agency_id)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.create_plan(actor=user, **form.cleaned_data)
        except TransitionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("批次计划草稿已建立，请填写职业等级、考核安排、工作人员并导入名单。"))
            return redirect("supervision:batch_detail", batch.pk)
    return render(request, "supervision/batches/new.html", {"form": form})


@login_required
def batch_detail(request, pk):
    batch = _batch(request, pk)
    user = request.user
    editable = perm.is_agency_member(batch, user) and batch.state in (S.DRAFT, S.RETURNED)
    today = timezone.localdate()
    context = {
        "batch": batch, "today": today, "editable": editable,
        "actions": services.available_actions(batch, user),
        "groups": batch.groups.select_related("occupation").prefetch_related("modules"),
        "staff": batch.staff.all(), "candidates": batch.candidates.select_related("group__occupation")[:500],
        "candidate_count": batch.candidates.count(), "documents": batch.documents.all(),
        "problems": batch.plan_problems(today) if editable else [],
        "is_agency": perm.is_agency_member(batch, user),
        "can_supervise": perm.is_supervising_authority(batch, user) and batch.state == S.APPROVED,
        "inspections": services.supervision_of(batch), "comment_form": forms.CommentForm(),
        "sheet_form": forms.SheetForm(), "document_form": forms.DocumentForm(),
        "document_types": [t for t in batch.documents.model.Type.choices],
    }
    if editable:
        context["group_form"] = forms.GroupForm(filing=batch.filing)
        context["staff_form"] = forms.StaffForm(filing=batch.filing)
    if context["can_supervise"]:
        context["supervise_form"] = forms.SuperviseForm()
    return render(request, "supervision/batches/detail.html", context)


@login_required
@require_POST
def batch_group(request, pk):
    batch = _batch(request, pk)
    form = forms.GroupForm(request.POST, filing=batch.filing)
    if form.is_valid():
        try:
            services.add_group(batch_id=batch.pk, occupation=form.cleaned_data["occupation"],
                               level=form.cleaned_data["level"], modules=form.modules(), actor=request.user)
            messages.success(request, _("已添加职业等级及考核安排。"))
        except TransitionRefused as exc:
            _refused(request, exc)
    else:
        messages.error(request, "；".join(f"{form.fields[f].label if f in form.fields else ''}：{e[0]}"
                                         for f, e in form.errors.items()))
    return redirect("supervision:batch_detail", batch.pk)


@login_required
@require_POST
def batch_staff(request, pk):
    batch = _batch(request, pk)
    form = forms.StaffForm(request.POST, filing=batch.filing)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.add_staff(batch_id=batch.pk, role=d["role"], name=d.get("name") or "", actor=request.user,
                               examiner_id=d["examiner"].pk if d.get("examiner") else None,
                               id_number=d.get("id_number") or "",
                               certificate_valid_until=d.get("certificate_valid_until"))
            messages.success(request, _("已添加工作人员。"))
        except TransitionRefused as exc:
            _refused(request, exc)
    else:
        messages.error(request, "；".join(e[0] for e in form.errors.values()))
    return redirect("supervision:batch_detail", batch.pk)


def _upload(request, pk, service, done: str):
    batch = _batch(request, pk)
    form = forms.SheetForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要导入的 .xlsx 文件。"))
        return redirect("supervision:batch_detail", batch.pk)
    upload = form.cleaned_data["file"]
    if upload.size > batch_import.MAX_BYTES:
        messages.error(request, _("文件过大。"))
        return redirect("supervision:batch_detail", batch.pk)
    try:
        n = service(batch_id=batch.pk, data=upload.read(), actor=request.user, filename=upload.name)
        messages.success(request, done % {"n": n})
    except (TransitionRefused, batch_import.ImportRefused) as exc:
        _refused(request, exc)
    return redirect("supervision:batch_detail", batch.pk)


@login_required
@require_POST
def batch_candidates(request, pk):
    return _upload(request, pk, services.import_candidates, _("已导入参加认定人员 %(n)s 人。"))


@login_required
@require_POST
def batch_results(request, pk):
    return _upload(request, pk, services.import_results, _("已导入认定结果 %(n)s 人。"))


@login_required
@require_POST
def batch_action(request, pk, action):
    batch = _batch(request, pk)
    if action not in services.ACTIONS:
        raise Http404
    try:
        services.perform(batch_id=batch.pk, action=action, actor=request.user,
                         comment=request.POST.get("comment", ""), expected_state=request.POST.get("state") or None)
        messages.success(request, _("已%(action)s。") % {"action": services.ACTIONS[action]})
    except TransitionRefused as exc:
        _refused(request, exc)
    return redirect("supervision:batch_detail", batch.pk)


@login_required
def batch_export(request, pk):
    """The result sheet's columns (ID numbers masked), audited."""
    batch = _batch(request, pk)
    data = batch_import.template(batch_import.RESULT_COLUMNS, services.export_rows(batch))
    record("batch.export", batch, actor=request.user)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="batch-{batch.pk}-results.xlsx"'
    return response


@login_required
def batch_template(request, kind):
    columns = {"candidates": batch_import.CANDIDATE_COLUMNS, "results": batch_import.RESULT_COLUMNS}.get(kind)
    if columns is None:
        raise Http404
    response = HttpResponse(batch_import.template(columns), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response


@login_required
@require_POST
def batch_document(request, pk):
    batch = _batch(request, pk)
    form = forms.DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_document(batch_id=batch.pk, type=form.cleaned_data["type"], actor=request.user,
                                  upload=form.cleaned_data.get("file"), reference=form.cleaned_data.get("reference", ""))
            messages.success(request, _("档案已保存。"))
        except Exception as exc:  # noqa: BLE001 - TransitionRefused or the upload's ValidationError
            if isinstance(exc, PermissionDenied):
                raise
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    return redirect("supervision:batch_detail", batch.pk)


@login_required
@require_POST
def batch_supervise(request, pk):
    batch = _batch(request, pk)
    form = forms.SuperviseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择督查员。"))
        return redirect("supervision:batch_detail", batch.pk)
    try:
        inspection = services.send_supervisors(batch_id=batch.pk, team=list(form.cleaned_data["team"]),
                                               reason=form.cleaned_data.get("reason", ""), actor=request.user)
        messages.success(request, _("已选派督查员：%(n)s") % {"n": inspection.number})
    except TransitionRefused as exc:
        _refused(request, exc)
    return redirect("supervision:batch_detail", batch.pk)


def batch_public(request):
    """结果公示 (public, no sign-in) [003 §15(3)]."""
    return render(request, "supervision/batches/public_list.html", {"batches": sel.public_results()[:100]})


def batch_public_detail(request, pk):
    batch = get_object_or_404(sel.public_results(), pk=pk)
    rows = batch.candidates.select_related("group__occupation").order_by("row_no")
    return render(request, "supervision/batches/public_detail.html", {"batch": batch, "rows": rows})
