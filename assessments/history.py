"""What the renewal page shows beside the form: its history (the audit timeline) and its clock, in the
same shape as the filing page's (`filings.views.review.timeline_for`, `filings.worklist.Clock`), so
both pages read alike [SPEC §4, 003 §18]."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from assessments import timeline
from assessments.choices import EDITABLE, UNDER_REVIEW, AssessmentState
from assessments.models import RenewalAssessment
from filings import permissions as filing_perm
from filings.worklist import DUE_SOON_DAYS, Clock, Countdown
from portal import audit_actions
from portal.models import AuditEntry, Role

S = AssessmentState
# An expert's own steps: who wrote them, and each expert's words, are the city's to know [002 §11];
# the agency sees that the panel finished (专家评审完成), not each expert's step.
EXPERT_STEPS = ("renewal.review_scores", "renewal.expert_opinion")
# Reading a file is audited but is not a step of the renewal.
NOT_STEPS = ("renewal.download",)
DANGER = (S.RETURNED, S.FAILED, S.WITHDRAWN)
OK = (S.PRE_REVIEW, S.ACCEPTED, S.EXPERT_REVIEW, S.DECIDING, S.NOTICE, S.PASSED)


def timeline_for(assessment: RenewalAssessment, user) -> list[dict]:
    """Every audit entry about the renewal, newest first, with actor and comment [003 §18]."""
    city = user.is_superuser or user.role == Role.ADMIN or filing_perm.is_city_reviewer(assessment, user)
    agency = user.role == Role.AGENCY
    out = []
    for entry in (AuditEntry.for_object(assessment).filter(outcome="succeeded").exclude(action__in=NOT_STEPS)
                  .order_by("-id")):
        expert_step = entry.action in EXPERT_STEPS
        if expert_step and agency:
            continue
        to = (entry.data or {}).get("to")
        out.append({
            "title": audit_actions.label(entry.action), "at": entry.created_at,
            "actor": _("评审专家") if expert_step and not city else entry.actor_label,
            "comment": "" if expert_step and not city else entry.comment,
            "tone": "is-danger" if to in DANGER else "is-ok" if to in OK else "is-muted",
            "to": S(to).label if to in S.values else "",
        })
    return out


def countdowns(assessment: RenewalAssessment, today: datetime.date) -> list[Countdown]:
    """Every clock that runs for the renewal in its current state: the latest application day while the
    agency fills it in [000 §5, 004 §4(3)] (the rectification deadline for a re-assessment [000 §5]),
    the validity's end while it is under review [000 §3], the notice of results in working days
    [000 §4(3)], and the rectification period after a failed first round [000 §5]."""
    a = assessment

    def days(label, due):
        n = (due - today).days
        return Countdown(label, due, n, "天", 0 <= n <= DUE_SOON_DAYS, n < 0)

    out = []
    if a.state in EDITABLE and a.round == 1:
        out.append(days(_("最迟申请日"), timeline.latest_application_on(a.expires_on)))
    elif a.state in EDITABLE and a.previous_id and a.previous.rectification_due:
        out.append(days(_("整改期限（复评申请）"), a.previous.rectification_due))
    if (a.state in EDITABLE or a.state in UNDER_REVIEW) and a.expires_on >= today:
        out.append(days(_("备案有效期届满"), a.expires_on))
    if a.state == S.NOTICE and a.notice_ends_on:
        n = Clock(today, span_days=200).workdays_until(a.notice_ends_on)
        out.append(Countdown(pgettext("step", "公示"), a.notice_ends_on, n, "个工作日", False, False))
    if a.state == S.FAILED and a.rectification_due and not RenewalAssessment.objects.filter(previous=a).exists():
        out.append(days(_("整改期限"), a.rectification_due))
    return out
