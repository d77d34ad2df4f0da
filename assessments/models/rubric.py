"""评估表: versioned rubrics [SPEC §4.3]. A rubric is data, edited by administrators; once published it
is frozen, and every assessment keeps the version it was scored on."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0")


def fmt(d) -> str:
    """5.0 → "5", 2.5 → "2.5": points as a person writes them."""
    d = Decimal(d)
    return str(d.quantize(Decimal(1))) if d == d.to_integral_value() else str(d.normalize())


class Rubric(models.Model):
    name = models.CharField("名称", max_length=100)
    version = models.PositiveSmallIntegerField("版本", default=1)
    source = models.CharField("依据", max_length=100, blank=True, help_text="例如：鲁人社函〔2024〕62号 附件2")
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
        """The latest published version: what a new assessment is scored on. With none at all (a
        flushed test database), the shipped default is loaded, as the data migration does."""
        rubric = cls.objects.filter(published_at__isnull=False).order_by("-published_at", "-pk").first()
        if rubric is None and not cls.objects.exists():
            from assessments.rubrics import load_rubric

            rubric = load_rubric()
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
        DEDUCTION = "deduction", _("倒扣分（按查实次数）")
        VETO = "veto", _("一票否决")

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="items")
    section = models.CharField("评估项目", max_length=100, help_text="例如：一. 技能等级认定制度建设完善情况")
    code = models.CharField("编号", max_length=10)
    title = models.TextField("评估内容")
    guidance = models.TextField("评估得分取值", blank=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.SCORE)
    max_score = models.DecimalField("最高得分", max_digits=5, decimal_places=1, default=0)
    deduction_per_count = models.DecimalField("每次扣分", max_digits=5, decimal_places=1, default=0)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "评估项"
        ordering = ["rubric", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["rubric", "code"], name="rubric_item_code_once")]

    def __str__(self):
        return f"{self.code} {self.title[:30]}"

    @property
    def counts_towards_total(self) -> bool:
        return self.kind in (self.Kind.SCORE, self.Kind.ALL_OR_NOTHING, self.Kind.UPLOAD_RATIO)

    @property
    def entered_by_hand(self) -> bool:
        return self.kind != self.Kind.UPLOAD_RATIO

    def clean(self):
        if self.kind == self.Kind.DEDUCTION and self.deduction_per_count <= 0:
            raise ValidationError({"deduction_per_count": "倒扣分项须填写每次扣分。"})
        if self.counts_towards_total and self.max_score <= 0:
            raise ValidationError({"max_score": "计分项须填写最高得分。"})

    def check_value(self, value) -> Decimal:
        """The value a person typed, checked against the item's bounds; raises ValidationError in Chinese."""
        try:
            value = Decimal(str(value))
        except ArithmeticError as exc:
            raise ValidationError("请填写数字。") from exc
        if not value.is_finite():
            raise ValidationError("请填写数字。")
        if self.kind == self.Kind.SCORE and not (ZERO <= value <= self.max_score):
            raise ValidationError(f"{self.code} 的得分应在 0 至 {fmt(self.max_score)} 分之间。")
        if self.kind == self.Kind.ALL_OR_NOTHING and value not in (ZERO, self.max_score):
            raise ValidationError(f"{self.code} 只能为 {fmt(self.max_score)} 分或 0 分。")
        if self.kind == self.Kind.VETO and value not in (ZERO, Decimal(1)):
            raise ValidationError(f"{self.code} 请选择“是”或“否”。")
        if self.kind == self.Kind.DEDUCTION and (value < 0 or value != value.to_integral_value()):
            raise ValidationError(f"{self.code} 的查实次数应为非负整数。")
        if self.kind == self.Kind.UPLOAD_RATIO:
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


def upload_ratio_points(issued: int, uploaded: int, max_score: Decimal = Decimal(7)) -> Decimal:
    """[004 Annex 2 item 3.5] ≥90% → 7, 80–90 → 5, 70–80 → 3, 60–70 → 1, <60 → 0 (lower bound included).
    The bands are scaled to the item's maximum so a rubric may set another maximum. Nothing issued
    means nothing was left un-uploaded: full marks."""
    if issued <= 0:
        return Decimal(max_score)
    percent = Decimal(min(uploaded, issued)) * 100 / Decimal(issued)
    for floor, points in UPLOAD_RATIO_BANDS:
        if percent >= floor:
            return (points * Decimal(max_score) / Decimal(7)).quantize(Decimal("0.1"))
    return ZERO
