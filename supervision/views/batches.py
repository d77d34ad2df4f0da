"""Screens of evaluation batches [003 §15-17]: the agency plans, imports and reports; the district
and city review and supervise; the public reads the result notices. Thin: a form, one service, a
redirect with a message. Objects come only through `supervision.selectors.batches` (out of scope
→ 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from filings import uploads
from filings.ratelimit import rate_limited
from portal.audit import client_ip, record
from portal.models import Role
from portal.transitions import TransitionRefused
from supervision import batch_import
from supervision.forms import batches as forms
from supervision.forms.complaints import TrackForm
from supervision.models.batches import BatchState, EvaluationBatch
from supervision.permissions import batches as perm
from supervision.selectors import batches as sel
from supervision.services import batch_objections as objection_services
from supervision.services import batches as services
from supervision.views.complaints import _too_many, over_limit

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
        "batches": sel.with_objection_marks(qs).order_by("-pk")[:200], "states": S.choices, "state": state, "today": today,
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
        "inspections": services.supervision_of(batch), "spot_draws": batch.spot_draws.all(),
        "comment_form": forms.CommentForm(),
        "objections": batch.objections.select_related("answered_by"), "pending_objections": batch.pending_objections(),
        "may_answer": perm.may_answer_objection(batch, user), "answer_form": forms.AnswerForm(),
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
    """Draw the spot-check team, or choose it by hand with a reason [003 §15(2)]."""
    batch = _batch(request, pk)
    form = forms.SuperviseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e[0] for e in form.errors.values()))
        return redirect("supervision:batch_detail", batch.pk)
    d = form.cleaned_data
    try:
        inspection = services.send_supervisors(
            batch_id=batch.pk, actor=request.user, reason=d.get("reason", ""), team_size=d.get("team_size") or 2,
            team=list(d["team"]) if d["method"] == "manual" else None)
        messages.success(request, _("已选派督查员：%(n)s") % {"n": inspection.number})
    except TransitionRefused as exc:
        _refused(request, exc)
    return redirect("supervision:batch_detail", batch.pk)


def _objection(request, pk, opk):
    batch = _batch(request, pk)
    objection = get_object_or_404(batch.objections.all(), pk=opk)
    if not perm.may_answer_objection(batch, request.user):
        raise PermissionDenied
    return batch, objection


@login_required
@require_POST
def batch_objection_answer(request, pk, opk):
    """书面答复 of an objection to the result notice [003 §15(3)]."""
    batch, objection = _objection(request, pk, opk)
    form = forms.AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择答复结果并填写书面答复。"))
        return redirect("supervision:batch_detail", batch.pk)
    try:
        objection_services.answer_objection(objection_id=objection.pk, actor=request.user,
                                            upheld=form.cleaned_data["result"] == "upheld",
                                            reply=form.cleaned_data["reply"])
        messages.success(request, _("异议已答复。"))
    except TransitionRefused as exc:
        _refused(request, exc)
    return redirect("supervision:batch_detail", batch.pk)


@login_required
def batch_objection_evidence(request, pk, opk):
    """The objector's evidence, for those who answer; every download is recorded."""
    batch, objection = _objection(request, pk, opk)
    if not objection.evidence:
        raise Http404
    record("batch.objection_evidence_download", batch, actor=request.user, data={"objection": objection.pk})
    with objection.evidence.open("rb") as stored:
        content_type = uploads.sniff(stored)
    response = FileResponse(objection.evidence.open("rb"), as_attachment=True,
                            filename=objection.evidence_name or "evidence", content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@rate_limited("directory")
def batch_public(request):
    """结果公示 (public, no sign-in) [003 §15(3)]."""
    return render(request, "supervision/batches/public_list.html", {"batches": sel.public_results()[:100]})


@never_cache
@rate_limited("directory")
def batch_public_detail(request, pk):
    """The result notice, where objections are taken while it runs [003 §15(3)]."""
    batch = get_object_or_404(sel.public_results(), pk=pk)
    today = timezone.localdate()
    open_ = batch.open_for_objection(today)
    form = None
    if open_:
        form = forms.ObjectionForm(request.POST or None, request.FILES or None)
        if request.method == "POST":
            if seconds := over_limit("file_ip", client_ip(request)):
                return _too_many(request, seconds)
            if form.is_valid():
                d = form.cleaned_data
                try:
                    objection, code = objection_services.file_objection(
                        batch_id=batch.pk, name=d["name"], contact=d["contact"], text=d["text"],
                        evidence=d["evidence"], today=today)
                except TransitionRefused as exc:
                    form.add_error(None, str(exc))
                else:
                    request.session["batch_objection_filed"] = {"number": objection.number, "code": code}
                    return redirect("supervision:batch_objection_filed")
            form.refresh_challenge()
    elif request.method == "POST":
        return render(request, "supervision/batches/objection_closed.html", {"batch": batch}, status=410)
    rows = batch.candidates.select_related("group__occupation").order_by("row_no")
    return render(request, "supervision/batches/public_detail.html",
                  {"batch": batch, "rows": rows, "form": form, "open": open_})


@never_cache
def batch_objection_filed(request):
    """The number and the code, shown once."""
    filed = request.session.pop("batch_objection_filed", None)
    if not filed:
        return redirect("supervision:batch_objection_track")
    return render(request, "supervision/batches/objection_filed.html", {"filed": filed})


@never_cache
def batch_objection_track(request):
    """The status page by number + code, rate-limited; a wrong code is a 404 like an unknown number."""
    data = request.POST if request.method == "POST" else request.GET
    if "number" not in data:
        return render(request, "supervision/batches/objection_track.html", {"form": TrackForm()})
    if seconds := over_limit("status", client_ip(request)):
        return _too_many(request, seconds)
    form = TrackForm(data)
    if not form.is_valid():
        raise Http404
    objection = objection_services.find_by_code(form.cleaned_data["number"], form.cleaned_data["code"])
    if objection is None:
        raise Http404
    return render(request, "supervision/batches/objection_status.html", {"o": objection})
