"""Sanctions, cancellation grounds and voluntary termination [002 §30-31, 003 §20, §22, 000 §6(3), SPEC §5].

A sanction (处理措施) is proposed by the district or industry department the filing is routed
through (or by the city, or by the system's sweep for a ground of cancellation it can see), and
decided by the city: upheld, altered to another measure of the ladder, or rejected, with reasons
[003 §20]. A decided sanction is published and takes effect on the filing through the filing's
lifecycle services. A voluntary termination (自愿终止) is applied for by the agency and confirmed by
the city [002 §31]; its wrap-up tasks are then ticked off one by one [000 §6(3)].

States change only through the transition methods below, through `portal.transitions.perform`
with the machines of `supervision.services.sanctions` (a review's: `supervision.services.sanction_reviews`).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from filings.choices import IN_FORCE, FilingState
from portal.text import validate_multiline_text
from supervision.permissions import sanctions as perm

__all__ = ["CancellationGround", "Sanction", "SanctionReview", "TerminationRequest", "TerminationTask"]


class CancellationGround(models.TextChoices):
    """The eight grounds on which the filing authority cancels a filing [003 §22]."""

    VOLUNTARY = "1", "1. 自愿退出职业技能等级认定工作备案的"
    INACTIVE = "2", "2. 非不可抗力因素，停止职业技能等级认定工作超1年以上的（含1年）"
    ENTITY_TERMINATED = "3", "3. 职业技能考核鉴定机构或其举办单位法人资格依法终止的"
    FALSE_MATERIALS = "4", "4. 通过虚假材料、虚假承诺取得备案登记的，或据不履行工作承诺的"
    FACILITIES = "5", "5. 因设施设备老旧、损坏，无法满足鉴定考核需求，且无法整改完善的"
    LOW_RATING = "6", "6. 机构年度工作评估为三星级（不含）以下，且限期内未能完成整改的"
    VIOLATIONS = "7", ("7. 在职业技能等级认定工作中存在资格审查不严、违规操作、虚假宣传、虚假认定、在备案登记范围之外认定等"
                       "违规行为，限期内未能完成整改的")
    OTHER = "8", "8. 其他因违法违规开展职业技能等级认定造成不良影响的"


def ground_numbers(grounds: str) -> list[str]:
    """"2,7" → ["2", "7"] (the grounds of a removal, as stored)."""
    return [g.strip() for g in (grounds or "").replace("，", ",").split(",") if g.strip()]


class Sanction(ConcurrentTransitionMixin, models.Model):
    """处理措施: one measure of the ladder against one agency (and its filing) [003 §20, 002 §30].

    proposed → decided (upheld or altered) → lifted (a suspension, once rectified);
    proposed → rejected; proposed → withdrawn (by the proposing side)."""

    class Measure(models.TextChoices):
        """The ladder, mildest first [003 §20, 002 §30]."""

        INTERVIEW = "interview", "约谈"
        CIRCULATE = "circulate", "通报批评"
        RECTIFY = "rectify", "限期整改"
        SUSPEND = "suspend", "暂停评价"
        REMOVE = "remove", "移除备案（注销）"

    class Origin(models.TextChoices):
        SUPERVISION = "supervision", "日常监管"
        INSPECTION = "inspection", "监督检查"
        COMPLAINT = "complaint", "投诉举报"
        RECTIFICATION = "rectification", "整改逾期"
        RATING = "rating", "年度评估"
        SWEEP = "sweep", "系统核查注销情形"

    class State(models.TextChoices):
        PROPOSED = "proposed", "待市级复核"
        DECIDED = "decided", "已决定并公布"
        REJECTED = "rejected", "复核不予认可"
        WITHDRAWN = "withdrawn", "已撤回"
        LIFTED = "lifted", "已解除"

    # Measures that need the filing they act on.
    ON_FILING = (Measure.SUSPEND, Measure.REMOVE)
    PUBLISHED_STATES = (State.DECIDED, State.LIFTED)

    number = models.CharField("处理编号", max_length=40, unique=True)
    agency = models.ForeignKey("filings.Agency", verbose_name="评价机构", on_delete=models.PROTECT,
                               related_name="sanctions")
    filing = models.ForeignKey("filings.Filing", verbose_name="备案", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="sanctions")
    measure = models.CharField("处理措施", max_length=20, choices=Measure.choices)
    proposed_measure = models.CharField("建议措施", max_length=20, choices=Measure.choices)
    grounds = models.TextField("处理依据", validators=[validate_multiline_text],
                               help_text="移除备案（注销）时为 [003 §22] 所列情形的序号，如 “2” 或 “3,7”")
    cancellation_grounds = models.CharField("注销情形", max_length=20, blank=True,
                                            help_text="[003 §22] 所列情形的序号，逗号分隔")
    reason = models.TextField("事实与理由", validators=[validate_multiline_text])
    evidence = models.TextField("证据", blank=True, validators=[validate_multiline_text])
    origin = models.CharField("来源", max_length=20, choices=Origin.choices)
    origin_id = models.PositiveIntegerField("来源编号", null=True, blank=True)
    state = FSMField("状态", max_length=20, choices=State.choices, default=State.PROPOSED, protected=True,
                     db_index=True)
    proposed_on = models.DateField("提出日期")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提出人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    proposer_label = models.CharField("提出单位", max_length=100, blank=True)
    decided_on = models.DateField("决定日期（生效日期）", null=True, blank=True, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="决定人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decision_reason = models.TextField("复核意见", blank=True, validators=[validate_multiline_text])
    altered = models.BooleanField("复核变更措施", default=False)
    order_id = models.PositiveIntegerField("整改通知", null=True, blank=True)
    lifted_on = models.DateField("解除日期", null=True, blank=True)
    last_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "处理措施"
        ordering = ["-proposed_on", "-pk"]
        indexes = [models.Index(fields=["state", "measure"], name="sanction_state_measure")]

    def __str__(self):
        return f"{self.number} {self.agency.name} {self.get_measure_display()}"

    @property
    def region(self):
        return self.agency.region

    @property
    def ground_list(self) -> list[str]:
        return ground_numbers(self.cancellation_grounds) if self.measure == self.Measure.REMOVE else []

    def ground_labels(self) -> list[str]:
        return [str(CancellationGround(g).label) for g in self.ground_list if g in CancellationGround.values]

    def grounds_display(self) -> str:
        if self.measure == self.Measure.REMOVE:
            return "；".join(self.ground_labels())
        return self.grounds

    # ----- conditions ------------------------------------------------------------------------
    def effect_possible(self) -> bool:
        """A suspension needs a filing in force and not suspended; a removal a filing in force
        [003 §20, §22]; the other measures need nothing of the filing."""
        if self.measure == self.Measure.SUSPEND:
            return self.filing is not None and self.filing.state in (FilingState.ACTIVE, FilingState.RECTIFYING)
        if self.measure == self.Measure.REMOVE:
            return self.filing is not None and self.filing.state in IN_FORCE and bool(self.ground_list)
        return True

    def is_suspension(self) -> bool:
        return self.measure == self.Measure.SUSPEND

    def filing_suspended(self) -> bool:
        return self.filing is not None and self.filing.state == FilingState.SUSPENDED

    # ----- transitions -----------------------------------------------------------------------
    @transition(field=state, source=State.PROPOSED, target=State.DECIDED, conditions=[effect_possible],
                permission=perm.is_deciding_city)
    def uphold(self, today: datetime.date):
        """The city reviews and upholds the proposed measure; it takes effect and is published
        [003 §20: 经复核认可后，由市人力资源社会保障部门…作出相应处理]."""
        self.decided_on = today

    @transition(field=state, source=State.PROPOSED, target=State.DECIDED, conditions=[effect_possible],
                permission=perm.is_deciding_city)
    def alter(self, today: datetime.date):
        """The city decides another measure of the ladder than the one proposed, with reasons
        [003 §20: 根据违规违纪情况，作出相应处理]; the new measure is set by the service."""
        self.decided_on = today
        self.altered = True

    @transition(field=state, source=State.PROPOSED, target=State.REJECTED, permission=perm.is_deciding_city)
    def reject(self, today: datetime.date):
        """The review does not uphold the proposal [003 §20: 经复核认可后]; nothing takes effect."""
        self.decided_on = today

    @transition(field=state, source=State.PROPOSED, target=State.WITHDRAWN, permission=perm.is_proposer_side)
    def withdraw(self, today: datetime.date):
        """The proposing side withdraws its proposal before the city decides."""

    @transition(field=state, source=State.DECIDED, target=State.LIFTED,
                conditions=[is_suspension, filing_suspended], permission=perm.is_deciding_city)
    def lift(self, today: datetime.date):
        """A suspension is lifted once the agency has put things right: the filing resumes; so does
        a suspension that administrative reconsideration or litigation revoked or varied [003 §20]."""
        self.lifted_on = today

    # ----- review by a reconsideration body or a court ----------------------------------------
    def latest_review(self) -> "SanctionReview | None":
        """The newest review of this decision (prefetched as `reviews` on lists), or None."""
        reviews = list(self.reviews.all())
        return max(reviews, key=lambda r: (r.lodged_on, r.pk)) if reviews else None

    def measure_in_effect(self) -> str:
        """The measure the decision stands at: the decided one, or the one a review varied it to
        (the latest variation); "" once a review revoked it."""
        measure = self.measure
        for review in sorted(self.reviews.all(), key=lambda r: (r.lodged_on, r.pk)):
            if review.state == SanctionReview.State.REVOKED:
                return ""
            if review.state == SanctionReview.State.VARIED:
                measure = review.varied_measure
        return measure

    def review_status(self) -> str:
        """What the published decision says of its review [003 §20; 《行政处罚法》§48 practice]:
        "" (none), 行政复议中 / 行政诉讼中, 已维持, 已变更为…, 已撤销."""
        review = self.latest_review()
        return review.status_label() if review else ""


class SanctionReview(ConcurrentTransitionMixin, models.Model):
    """行政复议 / 行政诉讼 of a sanction decision, lodged by the agency with the reconsideration body or
    the court, and entered here by the city with its outcome [003 §20: 市人力资源社会保障部门…作出相应
    处理].

    The notices only say that decisions are made and published; that a published decision says
    whether it is under review or was varied follows the publication practice of 《行政处罚法》§48
    (a decision published and later varied or revoked is published again as such).

    lodged → upheld (维持) / varied (变更, with the new measure) / revoked (撤销). A revoked decision —
    or one varied away from a suspension — lifts the suspension through the sanction's own `lift`."""

    class Kind(models.TextChoices):
        RECONSIDERATION = "reconsideration", "行政复议"
        LITIGATION = "litigation", "行政诉讼"

    class State(models.TextChoices):
        LODGED = "lodged", "复议/诉讼中"
        UPHELD = "upheld", "已维持"
        VARIED = "varied", "已变更"
        REVOKED = "revoked", "已撤销"

    sanction = models.ForeignKey(Sanction, verbose_name="处理措施", on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField("救济方式", max_length=20, choices=Kind.choices)
    lodged_on = models.DateField("申请（起诉）日期")
    body = models.CharField("复议机关或受理法院", max_length=100)
    reference = models.CharField("案号", max_length=60, blank=True)
    state = FSMField("状态", max_length=20, choices=State.choices, default=State.LODGED, protected=True,
                     db_index=True)
    varied_measure = models.CharField("变更后的处理措施", max_length=20, choices=Sanction.Measure.choices, blank=True)
    outcome_on = models.DateField("结论日期", null=True, blank=True)
    outcome_reason = models.TextField("结论及理由", blank=True, validators=[validate_multiline_text])
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    last_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "处理决定复议诉讼"
        ordering = ["-lodged_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["sanction"], condition=models.Q(state="lodged"),
                                               name="sanction_one_pending_review")]

    def __str__(self):
        return f"{self.sanction.number} {self.get_kind_display()} {self.reference}".strip()

    @property
    def agency_id(self):
        return self.sanction.agency_id

    @property
    def region(self):
        return self.sanction.agency.region

    def status_label(self) -> str:
        if self.state == self.State.LODGED:
            return f"{self.get_kind_display()}中"
        if self.state == self.State.VARIED:
            return f"已变更为{self.get_varied_measure_display()}"
        return self.get_state_display()

    def varied_to_milder(self) -> bool:
        """A variation may only lighten the measure: reconsideration may not decide against the
        applicant more harshly (《行政复议法》§63), nor a court add to the plaintiff's burden
        (《行政诉讼法》§77); the ladder is mildest first [003 §20]."""
        ladder = list(Sanction.Measure.values)
        standing = self.sanction.measure_in_effect()
        return (self.varied_measure in ladder and standing in ladder
                and ladder.index(self.varied_measure) < ladder.index(standing))

    @transition(field=state, source=State.LODGED, target=State.UPHELD, permission=perm.is_deciding_city_of_review)
    def uphold_decision(self, today: datetime.date):
        """维持: the decision stands as published [003 §20]."""
        self.outcome_on = today

    @transition(field=state, source=State.LODGED, target=State.VARIED, conditions=[varied_to_milder],
                permission=perm.is_deciding_city_of_review)
    def vary(self, today: datetime.date):
        """变更: the decision now stands at a milder measure (set by the service) [003 §20]."""
        self.outcome_on = today

    @transition(field=state, source=State.LODGED, target=State.REVOKED, permission=perm.is_deciding_city_of_review)
    def revoke(self, today: datetime.date):
        """撤销: the decision no longer holds; its effect on the filing is lifted [003 §20]."""
        self.outcome_on = today


class TerminationRequest(ConcurrentTransitionMixin, models.Model):
    """自愿终止: the agency reports that it stops evaluating and applies to cancel its filing
    [002 §31, 003 §22(1)]; the city confirms, the filing ends, and the wrap-up is done
    [000 §6(3): 对退出评价机构目录的，应妥善处理后续工作，并承担相应责任].

    submitted → confirmed (filing ended; wrap-up tasks open) → closed (every task done);
    submitted → returned (the city declines, with reasons); submitted → withdrawn (the agency)."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", "待市级确认"
        CONFIRMED = "confirmed", "已确认终止，收尾中"
        CLOSED = "closed", "收尾完成"
        RETURNED = "returned", "不予确认"
        WITHDRAWN = "withdrawn", "已撤回"

    number = models.CharField("申请编号", max_length=40, unique=True)
    agency = models.ForeignKey("filings.Agency", verbose_name="评价机构", on_delete=models.PROTECT,
                               related_name="termination_requests")
    filing = models.ForeignKey("filings.Filing", verbose_name="备案", on_delete=models.PROTECT,
                               related_name="termination_requests")
    reason = models.TextField("终止原因", validators=[validate_multiline_text])
    intended_on = models.DateField("拟终止日期")
    state = FSMField("状态", max_length=20, choices=State.choices, default=State.SUBMITTED, protected=True,
                     db_index=True)
    submitted_on = models.DateField("申请日期")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    confirmed_on = models.DateField("确认日期", null=True, blank=True)
    closed_on = models.DateField("收尾完成日期", null=True, blank=True)
    last_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "自愿终止申请"
        ordering = ["-submitted_on", "-pk"]

    def __str__(self):
        return f"{self.number} {self.agency.name}"

    @property
    def region(self):
        return self.filing.region

    def filing_in_force(self) -> bool:
        return self.filing.state in IN_FORCE

    def tasks_done(self) -> bool:
        return self.tasks.exists() and not self.tasks.filter(done_on__isnull=True).exists()

    @transition(field=state, source=State.SUBMITTED, target=State.CONFIRMED, conditions=[filing_in_force],
                permission=perm.is_confirming_city)
    def confirm(self, today: datetime.date):
        """The city confirms: the filing ends and leaves the directory [002 §31, 003 §22(1)]."""
        self.confirmed_on = today

    @transition(field=state, source=State.SUBMITTED, target=State.RETURNED, permission=perm.is_confirming_city)
    def return_request(self, today: datetime.date):
        """The city declines to confirm (e.g. a pending sanction must be decided first), with reasons."""

    @transition(field=state, source=State.SUBMITTED, target=State.WITHDRAWN, permission=perm.is_agency_member)
    def withdraw(self, today: datetime.date):
        """The agency withdraws its application before the city confirms it."""

    @transition(field=state, source=State.CONFIRMED, target=State.CLOSED, conditions=[tasks_done],
                permission=perm.is_confirming_city)
    def close(self, today: datetime.date):
        """Every wrap-up task has been done and recorded [000 §6(3)]."""
        self.closed_on = today


class TerminationTask(models.Model):
    """One wrap-up task of a voluntary termination, with who did it and when [000 §6(3)]."""

    class Task(models.TextChoices):
        BATCHES = "batches", "在办认定批次完成或移交"
        ARCHIVES = "archives", "认定档案资料整理移交（纸质3年、电子5年）"
        CERTIFICATES = "certificates", "已发证书查询与补证安排公告"
        DATA_UPLOAD = "data_upload", "证书数据上传与维护"
        PUBLISH = "publish", "向社会公告终止备案"

    class Side(models.TextChoices):
        AGENCY = "agency", "评价机构"
        CITY = "city", "市级人社部门"

    # Which side does each task: the agency its own wrap-up, the city the public announcement.
    SIDES = {Task.PUBLISH: Side.CITY}

    request = models.ForeignKey(TerminationRequest, on_delete=models.CASCADE, related_name="tasks")
    task = models.CharField("收尾事项", max_length=20, choices=Task.choices)
    side = models.CharField("办理方", max_length=10, choices=Side.choices, default=Side.AGENCY)
    done_on = models.DateField("完成日期", null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办理人", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    note = models.TextField("说明", blank=True, validators=[validate_multiline_text])

    class Meta:
        verbose_name = verbose_name_plural = "自愿终止收尾事项"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["request", "task"], name="termination_task_once")]

    def __str__(self):
        return self.get_task_display()
