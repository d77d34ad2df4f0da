"""Star ratings' actions [003 §21-22, 002 §29]. Every state change goes through the shared machinery
(`portal.transitions.perform` with the machines below); computing, publishing and confirming a
round are set-based: one query per factor, bulk writes, one audit entry per rating only where the
rating itself is decided (confirmation)."""

from __future__ import annotations

import contextvars
import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override, pgettext

from filings.choices import IN_FORCE
from filings.models import Agency
from portal import transitions
from portal.audit import Event, record, record_many
from portal.models import PolicyProfile, Role, User
from portal.notifications import notify, notify_many
from portal.transitions import TransitionRefused
from supervision import rating_factors
from supervision.models.ratings import (MAX_STARS, FormulaState, RatingFormula, RatingRound, RatingState, RoundState,
                                        StarRating)
from supervision.permissions import ratings as perm

__all__ = ["FORMULA_MACHINE", "ROUND_MACHINE", "RATING_MACHINE", "REPLY_WORKDAYS", "ORDER_WORKDAYS",
           "scheme_name", "create_formula", "create_round", "compute_ratings", "publish_round", "confirm_round",
           "reply_to_rating", "confirm_rating", "perform", "population"]

# The agencies' reply period after publication, in working days: the notices are silent; 10 working
# days, as long as a batch report [003 §15(3)] (docs/supervision-ratings.md).
REPLY_WORKDAYS = 10
# The rectification period a rating below three stars opens (working days); the notices say 限期.
ORDER_WORKDAYS = 30


def scheme_name() -> str:
    """星级评定, or Chongqing's 信用评价 [002 §29] under that preset: the same mechanism and scale."""
    return "信用评价" if PolicyProfile.active().preset == "chongqing" else "星级评定"


def scheme_label() -> str:
    """`scheme_name()` in the reader's language, for pages (stored notifications keep the Chinese)."""
    return (pgettext("rating scheme", "信用评价") if PolicyProfile.active().preset == "chongqing"
            else pgettext("rating scheme", "星级评定"))


# ----- formulas ---------------------------------------------------------------------------------
FORMULA_MACHINE = transitions.Machine(
    model=RatingFormula, audit_prefix="rating_formula", noun=gettext_lazy("该计分办法"),
    actions={"publish": gettext_lazy("发布计分办法")},
    refusal=lambda f, action, today: _("计分办法不完整：") + "；".join(f.problems()),
)


def create_formula(*, title: str, effective_year: int, weights: dict, thresholds: list, base=Decimal(100),
                   note: str = "", actor) -> RatingFormula:
    """A new draft version (the next number): published ones are never edited [docs]."""
    if not perm.is_city(None, actor):
        raise PermissionDenied
    with transaction.atomic():
        last = RatingFormula.objects.select_for_update().order_by("-version").first()
        formula = RatingFormula(version=(last.version + 1) if last else 1, title=title, effective_year=effective_year,
                                weights=weights, thresholds=thresholds, base=base, note=note, created_by=actor)
        try:
            formula.full_clean(exclude=["state"])
        except ValidationError as exc:
            raise TransitionRefused("；".join(exc.messages)) from exc
        formula.save()
        record("rating_formula.create", formula, actor=actor,
               data={"version": formula.version, "weights": weights, "thresholds": thresholds})
    return formula


def formula_for(year: int) -> RatingFormula | None:
    """The published formula in force for `year`: the highest version effective that year or before."""
    return (RatingFormula.objects.filter(state=FormulaState.PUBLISHED, effective_year__lte=year)
            .order_by("-version").first())


# ----- rounds -----------------------------------------------------------------------------------
def population(today: datetime.date | None = None):
    """Every agency with a filing in force: the rated ones [003 §21]. (pk, region_id) rows."""
    return Agency.objects.filter(filings__state__in=IN_FORCE).values_list("pk", "region_id").distinct()


def _population_ids():
    """The population as a subquery of agency ids (the factors filter on it: no id list is sent)."""
    return Agency.objects.filter(filings__state__in=IN_FORCE).values("pk")


def _compute(rnd: RatingRound) -> int:
    """Set-based: one query for the population, one per factor (filtered by the population as a
    subquery), one delete, one insert. Agencies with the same factor values share one scoring (most
    agencies have none at all)."""
    formula = rnd.formula
    rows = list(population())
    values = rating_factors.values_for(formula.weights, _population_ids(), rnd.year)
    codes = sorted(values)
    scored: dict[tuple, int] = {}  # factor values -> index in results
    results: list[tuple] = []  # (score, breakdown, stars)
    placed = []  # (agency_id, region_id, index in results)
    for agency_id, region_id in rows:
        key = tuple(values[code].get(agency_id, 0) for code in codes)
        index = scored.get(key)
        if index is None:
            index = scored[key] = len(results)
            results.append(formula.score(dict(zip(codes, key))))
        placed.append((agency_id, region_id, index))
    StarRating.objects.filter(round=rnd).delete()
    _insert_ratings(rnd, placed, results)
    return len(placed)


def _insert_ratings(rnd: RatingRound, placed: list[tuple], results: list[tuple]) -> None:
    """One INSERT for the whole round. On PostgreSQL: INSERT … SELECT over unnest() of three integer
    arrays (agency, region, which scoring) joined to the distinct scorings (one small JSON
    parameter); every other column takes the value a new StarRating has (its defaults), bound once —
    no model instance and no bound value per row (bulk_create of 20,000 rows × 13 columns cost
    seconds). Elsewhere: bulk_create in batches."""
    import json

    from django.db import connection

    if not placed:
        return
    if connection.vendor != "postgresql":
        StarRating.objects.bulk_create(
            [StarRating(round=rnd, agency_id=a, region_id=g, score=results[k][0], breakdown=results[k][1],
                        computed_stars=results[k][2], stars=results[k][2]) for a, g, k in placed], batch_size=500)
        return
    template = StarRating(round=rnd, agency_id=0, region_id=0, score=0, breakdown={}, computed_stars=1, stars=1)
    qn = connection.ops.quote_name
    varying = {"agency_id": "r.agency_id", "region_id": "r.region_id",
               "score": "(res.v ->> 0)::numeric", "breakdown": "(res.v -> 1)",
               "computed_stars": "(res.v ->> 2)::smallint", "stars": "(res.v ->> 2)::smallint"}
    columns, selected, params = [], [], []
    for field in StarRating._meta.concrete_fields:
        if field.primary_key and field.auto_created:
            continue
        columns.append(qn(field.column))
        if field.attname in varying:
            selected.append(varying[field.attname])
        else:
            selected.append(f"%s::{field.db_type(connection)}")
            params.append(field.get_db_prep_save(field.pre_save(template, add=True), connection))
    assert set(varying) <= {f.attname for f in StarRating._meta.concrete_fields}
    scorings = json.dumps([[str(score), breakdown, stars] for score, breakdown, stars in results], ensure_ascii=False)
    agencies, regions, indexes = (list(col) for col in zip(*placed))
    sql = (f"WITH res AS (SELECT (e.n - 1)::int AS k, e.v FROM jsonb_array_elements(%s::jsonb) "
           f"WITH ORDINALITY AS e(v, n)) "
           f"INSERT INTO {qn(StarRating._meta.db_table)} ({', '.join(columns)}) SELECT {', '.join(selected)} "
           f"FROM unnest(%s::bigint[], %s::bigint[], %s::int[]) AS r(agency_id, region_id, k) JOIN res USING (k)")
    with connection.cursor() as cur:
        cur.execute(sql, [scorings, *params, agencies, regions, indexes])


def _round_check(rnd: RatingRound, action: str, actor, today: datetime.date) -> None:
    if action == "confirm" and not rnd.reply_period_over(today):
        raise TransitionRefused(_("机构反馈期至 %(d)s，期满后方可确认。") % {"d": f"{rnd.reply_due:%Y-%m-%d}"})


def _round_effects(rnd: RatingRound, action: str, before: str, actor, comment: str, today: datetime.date) -> None:
    if action == "compute":
        _computed.set(_compute(rnd))
    elif action == "publish":
        StarRating.objects.filter(round=rnd, state=RatingState.COMPUTED).update(state=RatingState.PUBLISHED)
    elif action == "confirm":
        _confirm_remaining(rnd, actor, today)


_computed: contextvars.ContextVar = contextvars.ContextVar("ratings_computed", default=None)


def _round_audit(rnd: RatingRound, action: str, before: str) -> dict:
    data = {"year": rnd.year, "formula_version": rnd.formula.version}
    if action == "compute":
        data["ratings"] = _computed.get()
    return data


def _round_notify(rnd: RatingRound, before: str, comment: str) -> None:
    if rnd.state != RoundState.PUBLISHED:
        return
    staff = User.objects.filter(role=Role.AGENCY, is_active=True,
                                agency_id__in=StarRating.objects.filter(round=rnd).values("agency_id"))
    notify(staff, subject=f"{rnd.year} 年度{scheme_name()}结果已发布，请于 {rnd.reply_due:%Y-%m-%d} 前确认或反馈意见",
           url="/supervision/ratings/mine/")


ROUND_MACHINE = transitions.Machine(
    model=RatingRound, audit_prefix="rating_round", noun=gettext_lazy("该年度评定"),
    actions={"compute": gettext_lazy("计算星级"), "publish": gettext_lazy("发布，征求机构意见"),
             "confirm": gettext_lazy("确认本年度评定结果")},
    select_related=("formula",),
    refusal=lambda rnd, action, today: _("计分办法尚未发布") if action == "compute" else "",
    check=_round_check, effects=_round_effects, audit_data=_round_audit, notify=_round_notify,
)


def create_round(*, year: int, actor, formula: RatingFormula | None = None) -> RatingRound:
    if not perm.is_city(None, actor):
        raise PermissionDenied
    formula = RatingFormula.objects.filter(pk=formula.pk).first() if formula is not None else formula_for(year)
    if formula is None or not formula.is_published or formula.effective_year > year:
        raise TransitionRefused(_("%(y)s 年度没有已发布的适用计分办法。") % {"y": year})
    with transaction.atomic():
        if RatingRound.objects.filter(year=year).exists():
            raise TransitionRefused(_("%(y)s 年度评定已建立。") % {"y": year})
        rnd = RatingRound.objects.create(year=year, formula=formula, created_by=actor)
        record("rating_round.create", rnd, actor=actor, data={"year": year, "formula_version": formula.version})
    return rnd


def perform(machine, *, pk, action, actor=None, comment="", today=None, expected_state=None):
    return transitions.perform(machine, pk=pk, action=action, actor=actor, comment=comment, today=today,
                               expected_state=expected_state)


def compute_ratings(*, round_id: int, actor, today: datetime.date | None = None) -> RatingRound:
    return perform(ROUND_MACHINE, pk=round_id, action="compute", actor=actor, today=today)


def publish_round(*, round_id: int, actor, today: datetime.date | None = None) -> RatingRound:
    return perform(ROUND_MACHINE, pk=round_id, action="publish", actor=actor, today=today)


def confirm_round(*, round_id: int, actor, comment: str = "", today: datetime.date | None = None) -> RatingRound:
    """Confirm every rating not yet confirmed one by one, at its computed stars; below three stars
    opens a rectification order [003 §21-22]."""
    return perform(ROUND_MACHINE, pk=round_id, action="confirm", actor=actor, comment=comment, today=today)


def _confirm_remaining(rnd: RatingRound, actor, today: datetime.date) -> None:
    pending = list(StarRating.objects.select_for_update().select_related("agency")
                   .filter(round=rnd, state__in=[RatingState.PUBLISHED, RatingState.REPLIED]))
    if not pending:
        return
    StarRating.objects.filter(pk__in=[r.pk for r in pending]).update(
        state=RatingState.CONFIRMED, confirmed_on=today, confirmed_by=actor)
    record_many(Event(RATING_MACHINE.audit_action("confirm"), r, actor, "",
                      {"from": r.state, "to": RatingState.CONFIRMED, "stars": r.stars, "round_confirmation": True})
                for r in pending)
    for r in pending:
        if r.stars < 3:
            StarRating.objects.filter(pk=r.pk).update(order_id=_open_order(r, actor, today).pk)
    staff: dict[int, list] = {}
    for u in User.objects.filter(role=Role.AGENCY, is_active=True, agency_id__in=[r.agency_id for r in pending]):
        staff.setdefault(u.agency_id, []).append(u)
    name = scheme_name()
    with override(settings.LANGUAGE_CODE):
        notify_many((staff.get(r.agency_id, []), f"{rnd.year} 年度{name}已确认：{r.stars} 星", "",
                     f"/supervision/ratings/rating/{r.pk}/") for r in pending)


# ----- one rating -------------------------------------------------------------------------------
# What the city's confirmation of one rating carries besides the comment: the stars it sets, and
# whether a reason was given (an adjustment needs one).
_adjustment: contextvars.ContextVar = contextvars.ContextVar("rating_adjustment", default=None)
_reason: contextvars.ContextVar = contextvars.ContextVar("rating_reason", default=False)


def _rating_check(rating: StarRating, action: str, actor, today: datetime.date) -> None:
    rnd = rating.round
    if rnd.state != RoundState.PUBLISHED:
        raise TransitionRefused(_("本年度评定当前不在征求意见阶段。"))
    if action == "reply_to" and rnd.reply_due and today > rnd.reply_due:
        raise TransitionRefused(_("反馈期已于 %(d)s 届满，不能再反馈意见。") % {"d": f"{rnd.reply_due:%Y-%m-%d}"})
    if action == "confirm":
        if rating.state == RatingState.PUBLISHED and not rnd.reply_period_over(today):
            raise TransitionRefused(_("机构尚未反馈，反馈期至 %(d)s，期满后方可确认。") % {"d": f"{rnd.reply_due:%Y-%m-%d}"})
        stars = _adjustment.get()
        if stars is not None:
            if not isinstance(stars, int) or not 1 <= stars <= MAX_STARS:
                raise TransitionRefused(_("星级应为 1 至 5。"))
            if stars != rating.computed_stars and not _reason.get():
                raise TransitionRefused(_("调整星级须说明理由。"))


def _rating_effects(rating: StarRating, action: str, before: str, actor, comment: str, today) -> None:
    if action == "reply_to":
        rating.reply = comment
    elif action == "confirm":
        rating.confirmed_by = actor
        stars = _adjustment.get()
        if stars is not None and stars != rating.stars:
            rating.stars = stars
            rating.adjust_reason = comment


def _rating_after_save(rating: StarRating, action: str, before: str, actor, today) -> None:
    if action == "confirm" and rating.stars < 3 and rating.order_id is None:
        rating.order_id = _open_order(rating, actor, today).pk
        StarRating.objects.filter(pk=rating.pk).update(order_id=rating.order_id)


def _rating_audit(rating: StarRating, action: str, before: str) -> dict:
    return {"stars": rating.stars, "computed_stars": rating.computed_stars, "score": str(rating.score)}


def _rating_notify(rating: StarRating, before: str, comment: str) -> None:
    from supervision.services.inspections import agency_users, supervisors_of

    if rating.state == RatingState.REPLIED:
        notify(supervisors_of(rating.agency, roles=(Role.CITY,)),
               subject=f"{rating.agency.name} 对 {rating.round.year} 年度{scheme_name()}反馈了意见", body=comment,
               url=f"/supervision/ratings/rating/{rating.pk}/")
    elif rating.state == RatingState.CONFIRMED:
        notify(agency_users(rating.agency_id),
               subject=f"{rating.round.year} 年度{scheme_name()}已确认：{rating.stars} 星", body=comment,
               url=f"/supervision/ratings/rating/{rating.pk}/")


RATING_MACHINE = transitions.Machine(
    model=StarRating, audit_prefix="rating", noun=gettext_lazy("该评定结果"),
    actions={"reply_to": gettext_lazy("提交反馈意见"), "confirm": gettext_lazy("确认评定结果")},
    comment_required=frozenset({"reply_to"}),
    select_related=("round", "agency", "agency__region", "region"),
    check=_rating_check, effects=_rating_effects, after_save=_rating_after_save, audit_data=_rating_audit,
    notify=_rating_notify,
)


def reply_to_rating(*, rating_id: int, reply: str, actor, today: datetime.date | None = None) -> StarRating:
    """The agency's reply or objection within the period [SPEC §5]."""
    return perform(RATING_MACHINE, pk=rating_id, action="reply_to", actor=actor, comment=reply, today=today)


def confirm_rating(*, rating_id: int, actor, stars: int | None = None, reason: str = "",
                   today: datetime.date | None = None) -> StarRating:
    """The city confirms one rating, at its computed stars or adjusted with a reason [003 §21]."""
    token = _adjustment.set(stars)
    reason_token = _reason.set(bool((reason or "").strip()))
    try:
        return perform(RATING_MACHINE, pk=rating_id, action="confirm", actor=actor, comment=reason, today=today)
    finally:
        _adjustment.reset(token)
        _reason.reset(reason_token)




def _open_order(rating: StarRating, actor, today: datetime.date):
    """A confirmed rating below three stars: 限期整改 [003 §21-22: 三星级（不含）以下 … 限期内未能完成整改的 → 注销]."""
    from supervision.models.inspections import RectificationOrder
    from supervision.services.inspections import issue_rectification_order

    lines = [f"{rating.round.year} 年度{scheme_name()}为 {rating.stars} 星（三星以下），得分 {rating.score}。"]
    lines += [f"{rating_factors.label(code)}：{row['value']:g} × {row['weight']:g} = {row['points']:g}"
              for code, row in sorted(rating.breakdown.items()) if row.get("points")]
    lines.append("请针对上述扣分事项限期整改；限期内未完成整改的，依 [003 §22] 第 6 项注销备案。")
    return issue_rectification_order(agency=rating.agency, origin=RectificationOrder.Origin.RATING,
                                     origin_id=rating.pk, findings="\n".join(lines), working_days=ORDER_WORKDAYS,
                                     actor=actor, today=today)
