"""评估表: versioned rubrics [SPEC §4.3]. A rubric is data, edited by administrators; once published it
is frozen, and every assessment keeps the version it was scored on."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments import rubrics
from portal.models import PolicyProfile
from portal.text import validate_multiline_text, validate_text

ZERO = Decimal("0")
# [004 Annex 2] the rubric is a 100-point scale; no item's value (points, a count of incidents, or a
# 0/1 veto) can mean more than that, and the database refuses anything outside 0..100 (ItemScore).
SCALE = Decimal(100)


def fmt(d) -> str:
    """5.0 → "5", 2.5 → "2.5": points as a person writes them."""
    d = Decimal(d)
    return str(d.quantize(Decimal(1))) if d == d.to_integral_value() else str(d.normalize())


class Rubric(models.Model):
    name = models.CharField("名称", max_length=100, validators=[validate_text])
    version = models.PositiveSmallIntegerField("版本", default=1)
    source = models.CharField("依据", max_length=100, blank=True, validators=[validate_text], help_text="例如：鲁人社函〔2024〕62号 附件2")
    published_at = models.DateTimeField("发布时间", null=True, blank=True,
                                        help_text="发布后不可修改；新的评估使用最新发布的版本")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "评估表"
        ordering = ["-published_at", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="rubric_version_once")]

    def __str__(self):
        return f"{self.name}（第 {self.version} 版）"

    @classmethod
    def current(cls) -> "Rubric | None":
        """The latest published version for the active bureau: what a new assessment is scored on.
        Another preset's shipped rubric is never chosen (Shandong's names its provincial platform and
        rules). With none for this preset at all (a flushed test database, a deployment on another
        preset), the preset's own shipped rubric is loaded and published [SPEC §4.3, §8]."""
        preset = PolicyProfile.active().preset
        candidates = cls.objects.exclude(name__in=rubrics.other_presets_rubrics(preset))
        rubric = candidates.filter(published_at__isnull=False).order_by("-published_at", "-pk").first()
        if rubric is None and not candidates.exists():
            rubric = rubrics.load_rubric(rubrics.shipped_for(preset), rubric_model=cls, item_model=RubricItem)
        return rubric

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def publish(self) -> None:
        if not self.items.exists():
            raise ValidationError("评估表没有任何评估项，不能发布。")
        self.published_at = timezone.now()
        self.save(update_fields=["published_at"])

    def scored_maximum(self) -> Decimal:
        return sum((i.max_score for i in self.items.all() if i.counts_towards_total), ZERO)


class RubricItem(models.Model):
    """One line of the rubric. Its kind says how a value becomes points."""

    class Kind(models.TextChoices):
        SCORE = "score", _("评分（0 至最高分）")
        ALL_OR_NOTHING = "all_or_nothing", _("满分或零分")
        UPLOAD_RATIO = "upload_ratio", _("证书数据上国网比例（系统计算）")
        COMPLAINT_RECORDS = "complaint_records", _("投诉处理及时并反馈（按投诉记录判定，满分或零分）")
        DEDUCTION = "deduction", _("倒扣分（按查实次数）")
        VETO = "veto", _("一票否决")

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="items")
    section = models.CharField("评估项目", max_length=100, validators=[validate_text], help_text="例如：一. 技能等级认定制度建设完善情况")
    code = models.CharField("编号", max_length=10)
    title = models.TextField("评估内容", validators=[validate_multiline_text])
    guidance = models.TextField("评估得分取值", blank=True, validators=[validate_multiline_text])
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.SCORE)
    max_score = models.DecimalField("最高得分", max_digits=5, decimal_places=1, default=0)
    deduction_per_count = models.DecimalField("每次扣分", max_digits=5, decimal_places=1, default=0)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "评估项"
        ordering = ["rubric", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "code"], name="rubric_item_code_once"),
            models.CheckConstraint(condition=models.Q(max_score__gte=0, max_score__lte=SCALE),
                                   name="rubric_item_max_score_on_the_scale"),
            models.CheckConstraint(condition=models.Q(deduction_per_count__gte=0, deduction_per_count__lte=SCALE),
                                   name="rubric_item_deduction_on_the_scale"),
        ]

    def __str__(self):
        return f"{self.code} {self.title[:30]}"

    @property
    def max_deductions(self) -> int:
        """The most verified incidents a deduction item can count: enough to take a full 100 points
        to zero and no more, since the total never goes below zero [004 Annex 2 五: −10 per verified
        non-compliant commissioned evaluation, so 10]. A larger number means nothing the rubric can
        score and is far more likely a slip of the keyboard (999 → −9,990 points)."""
        if self.deduction_per_count <= 0:
            return 0
        return int((SCALE / self.deduction_per_count).to_integral_value(rounding=ROUND_CEILING))

    @property
    def counts_towards_total(self) -> bool:
        return self.kind in (self.Kind.SCORE, self.Kind.ALL_OR_NOTHING, self.Kind.UPLOAD_RATIO,
                             self.Kind.COMPLAINT_RECORDS)

    @property
    def entered_by_hand(self) -> bool:
        """False for the items the portal computes from its records: 3.5 from the certificate counts,
        4.3 from the complaint records [004 Annex 2 3.5, 4.3] (each judged by hand only when the
        records say nothing: `RenewalAssessment.judged_by_hand`)."""
        return self.kind not in (self.Kind.UPLOAD_RATIO, self.Kind.COMPLAINT_RECORDS)

    def clean(self):
        if self.kind == self.Kind.DEDUCTION and self.deduction_per_count <= 0:
            raise ValidationError({"deduction_per_count": "倒扣分项须填写每次扣分。"})
        if self.counts_towards_total and self.max_score <= 0:
            raise ValidationError({"max_score": "计分项须填写最高得分。"})
        if self.max_score > SCALE:
            raise ValidationError({"max_score": f"最高得分不能超过 {fmt(SCALE)} 分（评估表为百分制）。"})
        if self.kind == self.Kind.DEDUCTION and self.deduction_per_count < 1:
            raise ValidationError({"deduction_per_count": "每次扣分不能少于 1 分。"})
        if self.deduction_per_count > SCALE:
            raise ValidationError({"deduction_per_count": f"每次扣分不能超过 {fmt(SCALE)} 分。"})

    def check_value(self, value, *, judged: bool = False) -> Decimal:
        """The value a person typed, checked against the item's bounds; raises ValidationError in Chinese.
        `judged`: item 3.5 with no certificate issued, where nothing can be computed and a person's
        judgement within 0..max stands instead (`RenewalAssessment.judged_by_hand`) [004 Annex 2 3.5]."""
        try:
            value = Decimal(str(value))
        except ArithmeticError as exc:
            raise ValidationError("请填写数字。") from exc
        if not value.is_finite():
            raise ValidationError("请填写数字。")
        judged_ratio = judged and self.kind == self.Kind.UPLOAD_RATIO
        if (self.kind == self.Kind.SCORE or judged_ratio) and not (ZERO <= value <= self.max_score):
            raise ValidationError(f"{self.code} 的得分应在 0 至 {fmt(self.max_score)} 分之间。")
        # 4.3 judged by hand (no complaint asked the agency anything) keeps its 4-or-0 [004 Annex 2 4.3]
        if self.kind in (self.Kind.ALL_OR_NOTHING, self.Kind.COMPLAINT_RECORDS) and value not in (ZERO, self.max_score):
            raise ValidationError(f"{self.code} 只能为 {fmt(self.max_score)} 分或 0 分。")
        if self.kind == self.Kind.VETO and value not in (ZERO, Decimal(1)):
            raise ValidationError(f"{self.code} 请选择“是”或“否”。")
        if self.kind == self.Kind.DEDUCTION and (value < 0 or value != value.to_integral_value()):
            raise ValidationError(f"{self.code} 的查实次数应为非负整数。")
        if self.kind == self.Kind.DEDUCTION and value > self.max_deductions:
            raise ValidationError(
                f"{self.code} 的查实次数最多为 {self.max_deductions} 次：每次扣 {fmt(self.deduction_per_count)} 分，"
                f"{self.max_deductions} 次已扣完全部 {fmt(SCALE)} 分，请核对后重新填写。")
        if self.kind == self.Kind.UPLOAD_RATIO and not judged_ratio:
            raise ValidationError(f"{self.code} 由系统根据发证人次与上国网人次计算，不需填写。")
        return value

    def points(self, value) -> Decimal:
        """Points this value contributes: positive for scored items, negative for deductions, none for vetoes."""
        if value is None:
            return ZERO
        value = Decimal(str(value))
        if self.kind == self.Kind.DEDUCTION:
            return -value * self.deduction_per_count
        if self.kind == self.Kind.VETO:
            return ZERO
        return value


# [004 Annex 2 item 3.5] bands of the share of issued certificates uploaded to the national database.
UPLOAD_RATIO_BANDS = ((Decimal(90), Decimal(7)), (Decimal(80), Decimal(5)), (Decimal(70), Decimal(3)),
                      (Decimal(60), Decimal(1)))


def upload_ratio_points(issued: int, uploaded: int, max_score: Decimal = Decimal(7)) -> Decimal | None:
    """[004 Annex 2 item 3.5] ≥90% → 7, 80–90 → 5, 70–80 → 3, 60–70 → 1, <60 → 0 (lower bound included).
    The bands are scaled to the item's maximum so a rubric may set another maximum. Nothing issued
    gives no share at all (0 of 0 is not 100 %): None, and the item is judged by hand instead."""
    if issued <= 0:
        return None
    percent = Decimal(min(uploaded, issued)) * 100 / Decimal(issued)
    for floor, points in UPLOAD_RATIO_BANDS:
        if percent >= floor:
            return (points * Decimal(max_score) / Decimal(7)).quantize(Decimal("0.1"))
    return ZERO
