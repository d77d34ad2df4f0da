from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from filings import permissions as perm
from filings.choices import IN_FORCE, AgencyKind, FilingState, MaterialType, Route
from portal.models import Occupation, PolicyProfile
from portal.models.files import StoredFile
from portal.text import validate_multiline_text
from portal.transitions import TimeLimits

from .filing import Filing
from .notices import Objection


# What a change that adds occupations or levels must carry for the new scope [002 §8, 003 §10].
CHANGE_MATERIALS = (MaterialType.STAFF_QUALIFICATIONS, MaterialType.IMPLEMENTATION_PLAN)


class ChangeRequest(TimeLimits, ConcurrentTransitionMixin, models.Model):
    """变更备案: during validity an agency asks to add or remove occupations and levels, or to change
    its registered details; what changes is reviewed, and the receipt is re-issued [002 §13,
    001 §5(3), 003 §7].

    `proposal` holds what would change: {"add": [{"occupation": id, "level_from": n, "level_to": n,
    "examiners": [{"name": "...", "certificate_no": "...", "level": n}]}], "remove": [occupation ids],
    "details": {"address": "...", ...}}. An "add" row for an occupation already filed changes its
    level range; the examiners it carries join the filing's roster when the change is approved.

    Added scope is published for objections where the bureau's policy publishes the filing itself
    (`Filing.notice_required`), for the same working days, and applies when the notice ends with
    no objection pending [002 §13, 002 §11-12, 003 §7, 001 §3(3)].
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交，待审核")
        PRE_REVIEW = "pre_review", _("初审中")
        EXPERT_REVIEW = "expert_review", _("专家评审中")
        NOTICE = "notice", _("公示中")
        APPROVED = "approved", _("已同意变更")
        REFUSED = "refused", _("不予变更")
        WITHDRAWN = "withdrawn", _("已撤回")

    # The notice's working days, then the change applies [003 §7] (portal.transitions.TimeLimits).
    TIME_LIMITS = (("complete_notice", State.NOTICE, "notice_ends_on"),)

    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="change_requests")
    state = FSMField("状态", max_length=20, choices=State.choices, default=State.DRAFT, protected=True)
    proposal = models.JSONField("变更内容", default=dict)
    reason = models.TextField("变更理由", validators=[validate_multiline_text])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    last_comment = models.TextField("最近意见", blank=True, validators=[validate_multiline_text])
    notice_ends_on = models.DateField("公示截止", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "变更备案"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "notice_ends_on"], name="change_due_notice")]

    def __str__(self):
        return f"{self.filing} 变更申请"

    def _filing_in_force(self) -> bool:
        return self.filing.in_force

    def _agency_member(self, user) -> bool:
        return perm.is_agency_member(self.filing, user)

    def _pre_reviewer(self, user) -> bool:
        return perm.is_pre_reviewer(self.filing, user)

    def _city(self, user) -> bool:
        return perm.is_city_reviewer(self.filing, user)

    def added_occupations(self):
        """The occupations the change would newly bring into the scope (not re-ranged ones)."""
        filed = self.filing.scope.values_list("occupation_id", flat=True)
        ids = [row.get("occupation") for row in (self.proposal or {}).get("add", [])]
        return Occupation.objects.filter(pk__in=ids).exclude(pk__in=filed).order_by("code")

    def selection_conflicts(self) -> list[dict]:
        """Added scope passes the quota initial scope passes: a social organisation gets no
        occupation whose places are taken [003 §7, 002 §13]; another organisation's change whose
        added scope is in its notice holds a place as a filing in its notice does."""
        return change_quota_conflicts(self.filing, self.added_occupations())

    def _within_quota(self) -> bool:
        return not self.selection_conflicts()

    @property
    def adds_scope(self) -> bool:
        return bool((self.proposal or {}).get("add"))

    def missing_materials(self) -> list[str]:
        """The materials added scope brings, as an initial filing's scope does [002 §8, 003 §10]:
        the examiners' certificates and the implementation plan for the new occupations or levels."""
        if not self.adds_scope:
            return []
        have = set(self.attachments.filter(superseded_at__isnull=True).values_list("type", flat=True))
        return [str(MaterialType(t).label) for t in CHANGE_MATERIALS if t not in have]

    def _materials_complete(self) -> bool:
        return not self.missing_materials()

    def _adds_scope(self) -> bool:
        return self.adds_scope

    def panel_formed(self) -> bool:
        return self.panel.count() >= PolicyProfile.active().min_experts

    def panel_complete(self) -> bool:
        return self.panel_formed() and not self.panel.filter(submitted_at__isnull=True).exists()

    def _reviewed_if_adding(self) -> bool:
        """Added scope is decided on the experts' opinions, as initial scope is [002 §11, 003 §7]."""
        return not self.adds_scope or (self.state == self.State.EXPERT_REVIEW and self.panel_complete())

    def notice_required(self) -> bool:
        """Added scope is published where the policy publishes the filing's own scope, decided exactly
        as for an initial filing (`Filing.notice_required`: all filings, social organisations only,
        or none) [002 §13, 003 §7, 001 §3(3)]; removals and details are not published."""
        return self.adds_scope and self.filing.notice_required()

    def _no_notice_required(self) -> bool:
        return not self.notice_required()

    def no_pending_objections(self) -> bool:
        return not Objection.objects.filter(item__change=self, state=Objection.State.PENDING).exists()

    def scope_problems(self) -> list[str]:
        """The scope rules the added scope would break if applied now (a dry run, nothing written)."""
        from filings.change_services import _dry_run_scope  # the services own the scope's writes

        return _dry_run_scope(self.filing, self.proposal or {}) if self.adds_scope else []

    def _scope_applies(self) -> bool:
        return not self.scope_problems()

    def _needs_pre_review(self) -> bool:
        return self.filing.route != Route.CITY

    @transition(field=state, source=State.DRAFT, target=RETURN_VALUE(State.PRE_REVIEW, State.SUBMITTED),
                conditions=[_filing_in_force, _materials_complete], permission=_agency_member)
    def submit(self):
        """Submitted during validity [002 §13], routed like the filing itself: through the district
        or industry department that pre-reviewed it, or straight to the city [000 §4(1), 003 §7]."""
        self.submitted_at = timezone.now()
        return self.State.PRE_REVIEW if self._needs_pre_review() else self.State.SUBMITTED

    @transition(field=state, source=State.PRE_REVIEW, target=State.SUBMITTED, permission=_pre_reviewer)
    def forward(self):
        """Pre-review opinion attached, on to the city, which decides [003 §7]."""

    @transition(field=state, source=State.SUBMITTED, target=State.EXPERT_REVIEW,
                conditions=[_filing_in_force, _adds_scope, panel_formed], permission=_city)
    def start_expert_review(self):
        """Added scope goes before an expert panel, as the filing's own scope did [002 §11, 003 §7]."""

    @transition(field=state, source=[State.SUBMITTED, State.EXPERT_REVIEW], target=State.APPROVED,
                conditions=[_filing_in_force, _reviewed_if_adding, _within_quota, _no_notice_required],
                permission=_city)
    def approve(self):
        """The change applies to the filing and the receipt is re-issued [002 §13, 001 §5(3)];
        added scope only after every expert's opinion [002 §11], and not while an added
        occupation's places for social organisations are taken [003 §7]; where the policy publishes
        added scope, only through the notice (`approve_for_notice`)."""
        self.decided_at = timezone.now()

    @transition(field=state, source=State.EXPERT_REVIEW, target=State.NOTICE,
                conditions=[_filing_in_force, _reviewed_if_adding, _within_quota, notice_required],
                permission=_city)
    def approve_for_notice(self):
        """Added scope approved by the city is published for objections for the policy's working
        days, as initial scope is [002 §13, 003 §7, 001 §3(3)]; nothing applies yet."""
        self.decided_at = timezone.now()

    @transition(field=state, source=State.NOTICE, target=State.APPROVED,
                conditions=[_filing_in_force, no_pending_objections, _scope_applies])
    def complete_notice(self):
        """The notice ran its full working days with no objection pending: the change applies and
        the receipt is re-issued [002 §12-13, 003 §7]. The system's action, at the sweep or at the
        moment anyone acts after the end (TimeLimits). If the scope rules tightened meanwhile, the
        notice does not end by itself and the city decides."""
        self.notice_ends_on = None

    @transition(field=state, source=State.NOTICE, target=State.EXPERT_REVIEW, permission=_city)
    def reopen_review(self):
        """An upheld objection returns the added scope to review [001 §3(3), 003 §7]."""
        self.notice_ends_on = None
        self.decided_at = None

    @transition(field=state, source=[State.SUBMITTED, State.EXPERT_REVIEW, State.NOTICE], target=State.REFUSED,
                permission=_city)
    def refuse(self):
        """Refused with reasons (also on an upheld objection during the notice); the filing stays
        as it was."""
        self.decided_at = timezone.now()
        self.notice_ends_on = None

    @transition(field=state, source=[State.DRAFT, State.SUBMITTED, State.PRE_REVIEW, State.EXPERT_REVIEW],
                target=State.WITHDRAWN,
                permission=_agency_member)
    def withdraw(self):
        """The agency withdraws its change request before the decision."""


def change_quota_conflicts(filing: Filing, occupations) -> list[dict]:
    """`Filing.quota_conflicts`, counting also the other social organisations whose change adding
    the occupation is in its notice [003 §7, 002 §13]."""
    limit = PolicyProfile.active().social_orgs_per_occupation
    if not filing.is_social or not limit:
        return []
    in_notice = list(ChangeRequest.objects.filter(
        state=ChangeRequest.State.NOTICE, filing__agency__kind=AgencyKind.SOCIAL,
        filing__region__path__startswith=filing.region.top_path).exclude(filing=filing)
        .select_related("filing__agency"))
    conflicts = []
    for occupation in occupations:
        holders = list(Filing.objects.competing_with(filing, occupation.pk)
                       .filter(state__in=[*IN_FORCE, FilingState.PUBLIC_NOTICE]).select_related("agency"))
        for change in in_notice:
            ids = {row.get("occupation") for row in (change.proposal or {}).get("add", [])}
            if occupation.pk in ids and change.filing not in holders:
                holders.append(change.filing)
        if len(holders) >= limit:
            conflicts.append({"occupation": occupation, "limit": limit, "holders": holders})
    return conflicts


def change_material_path(instance, filename):
    return f"changes/{instance.change_id}/{timezone.now():%Y%m%d%H%M%S%f}"


class ChangeAttachment(StoredFile):
    """A material for the scope a change adds, kept outside any public path; a replaced file is
    marked superseded, never deleted [002 §19, 003 §16]."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.PROTECT, related_name="attachments")
    type = models.CharField("材料类型", max_length=30,
                            choices=[(t.value, t.label) for t in CHANGE_MATERIALS])
    file = models.FileField(upload_to=change_material_path, max_length=200)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "变更申请材料"
        ordering = ["type", "-uploaded_at"]

    def __str__(self):
        return f"{self.get_type_display()}：{self.original_name}"


class ChangeReviewer(models.Model):
    """One expert on a change request's panel, with the opinion, score and recommendation they
    submitted on the added scope [002 §11, 003 §7]."""

    class Recommendation(models.TextChoices):
        APPROVE = "approve", _("建议同意变更")
        REFUSE = "refuse", _("建议不予变更")

    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="panel")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="专家", on_delete=models.PROTECT,
                               related_name="change_reviews")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    opinion = models.TextField("专家意见", blank=True, validators=[validate_multiline_text])
    score = models.DecimalField("评分", max_digits=5, decimal_places=1, null=True, blank=True,
                                validators=[MinValueValidator(0), MaxValueValidator(100)])
    recommendation = models.CharField("结论", max_length=10, choices=Recommendation.choices, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "变更备案专家评审"
        ordering = ["assigned_at", "id"]
        constraints = [models.UniqueConstraint(fields=["change", "expert"], name="one_change_review_per_expert")]

    def __str__(self):
        return f"{self.expert} · {self.change}"
