"""The outcomes of a renewal and their legal effect on the filing [SPEC §4.4, 000 §5, 004 §4]. The
filing changes through its own lifecycle services (`filings.services.apply_lifecycle`), so a filing
that ends leaves the public directory in the same transaction."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import timeline
from assessments.choices import AssessmentState, WrapUpTask
from assessments.models import RenewalAssessment, WrapUp
from assessments import services
from assessments.services import lock
from filings import permissions as filing_perm
from filings import receipts
from filings.choices import IN_FORCE, FilingState
from filings.models import Filing
from filings.services import apply_lifecycle, notify_parties
from portal.audit import record
from portal.models import PolicyProfile
from portal.transitions import TransitionRefused

S = AssessmentState
F = FilingState


def take_effect(assessment: RenewalAssessment, *, today: datetime.date) -> None:
    profile = PolicyProfile.active()
    if assessment.state == S.PASSED:
        renew(assessment, today=today)
        return
    # Failed: the consequence runs from expiry (or from today, if decided after expiry) [000 §5, 004 §4(2)].
    assessment.consequence_on = max(assessment.expires_on + timeline.ONE_DAY, today)
    if assessment.round == 1 and profile.failed_renewal == PolicyProfile.FailedRenewal.RECTIFY:
        assessment.rectification_due = timeline.rectification_due(assessment.consequence_on, profile)
    assessment.save(update_fields=["consequence_on", "rectification_due", "updated_at"])
    if assessment.consequence_on <= today:
        apply_consequence(assessment_id=assessment.pk, today=today)


def renew(assessment: RenewalAssessment, *, today: datetime.date) -> None:
    """Pass: three more years continuing from the old expiry date, not from the decision date; the
    receipt re-issued [000 §5, 004 §4(1)]. A suspended filing resumes operations."""
    filing = Filing.objects.select_for_update().select_related("agency", "region").get(pk=assessment.filing_id)
    if filing.valid_until != assessment.expires_on or (filing.state not in IN_FORCE and not filing.ended_at_expiry()):
        return  # already renewed (idempotent) or ended meanwhile
    before = filing.state
    if filing.state == F.EXPIRED:
        filing.reinstate(today)  # applied within the late period and passed [004 §4(3)]
    elif filing.state != F.ACTIVE:
        filing.resume(today)
    old = filing.valid_until
    filing.extend_validity()
    filing.last_comment = f"期满评估通过，有效期延长至 {filing.valid_until:%Y-%m-%d}"
    filing.save()
    receipts.issue_receipt(filing, reason="期满评估通过")
    record("filing.renew", filing, data={"from": before, "to": filing.state, "valid_until_was": old.isoformat(),
                                         "valid_until": filing.valid_until.isoformat(), "assessment": assessment.pk})
    if assessment.previous_id:
        RenewalAssessment.objects.filter(pk=assessment.previous_id, consequence_applied_on__isnull=True).update(
            consequence_applied_on=today)
    notify_parties(filing, before)


@transaction.atomic
def apply_consequence(*, assessment_id: int, today: datetime.date) -> RenewalAssessment:
    """The failed renewal's effect at expiry, by the active profile [000 §5, 004 §4(2)]:
    a failed re-assessment terminates; Shanghai suspends with months to rectify; Shandong ends the
    filing (it leaves the directory) and opens the wrap-up checklist."""
    assessment = lock(assessment_id)
    if assessment.state != S.FAILED or assessment.consequence_applied_on is not None:
        return assessment
    profile = PolicyProfile.active()
    filing = Filing.objects.select_for_update().get(pk=assessment.filing_id)
    if profile.failed_renewal == PolicyProfile.FailedRenewal.EXIT and assessment.round == 1 and filing.ended_at_expiry():
        # Applied late, after the filing had already left the directory at expiry: only the wrap-up.
        WrapUp.objects.bulk_create([WrapUp(assessment=assessment, task=t) for t in WrapUpTask.values],
                                   ignore_conflicts=True)
    elif filing.state in IN_FORCE and filing.valid_until == assessment.expires_on:
        if assessment.round > 1:
            apply_lifecycle(filing, "terminate", today=today, comment="整改后复评仍不通过，终止备案 [000 §5]")
        elif profile.failed_renewal == PolicyProfile.FailedRenewal.EXIT:
            apply_lifecycle(filing, "expire", today=assessment.expires_on,
                    comment="期满评估不合格，不予备案续期，退出目录 [004 §4(2)]")
            WrapUp.objects.bulk_create([WrapUp(assessment=assessment, task=t) for t in WrapUpTask.values],
                                       ignore_conflicts=True)
        elif filing.state != F.SUSPENDED:
            due = assessment.rectification_due
            apply_lifecycle(filing, "suspend", today=today,
                    comment="期满评估不通过，暂停运作" + (f"，限 {due:%Y-%m-%d} 前完成整改并申请复评" if due else "")
                    + " [000 §5]")
    assessment.consequence_applied_on = today
    assessment.save(update_fields=["consequence_applied_on", "updated_at"])
    return assessment


@transaction.atomic
def complete_wrap_up(*, assessment_id: int, task: str, actor, note: str = "",
                     today: datetime.date | None = None) -> WrapUp:
    """The agency records each wrap-up task done [004 §4(2)]."""
    assessment = lock(assessment_id)
    if not filing_perm.is_agency_member(assessment, actor):
        raise PermissionDenied
    row = assessment.wrap_up.filter(task=task).first()
    if row is None:
        raise TransitionRefused(_("没有该收尾事项。"))
    row.done_on, row.done_by, row.note = today or timezone.localdate(), actor, note
    row.save()
    record("renewal.wrap_up", assessment, actor=actor, comment=note, data={"task": task})
    return row


services.OUTCOME_HOOK[:] = [take_effect]
