"""Inspections, findings, evidence and rectification orders [002 §25-26, §30, 003 §17, §20, SPEC §5].

An inspection (监督检查) of one agency is carried out by a team of at least two inspectors in one
phase of the evaluation (考前/考中/考后 [003 §17]); they fill the checklist of [002 §26] and of the
phase, record findings with a severity, and submit them; the agency acknowledges or answers within
a time limit; the team concludes. A rectification order (责令限期整改 [002 §30, 003 §20]) gives the
agency a deadline in working days; the issuing authority verifies the agency's report.

States change only through the transition methods below, through `portal.transitions.perform`
with the machines of `supervision.services.inspections`.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from portal.models.files import StoredFile
from portal.text import validate_multiline_text
from portal.transitions import TimeLimits
from supervision.permissions import inspections as perm

__all__ = ["CHECKLIST", "Inspection", "InspectionCheck", "Finding", "InspectionEvidence", "RectificationOrder",
           "RectificationEvidence"]


class Phase(models.TextChoices):
    """The three parts of supervising an evaluation [003 §17]."""

    BEFORE = "before", "考前"
    DURING = "during", "考中"
    AFTER = "after", "考后"


# The checklist: the six contents of every inspection [002 §26], then the key points of the phase
# [003 §17]. (code, phase or "" for every phase, item).
CHECKLIST: tuple[tuple[str, str, str], ...] = (
    ("26.1", "", "是否按照规定履行备案手续 [002 §26(一)]"),
    ("26.2", "", "所填报的备案信息是否真实、准确、完整 [002 §26(二)]"),
    ("26.3", "", "执行职业技能等级认定相关政策的情况 [002 §26(三)]"),
    ("26.4", "", "依据国家职业技能标准和行业企业评价规范，在备案的职业（工种）和地域范围内开展认定的情况 [002 §26(四)]"),
    ("26.5", "", "评价过程管理、评价条件保障、工作队伍管理及评价质量管理等方面采取的措施 [002 §26(五)]"),
    ("26.6", "", "其他依法依规需要检查的内容 [002 §26(六)]"),
    ("17.1.1", Phase.BEFORE, "评价范围、职业技能标准（或评价规范）的执行情况 [003 §17(1)]"),
    ("17.1.2", Phase.BEFORE, "试题（题库）建设、管理、使用情况 [003 §17(1)]"),
    ("17.1.3", Phase.BEFORE, "年度评价计划的执行情况 [003 §17(1)]"),
    ("17.1.4", Phase.BEFORE, "参评人员的资格条件审核情况 [003 §17(1)]"),
    ("17.2.1", Phase.DURING, "考场秩序情况 [003 §17(2)]"),
    ("17.2.2", Phase.DURING, "考务、监考、考评及管理人员工作情况 [003 §17(2)]"),
    ("17.2.3", Phase.DURING, "视频监控情况 [003 §17(2)]"),
    ("17.3.1", Phase.AFTER, "理论阅卷、技能考评情况 [003 §17(3)]"),
    ("17.3.2", Phase.AFTER, "证书管理与发放情况 [003 §17(3)]"),
    ("17.3.3", Phase.AFTER, "评价档案资料保管情况 [003 §17(3)]"),
)


class Inspection(TimeLimits, ConcurrentTransitionMixin, models.Model):
    """监督检查: one agency, one phase, a team of inspectors [002 §25-26, 003 §17].

    open → findings_submitted → acknowledged | answered → concluded. The agency has
    `response_due` (working days) to acknowledge or answer; if it does neither, the system deems the
    findings acknowledged (TimeLimits), so the inspection never waits for ever."""

    Phase = Phase

    class Origin(models.TextChoices):
        DRAW = "draw", "双随机抽查"
        COMPLAINT = "complaint", "投诉举报核查"
        BATCH = "batch", "认定批次现场督导"
        AD_HOC = "ad_hoc", "专项检查"

    class State(models.TextChoices):
        OPEN = "open", "检查中"
        FINDINGS_SUBMITTED = "findings_submitted", "已反馈检查结果"
        ACKNOWLEDGED = "acknowledged", "机构已确认"
        ANSWERED = "answered", "机构已申辩"
        CONCLUDED = "concluded", "已办结"

    class Conclusion(models.TextChoices):
        COMPLIANT = "compliant", "未发现问题"
        MINOR = "minor", "发现问题，已当场整改或提醒"
        RECTIFY = "rectify", "发现问题，责令限期整改"
        REFER = "refer", "发现严重问题，移送处理"

    TIME_LIMITS = (("deem_acknowledged", State.FINDINGS_SUBMITTED, "response_due"),)

    number = models.CharField("检查编号", max_length=40, unique=True)
    agency = models.ForeignKey("filings.Agency", verbose_name="评价机构", on_delete=models.PROTECT,
                               related_name="inspections")
    filing = models.ForeignKey("filings.Filing", verbose_name="备案", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="inspections")
    origin = models.CharField("检查来源", max_length=20, choices=Origin.choices)
    origin_id = models.PositiveIntegerField("来源编号", null=True, blank=True)
    phase = models.CharField("检查环节", max_length=10, choices=Phase.choices)
    reason = models.TextField("检查事由", validators=[validate_multiline_text])
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="检查组", related_name="inspections")
    state = FSMField("状态", max_length=30, choices=State.choices, default=State.OPEN, protected=True, db_index=True)
    opened_on = models.DateField("检查开始日期")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    findings_submitted_on = models.DateField("反馈日期", null=True, blank=True)
    response_due = models.DateField("机构回复截止", null=True, blank=True, db_index=True)
    responded_on = models.DateField("机构回复日期", null=True, blank=True)
    agency_response = models.TextField("机构回复", blank=True, validators=[validate_multiline_text])
    summary = models.TextField("检查情况（向机构反馈）", blank=True, validators=[validate_multiline_text])
    internal_notes = models.TextField("内部意见（仅检查组和监管部门可见）", blank=True,
                                      validators=[validate_multiline_text])
    conclusion = models.CharField("检查结论", max_length=20, choices=Conclusion.choices, blank=True)
    concluded_on = models.DateField("办结日期", null=True, blank=True)
    last_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "监督检查"
        ordering = ["-opened_on", "-pk"]

    def __str__(self):
        return f"{self.number} {self.agency.name}"

    @property
    def region(self):
        return self.agency.region

    def checklist_complete(self) -> bool:
        """Every checklist row has a result before the findings go to the agency [002 §26]."""
        return not self.checks.filter(result="").exists()

    def team_complete(self) -> bool:
        """At least two inspectors do an inspection [002 §25]."""
        return self.team.count() >= 2

    def failing_without_finding(self) -> list[str]:
        """Rows marked 不符合 must be backed by a finding."""
        noted = set(self.findings.values_list("checklist_row_id", flat=True))
        return [c.code for c in self.checks.filter(result=InspectionCheck.Result.NON_COMPLIANT) if c.pk not in noted]

    def findings_ready(self) -> bool:
        return self.checklist_complete() and self.team_complete() and not self.failing_without_finding()

    def has_conclusion(self) -> bool:
        return bool(self.conclusion)

    @transition(field=state, source=State.OPEN, target=State.FINDINGS_SUBMITTED, conditions=[findings_ready],
                permission=perm.is_team_member)
    def submit_findings(self, today: datetime.date):
        from portal.workdays import add_workdays
        from supervision.services.inspections import response_working_days
        self.findings_submitted_on = today
        self.response_due = add_workdays(today, response_working_days())

    @transition(field=state, source=State.FINDINGS_SUBMITTED, target=State.ACKNOWLEDGED,
                permission=perm.is_agency_member)
    def acknowledge(self, today: datetime.date):
        self.responded_on = today

    @transition(field=state, source=State.FINDINGS_SUBMITTED, target=State.ANSWERED,
                permission=perm.is_agency_member)
    def answer(self, today: datetime.date):
        self.responded_on = today

    @transition(field=state, source=State.FINDINGS_SUBMITTED, target=State.ACKNOWLEDGED)
    def deem_acknowledged(self, today: datetime.date):
        """No answer within the time limit: the findings stand as acknowledged."""
        self.responded_on = today

    @transition(field=state, source=[State.ACKNOWLEDGED, State.ANSWERED], target=State.CONCLUDED,
                conditions=[has_conclusion], permission=perm.is_team_member)
    def conclude(self, today: datetime.date):
        self.concluded_on = today

    @transition(field=state, source=State.ANSWERED, target=State.OPEN, permission=perm.is_team_member)
    def reopen(self, today: datetime.date):
        """The agency's answer is upheld in part: the team revises its findings."""
        self.findings_submitted_on = None
        self.response_due = None
        self.responded_on = None


class InspectionCheck(models.Model):
    """One row of the checklist the inspectors fill [002 §26, 003 §17]."""

    class Result(models.TextChoices):
        COMPLIANT = "compliant", "符合"
        NON_COMPLIANT = "non_compliant", "不符合"
        NOT_APPLICABLE = "na", "不适用"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="checks")
    code = models.CharField("条目", max_length=10)
    item = models.CharField("检查内容", max_length=200)
    result = models.CharField("结果", max_length=20, choices=Result.choices, blank=True)
    notes = models.TextField("说明", blank=True, validators=[validate_multiline_text])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "检查条目"
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["inspection", "code"], name="inspection_check_once")]

    def __str__(self):
        return f"{self.code} {self.item}"


class Finding(models.Model):
    """A problem found, with its severity; the agency sees it once the findings are submitted."""

    class Severity(models.TextChoices):
        MINOR = "minor", "一般"
        SERIOUS = "serious", "较重"
        GRAVE = "grave", "严重"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    checklist_row = models.ForeignKey(InspectionCheck, verbose_name="对应条目", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="findings")
    severity = models.CharField("严重程度", max_length=10, choices=Severity.choices)
    description = models.TextField("问题描述", validators=[validate_multiline_text])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "检查发现的问题"
        ordering = ["pk"]

    def __str__(self):
        return f"{self.get_severity_display()}：{self.description[:30]}"


def evidence_path(instance, filename):
    return f"inspections/{instance.inspection_id}/{timezone.now():%Y%m%d%H%M%S%f}"


class InspectionEvidence(StoredFile):
    """An evidence file (photo, record, scan) kept outside any public path; confidential: only the
    team and the supervising authority download it, each download audited."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="evidence")
    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence")
    description = models.CharField("说明", max_length=200, blank=True)
    file = models.FileField(upload_to=evidence_path, max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "检查证据"
        ordering = ["pk"]

    def __str__(self):
        return self.original_name


class RectificationOrder(TimeLimits, ConcurrentTransitionMixin, models.Model):
    """责令限期整改 [002 §30, 003 §20]: the findings, a deadline in working days, the agency's report
    with evidence, the issuer's verification. issued → responded → closed, or back to issued
    with the reason; past the deadline without a report the system marks it overdue and tells the
    city, which may extend it once more (overdue → issued) or propose a sanction. While it is not closed the agency is "整改中" in the directory and may not carry out
    evaluations [002 §30: 整改期内不得开展评价活动]."""

    class Origin(models.TextChoices):
        INSPECTION = "inspection", "监督检查"
        COMPLAINT = "complaint", "投诉举报"
        SANCTION = "sanction", "处理措施"
        RATING = "rating", "星级评定"
        BATCH = "batch", "认定批次"

    class State(models.TextChoices):
        ISSUED = "issued", "整改中"
        RESPONDED = "responded", "已提交整改报告"
        OVERDUE = "overdue", "逾期未整改"
        CLOSED = "closed", "整改完成（已验收）"
        SET_ASIDE = "set_aside", "已撤销（处理决定经复议或诉讼撤销、变更）"

    OPEN_STATES = (State.ISSUED, State.RESPONDED, State.OVERDUE)
    TIME_LIMITS = (("mark_overdue", State.ISSUED, "due_on"),)

    number = models.CharField("整改通知编号", max_length=40, unique=True)
    agency = models.ForeignKey("filings.Agency", verbose_name="评价机构", on_delete=models.PROTECT,
                               related_name="rectification_orders")
    filing = models.ForeignKey("filings.Filing", verbose_name="备案", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="rectification_orders")
    inspection = models.ForeignKey(Inspection, verbose_name="监督检查", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="orders")
    origin = models.CharField("来源", max_length=20, choices=Origin.choices)
    origin_id = models.PositiveIntegerField("来源编号", null=True, blank=True)
    findings = models.TextField("存在问题及整改要求", validators=[validate_multiline_text])
    issued_on = models.DateField("下达日期")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="下达人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    working_days = models.PositiveSmallIntegerField("整改期限（工作日）")
    due_on = models.DateField("整改截止", db_index=True)
    reminded_on = models.DateField("提醒日期", null=True, blank=True)
    state = FSMField("状态", max_length=20, choices=State.choices, default=State.ISSUED, protected=True, db_index=True)
    response = models.TextField("整改报告", blank=True, validators=[validate_multiline_text])
    responded_on = models.DateField("报告日期", null=True, blank=True)
    overdue_on = models.DateField("逾期日期", null=True, blank=True)
    verified_on = models.DateField("验收日期", null=True, blank=True)
    rejections = models.PositiveSmallIntegerField("退回次数", default=0)
    last_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "整改通知"
        ordering = ["-issued_on", "-pk"]

    def __str__(self):
        return f"{self.number} {self.agency.name}"

    @property
    def region(self):
        return self.agency.region

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def has_response(self) -> bool:
        return bool(self.response.strip())

    @transition(field=state, source=State.ISSUED, target=State.RESPONDED,
                conditions=[has_response], permission=perm.is_order_agency)
    def respond(self, today: datetime.date):
        self.responded_on = today

    @transition(field=state, source=State.RESPONDED, target=State.CLOSED, permission=perm.is_order_verifier)
    def accept(self, today: datetime.date):
        self.verified_on = today

    @transition(field=state, source=State.RESPONDED, target=State.ISSUED, permission=perm.is_order_verifier)
    def reject(self, today: datetime.date):
        """Not accepted: back to the agency with the reason; the deadline stays as issued."""
        self.rejections += 1
        self.responded_on = None

    @transition(field=state, source=State.ISSUED, target=State.OVERDUE)
    def mark_overdue(self, today: datetime.date):
        """The deadline passed without a report: the city is told, and decides [002 §30]."""
        self.overdue_on = today

    @transition(field=state, source=State.OVERDUE, target=State.ISSUED, permission=perm.is_order_verifier)
    def extend(self, today: datetime.date):
        """The issuer grants a further period (with reasons) instead of proposing a sanction."""
        from portal.workdays import add_workdays
        from supervision.services.inspections import extension_working_days
        self.due_on = add_workdays(today, extension_working_days())
        self.reminded_on = None


    @transition(field=state, source=list(OPEN_STATES), target=State.SET_ASIDE, permission=lambda order, user: False)
    def set_aside(self, today: datetime.date):
        """The 限期整改 decision that issued this order was revoked or varied on reconsideration or in
        court [003 §20]: the order no longer binds the agency (nor bars its batches [002 §30]). Taken
        only by the sanction review's service, never offered on the order's page."""


def order_evidence_path(instance, filename):
    return f"rectification/{instance.order_id}/{timezone.now():%Y%m%d%H%M%S%f}"


class RectificationEvidence(StoredFile):
    """The agency's evidence of rectification, confidential like an inspection's."""

    order = models.ForeignKey(RectificationOrder, on_delete=models.PROTECT, related_name="evidence")
    description = models.CharField("说明", max_length=200, blank=True)
    file = models.FileField(upload_to=order_evidence_path, max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "整改证明材料"
        ordering = ["pk"]

    def __str__(self):
        return self.original_name
