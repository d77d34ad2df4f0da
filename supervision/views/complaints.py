"""Screens of complaints [002 §27, 003 §19]: the public form and status page (no account), the
handlers' work list and detail, the agency's view (never who complained), the city's figures.
Thin: a form, one service, a redirect with a message. Objects come only through
`supervision.selectors.complaints` (out of scope → 404)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal import transitions
from portal.audit import client_ip, record
from portal.models import Role, User
from portal.transitions import TransitionRefused
from supervision.forms import complaints as forms
from supervision.models.complaints import Complaint
from supervision.permissions import complaints as perm
from supervision.selectors import complaints as sel
from supervision.services import complaints as services

S = Complaint.State
DEFAULT_LIMITS = {"file_ip": (10, 3600), "file_contact": (3, 86400), "status": (30, 600)}


def over_limit(scope: str, who: str) -> int | None:
    """A fixed-window counter per client address (or contact) in the cache: None when allowed,
    else the seconds to wait."""
    limit, window = getattr(settings, "COMPLAINT_RATE_LIMITS", {}).get(scope, DEFAULT_LIMITS[scope])
    now = int(time.time())
    start = now - now % window
    key = f"complaint-rate:{scope}:{who or 'unknown'}:{start}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window + 1)
        count = 1
    return None if count <= limit else max(1, start + window - now)


def _too_many(request, seconds: int):
    response = render(request, "429.html", {"seconds": seconds}, status=429)
    response["Retry-After"] = str(seconds)
    return response


# ----- the public -------------------------------------------------------------------------------------------

@never_cache
def complaint_new(request):
    """The public form [002 §27]: no sign-in."""
    if request.method == "POST":
        form = forms.ComplaintForm(request.POST, request.FILES)
        seconds = over_limit("file_ip", client_ip(request))
        if seconds:
            return _too_many(request, seconds)
        if form.is_valid():
            d = form.cleaned_data
            contact = (d["contact_email"] or d["contact_phone"] or "").lower()
            seconds = over_limit("file_contact", contact) if contact and not d["anonymous"] else None
            if seconds:
                return _too_many(request, seconds)
            try:
                complaint, code = services.file_complaint(
                    category=d["category"], description=d["description"], agency=d["agency"],
                    agency_name=d["agency_name"], occupation_text=d["occupation_text"], batch_text=d["batch_text"],
                    happened_on=d["happened_on"], address_string=d["address_string"], anonymous=d["anonymous"],
                    contact_name=d["contact_name"], contact_phone=d["contact_phone"],
                    contact_email=d["contact_email"], uploads=d["evidence"], client_ip=client_ip(request))
            except TransitionRefused as exc:
                form.add_error(None, str(exc))
            else:
                request.session["complaint_filed"] = {"number": complaint.number, "code": code,
                                                      "anonymous": complaint.anonymous,
                                                      "emailed": bool(complaint.contact_email)}
                return redirect("supervision:complaint_filed")
        form.refresh_challenge()
    else:
        initial = {}
        if (agency_id := request.GET.get("agency", "")).isdigit():
            initial["agency"] = agency_id
        form = forms.ComplaintForm(initial=initial)
    return render(request, "supervision/complaints/new.html", {"form": form})


@never_cache
def complaint_filed(request):
    """The number and the code, shown once."""
    filed = request.session.pop("complaint_filed", None)
    if not filed:
        return redirect("supervision:complaint_track")
    return render(request, "supervision/complaints/filed.html", {"filed": filed})


@never_cache
def complaint_track(request):
    """The status page by number + code, rate-limited; a wrong code is a 404 like an unknown number."""
    data = request.POST if request.method == "POST" else request.GET
    if "number" not in data:
        return render(request, "supervision/complaints/track.html", {"form": forms.TrackForm()})
    seconds = over_limit("status", client_ip(request))
    if seconds:
        return _too_many(request, seconds)
    form = forms.TrackForm(data)
    if not form.is_valid():
        raise Http404
    number, code = form.cleaned_data["number"], form.cleaned_data["code"]
    if number.strip().upper().startswith("YY"):  # an objection to a public notice [003 §7]
        row = services.find_objection_by_code(number, code)
        if row is None:
            raise Http404
        return render(request, "supervision/complaints/objection_status.html", {"row": row, "o": row.objection})
    complaint = services.find_by_code(number, code)
    if complaint is None:
        raise Http404
    reopen = forms.ReopenForm(initial={"number": complaint.number, "code": form.cleaned_data["code"]})
    return render(request, "supervision/complaints/status.html",
                  {"c": complaint, "public": complaint.as_open311(), "reopen_form": reopen})


@require_POST
def complaint_reopen(request):
    seconds = over_limit("status", client_ip(request))
    if seconds:
        return _too_many(request, seconds)
    form = forms.ReopenForm(request.POST)
    if not form.is_valid():
        raise Http404
    d = form.cleaned_data
    try:
        services.reopen_by_complainant(number=d["number"], code=d["code"], reason=d["reason"])
        messages.success(request, _("已收到您的重新处理申请。"))
    except PermissionDenied as exc:
        raise Http404 from exc
    except TransitionRefused as exc:
        messages.error(request, str(exc))
    complaint = services.find_by_code(d["number"], d["code"])
    reopen = forms.ReopenForm(initial={"number": d["number"], "code": d["code"]})
    return render(request, "supervision/complaints/status.html",
                  {"c": complaint, "public": complaint.as_open311(), "reopen_form": reopen})


# ----- staff and agency -------------------------------------------------------------------------------------

def _reader(request):
    user = request.user
    if not (sel.is_staff_reader(user) or user.role == Role.AGENCY):
        raise PermissionDenied


def _complaint(request, pk) -> Complaint:
    return get_object_or_404(sel.complaints_visible_to(request.user), pk=pk)


@login_required
def complaint_list(request):
    _reader(request)
    qs = sel.complaints_visible_to(request.user)
    state = request.GET.get("state", "")
    if state in S.values:
        qs = qs.filter(state=state)
    elif request.user.role != Role.AGENCY:
        qs = qs.filter(state__in=Complaint.OPEN_STATES)
    return render(request, "supervision/complaints/list.html",
                  {"complaints": qs[:200], "states": S.choices, "state": state,
                   "is_agency": request.user.role == Role.AGENCY, "today": timezone.localdate()})


@login_required
def complaint_detail(request, pk):
    _reader(request)
    c = _complaint(request, pk)
    user = request.user
    handler = perm.may_handle(c, user)
    is_agency = user.role == Role.AGENCY
    ctx = {"c": c, "is_agency": is_agency, "handler": handler, "today": timezone.localdate()}
    if handler:
        ctx.update(actions=dict(transitions.available_actions(services.COMPLAINT_MACHINE, c, user)),
                   handlers=[u for u in User.objects.filter(is_active=True, role__in=(
                       Role.CITY, Role.DISTRICT, Role.INDUSTRY)).select_related("region")
                       if perm.is_handler_for(c, u)],
                   decline_reasons=Complaint.DeclineReason.choices, outcomes=forms.OUTCOME_CHOICES,
                   follow_ups=forms.FOLLOW_UP_CHOICES, note_form=forms.NoteForm(), ask_form=forms.AskForm())
    if handler and c.state == S.INVESTIGATING and perm.may_open_inspection(c, user):
        ctx["inspection_form"] = forms.ComplaintInspectionForm()
    if not is_agency:
        ctx["inspections"] = list(sel.inspections_opened_from(c))
    if is_agency and c.state == S.INVESTIGATING and c.agency_question and not c.agency_answered_on:
        ctx["answer_form"] = forms.AnswerForm()
    if not is_agency:
        ctx["history"] = _history(c)
        ctx["earlier_questions"] = list(c.questions.order_by("pk"))[:-1]  # the last is the current one
    return render(request, "supervision/complaints/detail.html", ctx)


def _history(c) -> list[dict]:
    """The complaint's steps as staff read them (the audit list has every entry)."""
    from django.contrib.contenttypes.models import ContentType

    from portal import audit_actions
    from portal.audit import AuditEntry

    entries = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Complaint),
                                        object_id=str(c.pk), outcome="succeeded").order_by("pk")[:100]
    return [{"created_at": e.created_at, "actor_label": e.actor_label, "action": audit_actions.label(e.action),
             "comment": e.comment} for e in entries]


@login_required
@require_POST
def complaint_act(request, pk):
    c = _complaint(request, pk)
    action = request.POST.get("action", "")
    if action not in services.ACTIONS or not perm.may_handle(c, request.user):
        raise PermissionDenied
    p = request.POST
    try:
        services.perform_complaint(complaint_id=c.pk, action=action, actor=request.user, comment=p.get("comment", ""),
                                   expected_state=p.get("expected_state") or None,
                                   decline_reason=p.get("decline_reason", ""), handler_id=p.get("handler_id") or None,
                                   outcome=p.get("outcome", ""), findings=p.get("findings", ""),
                                   follow_up=p.get("follow_up", ""), reply=p.get("reply", ""))
        messages.success(request, _("已%(action)s。") % {"action": services.ACTIONS[action]})
    except TransitionRefused as exc:
        messages.error(request, str(exc))
    return redirect("supervision:complaint_detail", pk=c.pk)


@login_required
@require_POST
def complaint_note(request, pk):
    c = _complaint(request, pk)
    if not perm.may_handle(c, request.user):
        raise PermissionDenied
    form = forms.NoteForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_note(complaint_id=c.pk, text=form.cleaned_data["text"], upload=form.cleaned_data["upload"],
                              actor=request.user)
            messages.success(request, _("已记录。"))
        except TransitionRefused as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("请填写调查记录。"))
    return redirect("supervision:complaint_detail", pk=c.pk)


@login_required
@require_POST
def complaint_ask(request, pk):
    c = _complaint(request, pk)
    if not perm.may_handle(c, request.user):
        raise PermissionDenied
    form = forms.AskForm(request.POST)
    try:
        if not form.is_valid():
            raise TransitionRefused(_("请填写请机构说明的问题。"))
        services.ask_agency(complaint_id=c.pk, question=form.cleaned_data["question"], actor=request.user)
        messages.success(request, _("已要求机构说明情况。"))
    except TransitionRefused as exc:
        messages.error(request, str(exc))
    return redirect("supervision:complaint_detail", pk=c.pk)


@login_required
@require_POST
def complaint_answer(request, pk):
    c = _complaint(request, pk)
    if not perm.is_agency_of(c, request.user):
        raise PermissionDenied
    form = forms.AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise TransitionRefused(_("请填写情况说明。"))
        services.answer_as_agency(complaint_id=c.pk, answer=form.cleaned_data["answer"], actor=request.user)
        messages.success(request, _("情况说明已提交。"))
    except TransitionRefused as exc:
        messages.error(request, str(exc))
    return redirect("supervision:complaint_detail", pk=c.pk)


@login_required
@require_POST
def complaint_inspect(request, pk):
    """Open an inspection from the complaint under investigation [002 §27, 003 §17]."""
    c = _complaint(request, pk)
    if not perm.may_open_inspection(c, request.user):
        raise PermissionDenied
    form = forms.ComplaintInspectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择检查环节、不少于 2 名检查人员并填写检查事由。"))
        return redirect("supervision:complaint_detail", pk=c.pk)
    try:
        inspection = services.open_inspection_from_complaint(
            complaint_id=c.pk, team=form.cleaned_data["team"], phase=form.cleaned_data["phase"],
            reason=form.cleaned_data["reason"], actor=request.user)
    except TransitionRefused as exc:
        messages.error(request, str(exc))
        return redirect("supervision:complaint_detail", pk=c.pk)
    messages.success(request, _("已发起监督检查 %(number)s。") % {"number": inspection.number})
    return redirect("supervision:complaint_detail", pk=c.pk)


@login_required
def complaint_evidence(request, pk):
    """A confidential file: the handlers (and the administrator) only, each download audited."""
    from supervision.models.complaints import ComplaintEvidence
    evidence = get_object_or_404(ComplaintEvidence.objects.select_related("complaint__region"), pk=pk)
    c = get_object_or_404(sel.complaints_visible_to(request.user), pk=evidence.complaint_id)
    if request.user.role == Role.AGENCY:
        raise Http404
    record("complaint.evidence_download", c, actor=request.user, data={"evidence": evidence.pk})
    response = FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name,
                            content_type=evidence.content_type)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def complaint_figures(request):
    """Counts by state, category and outcome, and the time to conclude [SPEC §9]."""
    if not sel.is_staff_reader(request.user):
        raise PermissionDenied
    return render(request, "supervision/complaints/figures.html", {"f": sel.figures(request.user)})


def public_link() -> str:
    return reverse("supervision:complaint_new")
