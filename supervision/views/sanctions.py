"""Pages of the sanctions area: proposals and decisions [003 §20], the public list of decisions,
voluntary termination [002 §31]. Thin: parse a form, call one service, redirect with a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from filings.choices import IN_FORCE
from filings.selectors import agencies_visible_to, filings_visible_to
from portal.models import Role
from portal.transitions import TransitionRefused
from supervision.forms import sanctions as forms
from supervision.models.sanctions import Sanction, TerminationRequest
from supervision.permissions import sanctions as perm
from supervision.selectors import sanctions as sel
from supervision.services import sanction_reviews as reviews
from supervision.services import sanctions as services

STAFF = (Role.CITY, Role.DISTRICT, Role.INDUSTRY, Role.ADMIN)
PROPOSERS = (Role.CITY, Role.DISTRICT, Role.INDUSTRY)


def _may_see(user, roles) -> None:
    if not (user.is_superuser or user.role in roles):
        raise PermissionDenied


@login_required
def sanction_list(request):
    user = request.user
    _may_see(user, (*STAFF, Role.AGENCY))
    qs = sel.sanctions_visible_to(user)
    state = request.GET.get("state", "")
    if state in Sanction.State.values:
        qs = qs.filter(state=state)
    return render(request, "supervision/sanctions/list.html", {
        "sanctions": qs[:200], "states": Sanction.State.choices, "state": state,
        "may_propose": user.role in PROPOSERS})


@login_required
def sanction_propose(request):
    user = request.user
    _may_see(user, PROPOSERS)
    agencies = agencies_visible_to(user).filter(filings__state__in=IN_FORCE).distinct()
    initial = {"origin": Sanction.Origin.SUPERVISION}
    if request.GET.get("agency", "").isdigit():
        initial["agency"] = int(request.GET["agency"])
    form = forms.ProposeForm(request.POST or None, agencies=agencies, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sanction = services.propose_sanction(
                agency=data["agency"], measure=data["measure"], grounds=data["grounds"], reason=data["reason"],
                evidence=data["evidence"], origin=data["origin"], origin_id=data["origin_id"], actor=user)
        except PermissionDenied:
            form.add_error("agency", _("该机构的处理建议应由其备案的初审部门（区县或行业主管部门）提出 [003 §20]。"))
        except TransitionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("处理建议已提交市级复核。"))
            return redirect("supervision:sanction_detail", sanction.pk)
    return render(request, "supervision/sanctions/propose.html", {"form": form})


@login_required
def sanction_detail(request, pk):
    user = request.user
    _may_see(user, (*STAFF, Role.AGENCY))
    sanction = get_object_or_404(sel.sanctions_visible_to(user), pk=pk)
    form = forms.DecideForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("do", "")
        if action not in services.SANCTION_ACTIONS:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.decide_sanction(sanction_id=sanction.pk, action=action, actor=user, comment=data["comment"],
                                         measure=data["measure"] or None,
                                         cancellation_grounds=",".join(data["cancellation_grounds"]),
                                         expected_state=request.POST.get("state") or None)
            except PermissionDenied:
                raise
            except TransitionRefused as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("已%(action)s。") % {"action": services.SANCTION_ACTIONS[action]})
                return redirect("supervision:sanction_detail", sanction.pk)
        sanction.refresh_from_db()
    actions = services.available_sanction_actions(sanction, user)
    if "alter" not in {name for name, _label in actions}:  # only a variation takes a new measure and grounds
        del form.fields["measure"], form.fields["cancellation_grounds"]
    return render(request, "supervision/sanctions/detail.html", {
        "sanction": sanction, "form": form, "actions": actions,
        "internal": user.role != Role.AGENCY, **_review_context(sanction, user)})


def _review_context(sanction, user, *, lodge_form=None, outcome_form=None) -> dict:
    latest = sanction.latest_review()
    return {"reviews": sorted(sanction.reviews.all(), key=lambda r: (r.lodged_on, r.pk)),
            "review_actions": reviews.available_review_actions(latest, user), "latest_review": latest,
            "lodge_form": lodge_form or (forms.ReviewLodgeForm(initial={"lodged_on": timezone.localdate()})
                                         if reviews.may_lodge_review(sanction, user) else None),
            "outcome_form": outcome_form or forms.ReviewOutcomeForm()}


@login_required
def sanction_review(request, pk):
    """登记复议/诉讼及其结论 [003 §20]: the city of the decision enters what the agency lodged and
    what the reconsideration body or the court decided. POST only; the page is the sanction's."""
    user = request.user
    _may_see(user, (*STAFF, Role.AGENCY))
    sanction = get_object_or_404(sel.sanctions_visible_to(user), pk=pk)
    if request.method != "POST":
        return redirect("supervision:sanction_detail", sanction.pk)
    action = request.POST.get("do", "")
    lodge_form = outcome_form = None
    try:
        if action == "lodge":
            lodge_form = forms.ReviewLodgeForm(request.POST)
            if lodge_form.is_valid():
                data = lodge_form.cleaned_data
                reviews.lodge_review(sanction_id=sanction.pk, kind=data["kind"], lodged_on=data["lodged_on"],
                                      body=data["body"], reference=data["reference"], actor=user)
                messages.success(request, _("已登记行政复议（诉讼）。"))
                return redirect("supervision:sanction_detail", sanction.pk)
        elif action in reviews.REVIEW_ACTIONS:
            review = sanction.latest_review()
            if review is None:
                raise PermissionDenied
            outcome_form = forms.ReviewOutcomeForm(request.POST)
            if outcome_form.is_valid():
                data = outcome_form.cleaned_data
                reviews.record_review_outcome(review_id=review.pk, action=action, actor=user,
                                               comment=data["comment"], varied_measure=data["varied_measure"],
                                               expected_state=request.POST.get("state") or None)
                messages.success(request, _("已%(action)s。") % {"action": reviews.REVIEW_ACTIONS[action]})
                return redirect("supervision:sanction_detail", sanction.pk)
        else:
            raise PermissionDenied
    except TransitionRefused as exc:
        messages.error(request, str(exc))
    sanction = get_object_or_404(sel.sanctions_visible_to(user), pk=pk)
    return render(request, "supervision/sanctions/detail.html", {
        "sanction": sanction, "form": forms.DecideForm(),
        "actions": services.available_sanction_actions(sanction, user), "internal": user.role != Role.AGENCY,
        **_review_context(sanction, user, lodge_form=lodge_form, outcome_form=outcome_form)})


def sanction_public(request):
    """处理结果公告: public, no sign-in [003 §20, 002 §30: 及时向社会公告]."""
    return render(request, "supervision/sanctions/public.html", {"sanctions": sel.public_sanctions()[:500]})


@login_required
def termination_list(request):
    user = request.user
    _may_see(user, (*STAFF, Role.AGENCY))
    return render(request, "supervision/sanctions/termination_list.html", {
        "requests": sel.terminations_visible_to(user)[:200], "is_agency": user.role == Role.AGENCY})


@login_required
def termination_new(request):
    user = request.user
    if user.role != Role.AGENCY or not user.agency_id:
        raise PermissionDenied
    filings = filings_visible_to(user).filter(state__in=IN_FORCE)
    form = forms.TerminationForm(request.POST or None, filings=filings,
                                 initial={"intended_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            req = services.apply_for_termination(filing=data["filing"], reason=data["reason"],
                                                 intended_on=data["intended_on"], actor=user)
        except TransitionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("自愿终止申请已提交，待市级确认。"))
            return redirect("supervision:termination_detail", req.pk)
    return render(request, "supervision/sanctions/termination_new.html", {"form": form})


@login_required
def termination_detail(request, pk):
    user = request.user
    _may_see(user, (*STAFF, Role.AGENCY))
    req = get_object_or_404(sel.terminations_visible_to(user), pk=pk)
    form = forms.CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if request.POST.get("task", "").isdigit():
                task = get_object_or_404(req.tasks, pk=int(request.POST["task"]))
                services.complete_termination_task(task_id=task.pk, actor=user, note=comment)
                done = _("已记录收尾事项完成。")
            else:
                action = request.POST.get("do", "")
                if action not in services.TERMINATION_ACTIONS:
                    raise PermissionDenied
                services.perform_termination(request_id=req.pk, action=action, actor=user, comment=comment,
                                             expected_state=request.POST.get("state") or None)
                done = _("已%(action)s。") % {"action": services.TERMINATION_ACTIONS[action]}
        except TransitionRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, done)
            return redirect("supervision:termination_detail", req.pk)
    tasks = list(req.tasks.select_related("done_by"))
    for t in tasks:
        t.may_do = t.done_on is None and req.state == TerminationRequest.State.CONFIRMED and services.may_do_task(t, user)
    return render(request, "supervision/sanctions/termination_detail.html", {
        "req": req, "form": form, "tasks": tasks, "actions": services.available_termination_actions(req, user),
        "is_agency": perm.is_agency_member(req, user)})
