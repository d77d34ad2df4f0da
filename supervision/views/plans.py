"""Screens of plans and draws (thin: read through the selectors, parse a form, call one service,
redirect with a message) and the public pages of 双随机、一公开 [002 §25, 003 §21]."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from filings.models import Agency
from portal import transitions
from portal.models import User
from portal.transitions import TransitionRefused
from supervision.forms.plans import ItemForm, PlanForm, RecusalForm
from supervision.models.plans import Draw
from supervision.permissions import plans as perm
from supervision.selectors import plans as sel
from supervision.services import plans as svc


def _guard(user) -> None:
    """A role that never uses these screens gets 404, like an object out of scope."""
    if not sel.may_see_plans(user):
        raise Http404


def _errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}：{errors[0]}" if label else errors[0])


def _run(request, fn, ok: str, back: str):
    try:
        fn()
    except TransitionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, ok)
    return redirect(back)


@login_required
def plan_list(request):
    _guard(request.user)
    page = Paginator(sel.plans_visible_to(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "supervision/plans/list.html", {
        "page_obj": page, "plans": page.object_list,
        "may_create": request.user.role in ("city", "district"),
        "may_items": perm.may_manage_items(request.user)})


@login_required
def plan_new(request):
    _guard(request.user)
    if request.user.role not in ("city", "district"):
        raise PermissionDenied
    form = PlanForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                plan = svc.create_plan(region=d["region"], year=d["year"], title=d["title"], items=d["items"],
                                       inspectors=d["inspectors"], sample_share=d["sample_share"],
                                       sample_count=d["sample_count"], agency_kinds=d["agency_kinds"],
                                       in_force_only=d["in_force_only"],
                                       exclude_inspected_days=d["exclude_inspected_days"],
                                       weighting=d["weighting"], team_size=d["team_size"], phase=d["phase"],
                                       notes=d["notes"], actor=request.user)
            except TransitionRefused as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("已新建抽查计划 %(n)s。") % {"n": plan.number})
                return redirect("supervision:plan_detail", plan.pk)
        else:
            _errors(request, form)
    return render(request, "supervision/plans/new.html", {"form": form})


@login_required
def plan_detail(request, pk: int):
    _guard(request.user)
    plan = get_object_or_404(sel.plans_visible_to(request.user), pk=pk)
    manage = perm.may_manage_plan(plan, request.user)
    return render(request, "supervision/plans/detail.html", {
        "plan": plan, "draws": plan.draws.all(), "recusals": plan.recusals.select_related("inspector", "agency"),
        "actions": transitions.available_actions(svc.PLAN_MACHINE, plan, request.user) if manage else [],
        "manage": manage, "recusal_form": RecusalForm() if manage else None,
        "inspectors": plan.inspectors.all()})


@login_required
@require_POST
def plan_act(request, pk: int):
    _guard(request.user)
    plan = get_object_or_404(sel.plans_visible_to(request.user), pk=pk)
    action = request.POST.get("action", "")
    back = f"/supervision/plans/{plan.pk}/"
    if action == "draw":
        return _run(request, lambda: svc.commit_draw(plan_id=plan.pk, actor=request.user),
                    _("已公布种子承诺；揭示种子时确定候选名单并抽取。"), back)
    if action not in svc.PLAN_MACHINE.actions:
        raise Http404
    return _run(request, lambda: transitions.perform(svc.PLAN_MACHINE, pk=plan.pk, action=action,
                                                     actor=request.user, comment=request.POST.get("comment", "")),
                _("已%(a)s。") % {"a": svc.PLAN_MACHINE.actions[action]}, back)


@login_required
@require_POST
def plan_recusal(request, pk: int):
    _guard(request.user)
    plan = get_object_or_404(sel.plans_visible_to(request.user), pk=pk)
    if not perm.may_manage_plan(plan, request.user):
        raise PermissionDenied
    back = f"/supervision/plans/{plan.pk}/"
    form = RecusalForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect(back)
    agency = Agency.objects.filter(pk=form.cleaned_data["agency"]).first()
    if agency is None:
        messages.error(request, _("没有该编号的机构。"))
        return redirect(back)
    return _run(request, lambda: svc.add_recusal(plan_id=plan.pk, inspector=form.cleaned_data["inspector"],
                                                 agency=agency, reason=form.cleaned_data["reason"],
                                                 actor=request.user), _("已登记回避。"), back)


@login_required
def item_new(request):
    if not perm.may_manage_items(request.user):
        raise Http404
    form = ItemForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                svc.create_item(actor=request.user, **form.cleaned_data)
            except TransitionRefused as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("已新增抽查事项。"))
                return redirect("supervision:plan_items")
        else:
            _errors(request, form)
    return render(request, "supervision/plans/item_new.html", {"form": form})


@login_required
def draw_detail(request, pk: int):
    _guard(request.user)
    draw = get_object_or_404(sel.draws_visible_to(request.user), pk=pk)
    manage = perm.may_manage_draw(draw, request.user)
    return render(request, "supervision/plans/draw_detail.html", {
        "draw": draw, "results": _results(draw), "manage": manage,
        "actions": transitions.available_actions(svc.DRAW_MACHINE, draw, request.user) if manage else []})


@login_required
@require_POST
def draw_act(request, pk: int):
    _guard(request.user)
    draw = get_object_or_404(sel.draws_visible_to(request.user), pk=pk)
    action = request.POST.get("action", "")
    back = f"/supervision/draws/{draw.pk}/"
    if action == "reveal":
        seed = request.POST.get("seed", "").strip() or None
        return _run(request, lambda: svc.reveal_draw(draw_id=draw.pk, actor=request.user, seed=seed),
                    _("已揭示种子并完成抽取。"), back)
    if action == "confirm":
        return _run(request, lambda: svc.confirm_draw(draw_id=draw.pk, actor=request.user),
                    _("已确认抽取结果，检查任务已派发。"), back)
    if action == "supersede":
        try:
            new = svc.redraw(draw_id=draw.pk, reason=request.POST.get("comment", ""), actor=request.user)
        except TransitionRefused as exc:
            messages.error(request, str(exc))
            return redirect(back)
        messages.success(request, _("原抽取已作废并保留公示；已公布新的种子承诺。"))
        return redirect("supervision:draw_detail", new.pk)
    raise Http404


def _results(draw):
    rows = list(draw.results.select_related("agency", "agency__region"))
    users = User.objects.in_bulk({u for r in rows for u in r.team})
    for r in rows:
        r.members = [users[u] for u in r.team if u in users]
    return rows


# ----- public pages (no sign-in) ------------------------------------------------------------------------

def plan_items(request):
    """抽查事项清单 [003 §21]."""
    return render(request, "supervision/plans/items.html", {
        "items": sel.public_items(), "may_items": perm.may_manage_items(request.user)})


def plan_public(request):
    """抽查计划公告: the published plans [003 §21]."""
    page = Paginator(sel.public_plans(), 30).get_page(request.GET.get("page"))
    return render(request, "supervision/plans/public.html", {"page_obj": page, "plans": page.object_list})


def draw_public_list(request):
    """抽查任务公告: every draw, superseded ones included."""
    page = Paginator(sel.public_draws(), 30).get_page(request.GET.get("page"))
    return render(request, "supervision/plans/draw_public_list.html", {"page_obj": page, "draws": page.object_list})


def draw_public(request, pk: int):
    """One draw: the commitment; after the reveal the seed, the candidate hash and list, the recusals,
    the result (agencies; team members by name) — enough to recompute it."""
    draw = get_object_or_404(sel.public_draws(), pk=pk)
    revealed = draw.state != Draw.State.COMMITTED and bool(draw.revealed_seed)
    return render(request, "supervision/plans/draw_public.html", {
        "draw": draw, "revealed": revealed, "results": _results(draw) if revealed else [],
        "canonical": svc.algo.canonical_candidates(
            [svc.algo.Candidate(int(a), float(w)) for a, w in draw.candidates]) if revealed else ""})


# ----- dashboard panel (registered in supervision.wiring.plans) ------------------------------------------

def supervisor_panel(user) -> dict:
    live = list(sel.draws_visible_to(user).filter(state__in=[Draw.State.COMMITTED, Draw.State.REVEALED])[:5])
    return {"title": _("双随机抽查"), "template": "supervision/plans/_panel.html", "draws": live}


# ----- expert panel draw for a filing ---------------------------------------------------------------------

@login_required
def panel_draw(request, pk: int):
    """The city reviewer draws a filing's expert panel from the pool (or chooses with a reason)."""
    from filings.permissions import is_city_reviewer
    from filings.selectors import filings_visible_to
    filing = get_object_or_404(filings_visible_to(request.user).select_related("agency"), pk=pk)
    if not is_city_reviewer(filing, request.user):
        raise PermissionDenied
    candidates = svc.expert_candidates(filing)
    if request.method == "POST":
        try:
            if request.POST.get("mode") == "manual":
                ids = [int(i) for i in request.POST.getlist("expert") if i.isdigit()]
                svc.draw_filing_panel(filing_id=filing.pk, n=len(ids), manual=ids,
                                      reason=request.POST.get("reason", ""), actor=request.user)
            else:
                n = int(request.POST.get("n") or 0)
                svc.draw_filing_panel(filing_id=filing.pk, n=n, actor=request.user)
        except (TransitionRefused, ValueError) as exc:
            messages.error(request, str(exc) if isinstance(exc, TransitionRefused) else _("请填写抽取人数。"))
        else:
            messages.success(request, _("专家组已确定。"))
            return redirect("filings:detail", filing.pk)
    from portal.models import PolicyProfile
    return render(request, "supervision/plans/panel_draw.html", {
        "filing": filing, "candidates": candidates, "minimum": PolicyProfile.active().min_experts,
        "seated": list(filing.panel.select_related("expert"))})


# ----- expert panel draw for a renewal (期满评估) -----------------------------------------------------------

@login_required
def renewal_panel_draw(request, pk: int):
    """The city reviewer draws a renewal's expert panel from the pool (or chooses with a reason),
    while the renewal is accepted or under expert review; out of scope → 404, other roles → 403."""
    from assessments.choices import AssessmentState
    from assessments.selectors import assessments_visible_to
    from filings.permissions import is_city_reviewer
    from portal.models import PolicyProfile
    a = get_object_or_404(assessments_visible_to(request.user), pk=pk)
    if not is_city_reviewer(a, request.user):
        raise PermissionDenied
    open_ = a.state in (AssessmentState.ACCEPTED, AssessmentState.EXPERT_REVIEW)
    if request.method == "POST":
        try:
            if request.POST.get("mode") == "manual":
                ids = [int(i) for i in request.POST.getlist("expert") if i.isdigit()]
                svc.draw_renewal_panel(assessment_id=a.pk, n=len(ids), manual=ids,
                                       reason=request.POST.get("reason", ""), actor=request.user)
            else:
                n = int(request.POST.get("n") or 0)
                svc.draw_renewal_panel(assessment_id=a.pk, n=n, actor=request.user)
        except (TransitionRefused, ValueError) as exc:
            messages.error(request, str(exc) if isinstance(exc, TransitionRefused) else _("请填写抽取人数。"))
        else:
            messages.success(request, _("专家组已确定。"))
            return redirect("assessments:detail", a.pk)
    return render(request, "supervision/plans/renewal_panel_draw.html", {
        "a": a, "open": open_, "candidates": svc.renewal_expert_candidates(a) if open_ else [],
        "minimum": PolicyProfile.active().min_experts, "seated": list(a.panel.select_related("expert"))})
