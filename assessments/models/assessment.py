"""期满评估 (RenewalAssessment): one renewal of one filing [SPEC §4]. Its state changes only through the
transitions below; `assessments.services` wraps them with locking, audit and notifications."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from assessments.choices import AssessmentState, AttachmentType, Outcome, WrapUpTask
from filings import permissions as perm
from filings.choices import Ownership, Route
from filings.models import NoticeItem, Objection
from portal.models import PolicyProfile, StoredFile
from portal.transitions import TimeLimits
from portal.text import validate_multiline_text, validate_person_name, validate_phone, validate_text

from .rubric import SCALE, ZERO, Rubric, RubricItem, upload_ratio_points

S = AssessmentState

# Certificates issued in one validity period, and people: more than a million is not a count any agency
# reports, and a plain limit reads better than the database's 9223372036854775807.
MAX_COUNT = 1_000_000
AT_MOST_A_MILLION = MaxValueValidator(MAX_COUNT, "人次或人数不能超过 1,000,000，请核对后重新填写。")


def count_field(label: str, **kwargs) -> models.PositiveIntegerField:
    kwargs.setdefault("default", 0)
    return models.PositiveIntegerField(label, validators=[AT_MOST_A_MILLION], **kwargs)


def _percent(part: int | None, whole: int | None) -> Decimal | None:
    if not whole or part is None:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


class RenewalAssessment(TimeLimits, ConcurrentTransitionMixin, models.Model):
    """The renewal application (004 Annex 1), the self-assessment on a rubric, pre-review, expert
    review, the city's decision and its publication [000 §4, 004 §3]."""

    # The notice of results runs its working days, then the result takes effect [000 §4(3)]; the
    # sweep and every person's action share the rule (portal.transitions.TimeLimits).
    TIME_LIMITS = (("close_notice", AssessmentState.NOTICE, "notice_ends_on"),)

    filing = models.ForeignKey("filings.Filing", verbose_name="备案", on_delete=models.PROTECT,
                               related_name="renewals")
    agency = models.ForeignKey("filings.Agency", verbose_name="评价机构", on_delete=models.PROTECT,
                               related_name="renewals")
    rubric = models.ForeignKey(Rubric, verbose_name="评估表版本", on_delete=models.PROTECT, related_name="+")
    state = FSMField("状态", max_length=20, choices=S.choices, default=S.DRAFT, protected=True, db_index=True)
    round = models.PositiveSmallIntegerField("轮次", default=1, help_text="2 为整改后的复评 [000 §5]")
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reassessment", verbose_name="前次评估")
    # Which validity period this renewal is for: the expiry date when it was opened.
    expires_on = models.DateField("本期备案有效期至")
    route = models.CharField("报送路径", max_length=10, choices=Route.choices, blank=True)
    region = models.ForeignKey("portal.Region", verbose_name="所在区县", on_delete=models.PROTECT, related_name="+")
    industry_department = models.ForeignKey("portal.IndustryDepartment", null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+")

    # ----- 004 Annex 1: the renewal application -----------------------------------------------
    contact_name = models.CharField("联系人", max_length=50, blank=True, validators=[validate_person_name])
    contact_phone = models.CharField("联系电话", max_length=30, blank=True, validators=[validate_phone])
    address = models.CharField("地址", max_length=200, blank=True, validators=[validate_text])
    entity_changed = models.BooleanField("主体资质是否变更", null=True, blank=True)
    entity_change_items = models.TextField("变更项", blank=True, validators=[validate_multiline_text])
    credit_good = models.BooleanField("企业信用是否良好", null=True, blank=True)
    credit_problems = models.TextField("信用存在的问题", blank=True, validators=[validate_multiline_text])
    evaluations_carried_out = models.BooleanField("是否开展认定工作", null=True, blank=True)
    no_evaluation_reason = models.TextField("未开展原因", blank=True, validators=[validate_multiline_text],
                                            help_text="未开展评价的，说明情况，由人社部门决定是否延长 [004 §4(4)]")
    commissioned_evaluations = models.BooleanField("是否开展委托评价", null=True, blank=True)
    commissioned_details = models.TextField("开展委托评价情况", blank=True, validators=[validate_multiline_text])
    certs_apprentice = count_field("学徒工")
    certs_level5 = count_field("初级")
    certs_level4 = count_field("中级")
    certs_level3 = count_field("高级")
    certs_level2 = count_field("技师")
    certs_level1 = count_field("高级技师")
    certs_principal = count_field("特级技师")
    certs_chief = count_field("首席技师")
    certs_uploaded = count_field("已上国网人次", help_text="已上传全国证书查询系统的证书人次 [004 附件2 3.5]")
    certified_holders = count_field("技能人员持证总数（人）", default=None, null=True, blank=True)
    employees = count_field("职工总数（人）", default=None, null=True, blank=True)
    wants_to_continue = models.BooleanField("是否愿意继续开展职业技能等级认定", null=True, blank=True)
    pledge_signed_at = models.DateTimeField("承诺时间", null=True, blank=True)
    pledge_signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")

    # ----- computed scores (never typed) ----------------------------------------------------
    self_total = models.DecimalField("自评总分", max_digits=6, decimal_places=1, default=0)
    self_vetoed = models.BooleanField("自评一票否决", default=False)
    review_total = models.DecimalField("评审总分", max_digits=6, decimal_places=1, null=True, blank=True)
    review_vetoed = models.BooleanField("评审一票否决", default=False)

    # ----- the process ----------------------------------------------------------------------
    submitted_on = models.DateField("提交日期", null=True, blank=True)
    pre_review_opinion = models.TextField("初审意见", blank=True, validators=[validate_multiline_text])
    outcome = models.CharField("评估结果", max_length=10, choices=Outcome.choices, blank=True)
    decision_reasons = models.TextField("审定意见", blank=True, validators=[validate_multiline_text])
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_on = models.DateField("审定日期", null=True, blank=True)
    notice_ends_on = models.DateField("公示截止", null=True, blank=True)
    closed_on = models.DateField("结果生效日期", null=True, blank=True)
    # A failed renewal takes effect at expiry [000 §5, 004 §4(2)]; then the rectification clock runs.
    consequence_on = models.DateField("不通过处理生效日", null=True, blank=True)
    consequence_applied_on = models.DateField("不通过处理执行日", null=True, blank=True)
    rectification_due = models.DateField("整改期限", null=True, blank=True)
    last_comment = models.TextField("最近意见", blank=True, validators=[validate_multiline_text])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "期满评估"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "notice_ends_on"], name="renewal_due_notice"),
            models.Index(fields=["state", "consequence_on"], name="renewal_due_consequence"),
            models.Index(fields=["filing", "expires_on", "state"], name="renewal_by_period"),
        ]
        constraints = [
            *[models.CheckConstraint(condition=Q(**{f"{f}__lte": MAX_COUNT}), name=f"renewal_{f}_at_most_a_million")
              for f in ("certs_apprentice", "certs_level5", "certs_level4", "certs_level3", "certs_level2",
                        "certs_level1", "certs_principal", "certs_chief", "certs_uploaded", "certified_holders",
                        "employees")],
            models.CheckConstraint(
                condition=Q(certs_uploaded__lte=F("certs_apprentice") + F("certs_level5") + F("certs_level4")
                            + F("certs_level3") + F("certs_level2") + F("certs_level1") + F("certs_principal")
                            + F("certs_chief")),
                name="renewal_uploaded_at_most_issued"),
            models.CheckConstraint(condition=Q(certified_holders__isnull=True) | Q(employees__isnull=True)
                                   | Q(certified_holders__lte=F("employees")),
                                   name="renewal_holders_at_most_employees"),
        ]

    def __str__(self):
        label = "复评" if self.round > 1 else "期满评估"
        return f"{self.agency.name} {label}（有效期至 {self.expires_on:%Y-%m-%d}）"

    def clean(self):
        """[004 Annex 1] counts that contradict each other are refused, not stored and flagged later."""
        errors = {}
        if self.certs_uploaded and self.certs_uploaded > self.certs_issued:
            errors["certs_uploaded"] = f"已上国网人次不能多于本期发证人次合计（{self.certs_issued}）。"
        if self.certified_holders is not None and self.employees is not None \
                and self.certified_holders > self.employees:
            errors["certified_holders"] = "持证人数不能多于职工总数。"
        if errors:
            raise ValidationError(errors)

    # ----- facts ------------------------------------------------------------------------------
    CERT_FIELDS = ("certs_apprentice", "certs_level5", "certs_level4", "certs_level3", "certs_level2",
                   "certs_level1", "certs_principal", "certs_chief")

    @property
    def certs_issued(self) -> int:
        """已发证人次: the sum of the certificates issued this period per level [004 Annex 1]."""
        return sum(getattr(self, f) for f in self.CERT_FIELDS)

    @property
    def certified_share(self) -> Decimal | None:
        """技能人员持证比例, computed from its two counts, never typed [004 Annex 1]."""
        return _percent(self.certified_holders, self.employees)

    @property
    def upload_share(self) -> Decimal | None:
        return _percent(min(self.certs_uploaded, self.certs_issued), self.certs_issued)

    @property
    def is_editable(self) -> bool:
        return self.state in (S.DRAFT, S.RETURNED)

    @property
    def is_central_branch(self) -> bool:
        return self.agency.ownership == Ownership.CENTRAL

    def required_attachments(self) -> list[str]:
        """[004 §3(2)]: the legal-entity certificate; central-enterprise branches add two letters."""
        types = [AttachmentType.LICENCE]
        if self.is_central_branch:
            types += [AttachmentType.PARENT_CONFIRMATION, AttachmentType.MINISTRY_LETTER]
        if self.entity_changed:
            types.append(AttachmentType.ENTITY_CHANGE)
        return types

    def application_problems(self) -> list[str]:
        """Everything the Annex 1 form still lacks, listed at once."""
        p = []
        for field in ("contact_name", "contact_phone", "address"):
            if not getattr(self, field).strip():
                p.append(f"尚未填写{self._meta.get_field(field).verbose_name}")
        for field in ("entity_changed", "credit_good", "evaluations_carried_out", "commissioned_evaluations",
                      "wants_to_continue"):
            if getattr(self, field) is None:
                p.append(f"尚未选择“{self._meta.get_field(field).verbose_name}”")
        if self.entity_changed and not self.entity_change_items.strip():
            p.append("主体资质有变更的，须写明变更项")
        if self.credit_good is False and not self.credit_problems.strip():
            p.append("信用存在问题的，须说明问题")
        if self.evaluations_carried_out is False and not self.no_evaluation_reason.strip():
            p.append("未开展认定工作的，须说明原因 [004 §4(4)]")
        if self.commissioned_evaluations and not self.commissioned_details.strip():
            p.append("开展委托评价的，须说明情况")
        if self.certified_holders is None or not self.employees:
            p.append("尚未填写技能人员持证人数和职工总数")
        elif self.certified_holders > self.employees:
            p.append("持证人数不能多于职工总数")
        if self.certs_uploaded > self.certs_issued:
            p.append("已上国网人次不能多于发证人次")
        return p

    def self_assessment_problems(self) -> list[str]:
        if self.evaluations_carried_out is False:
            return []  # nothing to score: the authority decides on the explanation [004 §4(4)]
        scored = {s.item_id for s in self.scores.all() if s.self_value is not None}
        return [f"评估项 {i.code} 尚未自评" for i in self.rubric.items.all()
                if self.judged_by_hand(i) and i.pk not in scored]

    def attachment_problems(self) -> list[str]:
        present = set(self.attachments.values_list("type", flat=True))
        return [f"缺少材料：{AttachmentType(t).label}" for t in self.required_attachments() if t not in present]

    def completeness_problems(self) -> list[str]:
        p = self.application_problems() + self.self_assessment_problems() + self.attachment_problems()
        if self.pledge_signed_at is None:
            p.append("尚未签署承诺：填写内容、申请材料真实有效")
        return p

    def is_complete(self) -> bool:
        return not self.completeness_problems()

    def panel_assigned(self) -> bool:
        return self.panel.count() >= PolicyProfile.active().min_experts

    def review_problems(self) -> list[str]:
        p = [f"专家 {a.expert} 尚未提交评审意见" for a in self.panel.select_related("expert") if not a.submitted_at]
        if self.evaluations_carried_out is not False:
            reviewed = {s.item_id for s in self.scores.all() if s.review_value is not None}
            p += [f"评估项 {i.code} 尚无评审得分" for i in self.rubric.items.all()
                  if self.judged_by_hand(i) and i.pk not in reviewed]
        return p

    def review_complete(self) -> bool:
        return not self.review_problems()

    def meets_pass_mark(self) -> bool:
        """[000 §4, 004 §3(4)] the reviewers' total reaches the pass mark with no one-vote veto; an
        agency that did no evaluations is decided on its explanation instead [004 §4(4)]."""
        if self.review_vetoed:
            return False
        if self.evaluations_carried_out is False:
            return True
        return self.review_total is not None and self.review_total >= PolicyProfile.active().pass_mark

    # ----- scoring -----------------------------------------------------------------------------
    def computed_points(self, item: RubricItem) -> Decimal | None:
        """Item 3.5 from the certificate counts, item 4.3 from the complaint records (full marks when
        every question the bureau put to the agency about a complaint was answered in time, 0 when one
        was not); None for every other item, for 3.5 when no certificate was issued this period (0 of
        0 is no share at all) and for 4.3 when no complaint asked the agency anything
        [004 Annex 2 3.5, 4.3]."""
        if item.kind == RubricItem.Kind.UPLOAD_RATIO:
            return upload_ratio_points(self.certs_issued, self.certs_uploaded, item.max_score)
        if item.kind == RubricItem.Kind.COMPLAINT_RECORDS:
            answered = self.complaints_answered_in_time()
            return None if answered is None else (item.max_score if answered else ZERO)
        return None

    def complaints_answered_in_time(self) -> bool | None:
        """What the complaint records say of the agency in this validity period [004 Annex 2 4.3]:
        read once per instance (every item check asks)."""
        if "_complaints_answered" not in self.__dict__:
            from assessments import complaint_records
            since, until = complaint_records.period(self)
            self.__dict__["_complaints_answered"] = complaint_records.answered_in_time(self.agency_id, since, until)
        return self.__dict__["_complaints_answered"]

    def judged_by_hand(self, item: RubricItem) -> bool:
        """A person gives `item` its value: every item but 3.5 and 4.3, and those too when their
        records say nothing (no certificate issued; no complaint asked the agency to answer) — then
        the agency's and the reviewers' judgement stands, each with its reason [004 Annex 2 3.5, 4.3]."""
        return item.entered_by_hand or self.computed_points(item) is None

    def recompute_totals(self) -> None:
        """Totals and vetoes from the item scores; item 3.5 from the certificate counts and 4.3 from
        the complaint records, or as judged when their records say nothing [004 Annex 2]."""
        items = list(self.rubric.items.all())
        scores = {s.item_id: s for s in self.scores.all()}
        self_total = review_total = ZERO
        self_veto = review_veto = False
        reviewed_any = False
        for item in items:
            score = scores.get(item.pk)
            ratio = self.computed_points(item)
            if ratio is not None:
                self_total += ratio
                review_total += ratio
                continue
            if score is None:
                continue
            self_total += item.points(score.self_value)
            review_total += item.points(score.review_value)
            reviewed_any = reviewed_any or score.review_value is not None
            if item.kind == RubricItem.Kind.VETO:
                self_veto = self_veto or score.self_value == 1
                review_veto = review_veto or score.review_value == 1
        self.self_total = max(self_total, ZERO)
        self.self_vetoed = self_veto
        self.review_total = max(review_total, ZERO) if reviewed_any else None
        self.review_vetoed = review_veto

    # ----- transitions [SPEC §4.2] ------------------------------------------------------------
    @transition(field=state, source=[S.DRAFT, S.RETURNED], target=RETURN_VALUE(S.PRE_REVIEW, S.ACCEPTED),
                conditions=[is_complete], permission=perm.is_agency_member)
    def submit(self, today: datetime.date):
        """Routed as filings are: central and municipal SOEs straight to the city, district enterprises
        and city associations through their district or industry department [000 §4(1)]."""
        self.route = self.filing.route or Route.CITY
        self.region_id = self.filing.region_id
        self.industry_department_id = self.filing.industry_department_id
        self.submitted_on = today
        return S.ACCEPTED if self.route == Route.CITY else S.PRE_REVIEW

    @transition(field=state, source=S.PRE_REVIEW, target=S.ACCEPTED, permission=perm.is_pre_reviewer)
    def forward(self, today: datetime.date):
        """初评: the district or industry department forwards with its opinion [000 §4(1)]."""

    @transition(field=state, source=S.PRE_REVIEW, target=S.RETURNED, permission=perm.is_pre_reviewer)
    def return_to_agency(self, today: datetime.date):
        """Returned for correction, with reasons."""

    @transition(field=state, source=S.ACCEPTED, target=S.EXPERT_REVIEW, conditions=[panel_assigned],
                permission=perm.is_city_reviewer)
    def start_expert_review(self, today: datetime.date):
        """Expert evaluation: document review, hearing a report, site check [000 §4(2), 004 §3(3)]."""

    @transition(field=state, source=S.EXPERT_REVIEW, target=S.DECIDING, conditions=[review_complete],
                permission=perm.is_city_reviewer)
    def conclude_expert_review(self, today: datetime.date):
        """Every expert has given an opinion and every item has the reviewers' score."""

    @transition(field=state, source=S.DECIDING, target=S.NOTICE, conditions=[meets_pass_mark],
                permission=perm.is_city_reviewer)
    def decide_pass(self, today: datetime.date):
        """评估通过, approved by the bureau, then published [000 §4(3)]."""
        self.outcome, self.decided_on = Outcome.PASS, today

    @transition(field=state, source=S.DECIDING, target=S.NOTICE, permission=perm.is_city_reviewer)
    def decide_fail(self, today: datetime.date):
        """评估不通过, with reasons, then published [000 §4(3)]."""
        self.outcome, self.decided_on = Outcome.FAIL, today

    def objections_settled(self) -> bool:
        """No objection to the latest notice of this result is pending or was upheld [001 §3(3)]."""
        item = (NoticeItem.objects.filter(filing_id=self.filing_id, notice__purpose="renewal")
                .order_by("-pk").first())
        return item is None or not item.objections.filter(
            state__in=[Objection.State.PENDING, Objection.State.UPHELD]).exists()

    @transition(field=state, source=S.NOTICE, target=S.EXPERT_REVIEW, permission=perm.is_city_reviewer)
    def reopen_review(self, today: datetime.date):
        """An objection to the published result was upheld: back to review, the result withdrawn
        [001 §3(3), 000 §4(3)]."""
        self.outcome, self.decided_on, self.notice_ends_on = "", None, None

    @transition(field=state, source=S.NOTICE, target=RETURN_VALUE(S.PASSED, S.FAILED),
                conditions=[objections_settled])
    def close_notice(self, today: datetime.date):
        """The notice of results ran its course: the result takes effect [000 §4(3), 000 §5]."""
        self.closed_on = today
        return S.PASSED if self.outcome == Outcome.PASS else S.FAILED

    @transition(field=state, source=[S.DRAFT, S.RETURNED, S.PRE_REVIEW, S.ACCEPTED, S.EXPERT_REVIEW],
                target=S.WITHDRAWN, permission=perm.is_agency_member)
    def withdraw(self, today: datetime.date):
        """Withdrawn during evaluation: renewal abandoned, the filing ends at expiry [000 §5]."""
        self.closed_on = today


class ItemScore(models.Model):
    """One rubric item of one assessment: the agency's value and the reviewers' value side by side.
    A value means points for scored items, the number of verified incidents for deductions, and
    1 (是) / 0 (否) for vetoes; `RubricItem.points` turns it into points."""

    assessment = models.ForeignKey(RenewalAssessment, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(RubricItem, on_delete=models.PROTECT, related_name="+")
    self_value = models.DecimalField("自评", max_digits=5, decimal_places=1, null=True, blank=True)
    self_note = models.TextField("自评说明", blank=True, validators=[validate_multiline_text])
    review_value = models.DecimalField("评审", max_digits=5, decimal_places=1, null=True, blank=True)
    review_note = models.TextField("评审说明", blank=True, validators=[validate_multiline_text])
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "评估项得分"
        ordering = ["item__order", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="one_score_per_item"),
            # The item's own bound (its maximum, its deduction cap) is checked in clean(); the database
            # keeps every value on the rubric's 100-point scale whatever path wrote it.
            models.CheckConstraint(condition=Q(self_value__isnull=True) | Q(self_value__gte=0, self_value__lte=SCALE),
                                   name="item_score_self_value_on_the_scale"),
            models.CheckConstraint(condition=Q(review_value__isnull=True)
                                   | Q(review_value__gte=0, review_value__lte=SCALE),
                                   name="item_score_review_value_on_the_scale"),
        ]

    def clean(self):
        """Each value within what its rubric item can mean: 0 to the item's maximum for scores, at most
        `RubricItem.max_deductions` verified incidents for deductions, 是/否 for vetoes [004 Annex 2]."""
        errors = {}
        for side in ("self_value", "review_value"):
            value = getattr(self, side)
            if value is None:
                continue
            try:
                self.item.check_value(value, judged=self.assessment.judged_by_hand(self.item))
            except ValidationError as exc:
                errors[side] = exc.messages
        if errors:
            raise ValidationError(errors)


def attachment_path(instance, filename):
    return f"renewals/{instance.assessment_id}/{instance.sha256[:16]}"


class Attachment(StoredFile):
    """A renewal material or an item's evidence, stored outside any public path, never deleted."""

    assessment = models.ForeignKey(RenewalAssessment, on_delete=models.PROTECT, related_name="attachments")
    type = models.CharField("类型", max_length=30, choices=AttachmentType.choices)
    item = models.ForeignKey(RubricItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=attachment_path, max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "评估材料"
        ordering = ["type", "uploaded_at"]

    def __str__(self):
        return f"{self.get_type_display()}：{self.original_name}"


class PanelMember(models.Model):
    """One expert on a renewal panel, with the methods used and their opinion [000 §4(2), 004 §3(3)]."""

    assessment = models.ForeignKey(RenewalAssessment, on_delete=models.CASCADE, related_name="panel")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="专家", on_delete=models.PROTECT,
                               related_name="renewal_assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    document_reviewed = models.BooleanField("资料审阅", default=False)
    report_heard = models.BooleanField("听取汇报", default=False)
    site_checked = models.BooleanField("现场核查", default=False)
    opinion = models.TextField("专家意见", blank=True, validators=[validate_multiline_text])
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评估专家"
        ordering = ["assigned_at", "id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "expert"], name="one_renewal_seat_per_expert")]

    def __str__(self):
        return f"{self.expert} · {self.assessment}"


class WrapUp(models.Model):
    """收尾工作 after a failed renewal under an exit policy [004 §4(2)]: one row per task."""

    assessment = models.ForeignKey(RenewalAssessment, on_delete=models.CASCADE, related_name="wrap_up")
    task = models.CharField("收尾事项", max_length=20, choices=WrapUpTask.choices)
    done_on = models.DateField("完成日期", null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    note = models.TextField("说明", blank=True, validators=[validate_multiline_text])

    class Meta:
        verbose_name = verbose_name_plural = "收尾事项"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "task"], name="wrap_up_task_once")]


class RenewalReminder(models.Model):
    """One reminder of one kind for one validity period of one filing: the unique constraint makes the
    sweep's INSERT … SELECT idempotent, so each filing is told exactly once per window [000 §3, 004 §3(1)]."""

    class Kind(models.TextChoices):
        WINDOW = "window", _("进入期满评估申请期")
        LATEST = "latest", _("最迟申请日")

    # No single-column indexes beyond `run`: the unique constraint leads with the filing, and the
    # backlog run inserts tens of thousands of rows at once (every index costs there).
    filing = models.ForeignKey("filings.Filing", on_delete=models.CASCADE, related_name="renewal_reminders",
                               db_index=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Who was told, as of the reminder: copied from the filing so that the notifications of a run join
    # the reminders to the users directly (a hash join), without going back through the filings.
    agency = models.ForeignKey("filings.Agency", null=True, on_delete=models.CASCADE, related_name="+",
                               db_index=False)
    region = models.ForeignKey("portal.Region", null=True, on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    route = models.CharField(max_length=10, blank=True)
    industry_department = models.ForeignKey("portal.IndustryDepartment", null=True, on_delete=models.PROTECT,
                                            related_name="+", db_index=False)
    window_valid_until = models.DateField("所属有效期至")
    run = models.CharField(max_length=32, db_index=True, help_text="the sweep run that created it")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "期满提醒"
        constraints = [models.UniqueConstraint(fields=["filing", "kind", "window_valid_until"],
                                               name="renewal_reminder_once")]
