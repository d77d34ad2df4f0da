"""What the agency must do next, and by when [SPEC §3]: shown on its dashboard and its home page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from filings.choices import ENDED, IN_FORCE, UNDER_REVIEW, FilingState
from filings.models import ChangeRequest, Filing
from filings.selectors import filings_visible_to
from portal import dashboards, todo
from portal.models import Role

S = FilingState


@dataclass
class NextStep(todo.DueDate):
    """One line of the agency's to-do: what, by when, whether it is the agency's move, and details."""

    filing: Filing
    text: str
    due: datetime.date | None = None
    action_needed: bool = False
    details: list[str] | None = None
    badge: str = "badge-pending"


def next_step(filing: Filing) -> NextStep:
    """[002 §10]: a supplement is due within 30 days, else the application is deemed abandoned;
    the authority answers the completeness check within 5 working days."""
    state = filing.state
    if state == S.DRAFT:
        missing = filing.missing_materials()
        problems = filing.completeness_problems()
        if missing:
            text = ngettext("草稿：还缺 %(n)s 项材料", "草稿：还缺 %(n)s 项材料", len(missing)) % {"n": len(missing)}
            others = len(problems) - len(missing)
            if others:
                text += ngettext("，另有 %(n)s 项待完善", "，另有 %(n)s 项待完善", others) % {"n": others}
        elif problems:
            text = ngettext("草稿：还有 %(n)s 项待完善", "草稿：还有 %(n)s 项待完善", len(problems)) % {"n": len(problems)}
        else:
            text = _("草稿：已填写完整，请提交备案申请")
        return NextStep(filing, text, action_needed=True, details=problems, badge="badge-draft")
    if state == S.SUPPLEMENT_REQUESTED:
        due = filing.supplement_due
        text = (_("待补正：请于 %(due)s 前补正以下材料，逾期视为放弃申请") % {"due": f"{due:%Y-%m-%d}"} if due
                else _("待补正：请补正以下材料"))
        details = [line for line in filing.last_comment.splitlines() if line.strip()]
        return NextStep(filing, text, due=due, action_needed=True, details=details, badge="badge-warn")
    if state == S.RETURNED:
        details = [line for line in filing.last_comment.splitlines() if line.strip()]
        return NextStep(filing, _("已退回修改：请按以下意见修改后重新提交"), action_needed=True, details=details,
                        badge="badge-warn")
    if state == S.SUBMITTED:
        due = filing.acceptance_due
        text = (_("已提交：受理机关将于 %(due)s 前完成形式审查，逾期未作决定视为受理") % {"due": f"{due:%Y-%m-%d}"} if due
                else _("已提交：等待形式审查"))
        return NextStep(filing, text, due=due)
    if state == S.PUBLIC_NOTICE:
        due = filing.notice_ends_on
        text = _("公示中，至 %(due)s，无需操作") % {"due": f"{due:%Y-%m-%d}"} if due else _("公示中，无需操作")
        return NextStep(filing, text, due=due)
    if state in UNDER_REVIEW:
        due = filing.decision_due
        text = _("%(state)s，无需操作") % {"state": FilingState(state).label}
        if due:
            text += _("；应于 %(due)s 前作出决定") % {"due": f"{due:%Y-%m-%d}"}
        return NextStep(filing, text, due=due)
    if state in IN_FORCE:
        until = filing.valid_until
        text = str(FilingState(state).label)
        if until:
            text += _("，有效期至 %(date)s") % {"date": f"{until:%Y-%m-%d}"}
        return NextStep(filing, text, badge="badge-ok" if state == S.ACTIVE else "badge-warn")
    if state in ENDED:
        return NextStep(filing, f"{FilingState(state).label}", badge="badge-muted")
    return NextStep(filing, str(FilingState(state).label))


def next_steps_for(user) -> list[NextStep]:
    filings = filings_visible_to(user).exclude(state__in=ENDED).prefetch_related("materials")
    steps = [next_step(f) for f in filings]
    return sorted(steps, key=lambda s: (not s.action_needed, s.due or datetime.date.max))


CHANGE_TEXT = {
    ChangeRequest.State.DRAFT: (gettext_lazy("变更申请草稿：请核对后提交"), True),
    ChangeRequest.State.PRE_REVIEW: (gettext_lazy("已提交：等待初审"), False),
    ChangeRequest.State.SUBMITTED: (gettext_lazy("已提交：等待市级审核"), False),
}


def filing_tasks(user) -> list[todo.Task]:
    """The agency's filings (what is needed next, by when) and its open change filings [002 §13]."""
    out = []
    for step in next_steps_for(user):
        f = step.filing
        editable = step.action_needed
        out.append(todo.Task(
            kind=str(_("备案")) if f.number else str(_("备案申请")), title=f.number or f.agency.name,
            state_label=f.get_state_display(), text=step.text, due=step.due, action_needed=editable,
            details=step.details or [], badge=step.badge,
            url=reverse("filings:filing_edit", args=[f.pk]) if editable else _detail_url(f),
            action_label=(str(_("继续填写")) if f.state == S.DRAFT else str(_("修改并提交"))) if editable else
            str(_("查看"))))
    changes = (ChangeRequest.objects.filter(filing__in=filings_visible_to(user), state__in=list(CHANGE_TEXT))
               .select_related("filing__agency").order_by("created_at"))
    for change in changes:
        text, mine = CHANGE_TEXT[change.state]
        out.append(todo.Task(
            kind=str(_("变更备案")), title=change.filing.number or change.filing.agency.name,
            state_label=change.get_state_display(), text=str(text), action_needed=mine,
            url=reverse("filings:change_detail", args=[change.pk]),
            action_label=str(_("提交变更申请")) if mine else str(_("查看")), badge="badge-warn" if mine else "badge-pending"))
    return out


def _detail_url(filing: Filing) -> str:
    return reverse("filings:detail", args=[filing.pk])


def agency_panel(user):
    if user.role != Role.AGENCY:
        return None
    if not user.agency_id:
        return {"title": _("登记机构"), "template": "filings/agency/_panel.html", "steps": [], "unregistered": True}
    return {"title": _("待办事项"), "template": "filings/agency/_panel.html", "tasks": todo.tasks_for(user)}


dashboards.register(Role.AGENCY, agency_panel)
todo.register("filings", filing_tasks)
