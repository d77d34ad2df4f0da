"""Multi-object actions on filings. Every state change goes through the shared transition machinery
(`portal.transitions`, with the filing's `MACHINE` below): lock the filing, check the actor's
permission on the object, call the transition, save, write the audit entry and notify the parties
— one path for views, admin, tasks and commands."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override
from django_fsm import can_proceed

from filings import decisions, notices, numbering, receipts, supplements
from filings.choices import FilingState
from filings.models import Filing, Objection
from filings.selectors import parties, recipients_for_many
from portal import transitions
from portal.audit import Event, record_many
from portal.models import pinned_policy
from portal.notifications import notify, notify_many
from portal.transitions import AlreadyDecided, Busy, TransitionRefused

__all__ = ["ACTIONS", "LIFECYCLE_ACTIONS", "MACHINE", "AlreadyDecided", "Busy", "TransitionRefused",
           "apply_lifecycle", "available_actions", "change_in_force", "notify_parties", "perform", "perform_batch"]

S = FilingState

# Actions a person may take from a screen, with the label of the button.
ACTIONS = {
    "submit": gettext_lazy("提交备案申请"),
    "supplement": gettext_lazy("提交补正材料"),
    "withdraw": gettext_lazy("撤回申请"),
    "accept": gettext_lazy("受理"),
    "request_supplement": gettext_lazy("一次性告知补正"),
    "refuse_acceptance": gettext_lazy("不予受理"),
    "forward": gettext_lazy("初审通过，报送市级"),
    "return_to_agency": gettext_lazy("退回修改"),
    "start_expert_review": gettext_lazy("组织专家评审"),
    "conclude_expert_review": gettext_lazy("专家评审完成"),
    "approve_for_notice": gettext_lazy("审定通过，进入公示"),
    "approve": gettext_lazy("审定通过，予以备案"),
    "refuse": gettext_lazy("不予备案"),
    "reopen_review": gettext_lazy("异议成立，退回评审"),
}
# Decisions that go against the agency, or an opinion that travels with the filing, need a comment.
COMMENT_REQUIRED = {"request_supplement", "refuse_acceptance", "refuse", "return_to_agency", "reopen_review",
                    "forward", "withdraw"}
# The filing's later lifecycle [SPEC §4–5]: effects of a renewal outcome, or decisions of the city.
LIFECYCLE_ACTIONS = {
    "suspend": gettext_lazy("暂停运作"),
    "order_rectification": gettext_lazy("责令限期整改"),
    "resume": gettext_lazy("恢复运作"),
    "expire": gettext_lazy("期满终止"),
    "terminate": gettext_lazy("终止备案"),
    "cancel": gettext_lazy("注销备案"),
}
# Taken only on a sanction's review: a cancellation revoked or varied restores the filing [003 §20, §22].
# Not among the machine's actions, so `perform` refuses it to everyone; the review applies it directly.
SET_ASIDE_ACTIONS = {"restore": gettext_lazy("注销决定经复议（诉讼）撤销或变更，恢复备案")}
# What the system does on its own: the deadline sweep [002 §10, 003 §7] and the effects of a renewal
# outcome [000 §5, 004 §4]. Never a cancellation: the city decides that [003 §22].
SYSTEM_ACTIONS = frozenset({"deem_accepted", "abandon", "complete_notice", "expire", "suspend", "resume",
                            "terminate", "reinstate"})
# Labels of the transitions only the system takes, for the audit trail.
SYSTEM_LABELS = {
    "deem_accepted": gettext_lazy("逾期未作出决定，视为受理"),
    "abandon": gettext_lazy("逾期未补正，视为放弃申请"),
    "complete_notice": gettext_lazy("公示期满无异议，予以备案"),
    "reinstate": gettext_lazy("逾期申请续期并通过，恢复备案"),
}


def _label(state: str) -> str:
    return str(FilingState(state).label)


def _refusal(filing: Filing, action: str, today: datetime.date) -> str:
    if action == "supplement" and not filing.supplement_items_settled():
        open_items = [f"{item.label}（{item.get_kind_display()}）" for item in filing.open_supplement_items()]
        parts = [_("补正通知书所列以下事项尚未修改或说明，请逐项修改相应内容或填写说明 [002 §10]：") + "；".join(open_items)]
        if problems := filing.completeness_problems():
            parts.append(_("申请尚不完整：") + "；".join(problems))
        return "。".join(parts)
    if action in ("submit", "supplement"):
        return _("申请尚不完整，请补齐后再提交：") + "；".join(filing.completeness_problems())
    if action == "approve" and filing.notice_required():
        return _("按本局政策，该备案须先经公示，公示期满无异议后方可予以备案 [003 §7, 001 §3(3)]")
    if action == "approve_for_notice" and not filing.notice_required():
        return _("按本局政策，该类机构的备案无须公示，请直接审定予以备案 [002 §12]")
    if action in ("approve", "approve_for_notice"):
        parts = [_("%(occupation)s已有 %(count)s 家社会培训评价组织（上限 %(limit)s 家）：")
                 % {"occupation": c["occupation"].name, "count": len(c["holders"]), "limit": c["limit"]}
                 + "、".join(f.agency.name for f in c["holders"]) for c in filing.selection_conflicts()]
        return _("超出择优遴选名额 [003 §7]：") + "；".join(parts)
    if action == "start_expert_review":
        return _("专家组人数不足，请先指派专家（不得来自申请机构）")
    if action == "conclude_expert_review":
        return _("尚有专家未提交评审意见和评分")
    if action == "complete_notice":
        return _("尚有异议未核实")
    return _("当前条件下不能进行此操作")


def _check(filing: Filing, action: str, actor, today: datetime.date) -> None:
    """The ticked items of a supplement request must be this filing's materials or scope rows."""
    items = supplements.requested.get()
    if items and action != "request_supplement":
        raise TransitionRefused(_("只有一次性告知补正时才能勾选补正事项。"))
    if items and (problems := supplements.problems(filing, items)):
        raise TransitionRefused("；".join(problems))


def _effects(filing: Filing, action: str, before: str, actor, comment: str, today: datetime.date) -> None:
    """What a step does beyond the state: into the public notice, the filing number on entering
    force [001 §3(3-4), 002 §12], and the written notice of a completeness decision or a refusal,
    with the supplement request's checklist [002 §10-11]."""
    notice = decisions.issue(filing, action, actor=actor, comment=comment if actor else "", today=today)
    if action == "request_supplement":
        supplements.store(filing, notice, supplements.requested.get())
    if filing.state == S.PUBLIC_NOTICE:
        notices.add_to_notice(filing, actor=actor, today=today)
    if filing.state == S.ACTIVE and before in (S.SELECTION, S.PUBLIC_NOTICE):
        numbering.assign_number(filing)


def _after_save(filing: Filing, action: str, before: str, actor, today: datetime.date) -> None:
    if filing.state == S.ACTIVE and before in (S.SELECTION, S.PUBLIC_NOTICE):
        receipts.issue_receipt(filing, reason="备案")


def _notify(filing: Filing, before: str, comment: str) -> None:
    """The agency's staff and the reviewers who act on the filing hear of every change, each message
    with the words of its own step."""
    notify(parties(filing),
           subject=f"备案状态变更：{filing.agency.name} {_label(before)} → {_label(filing.state)}",
           body=comment, url=f"/filings/{filing.pk}/")


MACHINE = transitions.Machine(
    model=Filing,
    audit_prefix="filing",
    noun=gettext_lazy("该备案"),
    actions={**ACTIONS, **LIFECYCLE_ACTIONS},
    system_actions=SYSTEM_ACTIONS,
    comment_required=frozenset(COMMENT_REQUIRED | set(LIFECYCLE_ACTIONS)),
    select_related=("agency", "region"),
    refusal=_refusal,
    check=_check,
    effects=_effects,
    after_save=_after_save,
    notify=_notify,
)


def available_actions(filing: Filing, user) -> list[tuple[str, str]]:
    """The buttons `user` may press on `filing` now (permission and source state; conditions are
    checked on submit so that the refusal can say what is missing)."""
    notice = filing.notice_required()
    return [(name, label) for name, label in transitions.available_actions(MACHINE, filing, user, among=ACTIONS)
            if not (name == "approve" and notice) and not (name == "approve_for_notice" and not notice)]


def perform(*, filing_id: int, action: str, actor=None, comment: str = "",
            today: datetime.date | None = None, expected_state: str | None = None,
            supplement_items: tuple[supplements.Requested, ...] | list = ()) -> Filing:
    """Carry out one transition of a filing (`portal.transitions.perform`). `actor=None` is the
    system, which may take only `SYSTEM_ACTIONS`; a person's permission is checked on the object.
    `supplement_items` are what a supplement request ticks, listed on its notice [002 §10]."""
    token = supplements.requested.set(tuple(supplement_items))
    try:
        return transitions.perform(MACHINE, pk=filing_id, action=action, actor=actor, comment=comment, today=today,
                                   expected_state=expected_state)
    finally:
        supplements.requested.reset(token)


def notify_parties(filing: Filing, before: str, comment: str | None = None) -> None:
    """Tell the parties of a change made outside `perform` (a renewal passing), in the portal's language."""
    with override(settings.LANGUAGE_CODE):
        _notify(filing, before, filing.last_comment if comment is None else comment)


# Every field a timed transition may change. Filings moved by the same rule on the same day mostly
# end with the same values, so a batch writes them back as one UPDATE per distinct set of values
# (the filing number, unique per filing, separately).
TIMED_FIELDS = ["state", "route", "received_on", "acceptance_due", "supplement_due", "accepted_on", "decision_due",
                "notice_ends_on", "decided_on", "ended_on", "valid_from", "valid_until", "pilot", "pilot_until",
                "updated_at"]


def _write_back(filings: list[Filing]) -> None:
    groups: dict[tuple, list[int]] = {}
    for f in filings:
        groups.setdefault(tuple(getattr(f, name) for name in TIMED_FIELDS), []).append(f.pk)
    for values, pks in groups.items():
        Filing.objects.filter(pk__in=pks).update(**dict(zip(TIMED_FIELDS, values)))
    for f in filings:
        if f.number and f.state == S.ACTIVE:
            Filing.objects.filter(pk=f.pk, number__isnull=True).update(number=f.number)


def perform_batch(*, action: str, filing_ids: list[int], today: datetime.date) -> int:
    """The system's timed transitions for many filings in one transaction: lock the rows still
    free, call the transition on each, then one UPDATE, one audit insert and one batch of
    notifications. Filings a person is deciding right now (locked) are left for the next run.
    Returns how many moved."""
    transitions.require_system_action(MACHINE, action)
    with transaction.atomic(), pinned_policy():
        filings = list(
            Filing.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("agency", "region")
            .filter(pk__in=filing_ids)
            .annotate(has_pending_objections=Exists(Objection.objects.filter(
                item__filing=OuterRef("pk"), state=Objection.State.PENDING)))
            .order_by("pk"))
        moved = []
        now = timezone.now()
        for filing in filings:
            method = getattr(filing, action)
            if not can_proceed(method):
                continue
            before = filing.state
            method(today)
            filing.updated_at = now
            moved.append((filing, before))
        if not moved:
            return 0
        entering_force = [f for f, before in moved if f.state == S.ACTIVE and before != S.ACTIVE]
        numbering.assign_numbers(entering_force)
        _write_back([f for f, _ in moved])
        receipts.issue_receipts(entering_force, reason="备案")
        decisions.issue_many([f for f, _ in moved], action, today=today)
        record_many(Event(MACHINE.audit_action(action), f, None, "", {"from": before, "to": f.state})
                    for f, before in moved)
        recipients = recipients_for_many([f for f, _ in moved])
        with override(settings.LANGUAGE_CODE):
            _notify_batch(moved, recipients)
    return len(moved)


def _notify_batch(moved, recipients) -> None:
    notify_many((recipients[f.pk], f"备案状态变更：{f.agency.name} {_label(before)} → {_label(f.state)}",
                 f.get_state_display() + "（系统按时限自动处理）", f"/filings/{f.pk}/") for f, before in moved)


def apply_lifecycle(filing: Filing, action: str, *, today: datetime.date, actor=None, comment: str = "") -> Filing:
    """Call one lifecycle transition on a filing the caller holds locked (a renewal's outcome); save,
    audit, notify. A filing that ends leaves the directory in this same transaction."""
    return transitions.apply(MACHINE, filing, action, actor=actor, comment=comment, today=today)


def change_in_force(*, filing_id: int, action: str, actor=None, comment: str = "",
                    today: datetime.date | None = None) -> Filing:
    """Suspend, order rectification, resume, expire, terminate or cancel a filing [002 §30, 003 §20,
    003 §22, 000 §5]: locked, checked, audited, notified. A person doing it must be a city reviewer of
    the filing's jurisdiction and give reasons; `actor=None` is the system (a renewal's effect)."""
    if action not in LIFECYCLE_ACTIONS:
        raise PermissionDenied
    return perform(filing_id=filing_id, action=action, actor=actor, comment=comment, today=today)
