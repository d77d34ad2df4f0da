"""Screens of the annual star rating [003 §21, 002 §29]: the city (formula versions, rounds, compute,
publish, confirm), the district (its region's ratings, read-only), the agency (its rating, the
breakdown, its reply), the public (confirmed ratings with the formula). Thin: a form, one service,
a redirect with a message; objects only through `supervision.selectors.ratings` (out of scope → 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import transitions
from portal.models import Role
from portal.transitions import TransitionRefused
from supervision import rating_factors
from supervision.forms import ratings as forms
from supervision.models.ratings import RatingState, RoundState
from supervision.selectors import ratings as sel
from supervision.services import ratings as services


def _is_city(user) -> bool:
    return user.is_superuser or user.role in (Role.CITY, Role.ADMIN)


def _staff(user) -> bool:
    return _is_city(user) or user.role == Role.DISTRICT


def _factor_rows(weights: dict, breakdown: dict | None = None) -> list[dict]:
    rows = []
    for code, weight in sorted(weights.items()):
        row = {"code": code, "label": rating_factors.label(code), "weight": weight}
        if breakdown is not None:
            row.update(breakdown.get(code, {"value": 0, "points": 0}))
        rows.append(row)
    return rows


def _context(extra: dict) -> dict:
    return {"scheme": services.scheme_label(), **extra}


@login_required
def ratings_home(request):
    """City: formula versions and rounds, with the forms for a new one. District: the rounds it may read."""
    user = request.user
    if not _staff(user):
        raise Http404
    return render(request, "supervision/ratings/home.html", _context({
        "formulas": sel.formulas_visible_to(user) if _is_city(user) else [],
        "rounds": sel.rounds_visible_to(user),
        "formula_form": forms.FormulaForm() if user.role == Role.CITY else None,
        "round_form": forms.RoundForm(initial={"year": timezone.localdate().year - 1}) if user.role == Role.CITY else None,
    }))


@login_required
@require_POST
def ratings_formula_new(request):
    if request.user.role != Role.CITY:
        raise Http404
    form = forms.FormulaForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            formula = services.create_formula(title=d["title"], effective_year=d["effective_year"], weights=d["weights"],
                                              thresholds=d["thresholds"], base=d["base"], note=d["note"] or "",
                                              actor=request.user)
        except TransitionRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已新建计分办法第 %(v)s 版（草稿）。") % {"v": formula.version})
            return redirect("supervision:ratings_formula", formula.pk)
    return render(request, "supervision/ratings/home.html", _context({
        "formulas": sel.formulas_visible_to(request.user), "rounds": sel.rounds_visible_to(request.user),
        "formula_form": form, "round_form": forms.RoundForm()}), status=400)


@login_required
def ratings_formula(request, pk):
    user = request.user
    if not _is_city(user):
        raise Http404
    formula = get_object_or_404(sel.formulas_visible_to(user), pk=pk)
    if request.method == "POST":
        if request.POST.get("do") != "publish":
            raise Http404
        if user.role != Role.CITY:
            raise PermissionDenied
        try:
            services.perform(services.FORMULA_MACHINE, pk=formula.pk, action="publish", actor=user,
                             expected_state=request.POST.get("state") or None)
        except TransitionRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("计分办法已发布；此后不能修改，如需调整请新建版本。"))
        return redirect("supervision:ratings_formula", formula.pk)
    return render(request, "supervision/ratings/formula.html", _context({
        "formula": formula, "factors": _factor_rows(formula.weights), "problems": formula.problems(),
        "actions": transitions.available_actions(services.FORMULA_MACHINE, formula, user)}))


@login_required
@require_POST
def ratings_round_new(request):
    if request.user.role != Role.CITY:
        raise Http404
    form = forms.RoundForm(request.POST)
    if form.is_valid():
        try:
            rnd = services.create_round(year=form.cleaned_data["year"], actor=request.user)
        except TransitionRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已新建 %(y)s 年度评定。") % {"y": rnd.year})
            return redirect("supervision:ratings_round", rnd.pk)
    else:
        messages.error(request, _("请填写正确的评定年度。"))
    return redirect("supervision:ratings_home")


@login_required
def ratings_round(request, pk):
    user = request.user
    if not _staff(user):
        raise Http404
    rnd = get_object_or_404(sel.rounds_visible_to(user), pk=pk)
    if request.method == "POST":
        action = request.POST.get("do", "")
        if action not in services.ROUND_MACHINE.actions:
            raise Http404
        if user.role != Role.CITY:  # districts and administrators read; the city runs the round [003 §21]
            raise PermissionDenied
        try:
            services.perform(services.ROUND_MACHINE, pk=rnd.pk, action=action, actor=user,
                             comment=request.POST.get("comment", ""), expected_state=request.POST.get("state") or None)
        except TransitionRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已%(a)s。") % {"a": services.ROUND_MACHINE.actions[action]})
        return redirect("supervision:ratings_round", rnd.pk)
    ratings = sel.ratings_visible_to(user).filter(round=rnd).order_by("-stars", "-score", "agency__name")
    counts = {i: 0 for i in range(1, 6)}
    for stars in ratings.values_list("stars", flat=True):
        counts[stars] += 1
    return render(request, "supervision/ratings/round.html", _context({
        "round": rnd, "ratings": ratings[:500], "counts": sorted(counts.items(), reverse=True),
        "factors": _factor_rows(rnd.formula.weights), "today": timezone.localdate(),
        "actions": transitions.available_actions(services.ROUND_MACHINE, rnd, user)}))


@login_required
def ratings_rating(request, pk):
    user = request.user
    rating = get_object_or_404(sel.ratings_visible_to(user), pk=pk)
    if request.method == "POST":
        action = request.POST.get("do", "")
        try:
            if action == "reply_to":
                form = forms.ReplyForm(request.POST)
                if not form.is_valid():
                    raise TransitionRefused("；".join(e for errs in form.errors.values() for e in errs))
                services.reply_to_rating(rating_id=rating.pk, reply=form.cleaned_data["reply"], actor=user)
            elif action == "confirm":
                form = forms.ConfirmForm(request.POST)
                if not form.is_valid():
                    raise TransitionRefused("；".join(e for errs in form.errors.values() for e in errs))
                services.confirm_rating(rating_id=rating.pk, actor=user, stars=form.cleaned_data["stars"],
                                        reason=form.cleaned_data["reason"] or "")
            else:
                raise Http404
        except TransitionRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已%(a)s。") % {"a": services.RATING_MACHINE.actions[action]})
        return redirect("supervision:ratings_rating", rating.pk)
    actions = dict(transitions.available_actions(services.RATING_MACHINE, rating, user))
    return render(request, "supervision/ratings/rating.html", _context({
        "rating": rating, "round": rating.round, "factors": _factor_rows(rating.round.formula.weights, rating.breakdown),
        "reply_form": forms.ReplyForm() if "reply_to" in actions else None,
        "confirm_form": forms.ConfirmForm(initial={"stars": rating.stars}) if "confirm" in actions else None,
        "base": rating.round.formula.base}))


@login_required
def ratings_mine(request):
    """The agency's own ratings, and the district's region list (read-only)."""
    user = request.user
    if user.role not in (Role.AGENCY, Role.DISTRICT, Role.CITY, Role.ADMIN) and not user.is_superuser:
        raise Http404
    ratings = sel.ratings_visible_to(user).order_by("-round__year", "agency__name")
    return render(request, "supervision/ratings/mine.html", _context({
        "ratings": ratings[:500], "is_agency": user.role == Role.AGENCY}))


def ratings_public(request):
    """结果公布 [002 §29]: the confirmed ratings of a year, with the formula they were made by
    (version, factors, weights, thresholds)."""
    rounds = list(sel.public_rounds())
    year = request.GET.get("year", "")
    rnd = next((r for r in rounds if str(r.year) == year), rounds[0] if rounds else None)
    return render(request, "supervision/ratings/public.html", _context({
        "rounds": rounds, "round": rnd, "ratings": sel.public_ratings(rnd)[:1000] if rnd else [],
        "formula": rnd.formula if rnd else None,
        "factors": _factor_rows(rnd.formula.weights) if rnd else [],
        "formulas": sel.published_formulas()}))


# ----- dashboard panels (portal.dashboards, registered in supervision.wiring.ratings) ----------
def city_panel(user):
    rounds = list(sel.rounds_visible_to(user).exclude(state=RoundState.CONFIRMED)[:5])
    replied = sel.ratings_visible_to(user).filter(state=RatingState.REPLIED).count()
    return {"title": _("年度%(s)s") % {"s": services.scheme_label()}, "template": "supervision/ratings/panel.html",
            "rounds": rounds, "replied": replied, "city": True}


def district_panel(user):
    ratings = list(sel.ratings_visible_to(user).filter(stars__lt=3).order_by("-round__year")[:10])
    if not ratings:
        return None
    return {"title": _("三星以下机构（%(s)s）") % {"s": services.scheme_label()},
            "template": "supervision/ratings/panel.html", "low": ratings}


def agency_panel(user):
    ratings = list(sel.ratings_visible_to(user).filter(state=RatingState.PUBLISHED)[:3])
    if not ratings:
        return None
    return {"title": _("%(s)s结果待确认或反馈") % {"s": services.scheme_label()},
            "template": "supervision/ratings/panel.html", "to_reply": ratings}
