"""Annual star ratings by a versioned, published formula [SPEC §5; 003 §21: 建立职业技能等级认定机构年度评估制度，
根据评估结果优劣情况设定一至五共5个星级，五星级为最优; 002 §29: 信用评估机制 … 及时公布评估结果].

A `RatingFormula` is published once and never changes again (a change is a new version). A
`RatingRound` rates one year's agencies in force by the formula in force for that year: draft →
computed → published (the agencies may reply within the period) → confirmed. Each `StarRating`
keeps its score with the per-factor breakdown it was computed from, the agency's reply and the
city's confirmation (possibly adjusted, with the reason); a confirmed rating below three stars opens
a rectification order [003 §21-22]."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from portal.text import validate_multiline_text, validate_text
from supervision.permissions import ratings as perm

__all__ = ["RatingFormula", "RatingRound", "StarRating", "FormulaState", "RoundState", "RatingState",
           "stars_for", "score_for"]

MAX_STARS = 5
TWO = Decimal("0.01")


class FormulaState(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class RoundState(models.TextChoices):
    DRAFT = "draft", "待计算"
    COMPUTED = "computed", "已计算，待发布"
    PUBLISHED = "published", "已发布，征求机构意见"
    CONFIRMED = "confirmed", "已确认"


class RatingState(models.TextChoices):
    COMPUTED = "computed", "已计算"
    PUBLISHED = "published", "待机构确认或反馈"
    REPLIED = "replied", "机构已反馈意见"
    CONFIRMED = "confirmed", "已确认"


def score_for(base: Decimal, weights: dict[str, float], values: dict[str, float]) -> tuple[Decimal, dict]:
    """The formula, exactly [docs/supervision-ratings.md]: score = base + Σ weight × value, each
    term rounded to 0.01, the sum clamped to 0..100. Returns the score and the breakdown
    {code: {"value", "weight", "points"}} that is stored with the rating."""
    breakdown, total = {}, Decimal(base)
    for code, weight in sorted(weights.items()):
        value = Decimal(str(values.get(code, 0) or 0))
        points = (Decimal(str(weight)) * value).quantize(TWO, ROUND_HALF_UP)
        breakdown[code] = {"value": float(value), "weight": float(weight), "points": float(points)}
        total += points
    return min(max(total, Decimal(0)), Decimal(100)).quantize(TWO, ROUND_HALF_UP), breakdown


def stars_for(score: Decimal, thresholds: list) -> int:
    """1 star, plus one for each threshold (the least score for 2, 3, 4 and 5 stars) reached."""
    return 1 + sum(1 for t in thresholds if Decimal(score) >= Decimal(str(t)))


class RatingFormula(ConcurrentTransitionMixin, models.Model):
    """评估计分办法: factor weights and star thresholds, numbered by version, in force from a year on.
    Published once, then immutable; a change is a new version (as the renewal rubric is versioned)."""

    version = models.PositiveSmallIntegerField("版本号", unique=True)
    title = models.CharField("名称", max_length=100, validators=[validate_text])
    effective_year = models.PositiveSmallIntegerField(
        "适用年度（起）", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    base = models.DecimalField("基础分", max_digits=5, decimal_places=2, default=Decimal(100),
                               validators=[MinValueValidator(0), MaxValueValidator(100)])
    weights = models.JSONField("因子权重", default=dict, help_text="{因子代码: 权重}，扣分因子权重为负")
    thresholds = models.JSONField("星级分数线", default=list,
                                  help_text="二、三、四、五星的最低分，由低到高")
    note = models.TextField("说明", blank=True, validators=[validate_multiline_text])
    state = FSMField("状态", max_length=20, choices=FormulaState.choices, default=FormulaState.DRAFT,
                     protected=True)
    published_on = models.DateField("发布日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    last_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "星级评定计分办法"
        ordering = ["-version"]

    def __str__(self):
        return f"{self.title}（第 {self.version} 版）"

    @property
    def is_published(self) -> bool:
        return self.state == FormulaState.PUBLISHED

    def problems(self) -> list[str]:
        """What keeps the formula from being published, listed at once."""
        from supervision.rating_factors import FACTORS

        out = []
        if not isinstance(self.weights, dict) or not self.weights:
            out.append("至少须有一个计分因子")
        else:
            for code, weight in self.weights.items():
                if code not in FACTORS:
                    out.append(f"未知的计分因子：{code}")
                if not isinstance(weight, (int, float)) or isinstance(weight, bool) or abs(weight) > 100:
                    out.append(f"因子 {code} 的权重应为 -100 至 100 之间的数")
        t = self.thresholds
        if (not isinstance(t, list) or len(t) != MAX_STARS - 1
                or not all(isinstance(x, (int, float)) and not isinstance(x, bool) and 0 < x <= 100 for x in t)
                or any(a >= b for a, b in zip(t, t[1:]))):
            out.append("星级分数线应为二至五星的四个最低分（0 至 100，由低到高）")
        return out

    def clean(self):
        if self.problems():
            raise ValidationError("；".join(self.problems()))

    def is_valid(self) -> bool:
        return not self.problems()

    def save(self, *args, **kwargs):
        """A published formula is never changed again: the ratings made by it must stay explainable."""
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).values_list("state", flat=True).first()
            if stored == FormulaState.PUBLISHED:
                raise ValidationError("计分办法已发布，不能修改；如需调整，请新建版本。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_published:
            raise ValidationError("计分办法已发布，不能删除。")
        return super().delete(*args, **kwargs)

    def score(self, values: dict[str, float]) -> tuple[Decimal, dict, int]:
        score, breakdown = score_for(self.base, self.weights, values)
        return score, breakdown, stars_for(score, self.thresholds)

    @transition(field=state, source=FormulaState.DRAFT, target=FormulaState.PUBLISHED, conditions=[is_valid],
                permission=perm.is_city)
    def publish(self, today: datetime.date):
        """Published: the public page shows it, rounds may use it [002 §29: 及时公布评估结果]."""
        self.published_on = today


class RatingRound(ConcurrentTransitionMixin, models.Model):
    """一年的年度评估（星级评定）: every agency in force, by the formula in force that year [003 §21]."""

    year = models.PositiveSmallIntegerField("评定年度", unique=True,
                                            validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    formula = models.ForeignKey(RatingFormula, verbose_name="计分办法", on_delete=models.PROTECT,
                                related_name="rounds")
    state = FSMField("状态", max_length=20, choices=RoundState.choices, default=RoundState.DRAFT, protected=True,
                     db_index=True)
    computed_on = models.DateField("计算日期", null=True, blank=True)
    published_on = models.DateField("发布日期", null=True, blank=True)
    reply_due = models.DateField("机构反馈截止", null=True, blank=True)
    confirmed_on = models.DateField("确认日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    last_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "年度星级评定"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year} 年度评定"

    def formula_published(self) -> bool:
        return self.formula.is_published

    def reply_period_over(self, today: datetime.date) -> bool:
        return self.reply_due is not None and today > self.reply_due

    @transition(field=state, source=[RoundState.DRAFT, RoundState.COMPUTED], target=RoundState.COMPUTED,
                conditions=[formula_published], permission=perm.is_city)
    def compute(self, today: datetime.date):
        """(Re)compute every agency's score from the records of the year (services do the work)."""
        self.computed_on = today

    @transition(field=state, source=RoundState.COMPUTED, target=RoundState.PUBLISHED, permission=perm.is_city)
    def publish(self, today: datetime.date):
        """Each agency sees its rating and how it was made, and may reply within the period."""
        from portal.workdays import add_workdays
        from supervision.services.ratings import REPLY_WORKDAYS

        self.published_on = today
        self.reply_due = add_workdays(today, REPLY_WORKDAYS)

    @transition(field=state, source=RoundState.PUBLISHED, target=RoundState.CONFIRMED, permission=perm.is_city)
    def confirm(self, today: datetime.date):
        """The city confirms the year's ratings once the reply period is over (services check it)."""
        self.confirmed_on = today


class StarRating(ConcurrentTransitionMixin, models.Model):
    """One agency's rating of one year: score, per-factor breakdown, stars, reply, confirmation."""

    round = models.ForeignKey(RatingRound, verbose_name="年度评定", on_delete=models.PROTECT, related_name="ratings")
    agency = models.ForeignKey("filings.Agency", verbose_name="评价机构", on_delete=models.PROTECT,
                               related_name="star_ratings")
    region = models.ForeignKey("portal.Region", verbose_name="所在区县", on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField("得分", max_digits=5, decimal_places=2,
                                validators=[MinValueValidator(0), MaxValueValidator(100)])
    breakdown = models.JSONField("计分明细", default=dict)
    computed_stars = models.PositiveSmallIntegerField("计算星级", validators=[MinValueValidator(1),
                                                                          MaxValueValidator(MAX_STARS)])
    stars = models.PositiveSmallIntegerField("评定星级", validators=[MinValueValidator(1), MaxValueValidator(MAX_STARS)])
    state = FSMField("状态", max_length=20, choices=RatingState.choices, default=RatingState.COMPUTED,
                     protected=True, db_index=True)
    reply = models.TextField("机构反馈意见", blank=True, validators=[validate_multiline_text])
    replied_on = models.DateField("反馈日期", null=True, blank=True)
    adjust_reason = models.TextField("调整理由", blank=True, validators=[validate_multiline_text])
    confirmed_on = models.DateField("确认日期", null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    order_id = models.PositiveIntegerField("整改通知", null=True, blank=True)
    last_comment = models.TextField(blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "星级评定结果"
        ordering = ["round", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "agency"], name="one_rating_per_agency_and_year"),
            models.CheckConstraint(condition=models.Q(stars__gte=1, stars__lte=MAX_STARS)
                                   & models.Q(computed_stars__gte=1, computed_stars__lte=MAX_STARS),
                                   name="rating_stars_one_to_five"),
            models.CheckConstraint(condition=models.Q(score__gte=0, score__lte=100), name="rating_score_0_100"),
        ]
        indexes = [models.Index(fields=["agency", "state"], name="rating_agency_state")]

    def __str__(self):
        return f"{self.agency.name} {self.round.year} 年度 {self.stars} 星"

    @property
    def stars_text(self) -> str:
        return "★" * self.stars + "☆" * (MAX_STARS - self.stars)

    @property
    def adjusted(self) -> bool:
        return self.stars != self.computed_stars

    @property
    def below_three(self) -> bool:
        return self.stars < 3

    def has_reply(self) -> bool:
        return bool(self.reply.strip())

    @transition(field=state, source=RatingState.PUBLISHED, target=RatingState.REPLIED,
                permission=perm.is_rating_agency)
    def reply_to(self, today: datetime.date):
        """The agency's reply or objection, within the period, before the city confirms [SPEC §5]; the
        text is the comment the machine requires (services), the period is checked at that moment."""
        self.replied_on = today

    @transition(field=state, source=[RatingState.PUBLISHED, RatingState.REPLIED], target=RatingState.CONFIRMED,
                permission=perm.is_rating_city)
    def confirm(self, today: datetime.date):
        """The city confirms (possibly adjusting the stars, with the reason) [003 §21]."""
        self.confirmed_on = today
