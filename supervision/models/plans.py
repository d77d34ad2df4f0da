"""Random-inspection items, plans, draws and the expert pool [002 §25, 003 §21, SPEC §5].

双随机、一公开: agencies are drawn at random from a plan's population, inspectors are drawn at random
for each, and the items, the plans and the draws are public. A draw publishes the SHA-256 commitment
of its secret seed before the candidates are fixed; after the reveal anyone recomputes the result
(`supervision.draw`, `manage.py verify_draw`). States change only through `portal.transitions.perform`
with the machines of `supervision.services.plans`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from portal.text import validate_multiline_text, validate_text
from supervision.permissions import plans as perm

__all__ = ["InspectionItem", "InspectionPlan", "Draw", "DrawResult", "DrawRecusal", "ExpertProfile"]


class InspectionItem(models.Model):
    """抽查事项清单: what may be inspected, on what basis, by what method [003 §21]."""

    name = models.CharField("抽查事项", max_length=100, validators=[validate_text])
    basis = models.CharField("依据条款", max_length=200, validators=[validate_text])
    method = models.CharField("检查方式", max_length=100, validators=[validate_text])
    published = models.BooleanField("已公开", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "抽查事项"
        ordering = ["pk"]

    def __str__(self):
        return self.name


class InspectionPlan(ConcurrentTransitionMixin, models.Model):
    """抽查计划: draft → published → drawn → closed [003 §21]."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已公布"
        DRAWN = "drawn", "已抽取"
        CLOSED = "closed", "已结束"

    class Weighting(models.TextChoices):
        UNIFORM = "uniform", "等概率"
        RISK = "risk", "按风险加权（投诉、星级、距上次检查时间）"

    number = models.CharField("计划编号", max_length=40, unique=True)
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    title = models.CharField("计划名称", max_length=100, validators=[validate_text])
    region = models.ForeignKey("portal.Region", verbose_name="抽查范围（区域）", on_delete=models.PROTECT,
                               related_name="inspection_plans")
    items = models.ManyToManyField(InspectionItem, verbose_name="抽查事项", related_name="plans")
    agency_kinds = models.JSONField("机构类别", default=list, blank=True)
    occupations = models.ManyToManyField("portal.Occupation", verbose_name="职业（工种）", blank=True,
                                         related_name="+")
    in_force_only = models.BooleanField("仅备案有效的机构", default=True)
    exclude_inspected_days = models.PositiveIntegerField("排除近期已检查（天数，0 为不排除）", default=0)
    sample_share = models.DecimalField("抽取比例（%）", max_digits=5, decimal_places=2, null=True, blank=True,
                                       validators=[MinValueValidator(0), MaxValueValidator(100)])
    sample_count = models.PositiveIntegerField("抽取数量", null=True, blank=True)
    weighting = models.CharField("抽取权重", max_length=20, choices=Weighting.choices, default=Weighting.UNIFORM)
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="检查人员库",
                                        related_name="inspection_plans")
    team_size = models.PositiveSmallIntegerField("每组检查人员数", default=2, validators=[MinValueValidator(2)])
    phase = models.CharField("检查环节", max_length=10, default="after",
                             choices=[("before", "考前"), ("during", "考中"), ("after", "考后")])
    notes = models.TextField("说明", blank=True, validators=[validate_multiline_text])
    state = FSMField("状态", max_length=20, choices=State.choices, default=State.DRAFT, protected=True,
                     db_index=True)
    published_on = models.DateField("公布日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    last_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "抽查计划"
        ordering = ["-year", "-pk"]

    def __str__(self):
        return f"{self.number} {self.title}"

    def ready(self) -> bool:
        """A plan states its items, a sample (share or count), and enough inspectors [002 §25]."""
        return (self.items.exists() and bool(self.sample_share or self.sample_count)
                and self.inspectors.count() >= self.team_size >= 2)

    def has_confirmed_draw(self) -> bool:
        return self.draws.filter(state=Draw.State.CONFIRMED).exists()

    @transition(field=state, source=State.DRAFT, target=State.PUBLISHED, conditions=[ready],
                permission=perm.may_manage_plan)
    def publish(self, today):
        self.published_on = today

    @transition(field=state, source=State.PUBLISHED, target=State.DRAWN, conditions=[has_confirmed_draw])
    def mark_drawn(self, today):
        """The system's step when a draw of the plan is confirmed."""

    @transition(field=state, source=State.DRAWN, target=State.CLOSED, permission=perm.may_manage_plan)
    def close(self, today):
        pass


class Draw(ConcurrentTransitionMixin, models.Model):
    """抽查任务: one draw of a plan. committed (commitment public, seed secret) → revealed (candidates
    fixed and hashed, seed revealed, result computed) → confirmed (inspections opened); a committed or
    revealed draw may be superseded by a redraw with a reason — it stays visible."""

    class State(models.TextChoices):
        COMMITTED = "committed", "已公布种子承诺"
        REVEALED = "revealed", "已揭示种子并抽取"
        CONFIRMED = "confirmed", "已确认，已派发检查"
        SUPERSEDED = "superseded", "已作废（重新抽取）"

    plan = models.ForeignKey(InspectionPlan, verbose_name="抽查计划", on_delete=models.PROTECT, related_name="draws")
    number = models.CharField("抽取编号", max_length=40, unique=True)
    commitment = models.CharField("种子承诺（SHA-256）", max_length=64)
    seed = models.CharField("种子", max_length=64, blank=True)  # secret until revealed
    revealed_seed = models.CharField("已揭示的种子", max_length=64, blank=True)
    candidates = models.JSONField("候选机构（agency_id, weight）", default=list, blank=True)
    candidates_hash = models.CharField("候选名单哈希", max_length=64, blank=True)
    inspectors_pool = models.JSONField("检查人员库（用户编号）", default=list, blank=True)
    recusals_used = models.JSONField("回避（检查人员, 机构）", default=list, blank=True)
    sample_size = models.PositiveIntegerField("抽取数量", default=0)
    team_size = models.PositiveSmallIntegerField("每组人数", default=2)
    algorithm = models.CharField("算法", max_length=40)
    algorithm_version = models.PositiveSmallIntegerField("算法版本")
    replaces = models.ForeignKey("self", verbose_name="替代的抽取", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="replaced_by")
    redraw_reason = models.TextField("重新抽取理由", blank=True, validators=[validate_multiline_text])
    state = FSMField("状态", max_length=20, choices=State.choices, default=State.COMMITTED, protected=True,
                     db_index=True)
    committed_at = models.DateTimeField("承诺时间", auto_now_add=True)
    revealed_on = models.DateField("抽取日期", null=True, blank=True)
    confirmed_on = models.DateField("确认日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    last_comment = models.TextField(blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "抽查任务（抽取）"
        ordering = ["-pk"]

    def __str__(self):
        return self.number

    def has_result(self) -> bool:
        return self.results.exists()

    @transition(field=state, source=State.COMMITTED, target=State.REVEALED, permission=perm.may_manage_draw)
    def reveal(self, today):
        """Done through `services.plans.reveal_draw` (it fixes the candidates and computes the result)."""
        self.revealed_on = today

    @transition(field=state, source=State.REVEALED, target=State.CONFIRMED, conditions=[has_result],
                permission=perm.may_manage_draw)
    def confirm(self, today):
        self.confirmed_on = today

    @transition(field=state, source=[State.COMMITTED, State.REVEALED], target=State.SUPERSEDED,
                permission=perm.may_manage_draw)
    def supersede(self, today):
        pass


class DrawResult(models.Model):
    """One drawn agency with its team, in the draw's order."""

    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="results")
    position = models.PositiveIntegerField("序号")
    agency = models.ForeignKey("filings.Agency", verbose_name="评价机构", on_delete=models.PROTECT, related_name="+")
    team = models.JSONField("检查组（用户编号）", default=list)
    inspection_id = models.PositiveIntegerField("检查编号", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "抽取结果"
        ordering = ["draw", "position"]
        constraints = [models.UniqueConstraint(fields=["draw", "position"], name="draw_result_position")]


class DrawRecusal(models.Model):
    """回避: an inspector excluded from an agency for a conflict of interest, recorded before the draw
    and listed with it [003 §21]."""

    plan = models.ForeignKey(InspectionPlan, verbose_name="抽查计划", on_delete=models.CASCADE,
                             related_name="recusals")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="检查人员", on_delete=models.PROTECT,
                                  related_name="+")
    agency = models.ForeignKey("filings.Agency", verbose_name="评价机构", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("回避理由", max_length=200, validators=[validate_text])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "回避"
        constraints = [models.UniqueConstraint(fields=["plan", "inspector", "agency"], name="recusal_once")]


class ExpertProfile(models.Model):
    """专家库: an expert's specialties (occupations), employer and declared conflicts."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="专家", on_delete=models.CASCADE,
                                related_name="expert_profile")
    specialties = models.ManyToManyField("portal.Occupation", verbose_name="专业（职业）", related_name="+")
    employer = models.ForeignKey("filings.Agency", verbose_name="工作单位（机构）", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    conflicts = models.ManyToManyField("filings.Agency", verbose_name="申报回避的机构", blank=True,
                                       related_name="+")
    active = models.BooleanField("在库", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "专家库"

    def __str__(self):
        return str(self.user)
