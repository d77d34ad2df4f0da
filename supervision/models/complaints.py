"""Complaints and reports from the public (投诉举报) [002 §27, 003 §19, 001 §4(2), SPEC §9].

Anyone may report an agency's wrongdoing without an account and follow it with a tracking number
(受理编号) and a secret access code (kept only as a hash). The complaint is routed to the department
that manages the agency (district, industry department or city, by the filing's route), or to the city
when no filing is known; the department accepts or declines it with reasons, assigns an officer,
investigates, concludes (upheld / partly upheld / not upheld) and replies; the complainant may ask
once to reopen. Field names follow Open311 GeoReport v2 where they fit (`service_request_id`,
`status`, `status_notes`, `agency_responsible`, `requested_datetime`, `updated_datetime`,
`expected_datetime`, `service_code`, `address_string`): see `as_open311()`.

States change only through the transition methods below, through `portal.transitions.perform`
with `supervision.services.complaints.COMPLAINT_MACHINE`.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import GET_STATE, ConcurrentTransitionMixin, FSMField, transition

from portal.text import validate_multiline_text, validate_text
from portal.transitions import TimeLimits
from supervision.permissions import complaints as perm

__all__ = ["Complaint", "ComplaintCategory", "ComplaintEvidence", "ComplaintNote", "ComplaintQuestion",
           "ObjectionTracking"]


class ComplaintCategory(models.TextChoices):
    """The Open311 "services" of this portal: what a complaint is about [002 §27, 003 §19]."""

    FEES = "fees", "违规收费"
    OUT_OF_SCOPE = "out_of_scope", "超范围认定"
    CHEATING = "cheating", "考试舞弊"
    FAKE_CERTIFICATES = "fake_certificates", "证书造假"
    FALSE_ADVERTISING = "false_advertising", "虚假宣传"
    OTHER = "other", "其他"


class Complaint(TimeLimits, ConcurrentTransitionMixin, models.Model):
    """投诉举报 [002 §27, 003 §19].

    submitted → accepted → investigating → concluded → replied, or submitted → declined (with the
    reason, told to the complainant). replied → investigating once, when the complainant asks to
    reopen with reasons. Any open complaint may be marked abusive (恶意投诉) by a handler.
    Not acknowledged within the acknowledgement limit, a complaint is escalated to the city
    (TimeLimits: the limit holds whether or not the sweep has run)."""

    Category = ComplaintCategory

    class State(models.TextChoices):
        SUBMITTED = "submitted", "待受理"
        ACCEPTED = "accepted", "已受理"
        DECLINED = "declined", "不予受理"
        INVESTIGATING = "investigating", "调查核实中"
        CONCLUDED = "concluded", "已作出结论"
        REPLIED = "replied", "已答复"
        ABUSIVE = "abusive", "恶意投诉（不予处理）"

    class Outcome(models.TextChoices):
        UPHELD = "upheld", "投诉属实"
        PARTLY = "partly", "部分属实"
        NOT_UPHELD = "not_upheld", "投诉不属实"

    class DeclineReason(models.TextChoices):
        NOT_IN_REMIT = "not_in_remit", "不属于本部门职责范围"
        DUPLICATE = "duplicate", "重复投诉"
        INSUFFICIENT = "insufficient", "投诉内容不具体、无法核查"

    class Route(models.TextChoices):
        DISTRICT = "district", "区人社部门"
        INDUSTRY = "industry", "行业主管部门"
        CITY = "city", "市人社部门"

    OPEN_STATES = (State.SUBMITTED, State.ACCEPTED, State.INVESTIGATING, State.CONCLUDED)
    # The states an agency sees its complaints in (never before acceptance, never declined or abusive).
    AGENCY_STATES = (State.ACCEPTED, State.INVESTIGATING, State.CONCLUDED, State.REPLIED)

    TIME_LIMITS = (("escalate", State.SUBMITTED, "escalate_on"),)

    number = models.CharField("受理编号", max_length=24, unique=True)
    access_code_hash = models.CharField(max_length=128, editable=False)
    category = models.CharField("投诉类别", max_length=30, choices=ComplaintCategory.choices)
    agency = models.ForeignKey("filings.Agency", verbose_name="被投诉机构", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="complaints")
    agency_name_given = models.CharField("被投诉机构名称（投诉人填写）", max_length=100, blank=True,
                                         validators=[validate_text])
    filing = models.ForeignKey("filings.Filing", verbose_name="备案", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="complaints")
    occupation_text = models.CharField("涉及职业（工种）", max_length=100, blank=True, validators=[validate_text])
    batch_text = models.CharField("涉及批次", max_length=100, blank=True, validators=[validate_text])
    description = models.TextField("投诉内容", validators=[validate_multiline_text])
    happened_on = models.CharField("发生时间", max_length=50, blank=True, validators=[validate_text])
    address_string = models.CharField("发生地点", max_length=200, blank=True, validators=[validate_text])
    anonymous = models.BooleanField("匿名投诉", default=False)
    contact_name = models.CharField("投诉人姓名", max_length=50, blank=True, validators=[validate_text])
    contact_phone = models.CharField("联系电话", max_length=30, blank=True, validators=[validate_text])
    contact_email = models.EmailField("电子邮箱", blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True, editable=False)
    channel = models.CharField("来源渠道", max_length=20, default="web")  # web | api (12333)

    route = models.CharField("承办部门", max_length=10, choices=Route.choices)
    region = models.ForeignKey("portal.Region", verbose_name="承办区域", on_delete=models.PROTECT, related_name="+")
    industry_department = models.ForeignKey("portal.IndustryDepartment", verbose_name="行业主管部门", null=True,
                                            blank=True, on_delete=models.PROTECT, related_name="+")
    escalated = models.BooleanField("逾期未受理，已提级市级办理", default=False)

    state = FSMField("状态", max_length=20, choices=State.choices, default=State.SUBMITTED, protected=True,
                     db_index=True)
    requested_at = models.DateTimeField("提交时间", default=timezone.now)
    submitted_on = models.DateField("提交日期")
    acknowledge_due = models.DateField("受理期限")
    escalate_on = models.DateField(null=True, blank=True, db_index=True, editable=False)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    conclude_due = models.DateField("办结期限", null=True, blank=True, db_index=True)
    reminded_on = models.DateField(null=True, blank=True, editable=False)
    overdue_notified_on = models.DateField(null=True, blank=True, editable=False)
    decline_reason = models.CharField("不予受理理由", max_length=20, choices=DeclineReason.choices, blank=True)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="承办人", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField("核查结论", max_length=20, choices=Outcome.choices, blank=True)
    findings = models.TextField("核查情况（内部）", blank=True, validators=[validate_multiline_text])
    concluded_on = models.DateField("办结日期", null=True, blank=True)
    reply = models.TextField("答复意见（投诉人可见）", blank=True, validators=[validate_multiline_text])
    replied_on = models.DateField("答复日期", null=True, blank=True)
    status_notes = models.TextField("处理说明（投诉人可见）", blank=True)
    agency_question = models.TextField("请机构说明的问题", blank=True, validators=[validate_multiline_text])
    agency_answer_due = models.DateField("机构说明期限", null=True, blank=True)
    agency_answer = models.TextField("机构说明", blank=True, validators=[validate_multiline_text])
    agency_answered_on = models.DateField("机构说明日期", null=True, blank=True)
    reopened = models.BooleanField("已申请重新处理", default=False)
    reopen_reason = models.TextField("重新处理理由", blank=True, validators=[validate_multiline_text])
    follow_up = models.CharField("后续处理", max_length=200, blank=True)
    last_comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "投诉举报"
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["agency", "state"])]

    def __str__(self):
        return self.number

    # ----- reads ---------------------------------------------------------------------------------------
    @property
    def agency_label(self) -> str:
        return self.agency.name if self.agency_id else (self.agency_name_given or "（未指明机构）")

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def expected_on(self) -> datetime.date | None:
        """The reply to expect: the acknowledgement limit before acceptance, the conclusion limit after."""
        if self.state == self.State.SUBMITTED:
            return self.acknowledge_due
        if self.state in (self.State.ACCEPTED, self.State.INVESTIGATING, self.State.CONCLUDED):
            return self.conclude_due
        return None

    def has_contact(self) -> bool:
        return not self.anonymous and bool(self.contact_email or self.contact_phone)

    def check_code(self, code: str) -> bool:
        from django.contrib.auth.hashers import check_password
        return bool(code) and check_password(code.strip().upper(), self.access_code_hash)

    # ----- conditions ----------------------------------------------------------------------------------
    def has_handler(self) -> bool:
        return self.handler_id is not None

    def has_outcome(self) -> bool:
        return bool(self.outcome) and bool(self.findings.strip())

    def has_reply(self) -> bool:
        return bool(self.reply.strip())

    def has_decline_reason(self) -> bool:
        return bool(self.decline_reason)

    def may_reopen(self) -> bool:
        """Once only, by the complainant [002 §27]."""
        return not self.reopened

    # ----- transitions [002 §27, 003 §19] ----------------------------------------------------------------
    @transition(field=state, source=State.SUBMITTED, target=State.ACCEPTED, permission=perm.may_handle)
    def accept(self, today: datetime.date):
        from supervision.services.complaints import conclude_working_days
        from portal.workdays import add_workdays
        self.accepted_on = today
        self.escalate_on = None
        self.conclude_due = add_workdays(today, conclude_working_days())

    @transition(field=state, source=State.SUBMITTED, target=State.DECLINED, conditions=[has_decline_reason],
                permission=perm.may_handle)
    def decline(self, today: datetime.date):
        self.escalate_on = None
        self.concluded_on = today

    @transition(field=state, source=[State.ACCEPTED, State.INVESTIGATING], target=State.INVESTIGATING,
                conditions=[has_handler], permission=perm.may_handle)
    def investigate(self, today: datetime.date):
        """Assigned to an officer, who investigates (notes, evidence, a site visit, an inspection)."""

    @transition(field=state, source=State.INVESTIGATING, target=State.CONCLUDED, conditions=[has_outcome],
                permission=perm.may_handle)
    def conclude(self, today: datetime.date):
        self.concluded_on = today

    @transition(field=state, source=State.CONCLUDED, target=State.REPLIED, conditions=[has_reply],
                permission=perm.may_handle)
    def send_reply(self, today: datetime.date):
        self.replied_on = today

    @transition(field=state, source=State.REPLIED, target=State.INVESTIGATING, conditions=[may_reopen])
    def reopen(self, today: datetime.date):
        """The complainant, with the code, asks once to reopen with reasons (a system action: the
        complainant has no account; the service checks the code)."""
        from supervision.services.complaints import conclude_working_days
        from portal.workdays import add_workdays
        self.reopened = True
        self.conclude_due = add_workdays(today, conclude_working_days())
        self.reminded_on = self.overdue_notified_on = None

    @transition(field=state, source=[State.SUBMITTED, State.ACCEPTED, State.INVESTIGATING], target=State.ABUSIVE,
                permission=perm.may_handle)
    def mark_abusive(self, today: datetime.date):
        self.escalate_on = None
        self.concluded_on = today

    @transition(field=state, source=State.SUBMITTED,
                target=GET_STATE(lambda self, *a, **k: self.state, states=[State.SUBMITTED]))
    def escalate(self, today: datetime.date):
        """Not acknowledged in time: the city takes the complaint over [003 §19]."""
        self.escalated = True
        self.escalate_on = None
        self.route = self.Route.CITY
        self.region = self.region.parent if self.region.parent_id else self.region
        while self.region.parent_id:
            self.region = self.region.parent

    # ----- Open311 GeoReport v2 -------------------------------------------------------------------------
    def open311_status(self) -> str:
        return "open" if self.is_open else "closed"

    def public_notes(self) -> str:
        if self.state == self.State.DECLINED:
            return f"不予受理：{self.get_decline_reason_display()}。{self.status_notes}".strip()
        if self.state == self.State.REPLIED:
            return self.reply
        return self.status_notes or self.get_state_display()

    def as_open311(self) -> dict:
        """What the complainant (and the 12333 hotline) may read: never the findings, the handler or
        the agency's answer."""
        expected = self.expected_on()
        return {
            "service_request_id": self.number,
            "status": self.open311_status(),
            "status_code": self.state,
            "status_label": self.get_state_display(),
            "status_notes": self.public_notes(),
            "service_code": self.category,
            "service_name": self.get_category_display(),
            "description": self.description,
            "agency_responsible": self.get_route_display() + (
                f"（{self.industry_department.name}）" if self.route == self.Route.INDUSTRY and self.industry_department
                else f"（{self.region.name}）"),
            "agency_name": self.agency_label,
            "address_string": self.address_string,
            "requested_datetime": self.requested_at.isoformat(),
            "updated_datetime": self.updated_at.isoformat() if self.updated_at else None,
            "expected_datetime": expected.isoformat() if expected else None,
            "outcome": self.outcome or None,
            "outcome_label": self.get_outcome_display() if self.outcome and self.state == self.State.REPLIED else None,
            "may_reopen": self.state == self.State.REPLIED and not self.reopened,
        }


def complaint_evidence_path(instance, filename):
    return f"complaints/{instance.complaint_id}/{timezone.now():%Y%m%d%H%M%S%f}"


class ComplaintEvidence(models.Model):
    """A file the complainant (or a handler) gave; confidential: handlers only, downloads audited."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="evidence")
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    file = models.FileField(upload_to=complaint_evidence_path, max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "投诉证据"
        ordering = ["pk"]

    def __str__(self):
        return self.original_name


class ComplaintNote(models.Model):
    """An investigation note (internal: the handlers' only)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("调查记录", validators=[validate_multiline_text])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "调查记录"
        ordering = ["pk"]


class ComplaintQuestion(models.Model):
    """One question the bureau put to the agency about a complaint, with its deadline and answer —
    kept whole, so a later question never erases whether an earlier one was answered in time: rubric
    item 4.3 and the star rating read these rows [004 Annex 2 4.3, 003 §21]. The complaint's own
    `agency_question` fields show the current one."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="questions")
    agency = models.ForeignKey("filings.Agency", on_delete=models.PROTECT, related_name="+")
    question = models.TextField("请机构说明的问题", validators=[validate_multiline_text])
    asked_on = models.DateField("提出日期")
    due_on = models.DateField("说明期限", db_index=True)
    answered_on = models.DateField("说明日期", null=True, blank=True)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "要求机构说明"
        ordering = ["pk"]
        indexes = [models.Index(fields=["agency", "due_on"], name="complaint_question_agency_due")]

    def __str__(self):
        return f"{self.complaint} {self.asked_on}"


class ObjectionTracking(models.Model):
    """An objection to a public notice [003 §7] tracked as a complaint is: a number (受理编号), a
    secret access code kept hashed, a status page showing the result and the written reply (the
    objection's own `state` and `resolution`, which the city records in filings)."""

    objection = models.OneToOneField("filings.Objection", on_delete=models.PROTECT, related_name="tracking_row")
    number = models.CharField("受理编号", max_length=24, unique=True)
    access_code_hash = models.CharField(max_length=128, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "异议受理编号"

    def __str__(self):
        return self.number

    def check_code(self, code: str) -> bool:
        from django.contrib.auth.hashers import check_password
        return bool(code) and check_password(code.strip().upper(), self.access_code_hash)
