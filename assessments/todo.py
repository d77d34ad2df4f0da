"""The renewal's lines in the agency's task list (portal/todo.py): an open renewal says what is needed
next, and a filing inside its renewal window without one says by when to apply [000 §3, 004 §3(1)]."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import services, timeline
from assessments.choices import OPEN, AssessmentState
from assessments.selectors import assessments_visible_to
from filings.choices import IN_FORCE
from filings.selectors import filings_visible_to
from portal import todo
from portal.models import PolicyProfile, Role

S = AssessmentState
MINE = {S.DRAFT: _("请填写续期申请表、自查自评和材料，签署承诺后提交"), S.RETURNED: _("已退回：请按意见修改后重新提交")}


def renewal_tasks(user) -> list[todo.Task]:
    if user.role != Role.AGENCY:
        return []
    today = timezone.localdate()
    profile = PolicyProfile.active()
    out, covered = [], set()
    for a in assessments_visible_to(user).filter(state__in=OPEN).order_by("expires_on"):
        covered.add((a.filing_id, a.expires_on))
        mine = a.state in MINE
        latest = timeline.latest_application_on(a.expires_on, profile)
        out.append(todo.Task(
            kind=_("期满评估"), title=a.filing.number or a.agency.name, state_label=a.get_state_display(),
            text=str(MINE[a.state]) if mine else _("已提交：等待审核"), due=latest if mine and a.round == 1 else None,
            action_needed=mine, url=reverse("assessments:detail", args=[a.pk]),
            action_label=_("继续填写") if mine else _("查看"), badge="badge-warn" if mine else "badge-pending"))
    for f in filings_visible_to(user).filter(state__in=IN_FORCE, valid_until__isnull=False).order_by("valid_until"):
        if (f.pk, f.valid_until) in covered or services.renewal_blockers(f, today):
            continue
        latest = timeline.latest_application_on(f.valid_until, profile)
        out.append(todo.Task(
            kind=_("期满评估"), title=f.number or f.agency.name, state_label=f.get_state_display(),
            text=_("备案有效期至 %(until)s，期满评估申请已开放，请于 %(latest)s 前申请")
            % {"until": f"{f.valid_until:%Y-%m-%d}", "latest": f"{latest:%Y-%m-%d}"},
            due=latest, action_needed=True, url=reverse("assessments:agency_home"), action_label=_("申请期满评估"),
            badge="badge-warn"))
    return out


todo.register("assessments", renewal_tasks)
