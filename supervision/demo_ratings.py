"""Demo ratings for `seed_demo` [003 §21]: a draft and a published formula, and one round in each
state — 2023 confirmed (one rating adjusted below three stars, which opened a rectification order),
2024 published for replies (one agency replied), 2025 computed, 2026 draft. Idempotent: each round
is looked up by its year. Runs after the filings demo (agencies in force)."""

from __future__ import annotations

import datetime

from portal.models import User
from supervision import rating_factors
from supervision.models.ratings import RatingFormula, RatingRound, RatingState, RoundState, StarRating
from supervision.services import ratings as services


def _formulas(city) -> RatingFormula:
    published = RatingFormula.objects.filter(version=1).first()
    if published is None:
        published = services.create_formula(
            title="评价机构年度星级评定计分办法", effective_year=2023, weights=rating_factors.default_weights(),
            thresholds=list(rating_factors.DEFAULT_THRESHOLDS), note="基础分 100，按因子扣分 [003 §21]。", actor=city)
    if published.state == "draft":
        services.perform(services.FORMULA_MACHINE, pk=published.pk, action="publish", actor=city,
                         today=datetime.date(2023, 12, 1))
    if not RatingFormula.objects.filter(version=2).exists():
        services.create_formula(
            title="评价机构年度星级评定计分办法（征求意见稿）", effective_year=2027,
            weights={**rating_factors.default_weights(), "in_force_all_year": 5},
            thresholds=list(rating_factors.DEFAULT_THRESHOLDS), note="拟增加全年备案有效加分项。", actor=city)
    return RatingFormula.objects.get(version=1)


def _round(year: int, city, formula) -> RatingRound:
    rnd = RatingRound.objects.filter(year=year).first()
    return rnd or services.create_round(year=year, actor=city, formula=formula)


def seed() -> list[str]:
    city = User.objects.filter(username="city").first()
    if city is None:
        return []
    formula = _formulas(city)
    # 2023: confirmed, one rating adjusted to two stars with the reason (a rectification order).
    r23 = _round(2023, city, formula)
    if r23.state == RoundState.DRAFT:
        services.compute_ratings(round_id=r23.pk, actor=city, today=datetime.date(2024, 1, 15))
        services.publish_round(round_id=r23.pk, actor=city, today=datetime.date(2024, 1, 16))
        first = StarRating.objects.filter(round=r23).order_by("agency__name").first()
        if first is not None:
            services.confirm_rating(rating_id=first.pk, actor=city, stars=2, today=datetime.date(2024, 3, 1),
                                    reason="现场检查发现认定档案缺失，调整为二星（演示数据）。")
        services.confirm_round(round_id=r23.pk, actor=city, today=datetime.date(2024, 3, 1))
    # 2024: published for replies now; the first agency replied.
    r24 = _round(2024, city, formula)
    if r24.state == RoundState.DRAFT:
        services.compute_ratings(round_id=r24.pk, actor=city)
        services.publish_round(round_id=r24.pk, actor=city)
        first = StarRating.objects.filter(round=r24).select_related("agency").order_by("agency__name").first()
        clerk = first and User.objects.filter(agency_id=first.agency_id, is_active=True).first()
        if clerk is not None:
            services.reply_to_rating(rating_id=first.pk, actor=clerk,
                                     reply="本年度补正一次系材料扫描件不清晰所致，已整改，请予考虑。")
    # 2025: computed, not yet published; 2026: draft.
    r25 = _round(2025, city, formula)
    if r25.state == RoundState.DRAFT:
        services.compute_ratings(round_id=r25.pk, actor=city)
    _round(2026, city, formula)
    counts = {s: StarRating.objects.filter(state=s).count() for s in RatingState.values}
    return [f"星级评定：{r.year} 年度 {r.get_state_display()}" for r in RatingRound.objects.order_by("year")] + [
        "评定结果：" + "，".join(f"{RatingState(s).label} {n}" for s, n in counts.items())]
