"""Renewal screens [SPEC §4]: the agency's task list, the forms, the reviewers' side-by-side scoring
and the city's board. Views parse a form, call one service and redirect; every object comes through
`assessments_visible_to` (out of scope → 404)."""

from __future__ import annotations

from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import history, outcomes, services, timeline
from assessments.choices import OPEN, AssessmentState
from assessments.forms import ApplicationForm, AttachmentForm, CommentForm, OpinionForm, PanelForm
from assessments.models import RenewalAssessment
from assessments.models.rubric import fmt
from assessments.selectors import assessments_visible_to, expiring_counts, expiring_filings
from filings import permissions as filing_perm
from filings.choices import IN_FORCE, FilingState
from filings.selectors import filings_visible_to
from filings.services import TransitionRefused
from portal.audit import record
from portal.models import PolicyProfile, Role

S = AssessmentState
# No draft column: a renewal not yet submitted is the agency's alone [SPEC §1].
BOARD_COLUMNS = [S.PRE_REVIEW, S.RETURNED, S.ACCEPTED, S.EXPERT_REVIEW, S.DECIDING, S.NOTICE, S.PASSED,
                 S.FAILED, S.WITHDRAWN]


def _get(request, pk) -> RenewalAssessment:
    return get_object_or_404(assessments_visible_to(request.user), pk=pk)


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{k}：{m}" if k != "__all__" else m for k, v in exc.message_dict.items() for m in v]
    return exc.messages


def _errors_by_item(exc: ValidationError) -> dict[str, list[str]]:
    """A refused save of scores keys its errors by item code (`services._save_values`)."""
    return exc.message_dict if hasattr(exc, "error_dict") else {}


def agency_required(view):
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if request.user.role != Role.AGENCY or not request.user.agency_id:
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapped


def reviewer_required(view):
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        u = request.user
        if not (u.is_superuser or u.role in (Role.CITY, Role.DISTRICT, Role.INDUSTRY, Role.ADMIN, Role.INSPECTOR)):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapped


def tasks_for(assessment: RenewalAssessment) -> list[dict]:
    """The agency's renewal as a task list: what is done and what is left [004 §3]."""
    a = assessment
    return [
        {"name": _("续期申请表"), "url": "assessments:application", "left": a.application_problems()},
        {"name": _("自查自评"), "url": "assessments:self_assessment", "left": a.self_assessment_problems()},
        {"name": _("申报材料"), "url": "assessments:materials", "left": a.attachment_problems()},
        {"name": _("承诺与提交"), "url": "assessments:detail",
         "left": [] if a.pledge_signed_at else [_("尚未签署承诺")]},
    ]


@agency_required
def agency_home(request):
    today = timezone.localdate()
    profile = PolicyProfile.active()
    rows = []
    # In force, or left the directory at expiry but still within a late application period [004 §4(3)].
    filings = filings_visible_to(request.user).filter(
        Q(state__in=IN_FORCE) | Q(state=FilingState.EXPIRED, ended_on=F("valid_until")), valid_until__isnull=False)
    renewals = {}
    for a in assessments_visible_to(request.user).order_by("pk"):
        renewals.setdefault(a.filing_id, []).append(a)
    for f in filings.order_by("valid_until"):
        if not f.in_force and today > timeline.latest_application_on(f.valid_until, profile):
            continue
        mine = [a for a in renewals.get(f.pk, []) if a.expires_on == f.valid_until]
        rows.append({"filing": f, "renewals": mine, "current": mine[-1] if mine else None,
                     "opens": timeline.window_opens_on(f.valid_until, profile),
                     "latest": timeline.latest_application_on(f.valid_until, profile),
                     "days_left": (f.valid_until - today).days,
                     "blockers": services.renewal_blockers(f, today)})
    ended = [a for lst in renewals.values() for a in lst if a.wrap_up.exists()]
    return render(request, "assessments/agency_home.html", {"rows": rows, "today": today, "wrap_ups": ended})


@agency_required
@require_POST
def open_renewal(request, filing_pk):
    filing = get_object_or_404(filings_visible_to(request.user), pk=filing_pk)
    try:
        a = services.open_renewal(filing_id=filing.pk, actor=request.user)
    except TransitionRefused as exc:
        messages.error(request, str(exc))
        return redirect("assessments:agency_home")
    messages.success(request, _("已开始期满评估申请，请按任务清单逐项完成。"))
    return redirect("assessments:detail", pk=a.pk)


@login_required
def detail(request, pk):
    a = _get(request, pk)
    user = request.user
    is_agency = filing_perm.is_agency_member(a, user)
    context = {
        "a": a, "is_agency": is_agency, "actions": services.available_actions(a, user),
        "comment_form": CommentForm(), "scores": _score_rows(a), "panel": a.panel.select_related("expert"),
        "attachments": a.attachments.select_related("item"), "tasks": tasks_for(a) if is_agency else None,
        "latest": timeline.latest_application_on(a.expires_on), "pass_mark": PolicyProfile.active().pass_mark,
        "is_city": filing_perm.is_city_reviewer(a, user), "is_expert": services.is_panel_expert(a, user),
        "wrap_up": a.wrap_up.all(), "filing": a.filing,
        "timeline": history.timeline_for(a, user), "countdowns": history.countdowns(a, timezone.localdate()),
    }
    if context["is_city"] and a.state in (S.ACCEPTED, S.EXPERT_REVIEW):
        context["panel_form"] = PanelForm(assessment=a, initial={"experts": [p.expert for p in context["panel"]]})
    return render(request, "assessments/detail.html", context)


def _score_rows(a: RenewalAssessment, *, side: str | None = None, posted: dict | None = None,
                errors: dict | None = None) -> list[dict]:
    """One row per rubric item. On a refused save, `posted` (item id → (value, note) as typed) and
    `errors` (item code → messages) put back what the person typed, with the error beside its item."""
    scores = {s.item_id: s for s in a.scores.all()}
    posted, errors = posted or {}, errors or {}
    evidence = {}
    for att in a.attachments.all():
        if att.item_id:
            evidence.setdefault(att.item_id, []).append(att)
    rows, section = [], None
    for item in a.rubric.items.all():
        s = scores.get(item.pk)
        computed = a.computed_points(item)
        judged = not item.entered_by_hand and a.judged_by_hand(item)
        row = {"item": item, "score": s, "new_section": item.section != section,
               "computed": computed, "judged": judged, "source": _computed_source(a, item, computed, judged),
               "evidence": evidence.get(item.pk, []), "errors": errors.get(item.code, [])}
        if side:
            value = getattr(s, f"{side}_value") if s else None
            note = getattr(s, f"{side}_note") if s else ""
            text = "" if value is None else fmt(value)
            if item.pk in posted:
                text, note = posted[item.pk]
                value = _as_number(text)
            row.update(value=value, text=text, note=note)
        rows.append(row)
        section = item.section
    return rows


def _computed_source(a: RenewalAssessment, item, computed, judged) -> str:
    """Where a computed item's value came from, or why it is judged by hand [004 Annex 2 3.5, 4.3]."""
    if item.entered_by_hand:
        return ""
    if item.kind == item.Kind.COMPLAINT_RECORDS:
        if judged:
            return _("本期没有投诉要求机构说明情况，无法按投诉记录判定：请按实际情况评定，并在“说明”中写明理由。")
        if computed:
            return _("按投诉举报记录：本期要求机构说明的投诉均在期限内作出说明")
        return _("按投诉举报记录：本期有要求机构说明的投诉未在期限内作出说明")
    if judged:
        return _("本期未发证（0 人次），上国网比例无从计算，不按满分计：请按实际情况评定，并在“说明”中写明理由。")
    return _("按已发证 %(i)s 人次、已上国网 %(u)s 人次计算") % {"i": a.certs_issued, "u": a.certs_uploaded}


def _as_number(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except ArithmeticError:
        return None
    return value if value.is_finite() else None


@agency_required
def application(request, pk):
    a = _get(request, pk)
    form = ApplicationForm(request.POST or None, initial=ApplicationForm.initial_from(a))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_application(assessment_id=a.pk, actor=request.user, data=form.cleaned_data)
        except (ValidationError, TransitionRefused) as exc:
            for m in (_errors(exc) if isinstance(exc, ValidationError) else [str(exc)]):
                form.add_error(None, m)
        else:
            messages.success(request, _("续期申请表已保存。"))
            return redirect("assessments:detail", pk=a.pk)
    return render(request, "assessments/application.html", {"a": a, "form": form})


def _posted_values(request, a, prefix):
    values = {}
    for item in a.rubric.items.all():
        if a.judged_by_hand(item) and f"{prefix}_{item.pk}" in request.POST:
            values[item.pk] = (request.POST.get(f"{prefix}_{item.pk}", "").strip(),
                               request.POST.get(f"{prefix}note_{item.pk}", "").strip())
    return values


@agency_required
def self_assessment(request, pk):
    a = _get(request, pk)
    errors, posted, by_item = [], {}, {}
    if request.method == "POST":
        posted = _posted_values(request, a, "self")
        try:
            services.save_self_scores(assessment_id=a.pk, actor=request.user, values=posted)
        except ValidationError as exc:
            errors, by_item = _errors(exc), _errors_by_item(exc)
        except TransitionRefused as exc:
            errors = [str(exc)]
        else:
            messages.success(request, _("自评得分已保存，总分由系统计算。"))
            return redirect("assessments:detail", pk=a.pk)
    # Nothing was saved: what was typed comes back, each error beside its item.
    return render(request, "assessments/scoring.html", {
        "a": a, "rows": _score_rows(a, side="self", posted=posted, errors=by_item), "side": "self",
        "errors": errors, "pass_mark": PolicyProfile.active().pass_mark})


@login_required
def review(request, pk):
    a = _get(request, pk)
    if not services.is_panel_expert(a, request.user):
        raise PermissionDenied
    errors, posted, by_item = [], {}, {}
    seat = a.panel.get(expert=request.user)
    opinion_form = OpinionForm(initial={"document_reviewed": seat.document_reviewed, "report_heard": seat.report_heard,
                                        "site_checked": seat.site_checked, "opinion": seat.opinion})
    if request.method == "POST":
        try:
            if "opinion" in request.POST:
                opinion_form = OpinionForm(request.POST)
                if opinion_form.is_valid():
                    services.submit_opinion(assessment_id=a.pk, actor=request.user, **opinion_form.cleaned_data)
                    messages.success(request, _("专家意见已提交。"))
                    return redirect("assessments:detail", pk=a.pk)
            else:
                posted = _posted_values(request, a, "review")
                services.save_review_scores(assessment_id=a.pk, actor=request.user, values=posted)
                messages.success(request, _("评审得分已保存。"))
                return redirect("assessments:review", pk=a.pk)
        except ValidationError as exc:
            errors, by_item = _errors(exc), _errors_by_item(exc)
        except TransitionRefused as exc:
            errors = [str(exc)]
    return render(request, "assessments/scoring.html", {
        "a": a, "rows": _score_rows(a, side="review", posted=posted, errors=by_item), "side": "review",
        "errors": errors, "opinion_form": opinion_form, "pass_mark": PolicyProfile.active().pass_mark})


@agency_required
def materials(request, pk):
    a = _get(request, pk)
    form = AttachmentForm(request.POST or None, request.FILES or None, rubric=a.rubric)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_attachment(assessment_id=a.pk, actor=request.user, type=form.cleaned_data["type"],
                                    upload=form.cleaned_data["file"], item_id=form.cleaned_data["item"])
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        except TransitionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("材料已上传。"))
            return redirect("assessments:materials", pk=a.pk)
    return render(request, "assessments/materials.html", {
        "a": a, "form": form, "attachments": a.attachments.select_related("item"),
        "missing": a.attachment_problems()})


@login_required
def download(request, pk, attachment_pk):
    a = _get(request, pk)
    att = get_object_or_404(a.attachments, pk=attachment_pk)
    record("renewal.download", a, actor=request.user, data={"attachment": att.pk})
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.original_name,
                        content_type=att.content_type)


@agency_required
@require_POST
def pledge(request, pk):
    a = _get(request, pk)
    try:
        services.sign_pledge(assessment_id=a.pk, actor=request.user)
        messages.success(request, _("已签署承诺。"))
    except TransitionRefused as exc:
        messages.error(request, str(exc))
    return redirect("assessments:detail", pk=a.pk)


@login_required
@require_POST
def act(request, pk, action):
    a = _get(request, pk)
    try:
        services.perform(assessment_id=a.pk, action=action, actor=request.user,
                         comment=request.POST.get("comment", ""), expected_state=request.POST.get("expected_state"))
    except TransitionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已完成：%(action)s") % {"action": services.ACTIONS[action]})
    return redirect("assessments:detail", pk=a.pk)


@login_required
@require_POST
def panel(request, pk):
    a = _get(request, pk)
    form = PanelForm(request.POST, assessment=a)
    if not form.is_valid():
        messages.error(request, _("请选择评估专家。"))
    else:
        try:
            services.assign_panel(assessment_id=a.pk, actor=request.user, experts=list(form.cleaned_data["experts"]))
            messages.success(request, _("专家组已确定。"))
        except (ValidationError, TransitionRefused) as exc:
            messages.error(request, "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    return redirect("assessments:detail", pk=a.pk)


@login_required
@require_POST
def wrap_up(request, pk, task):
    a = _get(request, pk)
    try:
        outcomes.complete_wrap_up(assessment_id=a.pk, task=task, actor=request.user, note=request.POST.get("note", ""))
        messages.success(request, _("收尾事项已记录完成。"))
    except TransitionRefused as exc:
        messages.error(request, str(exc))
    return redirect("assessments:detail", pk=a.pk)


@reviewer_required
def board(request):
    """The renewal board by state; the expiring filings beside it [000 §3]."""
    today = timezone.localdate()
    qs = assessments_visible_to(request.user).order_by("expires_on")
    state = request.GET.get("state")
    columns = []
    counts = {s: 0 for s in BOARD_COLUMNS}
    for s, n in _count_by_state(qs).items():
        counts[s] = n
    shown = [s for s in BOARD_COLUMNS if not state or state == s]
    # Every column's first 50 in one query (a row number per state), not one query per column
    # [issue #15 §6].
    first = (qs.filter(state__in=shown)
             .annotate(rank=Window(RowNumber(), partition_by=[F("state")], order_by=[F("expires_on").asc(), F("pk").asc()]))
             .filter(rank__lte=50).order_by("state", "expires_on", "pk"))
    items = {s: [] for s in shown}
    for a in first:
        items[a.state].append(a)
    for s in shown:
        columns.append({"state": s, "label": S(s).label, "count": counts[s], "items": items[s]})
    buckets = expiring_filings(request.user, today)
    expiring = expiring_counts(request.user, today)
    soon, later, overdue = (expiring[k] for k in ("within_30_days", "within_window", "overdue"))
    return render(request, "assessments/board.html", {
        "kpi": {"window": soon + later, "soon": soon, "overdue": overdue},
        "columns": columns, "counts": [(s, S(s).label, counts[s]) for s in BOARD_COLUMNS], "state": state,
        "expiring": {k: list(v[:50]) for k, v in buckets.items()}, "today": today, "open_states": OPEN})


def _count_by_state(qs):
    return dict(qs.order_by().values_list("state").annotate(n=Count("pk")))
