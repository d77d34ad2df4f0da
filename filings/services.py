"""Multi-object actions on filings. Every state change goes through `perform(...)`: it locks the
filing, checks the actor's permission on the object, calls the transition, saves, writes the audit
entry and notifies the parties after commit — one path for views, admin, tasks and commands."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from filings import notices, numbering, receipts
from filings.choices import FilingState
from filings.models import Filing
from filings.selectors import agency_staff, reviewers_for
from portal.audit import record
from portal.notifications import notify

S = FilingState


class TransitionRefused(Exception):
    """A user-facing refusal, in Chinese, that changes nothing."""


class AlreadyDecided(TransitionRefused):
    """Someone else moved the filing first."""


# Actions a person may take from a screen, with the Chinese label of the button.
ACTIONS = {
    "submit": "提交备案申请",
    "supplement": "提交补正材料",
    "withdraw": "撤回申请",
    "accept": "受理",
    "request_supplement": "一次性告知补正",
    "refuse_acceptance": "不予受理",
    "forward": "初审通过，报送市级",
    "return_to_agency": "退回修改",
    "start_expert_review": "组织专家评审",
    "conclude_expert_review": "专家评审完成",
    "approve_for_notice": "审定通过，进入公示",
    "approve": "审定通过，予以备案",
    "refuse": "不予备案",
    "reopen_review": "异议成立，退回评审",
}
# Decisions that go against the agency, or an opinion that travels with the filing, need a comment.
COMMENT_REQUIRED = {"request_supplement", "refuse_acceptance", "refuse", "return_to_agency", "reopen_review",
                    "forward", "withdraw"}


def _label(state: str) -> str:
    return FilingState(state).label


def available_actions(filing: Filing, user) -> list[tuple[str, str]]:
    """The buttons `user` may press on `filing` now (permission and source state; conditions are
    checked on submit so that the refusal can say what is missing)."""
    out = []
    for name, label in ACTIONS.items():
        method = getattr(filing, name)
        if can_proceed(method, check_conditions=False) and has_transition_perm(method, user):
            if name == "approve" and filing.notice_required():
                continue
            if name == "approve_for_notice" and not filing.notice_required():
                continue
            out.append((name, label))
    return out


def _refusal(filing: Filing, action: str) -> str:
    if action in ("submit", "supplement"):
        return "申请尚不完整，请补齐后再提交：" + "；".join(filing.completeness_problems())
    if action in ("approve", "approve_for_notice"):
        from filings.selection import selection_conflicts

        parts = [f"{c['occupation'].name}已有 {len(c['holders'])} 家社会培训评价组织（上限 {c['limit']} 家）："
                 + "、".join(f.agency.name for f in c["holders"]) for c in selection_conflicts(filing)]
        return "超出择优遴选名额 [003 §7]：" + "；".join(parts)
    if action == "start_expert_review":
        return "专家组人数不足，请先指派专家（不得来自申请机构）"
    if action == "conclude_expert_review":
        return "尚有专家未提交评审意见和评分"
    if action == "complete_notice":
        return "尚有异议未核实"
    return "当前条件下不能进行此操作"


def perform(*, filing_id: int, action: str, actor=None, comment: str = "",
            today: datetime.date | None = None, expected_state: str | None = None) -> Filing:
    """Carry out one transition. `actor=None` is the system (deadline sweep); a person's permission
    is checked on the object. `expected_state` is the state the person saw when deciding: if the
    filing moved since, they are told plainly that someone else already decided."""
    if action not in ACTIONS and actor is not None:
        raise PermissionDenied
    today = today or timezone.localdate()
    comment = (comment or "").strip()
    try:
        with transaction.atomic():
            filing = Filing.objects.select_for_update().select_related("agency", "region").get(pk=filing_id)
            method = getattr(filing, action)
            if (expected_state and filing.state != expected_state) or not can_proceed(method, check_conditions=False):
                raise AlreadyDecided(f"该备案已由他人处理，当前状态为“{_label(filing.state)}”，您的操作未执行。")
            if actor is not None and not has_transition_perm(method, actor):
                raise PermissionDenied
            if action in COMMENT_REQUIRED and not comment:
                raise TransitionRefused("此操作须填写意见或理由。")
            if not can_proceed(method):
                raise TransitionRefused(_refusal(filing, action))
            before = filing.state
            method(today)
            if comment:
                filing.last_comment = comment
            if filing.state == S.PUBLIC_NOTICE:
                notices.add_to_notice(filing, actor=actor, today=today)
            entering_force = filing.state == S.ACTIVE and before in (S.SELECTION, S.PUBLIC_NOTICE)
            if entering_force:
                numbering.assign_number(filing)
            filing.save()
            if entering_force:
                receipts.issue_receipt(filing, reason="备案")
            record(f"filing.{action}", filing, actor=actor, comment=comment,
                   data={"from": before, "to": filing.state})
            notify_parties(filing, before)
    except ConcurrentTransition as exc:
        raise AlreadyDecided("该备案已由他人处理，您的操作未执行，请刷新后查看。") from exc
    return filing


def notify_parties(filing: Filing, before: str) -> None:
    """The agency's staff and the reviewers who act on the filing hear of every change."""
    notify([*agency_staff(filing), *reviewers_for(filing)],
           subject=f"备案状态变更：{filing.agency.name} {_label(before)} → {_label(filing.state)}",
           body=filing.last_comment, url=f"/filings/{filing.pk}/")
