from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from filings import permissions as perm
from filings.choices import Route
from portal.text import validate_multiline_text

from .filing import Filing


class ChangeRequest(ConcurrentTransitionMixin, models.Model):
    """变更备案: during validity an agency asks to add or remove occupations and levels, or to change
    its registered details; what changes is reviewed, and the receipt is re-issued [002 §13,
    001 §5(3), 003 §7].

    `proposal` holds what would change: {"add": [{"occupation": id, "level_from": n, "level_to": n,
    "examiners": [{"name": "...", "certificate_no": "...", "level": n}]}], "remove": [occupation ids],
    "details": {"address": "...", ...}}. An "add" row for an occupation already filed changes its
    level range; the examiners it carries join the filing's roster when the change is approved.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交，待审核")
        PRE_REVIEW = "pre_review", _("初审中")
        APPROVED = "approved", _("已同意变更")
        REFUSED = "refused", _("不予变更")
        WITHDRAWN = "withdrawn", _("已撤回")

    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="change_requests")
    state = FSMField("状态", max_length=20, choices=State.choices, default=State.DRAFT, protected=True)
    proposal = models.JSONField("变更内容", default=dict)
    reason = models.TextField("变更理由", validators=[validate_multiline_text])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    last_comment = models.TextField("最近意见", blank=True, validators=[validate_multiline_text])

    class Meta:
        verbose_name = verbose_name_plural = "变更备案"
        ordering = ["-created_at"]

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

    def _needs_pre_review(self) -> bool:
        return self.filing.route != Route.CITY

    @transition(field=state, source=State.DRAFT, target=RETURN_VALUE(State.PRE_REVIEW, State.SUBMITTED),
                conditions=[_filing_in_force], permission=_agency_member)
    def submit(self):
        """Submitted during validity [002 §13], routed like the filing itself: through the district
        or industry department that pre-reviewed it, or straight to the city [000 §4(1), 003 §7]."""
        self.submitted_at = timezone.now()
        return self.State.PRE_REVIEW if self._needs_pre_review() else self.State.SUBMITTED

    @transition(field=state, source=State.PRE_REVIEW, target=State.SUBMITTED, permission=_pre_reviewer)
    def forward(self):
        """Pre-review opinion attached, on to the city, which decides [003 §7]."""

    @transition(field=state, source=State.SUBMITTED, target=State.APPROVED, conditions=[_filing_in_force],
                permission=_city)
    def approve(self):
        """The change applies to the filing and the receipt is re-issued [002 §13, 001 §5(3)]."""
        self.decided_at = timezone.now()

    @transition(field=state, source=State.SUBMITTED, target=State.REFUSED, permission=_city)
    def refuse(self):
        """Refused with reasons; the filing stays as it was."""
        self.decided_at = timezone.now()

    @transition(field=state, source=[State.DRAFT, State.SUBMITTED, State.PRE_REVIEW], target=State.WITHDRAWN,
                permission=_agency_member)
    def withdraw(self):
        """The agency withdraws its change request before the decision."""
