"""Evaluation batches (认定批次): the plan filed ahead, its candidates, results and reports [SPEC §6].

One `EvaluationBatch` is one batch of one agency under one filing in force. Its groups
(`BatchGroup`, one occupation × level) carry the modules' dates and places, the candidates and
staff hang off the batch. The state changes only through the transitions below (the machine is
`supervision.services.batches.MACHINE`); every rule a plan must meet is `plan_problems`, which
the submit and approve transitions both check, whatever path calls them [003 §15].
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from filings.choices import AgencyKind, FilingState
from portal.models import ENTERPRISE_ONLY_LEVELS, Occupation, PolicyProfile, Region, SkillLevel, StoredFile
from portal.text import validate_multiline_text, validate_text
from portal.transitions import TimeLimits, TransitionRefused
from portal.workdays import add_workdays

from supervision import idcard
from supervision.permissions import batches as perm

__all__ = ["BatchState", "EvaluationBatch", "BatchGroup", "BatchModule", "BatchStaff", "Candidate",
           "BatchDocument", "CITY_LEVELS", "PAPER_YEARS", "ELECTRONIC_YEARS"]

# 技师、高级技师 batches are also filed with the city [003 §15(1)].
CITY_LEVELS = frozenset({SkillLevel.LEVEL_2, SkillLevel.LEVEL_1})
# Archives: paper at least 3 years, electronic and video at least 5 [002 §19, 003 §16].
PAPER_YEARS, ELECTRONIC_YEARS = 3, 5
# Who an enterprise may evaluate [003 §13]; a school evaluates its students [003 §2].
ENTERPRISE_RELATIONS = ("staff", "dispatched", "outsourced", "school_student", "entrusted")


class BatchState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("计划已报备，待审核")
    CITY_REVIEW = "city_review", _("待市级备案")
    RETURNED = "returned", _("已退回修改")
    APPROVED = "approved", _("计划已备案，待实施")
    PUBLICITY = "publicity", _("结果公示中")
    REPORT_OVERDUE = "report_overdue", _("结果报备逾期")
    REPORTED = "reported", _("结果已报备")
    CANCELLED = "cancelled", _("已撤销")


S = BatchState
# States whose batch counts as carried out (the exam took place) [003 §22 ground 2].
CARRIED_OUT = (S.PUBLICITY, S.REPORT_OVERDUE, S.REPORTED)


def _has_groups(batch) -> bool:
    return batch.pk is not None and batch.groups.exists() and batch.first_exam_on is not None


def _has_results(batch) -> bool:
    return batch.candidates.exists() and not batch.candidates.filter(passed__isnull=True).exists()


class EvaluationBatch(TimeLimits, ConcurrentTransitionMixin, models.Model):
    """认定批次 [003 §15]."""

    # The result report is due 10 working days after the publicity; once passed the batch is
    # flagged overdue, whether the sweep runs first or the agency acts first [003 §15(3)].
    TIME_LIMITS = (("flag_overdue", S.PUBLICITY, "report_due"),)

    number = models.CharField("批次编号", max_length=30, unique=True, null=True, blank=True)
    agency = models.ForeignKey("filings.Agency", verbose_name="评价机构", on_delete=models.PROTECT,
                               related_name="batches")
    filing = models.ForeignKey("filings.Filing", verbose_name="备案", on_delete=models.PROTECT, related_name="batches")
    title = models.CharField("批次名称", max_length=100, validators=[validate_text])
    venue = models.CharField("考核地点", max_length=200, validators=[validate_text])
    venue_region = models.ForeignKey(Region, verbose_name="考核地点所在区县", on_delete=models.PROTECT,
                                     related_name="+")
    state = FSMField("状态", max_length=20, choices=S.choices, default=S.DRAFT, protected=True, db_index=True)
    first_exam_on = models.DateField("首个考核日", null=True, blank=True, db_index=True)
    last_exam_on = models.DateField("末个考核日", null=True, blank=True, db_index=True)
    needs_city = models.BooleanField("需报市级备案", default=False)
    submitted_on = models.DateField("报备日期", null=True, blank=True)
    submitted_at = models.DateTimeField("报备时间", null=True, blank=True)
    district_approved_on = models.DateField("区县审核日期", null=True, blank=True)
    approved_on = models.DateField("计划备案日期", null=True, blank=True)
    publicity_starts_on = models.DateField("公示开始", null=True, blank=True)
    publicity_ends_on = models.DateField("公示截止", null=True, blank=True)
    report_due = models.DateField("结果报备截止", null=True, blank=True, db_index=True)
    reported_on = models.DateField("结果报备日期", null=True, blank=True)
    reported_late = models.BooleanField("逾期报备", default=False)
    last_comment = models.TextField("最近意见", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "认定批次"
        ordering = ["-first_exam_on", "-pk"]

    def __str__(self):
        return f"{self.number or '（草稿）'} {self.title}"

    # ----- derived -------------------------------------------------------------------------
    @property
    def levels(self) -> set[int]:
        return {g.level for g in self.groups.all()}

    @property
    def paper_keep_until(self) -> datetime.date | None:
        """纸质档案保存至 [003 §16]: three years from the last exam day."""
        return _years_after(self.last_exam_on, PAPER_YEARS)

    @property
    def electronic_keep_until(self) -> datetime.date | None:
        """电子、影像材料保存至 [003 §16]: five years from the last exam day."""
        return _years_after(self.last_exam_on, ELECTRONIC_YEARS)

    def refresh_exam_dates(self) -> None:
        days = [timezone.localtime(m.starts_at).date() for m in BatchModule.objects.filter(group__batch=self)]
        self.first_exam_on = min(days) if days else None
        self.last_exam_on = max(days) if days else None

    # ----- the rules a plan meets [003 §15, §13, §7, §8, 002 §30] ------------------------------
    def plan_problems(self, today: datetime.date, *, lead_time: bool = True) -> list[str]:
        """Every reason this plan may not be filed or approved today, each naming its rule and row."""
        out: list[str] = []
        filing, agency = self.filing, self.agency
        policy = PolicyProfile.active()
        if filing.agency_id != agency.pk:
            out.append(_("所选备案不属于本机构"))
        if filing.state != FilingState.ACTIVE:
            out.append(_("备案状态为“%(state)s”，只有处于已备案状态（未暂停、未整改）的机构可开展认定 [002 §30]")
                       % {"state": filing.get_state_display()})
        if filing.valid_until and self.last_exam_on and self.last_exam_on > filing.valid_until:
            out.append(_("考核日期超出备案有效期（至 %(d)s）[002 §14]") % {"d": filing.valid_until})
        if agency.pk in _rectifying_agencies():
            out.append(_("本机构有未整改完毕的整改通知，整改期间不得开展认定 [002 §30]"))
        if not self.groups.exists():
            out.append(_("批次尚未填写职业（工种）及等级"))
        if self.first_exam_on is None:
            out.append(_("批次尚未填写考核模块的时间地点"))
        elif lead_time:
            lead = policy.batch_plan_lead_workdays or 10
            earliest = add_workdays(today, lead)
            if self.first_exam_on < earliest:
                out.append(_("批次计划须提前 %(n)s 个工作日报备：%(today)s 报备的，首个考核日最早为 %(d)s [003 §15(1)]")
                           % {"n": lead, "today": today, "d": earliest})
        if filing.pilot and filing.pilot_until and self.first_exam_on and self.first_exam_on <= filing.pilot_until \
                and not filing.region.contains(self.venue_region):
            out.append(_("试点期内只能在登记注册地（%(r)s）开展认定 [003 §7]") % {"r": filing.region.name})
        scope = {s.occupation_id: s for s in filing.scope.all()}
        minimum = policy.min_examiners_per_level or 5
        staff = list(self.staff.all())
        examiners = [s for s in staff if s.role == BatchStaff.Role.EXAMINER]
        candidate_ids = set(self.candidates.values_list("id_number", flat=True))
        for n, group in enumerate(self.groups.select_related("occupation").order_by("pk"), start=1):
            row = _("第 %(n)s 组（%(g)s）") % {"n": n, "g": group}
            item = scope.get(group.occupation_id)
            if item is None or not (item.level_from <= group.level <= item.level_to):
                out.append(_("%(row)s：不在备案的职业（工种）及等级范围内 [003 §15(1)]") % {"row": row})
            if group.level in ENTERPRISE_ONLY_LEVELS and agency.kind != AgencyKind.ENTERPRISE:
                out.append(_("%(row)s：该等级仅限用人单位开展评价 [003 §5]") % {"row": row})
            if not group.modules.exists():
                out.append(_("%(row)s：尚未填写考核模块（理论、技能等）的时间地点") % {"row": row})
            qualified = [e for e in examiners if e.occupation_id == group.occupation_id
                         and (e.level or 0) >= group.level and e.certificate_valid_on(self.last_exam_on)]
            if len({e.name for e in qualified}) < minimum:
                out.append(_("%(row)s：本机构考评员不足 %(n)s 名（证书须在考核日有效）[003 §8(4)]")
                           % {"row": row, "n": minimum})
        for s in examiners:
            if s.examiner_id is None or s.examiner.filing_id != filing.pk:
                out.append(_("考评员 %(name)s 不是本机构备案的考评人员 [003 §8(4)]") % {"name": s.name})
            if not s.certificate_valid_on(self.last_exam_on):
                out.append(_("考评员 %(name)s 的证书在考核日已过期") % {"name": s.name})
            if s.id_number and s.id_number in candidate_ids:
                out.append(_("考评员 %(name)s 同时是本批次的参评人员，须回避") % {"name": s.name})
        for role in (BatchStaff.Role.PROCTOR, BatchStaff.Role.SUPERVISOR):
            if not any(s.role == role for s in staff):
                out.append(_("尚未安排%(role)s [003 §15(1)]") % {"role": BatchStaff.Role(role).label})
        if not candidate_ids:
            out.append(_("尚未导入参加认定人员名单 [003 §15(1)]"))
        if agency.kind in (AgencyKind.ENTERPRISE, AgencyKind.SCHOOL):
            allowed = ENTERPRISE_RELATIONS if agency.kind == AgencyKind.ENTERPRISE else ("school_student",)
            for c in self.candidates.exclude(relation__in=allowed).order_by("row_no")[:20]:
                out.append(_("名单第 %(row)s 行 %(name)s：%(kind)s只能评价本单位人员（%(rel)s不符）[003 §13]")
                           % {"row": c.row_no, "name": c.name, "kind": agency.get_kind_display(),
                              "rel": c.get_relation_display()})
        return [str(x) for x in out]

    def assert_plannable(self, today: datetime.date) -> None:
        if problems := self.plan_problems(today):
            raise TransitionRefused(_("批次计划不符合规定：") + "；".join(problems))

    # ----- transitions [003 §15] ------------------------------------------------------------
    @transition(field=state, source=[S.DRAFT, S.RETURNED], target=S.SUBMITTED, conditions=[_has_groups],
                permission=perm.is_agency_member)
    def submit(self, today: datetime.date):
        """计划报备 at least 10 working days before the first exam day [003 §15(1)]."""
        self.assert_plannable(today)
        self.needs_city = bool(self.levels & CITY_LEVELS) and self.filing.managing_level != "city"
        self.submitted_on, self.submitted_at = today, timezone.now()
        if not self.number:
            self.number = f"PC{today:%Y}{self.pk:06d}"

    @transition(field=state, source=S.SUBMITTED, target=RETURN_VALUE(S.CITY_REVIEW, S.APPROVED),
                permission=perm.is_local_reviewer)
    def approve(self, today: datetime.date):
        """The local authority files the plan; 技师、高级技师 go on to the city [003 §15(1)]."""
        self.assert_still_open(today)
        self.district_approved_on = today
        if self.needs_city:
            return S.CITY_REVIEW
        self.approved_on = today
        return S.APPROVED

    @transition(field=state, source=S.CITY_REVIEW, target=S.APPROVED, permission=perm.is_city_reviewer)
    def city_approve(self, today: datetime.date):
        """[003 §15(1)] 技师、高级技师等级由市人力资源社会保障部门备案."""
        self.assert_still_open(today)
        self.approved_on = today

    @transition(field=state, source=[S.SUBMITTED, S.CITY_REVIEW], target=S.RETURNED,
                permission=perm.is_reviewer_now)
    def return_plan(self, today: datetime.date):
        """Back to the agency to correct and file again (the lead time counts again)."""

    @transition(field=state, source=[S.DRAFT, S.RETURNED, S.SUBMITTED, S.CITY_REVIEW, S.APPROVED],
                target=S.CANCELLED, permission=perm.is_agency_member)
    def cancel(self, today: datetime.date):
        """The agency calls the batch off before the exam."""
        if self.first_exam_on and self.first_exam_on <= today and self.state == S.APPROVED:
            raise TransitionRefused(_("考核已开始，不能撤销批次"))

    @transition(field=state, source=S.APPROVED, target=S.PUBLICITY, conditions=[_has_results],
                permission=perm.is_agency_member)
    def publish_results(self, today: datetime.date):
        """结果公示, at least 7 days; the report is due 10 working days after it ends [003 §15(3)]."""
        if self.last_exam_on is None or self.last_exam_on > today:
            raise TransitionRefused(_("考核结束后才能公示结果（末个考核日 %(d)s）") % {"d": self.last_exam_on})
        policy = PolicyProfile.active()
        days = max(policy.result_publicity_days or 7, 7)
        self.publicity_starts_on = today
        self.publicity_ends_on = today + datetime.timedelta(days=days - 1)
        self.report_due = add_workdays(self.publicity_ends_on, policy.result_report_workdays or 10)

    @transition(field=state, source=[S.PUBLICITY, S.REPORT_OVERDUE], target=S.REPORTED,
                permission=perm.is_agency_member)
    def report(self, today: datetime.date):
        """结果报备: the summary and the certificate sheet, after a publicity of 7 days [003 §15(3)]."""
        if self.publicity_ends_on is None or today <= self.publicity_ends_on:
            raise TransitionRefused(_("结果公示期（不少于 7 天，至 %(d)s）届满后才能报备 [003 §15(3)]")
                                    % {"d": self.publicity_ends_on})
        if problems := self.certificate_problems():
            raise TransitionRefused(_("合格人员证书信息表有误：") + "；".join(problems))
        if pending := self.pending_objections():
            # The notices are silent; a bureau expects the publicised result answered before it is
            # reported (docs/batches.md): a pending objection holds the report.
            raise TransitionRefused(_("公示期间收到的 %(n)s 件异议尚未答复，答复后才能报备结果 [003 §15(3)]")
                                    % {"n": pending})
        self.reported_on = today
        self.reported_late = self.state == S.REPORT_OVERDUE or (self.report_due is not None and today > self.report_due)

    @transition(field=state, source=S.PUBLICITY, target=S.REPORT_OVERDUE)
    def flag_overdue(self, today: datetime.date):
        """The system: the report was not in within 10 working days [003 §15(3)]."""

    def pending_objections(self) -> int:
        """异议 taken on the result notice and not yet answered [003 §15(3)]."""
        from .batch_oversight import BatchObjection

        if self.pk is None:
            return 0
        return self.objections.filter(state=BatchObjection.State.PENDING).count()

    def open_for_objection(self, today: datetime.date) -> bool:
        """Objections are taken on the result notice while its publicity runs [003 §15(3)]."""
        return (self.state == S.PUBLICITY and self.publicity_starts_on is not None
                and self.publicity_starts_on <= today <= self.publicity_ends_on)

    def assert_still_open(self, today: datetime.date) -> None:
        if self.first_exam_on and self.first_exam_on <= today:
            raise TransitionRefused(_("首个考核日（%(d)s）已到，计划不能再备案") % {"d": self.first_exam_on})
        if problems := self.plan_problems(today, lead_time=False):
            raise TransitionRefused(_("批次计划不符合规定：") + "；".join(problems))

    def certificate_problems(self) -> list[str]:
        """[003 §15(3)] every passed candidate has a certificate number, unique in the portal, and
        only passed candidates of the batch's groups have one."""
        out = []
        rows = list(self.candidates.select_related("group__occupation").order_by("row_no"))
        for c in rows:
            if c.passed and not c.certificate_no:
                out.append(_("第 %(r)s 行 %(n)s：合格人员缺少证书编号") % {"r": c.row_no, "n": c.name})
            if not c.passed and c.certificate_no:
                out.append(_("第 %(r)s 行 %(n)s：不合格人员不应有证书编号") % {"r": c.row_no, "n": c.name})
        numbers = [c.certificate_no for c in rows if c.certificate_no]
        taken = set(Candidate.objects.filter(certificate_no__in=numbers).exclude(batch=self)
                    .values_list("certificate_no", flat=True))
        for c in rows:
            if c.certificate_no in taken:
                out.append(_("第 %(r)s 行：证书编号 %(c)s 已在其他批次使用") % {"r": c.row_no, "c": c.certificate_no})
        return [str(x) for x in out]


def _years_after(day: datetime.date | None, years: int) -> datetime.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _rectifying_agencies() -> set[int]:
    """Agencies under an open rectification order [002 §30]."""
    from supervision.selectors.inspections import agencies_rectifying

    return set(agencies_rectifying())


class BatchGroup(models.Model):
    """One occupation (work type) at one level within a batch."""

    batch = models.ForeignKey(EvaluationBatch, on_delete=models.CASCADE, related_name="groups")
    occupation = models.ForeignKey(Occupation, verbose_name="职业（工种）", on_delete=models.PROTECT)
    level = models.PositiveSmallIntegerField("等级", choices=SkillLevel.choices)

    class Meta:
        verbose_name = verbose_name_plural = "批次职业等级"
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["batch", "occupation", "level"], name="batch_group_unique")]

    def __str__(self):
        return f"{self.occupation.name} {SkillLevel(self.level).label}"


class BatchModule(models.Model):
    """A module's date, time and place (理论知识、操作技能、综合评审等) [003 §15(1)]."""

    class Kind(models.TextChoices):
        THEORY = "theory", _("理论知识考试")
        PRACTICAL = "practical", _("操作技能考核")
        OTHER = "other", _("其他（综合评审等）")

    group = models.ForeignKey(BatchGroup, on_delete=models.CASCADE, related_name="modules")
    kind = models.CharField("考核模块", max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    place = models.CharField("地点", max_length=200, validators=[validate_text])

    class Meta:
        verbose_name = verbose_name_plural = "考核模块安排"
        ordering = ["starts_at"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="module_ends_after")]


class BatchStaff(models.Model):
    """Proctors, examiners and quality supervisors by name [003 §15(1)]; an examiner is one of the
    filing's own examiners, with the certificate valid on the exam days [003 §8(4)]."""

    class Role(models.TextChoices):
        PROCTOR = "proctor", _("监考员")
        EXAMINER = "examiner", _("考评员")
        SUPERVISOR = "supervisor", _("质量督导员")

    batch = models.ForeignKey(EvaluationBatch, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField("岗位", max_length=20, choices=Role.choices)
    name = models.CharField("姓名", max_length=50, validators=[validate_text])
    id_number = models.CharField("身份证号码", max_length=18, blank=True)
    examiner = models.ForeignKey("filings.Examiner", verbose_name="备案考评人员", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    occupation = models.ForeignKey(Occupation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField("可考评最高等级", choices=SkillLevel.choices, null=True, blank=True)
    certificate_no = models.CharField("证书编号", max_length=50, blank=True, validators=[validate_text])
    certificate_valid_until = models.DateField("证书有效期至", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "批次工作人员"
        ordering = ["role", "name"]

    def __str__(self):
        return f"{self.get_role_display()} {self.name}"

    def certificate_valid_on(self, day: datetime.date | None) -> bool:
        return self.certificate_valid_until is None or day is None or self.certificate_valid_until >= day

    @property
    def id_masked(self) -> str:
        return idcard.mask(self.id_number)


class Candidate(models.Model):
    """参加认定人员: one row of the imported list, later its result and certificate [003 §15]."""

    class Relation(models.TextChoices):
        STAFF = "staff", _("本单位在岗职工")
        DISPATCHED = "dispatched", _("劳务派遣人员")
        OUTSOURCED = "outsourced", _("业务外包人员")
        SCHOOL_STUDENT = "school_student", _("校企合作院校学生（本校学生）")
        ENTRUSTED = "entrusted", _("受委托评价人员")
        PUBLIC = "public", _("社会人员")

    batch = models.ForeignKey(EvaluationBatch, on_delete=models.CASCADE, related_name="candidates")
    group = models.ForeignKey(BatchGroup, on_delete=models.PROTECT, related_name="candidates")
    row_no = models.PositiveIntegerField("名单行号")
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号码", max_length=18)
    eligibility = models.CharField("申报条件", max_length=200, blank=True)
    relation = models.CharField("人员类别", max_length=20, choices=Relation.choices, default=Relation.PUBLIC)
    theory_score = models.DecimalField("理论成绩", max_digits=5, decimal_places=1, null=True, blank=True)
    practical_score = models.DecimalField("技能成绩", max_digits=5, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField("是否合格", null=True, blank=True)
    certificate_no = models.CharField("证书编号", max_length=40, null=True, blank=True, unique=True)
    uploaded_national = models.BooleanField("已上传全国证书查询系统", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "参加认定人员"
        ordering = ["row_no"]
        constraints = [models.UniqueConstraint(fields=["batch", "id_number"], name="candidate_once_per_batch")]

    def __str__(self):
        return f"{self.masked_name} {self.id_masked}"

    @property
    def id_masked(self) -> str:
        return idcard.mask(self.id_number)

    @property
    def masked_name(self) -> str:
        """Names on a result notice: the surname and a star per other character (张**)."""
        return self.name[:1] + "*" * max(len(self.name) - 1, 1)


def document_path(instance, filename):
    return f"batches/{instance.batch_id}/{timezone.now():%Y%m%d%H%M%S%f}"


class BatchDocument(StoredFile):
    """The batch's archive [003 §16]: the paper-archive list as typed attachments, photos, and
    video references; kept 3 (paper) or 5 (electronic) years and never deleted before."""

    class Type(models.TextChoices):
        APPLICATION_FORMS = "application_forms", _("个人申报审核表")
        REGISTRATION = "registration", _("报名汇总表")
        PLAN = "plan", _("批次认定计划（考务方案）")
        SCORING = "scoring", _("阅卷评分及考评记录表")
        PROCTORING = "proctoring", _("监考记录表")
        INTERNAL_SUPERVISION = "internal_supervision", _("内部督导记录表")
        SCORE_REVIEW = "score_review", _("成绩审核表")
        RESULT_ROSTER = "result_roster", _("评价结果汇总表及花名册")
        CERTIFICATE_CLAIM = "certificate_claim", _("证书核发申领表")
        PHOTO = "photo", _("评价现场照片")
        VIDEO = "video", _("视频监控资料（存放位置）")

    PAPER_TYPES = frozenset({"application_forms", "registration", "plan", "scoring", "proctoring",
                             "internal_supervision", "score_review", "result_roster", "certificate_claim"})

    batch = models.ForeignKey(EvaluationBatch, on_delete=models.PROTECT, related_name="documents")
    type = models.CharField("档案类型", max_length=30, choices=Type.choices)
    file = models.FileField(upload_to=document_path, max_length=200, blank=True)
    reference = models.CharField("存放位置/说明", max_length=200, blank=True, validators=[validate_multiline_text])

    class Meta:
        verbose_name = verbose_name_plural = "批次档案"
        ordering = ["type", "-uploaded_at"]

    @property
    def keep_until(self) -> datetime.date | None:
        """Scans of the paper archive count as electronic records: 5 years [003 §16]."""
        return self.batch.electronic_keep_until

    def delete(self, *args, **kwargs):
        keep = self.keep_until
        if keep is None or keep >= timezone.localdate():
            raise TransitionRefused(_("档案保存期（至 %(d)s）未满，不得删除 [003 §16]") % {"d": keep})
        return super().delete(*args, **kwargs)
