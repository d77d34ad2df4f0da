"""Agencies and their filings (SPEC §2–3). The filing's state changes only through the transition
methods below; services in `services.py` wrap them with locking, audit and notifications."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from portal.models import PolicyProfile, Region
from portal.dates import period_end
from portal.transitions import TimeLimits
from portal.workdays import add_workdays

from filings import permissions as perm
from filings.choices import IN_FORCE, AgencyKind, FilingState, ManagingLevel, MaterialType, Route
from portal.text import validate_multiline_text

from .agency import Agency, managing_level_for, required_material_types, route_for
from .notices import Objection

S = FilingState


class FilingQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(state__in=IN_FORCE)

    def competing_with(self, filing: "Filing", occupation_id: int):
        """The other social organisations' filings for this occupation in the filing's jurisdiction:
        the field 择优遴选 counts and ranks [003 §7, 002 §11]."""
        return (self.filter(agency__kind=AgencyKind.SOCIAL, scope__occupation_id=occupation_id,
                            region__path__startswith=filing.region.top_path)
                .exclude(pk=filing.pk))


class Filing(TimeLimits, ConcurrentTransitionMixin, models.Model):
    """备案: one agency's filing at one authority, from draft to its end."""

    # The filing's time limits, shared by the deadline sweep and every person's action
    # (portal.transitions.TimeLimits): 5 working days for the completeness check, then deemed
    # accepted; the supplement period, then abandoned [002 §10]; the notice's working days, then
    # filed [003 §7].
    TIME_LIMITS = (
        ("deem_accepted", S.SUBMITTED, "acceptance_due"),
        ("abandon", S.SUPPLEMENT_REQUESTED, "supplement_due"),
        ("complete_notice", S.PUBLIC_NOTICE, "notice_ends_on"),
    )

    agency = models.ForeignKey(Agency, verbose_name="评价机构", on_delete=models.PROTECT, related_name="filings")
    state = FSMField("状态", max_length=30, choices=S.choices, default=S.DRAFT, protected=True, db_index=True)
    managing_level = models.CharField("管理层级", max_length=10, choices=ManagingLevel.choices,
                                      default=ManagingLevel.DISTRICT)
    route = models.CharField("报送路径", max_length=10, choices=Route.choices, blank=True)
    region = models.ForeignKey(Region, verbose_name="所在区县", on_delete=models.PROTECT, related_name="+")
    industry_department = models.ForeignKey("portal.IndustryDepartment", verbose_name="行业主管部门", null=True,
                                            blank=True, on_delete=models.PROTECT, related_name="+")
    facilities = models.TextField("场地设备设施", blank=True, validators=[validate_multiline_text],
                                  help_text="理论考试、技能操作考核场地及设备，视频监控等情况")
    pledge_signed_at = models.DateTimeField("承诺时间", null=True, blank=True)
    pledge_signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    number = models.CharField("备案编号", max_length=40, null=True, blank=True, unique=True)
    pilot = models.BooleanField("试点", default=False, help_text="社会培训评价组织试点运行一年 [003 §7]")
    pilot_until = models.DateField("试点期至", null=True, blank=True)
    valid_from = models.DateField("有效期自", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True, db_index=True)
    # The filing clock [002 §10-11]; stored as dates so the sweep finds what is due with one query.
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    received_on = models.DateField("收件日期", null=True, blank=True)
    acceptance_due = models.DateField("形式审查截止", null=True, blank=True)
    supplement_due = models.DateField("补正截止", null=True, blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    decision_due = models.DateField("决定截止", null=True, blank=True)
    notice_ends_on = models.DateField("公示截止", null=True, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    ended_on = models.DateField("终止日期", null=True, blank=True)
    last_comment = models.TextField("最近意见", blank=True, validators=[validate_multiline_text])
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = FilingQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "备案"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "acceptance_due"], name="filing_due_acceptance"),
            models.Index(fields=["state", "supplement_due"], name="filing_due_supplement"),
            models.Index(fields=["state", "notice_ends_on"], name="filing_due_notice"),
            models.Index(fields=["state", "valid_until"], name="filing_due_expiry"),
            # The work list's 全部 tab, most recently updated first [issue #15 §6].
            models.Index(fields=["-updated_at", "id"], name="filing_recently_updated"),
            # Staff pages at scale [issue #15 §6]: the work list's tab counts and most-urgent page, and the
            # dashboard's counts by state and deadline, read this alone (an index-only scan per region).
            models.Index(fields=["region", "state", "route", "acceptance_due", "decision_due", "valid_until", "id"],
                         condition=models.Q(submitted_at__isnull=False), name="filing_staff_scope"),
            # The dashboard's and the renewal board's expiring filings, soonest first [issue #15 §6, 000 §3].
            models.Index(fields=["valid_until", "region", "id"], name="filing_in_force_expiry",
                         condition=models.Q(submitted_at__isnull=False, state__in=IN_FORCE)),
        ]

    def __str__(self):
        return f"{self.agency.name} {self.number or '（未编号）'}"

    @property
    def reference(self) -> str:
        """申请编号: the application's reference for the clerk's correspondence, before and beside the
        filing number; stable for ever."""
        return f"SQ{timezone.localtime(self.created_at):%Y}{self.pk:06d}"

    # ----- facts the rules ask about -------------------------------------------------------
    @property
    def is_social(self) -> bool:
        return self.agency.kind == AgencyKind.SOCIAL

    @property
    def in_force(self) -> bool:
        return self.state in IN_FORCE

    def missing_materials(self) -> list[str]:
        present = set(self.materials.filter(superseded_at__isnull=True).values_list("type", flat=True))
        return [str(MaterialType(t).label) for t in required_material_types(self.agency) if t not in present]

    def completeness_problems(self) -> list[str]:
        """Everything still missing before the application can be submitted, listed at once."""
        problems = [f"缺少材料：{name}" for name in self.missing_materials()]
        scope = list(self.scope.select_related("occupation"))
        if not scope:
            problems.append("尚未填写申报范围（职业及等级）")
        for item in scope:
            problems.extend(item.problems())
        if not self.facilities.strip():
            problems.append("尚未填写场地设备设施情况")
        if self.pledge_signed_at is None:
            problems.append("尚未签署申请材料真实性承诺")
        return problems

    def is_complete(self) -> bool:
        return not self.completeness_problems()

    def open_supplement_items(self):
        """The items of the supplement notice neither changed nor answered yet [002 §10]."""
        return self.supplement_items.filter(changed_at__isnull=True, answered_at__isnull=True)

    def supplement_items_settled(self) -> bool:
        return not self.open_supplement_items().exists()

    def panel_complete(self) -> bool:
        experts = list(self.panel.all())
        return len(experts) >= PolicyProfile.active().min_experts and all(a.submitted_at for a in experts)

    def panel_assigned(self) -> bool:
        return self.panel.count() >= PolicyProfile.active().min_experts

    def no_pending_objections(self) -> bool:
        known = getattr(self, "has_pending_objections", None)  # annotated by the sweep's batch query
        if known is not None:
            return not known
        return not Objection.objects.filter(item__filing=self, state=Objection.State.PENDING).exists()

    def selection_conflicts(self) -> list[dict]:
        """For each occupation where the quota of social organisations is already used, the
        occupation and the organisations holding it [003 §7, 002 §11]. Empty when the filing may be
        selected (always empty for non-social agencies)."""
        return self.quota_conflicts([item.occupation for item in self.scope.select_related("occupation")])

    def quota_conflicts(self, occupations) -> list[dict]:
        """selection_conflicts for the given occupations: the filing's own scope, or what a change
        filing would add to it, which passes the same quota [003 §7, 002 §13]."""
        limit = PolicyProfile.active().social_orgs_per_occupation
        if not self.is_social or not limit:
            return []
        conflicts = []
        for occupation in occupations:
            holders = Filing.objects.competing_with(self, occupation.pk).filter(
                state__in=[*IN_FORCE, S.PUBLIC_NOTICE]).select_related("agency")
            if holders.count() >= limit:
                conflicts.append({"occupation": occupation, "limit": limit, "holders": list(holders)})
        return conflicts

    def selection_allows(self) -> bool:
        return not self.selection_conflicts()

    def notice_required(self) -> bool:
        scope = PolicyProfile.active().notice_scope
        return scope == PolicyProfile.NoticeScope.ALL or (scope == PolicyProfile.NoticeScope.SOCIAL and self.is_social)

    def _start_clock(self, today: datetime.date) -> None:
        """The receipt date is the day the application (or its supplement) is complete [002 §10]."""
        self.received_on = today
        self.acceptance_due = add_workdays(today, PolicyProfile.active().completeness_workdays)
        self.supplement_due = None

    def _accept(self, today: datetime.date) -> None:
        self.accepted_on = today
        self.acceptance_due = None
        self.decision_due = today + datetime.timedelta(days=PolicyProfile.active().decision_days)

    def _after_acceptance(self):
        return S.ACCEPTED if self.route == Route.CITY else S.PRE_REVIEW

    # ----- the initial filing workflow [SPEC §3] ---------------------------------------------
    @transition(field=state, source=[S.DRAFT, S.RETURNED], target=S.SUBMITTED,
                conditions=[is_complete], permission=perm.is_agency_member)
    def submit(self, today: datetime.date):
        """Submit to the authority its kind and ownership route it to [000 §4(1), 002 §6, 002 §9]; a
        level the agency ticked counts only where it may choose (`chooses_managing_level`)."""
        self.managing_level = managing_level_for(self.agency, self.managing_level)
        self.route = route_for(self.agency, self.managing_level)
        self.region_id = self.agency.region_id
        self.industry_department_id = self.agency.industry_department_id
        self.submitted_at = timezone.now()
        self._start_clock(today)

    @transition(field=state, source=S.SUBMITTED, target=S.SUPPLEMENT_REQUESTED,
                permission=perm.is_receiving_authority)
    def request_supplement(self, today: datetime.date):
        """Return listing all missing or incorrect materials at once; 30 days to supplement [002 §10]."""
        self.supplement_due = today + datetime.timedelta(days=PolicyProfile.active().supplement_days)
        self.acceptance_due = None

    @transition(field=state, source=S.SUPPLEMENT_REQUESTED, target=S.SUBMITTED,
                conditions=[is_complete, supplement_items_settled], permission=perm.is_agency_member)
    def supplement(self, today: datetime.date):
        """The day the supplement is complete counts as the receipt date [002 §10]; complete means
        every item the notice listed has been changed or answered."""
        self._start_clock(today)

    @transition(field=state, source=S.SUBMITTED, target=RETURN_VALUE(S.PRE_REVIEW, S.ACCEPTED),
                permission=perm.is_receiving_authority)
    def accept(self, today: datetime.date):
        """Accept after the completeness check [002 §10]: on to pre-review, or straight to the city's
        evaluation; the 90-day decision clock starts [002 §11]."""
        self._accept(today)
        return self._after_acceptance()

    @transition(field=state, source=S.SUBMITTED, target=RETURN_VALUE(S.PRE_REVIEW, S.ACCEPTED))
    def deem_accepted(self, today: datetime.date):
        """No decision within the completeness period: accepted [002 §10: 逾期未作出不予受理决定的，视为受理]."""
        self._accept(today)
        return self._after_acceptance()

    @transition(field=state, source=S.SUPPLEMENT_REQUESTED, target=S.ABANDONED)
    def abandon(self, today: datetime.date):
        """Not supplemented within the period: deemed to have given up [002 §10: 视为放弃申请]."""
        self.ended_on = today
        self.supplement_due = None

    @transition(field=state, source=S.PRE_REVIEW, target=S.ACCEPTED, permission=perm.is_pre_reviewer)
    def forward(self, today: datetime.date):
        """Pre-review opinion attached, forwarded to the city [003 §7, 000 §4(1)]."""

    @transition(field=state, source=S.PRE_REVIEW, target=S.RETURNED, permission=perm.is_pre_reviewer)
    def return_to_agency(self, today: datetime.date):
        """Pre-review returns the application for correction, with reasons [003 §7]."""

    @transition(field=state, source=S.ACCEPTED, target=S.EXPERT_REVIEW, conditions=[panel_assigned],
                permission=perm.is_city_reviewer)
    def start_expert_review(self, today: datetime.date):
        """Technical evaluation by an expert panel: material verification, panel, site visit [002 §11, 001 §3(2)]."""

    @transition(field=state, source=S.EXPERT_REVIEW, target=S.SELECTION, conditions=[panel_complete],
                permission=perm.is_city_reviewer)
    def conclude_expert_review(self, today: datetime.date):
        """Every panel member has recorded an opinion and score; the city decides [002 §11]."""

    def notice_not_required(self) -> bool:
        return not self.notice_required()

    @transition(field=state, source=S.SELECTION, target=S.PUBLIC_NOTICE, conditions=[selection_allows, notice_required],
                permission=perm.is_city_reviewer)
    def approve_for_notice(self, today: datetime.date):
        """Selected; published for objections for the notice period [003 §7, 001 §3(3)]."""
        self.decided_on = today

    @transition(field=state, source=S.SELECTION, target=S.ACTIVE, conditions=[selection_allows, notice_not_required],
                permission=perm.is_city_reviewer)
    def approve(self, today: datetime.date):
        """Selected and filed at once where the policy publishes no notice for this kind [002 §12]; where
        it does, only through the notice [003 §7, 001 §3(3)], whichever path asks."""
        self.decided_on = today
        self._put_in_force(today)

    @transition(field=state, source=S.PUBLIC_NOTICE, target=S.ACTIVE, conditions=[no_pending_objections])
    def complete_notice(self, today: datetime.date):
        """The notice ended with no objection upheld: filed, numbered, receipt issued [002 §12, 003 §7]."""
        self._put_in_force(today)

    @transition(field=state, source=S.PUBLIC_NOTICE, target=S.EXPERT_REVIEW, permission=perm.is_city_reviewer)
    def reopen_review(self, today: datetime.date):
        """An upheld objection returns the filing to review [001 §3(3)]."""
        self.notice_ends_on = None

    @transition(field=state, source=[S.SUBMITTED], target=S.REFUSED, permission=perm.is_receiving_authority)
    def refuse_acceptance(self, today: datetime.date):
        """不予受理, in writing with reasons [002 §10]."""
        self.ended_on = self.decided_on = today

    @transition(field=state, source=[S.ACCEPTED, S.EXPERT_REVIEW, S.SELECTION, S.PUBLIC_NOTICE], target=S.REFUSED,
                permission=perm.is_city_reviewer)
    def refuse(self, today: datetime.date):
        """不予备案, in writing with reasons and basis [002 §11]."""
        self.ended_on = self.decided_on = today
        self.notice_ends_on = None

    @transition(field=state, source=[S.DRAFT, S.RETURNED, S.SUPPLEMENT_REQUESTED, S.SUBMITTED, S.PRE_REVIEW,
                                     S.ACCEPTED, S.EXPERT_REVIEW], target=S.WITHDRAWN,
                permission=perm.is_agency_member)
    def withdraw(self, today: datetime.date):
        """The agency withdraws its application before a decision."""
        self.ended_on = today

    def _put_in_force(self, today: datetime.date) -> None:
        profile = PolicyProfile.active()
        self.valid_from = today
        self.valid_until = period_end(today, years=profile.validity_years)
        self.notice_ends_on = None
        if self.is_social and profile.pilot_months:
            self.pilot = True
            self.pilot_until = period_end(today, months=profile.pilot_months)

    # ----- in force: the later lifecycle [SPEC §4–5] ------------------------------------------
    @transition(field=state, source=[S.ACTIVE, S.RECTIFYING], target=S.SUSPENDED,
                permission=perm.is_city_reviewer)
    def suspend(self, today: datetime.date):
        """暂停评价 [003 §20, 000 §5]: stays in the directory, marked suspended."""

    @transition(field=state, source=[S.ACTIVE, S.SUSPENDED], target=S.RECTIFYING,
                permission=perm.is_city_reviewer)
    def order_rectification(self, today: datetime.date):
        """限期整改; no evaluations while rectifying [002 §30]."""

    @transition(field=state, source=[S.SUSPENDED, S.RECTIFYING], target=S.ACTIVE,
                permission=perm.is_city_reviewer)
    def resume(self, today: datetime.date):
        """Rectified: operations resume."""

    @transition(field=state, source=list(IN_FORCE), target=S.EXPIRED,
                permission=perm.is_city_reviewer)
    def expire(self, today: datetime.date):
        """Validity ran out without renewal: the filing ends and leaves the directory [000 §5, 004 §4(3)]."""
        self.ended_on = today

    def ended_at_expiry(self) -> bool:
        return self.state == S.EXPIRED and self.ended_on is not None and self.ended_on == self.valid_until

    @transition(field=state, source=S.EXPIRED, target=S.ACTIVE, conditions=[ended_at_expiry])
    def reinstate(self, today: datetime.date):
        """Left the directory at expiry for want of an application, then applied within the late
        period and passed: back in force [004 §4(3)]; validity continues from the old expiry."""
        self.ended_on = None

    @transition(field=state, source=list(IN_FORCE), target=S.TERMINATED,
                permission=perm.is_city_reviewer)
    def terminate(self, today: datetime.date):
        """Terminated: a failed re-assessment or a serious violation [000 §5, 000 §6(3)]."""
        self.ended_on = today

    @transition(field=state, source=list(IN_FORCE), target=S.CANCELLED,
                permission=perm.is_city_reviewer)
    def cancel(self, today: datetime.date):
        """注销: on one of the grounds of [003 §22], or voluntary termination [002 §31]."""
        self.ended_on = today

    @transition(field=state, source=S.CANCELLED, target=S.ACTIVE, permission=perm.is_city_reviewer)
    def restore(self, today: datetime.date):
        """A cancellation set aside on administrative reconsideration or in court [003 §20, §22]: the
        filing is back in force for the rest of its validity, and in the directory again. Only the
        review of the sanction that cancelled it takes this step (supervision's review service)."""
        self.ended_on = None

    def extend_validity(self) -> None:
        """A passed renewal: three more years continuing from the old expiry date [000 §5, 004 §4]: the
        new period begins the day after the old one ends (2031-02-28 → 2034-02-28)."""
        years = PolicyProfile.active().validity_years
        self.valid_until = period_end(self.valid_until + datetime.timedelta(days=1), years=years)


