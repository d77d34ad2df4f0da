"""Multi-object actions on filings. Every state change goes through `perform(...)`: it locks the
filing, checks the actor's permission on the object, calls the transition, saves, writes the audit
entry and notifies the parties after commit — one path for views, admin, tasks and commands."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override
from django_fsm import ConcurrentTransition, can_proceed

from filings import notices, numbering, receipts
from filings.choices import FilingState
from filings.models import Filing
from filings.selectors import parties, recipients_for_many
from portal.audit import Event, record, record_many
from portal.models import pinned_policy
from portal.notifications import notify, notify_many

S = FilingState


class TransitionRefused(Exception):
    """A user-facing refusal, in the reader's language (Chinese by default), that changes nothing."""


class AlreadyDecided(TransitionRefused):
    """Someone else moved the filing first."""


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


def _label(state: str) -> str:
    return str(FilingState(state).label)


def _may(method, user) -> bool:
    """The transition's permission alone: django-fsm's has_transition_perm also checks conditions, which
    would turn "incomplete" into "forbidden" instead of a refusal that lists what is missing."""
    meta, filing = method._django_fsm, method.__self__
    return meta.has_transition_perm(filing, meta.field.get_state(filing), user)


def available_actions(filing: Filing, user) -> list[tuple[str, str]]:
    """The buttons `user` may press on `filing` now (permission and source state; conditions are
    checked on submit so that the refusal can say what is missing)."""
    out = []
    for name, label in ACTIONS.items():
        method = getattr(filing, name)
        if can_proceed(method, check_conditions=False) and _may(method, user):
            if name == "approve" and filing.notice_required():
                continue
            if name == "approve_for_notice" and not filing.notice_required():
                continue
            out.append((name, label))
    return out


def _refusal(filing: Filing, action: str) -> str:
    if action in ("submit", "supplement"):
        return _("申请尚不完整，请补齐后再提交：") + "；".join(filing.completeness_problems())
    if action in ("approve", "approve_for_notice"):
        from filings.selection import selection_conflicts

        parts = [_("%(occupation)s已有 %(count)s 家社会培训评价组织（上限 %(limit)s 家）：")
                 % {"occupation": c["occupation"].name, "count": len(c["holders"]), "limit": c["limit"]}
                 + "、".join(f.agency.name for f in c["holders"]) for c in selection_conflicts(filing)]
        return _("超出择优遴选名额 [003 §7]：") + "；".join(parts)
    if action == "start_expert_review":
        return _("专家组人数不足，请先指派专家（不得来自申请机构）")
    if action == "conclude_expert_review":
        return _("尚有专家未提交评审意见和评分")
    if action == "complete_notice":
        return _("尚有异议未核实")
    return _("当前条件下不能进行此操作")


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
                raise AlreadyDecided(_("该备案已由他人处理，当前状态为“%(state)s”，您的操作未执行。")
                                     % {"state": _label(filing.state)})
            if actor is not None and not _may(method, actor):
                raise PermissionDenied
            if action in COMMENT_REQUIRED and not comment:
                raise TransitionRefused(_("此操作须填写意见或理由。"))
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
        raise AlreadyDecided(_("该备案已由他人处理，您的操作未执行，请刷新后查看。")) from exc
    return filing


def notify_parties(filing: Filing, before: str) -> None:
    """The agency's staff and the reviewers who act on the filing hear of every change. Stored messages
    are written in the portal's language (Chinese), whatever language the actor reads."""
    with override(settings.LANGUAGE_CODE):
        _notify_parties(filing, before)


def _notify_parties(filing: Filing, before: str) -> None:
    notify(parties(filing),
           subject=f"备案状态变更：{filing.agency.name} {_label(before)} → {_label(filing.state)}",
           body=filing.last_comment, url=f"/filings/{filing.pk}/")


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
    from django.db.models import Exists, OuterRef

    from filings.models import Objection

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
        record_many(Event(f"filing.{action}", f, None, "", {"from": before, "to": f.state}) for f, before in moved)
        recipients = recipients_for_many([f for f, _ in moved])
        with override(settings.LANGUAGE_CODE):
            _notify_batch(moved, recipients)
    return len(moved)


def _notify_batch(moved, recipients) -> None:
    notify_many((recipients[f.pk], f"备案状态变更：{f.agency.name} {_label(before)} → {_label(f.state)}",
                 f.get_state_display() + "（系统按时限自动处理）", f"/filings/{f.pk}/") for f, before in moved)


# The filing's later lifecycle [SPEC §4–5]: effects of a renewal outcome, or decisions of the city.
LIFECYCLE_ACTIONS = {
    "suspend": gettext_lazy("暂停运作"),
    "order_rectification": gettext_lazy("责令限期整改"),
    "resume": gettext_lazy("恢复运作"),
    "expire": gettext_lazy("期满终止"),
    "terminate": gettext_lazy("终止备案"),
    "cancel": gettext_lazy("注销备案"),
}


def apply_lifecycle(filing: Filing, action: str, *, today: datetime.date, actor=None, comment: str = "") -> Filing:
    """Call one lifecycle transition on a filing the caller holds locked; save, audit, notify.
    A filing that ends leaves the directory in this same transaction (a live query on the state)."""
    before = filing.state
    getattr(filing, action)(today)
    filing.last_comment = comment
    filing.save()
    record(f"filing.{action}", filing, actor=actor, comment=comment, data={"from": before, "to": filing.state})
    notify_parties(filing, before)
    return filing


def change_in_force(*, filing_id: int, action: str, actor=None, comment: str = "",
                    today: datetime.date | None = None) -> Filing:
    """Suspend, order rectification, resume, expire, terminate or cancel a filing [002 §30, 003 §20,
    003 §22, 000 §5]: locked, checked, audited, notified. A person doing it must be a city reviewer of
    the filing's jurisdiction and give reasons; `actor=None` is the system (a renewal's effect)."""
    if action not in LIFECYCLE_ACTIONS:
        raise PermissionDenied
    comment = (comment or "").strip()
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            filing = Filing.objects.select_for_update().select_related("agency", "region").get(pk=filing_id)
            if actor is not None:
                from filings.permissions import is_city_reviewer

                if not is_city_reviewer(filing, actor):
                    raise PermissionDenied
                if not comment:
                    raise TransitionRefused(_("此操作须填写意见或理由。"))
            if not can_proceed(getattr(filing, action)):
                raise AlreadyDecided(_("该备案当前状态为“%(state)s”，不能%(action)s。")
                                     % {"state": filing.get_state_display(), "action": LIFECYCLE_ACTIONS[action]})
            return apply_lifecycle(filing, action, today=today, actor=actor, comment=comment)
    except ConcurrentTransition as exc:
        raise AlreadyDecided(_("该备案已由他人处理，请刷新后查看。")) from exc
