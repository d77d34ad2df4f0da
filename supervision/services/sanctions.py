"""Sanctions, the cancellation sweep and voluntary termination [002 §30-31, 003 §20, §22, 000 §6(3)].

Every state change goes through `portal.transitions.perform` with the machines below; what a
decision does to the filing goes through the filing's own lifecycle (`filings.services.apply_lifecycle`,
on the filing locked in the same transaction), and a 限期整改 is an order of the inspections area
(`issue_rectification_order(origin=SANCTION)`)."""

from __future__ import annotations

import contextvars
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.choices import IN_FORCE, FilingState
from filings.models import Agency, Filing
from filings.services import apply_lifecycle
from portal import transitions
from portal.audit import Event, record, record_many
from portal.models import Role, User
from portal.notifications import notify, notify_many
from portal.text import clean_text
from portal.transitions import TransitionRefused
from supervision import numbering
from supervision.models.sanctions import (CancellationGround, Sanction, TerminationRequest,
                                          TerminationTask, ground_numbers)
from supervision.permissions import sanctions as perm

__all__ = ["SANCTION_MACHINE", "TERMINATION_MACHINE", "apply_for_termination", "complete_termination_task",
           "decide_sanction", "perform_sanction", "perform_termination", "propose_cancellations", "propose_sanction"]

M = Sanction.Measure
S = Sanction.State
T = TerminationRequest.State

SANCTION_ACTIONS = {
    "uphold": gettext_lazy("复核认可，作出处理"),
    "alter": gettext_lazy("复核变更处理措施"),
    "reject": gettext_lazy("复核不予认可"),
    "withdraw": gettext_lazy("撤回处理建议"),
    "lift": gettext_lazy("解除暂停评价"),
}
TERMINATION_ACTIONS = {
    "confirm": gettext_lazy("确认终止备案"),
    "return_request": gettext_lazy("不予确认，退回"),
    "withdraw": gettext_lazy("撤回终止申请"),
    "close": gettext_lazy("收尾完成，办结"),
}
# How long the system looks back for evaluation activity: ground 2 [003 §22(2): 超1年以上的（含1年）].
INACTIVE_DAYS = 365
# After the city rejects a proposal of the sweep, the same ground is not proposed again for the
# filing for this many days (the city has looked at it; the records will not have changed by tomorrow).
REJECTION_QUIET_DAYS = 180
# The rectification orders whose lapse is ground 6 (a rating below three stars) or ground 7 (the rest).
RATING_ORIGIN = "rating"

# The measure the city decides when it alters a proposal (set by `decide_sanction` for `alter`).
_altered_to: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("altered_to", default=None)


# ----- helpers ------------------------------------------------------------------------------------------

def _text(value: str, *, required: bool = False, what: str = "") -> str:
    try:
        value = clean_text((value or "").strip(), multiline=True)
    except ValidationError as exc:
        raise TransitionRefused("；".join(exc.messages)) from exc
    if required and not value:
        raise TransitionRefused(_("请填写%(what)s。") % {"what": what})
    return value


def _agency_users(agency_id: int) -> list[User]:
    return list(User.objects.filter(role=Role.AGENCY, agency_id=agency_id, is_active=True))


def _city_of(agency) -> list[User]:
    return list(User.objects.filter(role=Role.CITY, is_active=True, region__path__in=agency.region.ancestor_paths()))


def _next_number(model, prefix: str) -> str:
    return numbering.next_number(model, prefix, width=5)


def _save_numbered(obj, prefix: str) -> None:
    numbering.save_numbered(obj, prefix, width=5)


def _in_force_filing(agency) -> Filing | None:
    return Filing.objects.filter(agency=agency, state__in=IN_FORCE).order_by("-valid_from", "-pk").first()


def _proposer_label(actor) -> str:
    if actor is None:
        return "系统（注销情形核查）"
    if actor.role == Role.INDUSTRY and actor.industry_department_id:
        return str(actor.industry_department)
    if actor.region_id:
        return f"{actor.region.name}人社部门"
    return str(actor)


def clean_grounds(measure: str, grounds: str) -> str:
    """For a removal, the ground numbers of [003 §22] ("2" or "3,7", each once, 1–8); otherwise the
    text of the rules broken, required."""
    if measure == M.REMOVE:
        numbers = ground_numbers(grounds)
        if not numbers or any(n not in CancellationGround.values for n in numbers):
            raise TransitionRefused(_("移除备案（注销）须注明 [003 §22] 所列情形的序号（1–8，可多项，用逗号分隔）。"))
        return ",".join(sorted(set(numbers)))
    return _text(grounds, required=True, what=_("处理依据"))


# ----- proposing ----------------------------------------------------------------------------------------

def propose_sanction(*, agency, filing=None, measure: str, grounds: str, reason: str, origin: str,
                     origin_id: int | None = None, actor, today: datetime.date | None = None,
                     evidence: str = "") -> Sanction:
    """提出处理意见 [003 §20]: the district or industry department the filing is routed through (or
    the city) proposes a measure of the ladder with grounds and evidence; the city then decides.
    `actor=None` is the system's sweep, proposing a removal on a ground it can see in the records
    (2, 3, 6, 7 [003 §22]) — never deciding. A suspension or removal needs the filing it acts on
    (the agency's filing in force when none is named)."""
    today = today or timezone.localdate()
    if measure not in M.values:
        raise TransitionRefused(_("处理措施不正确。"))
    if origin not in Sanction.Origin.values:
        raise TransitionRefused(_("处理来源不正确。"))
    if filing is not None and filing.agency_id != agency.pk:
        raise TransitionRefused(_("所选备案不属于该机构。"))
    if filing is None and measure in Sanction.ON_FILING:
        filing = _in_force_filing(agency)
    if actor is not None and not perm.may_propose(agency, filing, actor):
        raise PermissionDenied
    if actor is None and measure != M.REMOVE:
        raise PermissionDenied  # the system only proposes cancellations on grounds it can see [003 §22]
    if measure in Sanction.ON_FILING and (filing is None or filing.state not in IN_FORCE):
        raise TransitionRefused(_("该机构没有有效备案，不能提出暂停评价或移除备案。"))
    grounds = clean_grounds(measure, grounds)
    cancellation = grounds if measure == M.REMOVE else ""
    reason = _text(reason, required=True, what=_("事实与理由"))
    evidence = _text(evidence)
    with transaction.atomic():
        if filing is not None:
            Filing.objects.select_for_update().filter(pk=filing.pk).first()
            duplicate = Sanction.objects.filter(filing=filing, measure=measure, state=S.PROPOSED)
            if measure == M.REMOVE:
                duplicate = duplicate.filter(_any_ground_q(ground_numbers(cancellation)))
            if duplicate.exists():
                raise TransitionRefused(_("该备案已有相同的处理建议待市级复核，请勿重复提出。"))
        sanction = Sanction(agency=agency, filing=filing, measure=measure, proposed_measure=measure, grounds=grounds,
                            cancellation_grounds=cancellation, reason=reason, evidence=evidence, origin=origin,
                            origin_id=origin_id, proposed_on=today,
                            proposed_by=actor, proposer_label=_proposer_label(actor))
        _save_numbered(sanction, f"CF{today:%Y}")
        record("sanction.propose", sanction, actor=actor, comment=reason,
               data={"agency": agency.pk, "filing": filing.pk if filing else None, "measure": measure,
                     "grounds": grounds, "origin": origin, "origin_id": origin_id})
        notify(_city_of(agency), subject=f"处理建议待复核：{agency.name} {sanction.get_measure_display()}（{sanction.number}）",
               body=reason, url=f"/supervision/sanctions/{sanction.pk}/")
    return sanction


def _any_ground_q(numbers: list[str]) -> Q:
    q = Q(pk__in=[])
    for n in numbers:
        q |= Q(cancellation_grounds__contains=n)
    return q


# ----- deciding -----------------------------------------------------------------------------------------

def _prepare(sanction: Sanction) -> None:
    """Lock the filing the decision acts on, and let the decision see the measure it decides."""
    if sanction.filing_id:
        sanction.filing = (Filing.objects.select_for_update(of=("self",)).select_related("agency", "region")
                           .get(pk=sanction.filing_id))
    if altered := _altered_to.get():
        sanction.measure, numbers = altered
        if sanction.measure == M.REMOVE:
            sanction.cancellation_grounds = numbers
        if sanction.measure in Sanction.ON_FILING and sanction.filing is None:
            sanction.filing = _in_force_filing(sanction.agency)


def _check(sanction: Sanction, action: str, actor, today: datetime.date) -> None:
    if action == "alter":
        altered = _altered_to.get()
        if not altered or altered[0] == sanction.proposed_measure:
            raise TransitionRefused(_("变更处理措施须选择与建议不同的措施。"))


def _refusal(sanction: Sanction, action: str, today: datetime.date) -> str:
    if action in ("uphold", "alter"):
        if sanction.filing is None:
            return _("该机构没有有效备案，不能作出暂停评价或移除备案的处理。")
        if sanction.measure == M.SUSPEND:
            return _("该备案当前状态为“%(state)s”，不能暂停评价。") % {"state": sanction.filing.get_state_display()}
        return _("该备案当前状态为“%(state)s”，不能移除备案。") % {"state": sanction.filing.get_state_display()}
    if action == "lift":
        return _("只有暂停评价且备案仍处于暂停状态时才能解除。")
    return ""


def _after_save(sanction: Sanction, action: str, before: str, actor, today: datetime.date) -> None:
    """The decision takes effect on the filing, through the filing's lifecycle [003 §20, §22]."""
    if action in ("uphold", "alter"):
        sanction.decided_by = actor
        sanction.decision_reason = sanction.last_comment
        note = f"{sanction.get_measure_display()}（{sanction.number}）：{sanction.grounds_display()}"
        if sanction.measure == M.SUSPEND:
            apply_lifecycle(sanction.filing, "suspend", today=today, actor=actor,
                            comment=f"处理决定 {note} [003 §20]")
        elif sanction.measure == M.REMOVE:
            apply_lifecycle(sanction.filing, "cancel", today=today, actor=actor,
                            comment=f"处理决定 {note} [003 §22]")
        elif sanction.measure == M.RECTIFY:
            from supervision.services.inspections import issue_rectification_order
            from supervision.models.inspections import RectificationOrder
            order = issue_rectification_order(agency=sanction.agency, filing=sanction.filing,
                                              origin=RectificationOrder.Origin.SANCTION, origin_id=sanction.pk,
                                              findings=f"{sanction.grounds}\n{sanction.reason}", actor=actor,
                                              today=today)
            sanction.order_id = order.pk
        sanction.save(update_fields=["decided_by", "decision_reason", "order_id", "measure", "cancellation_grounds",
                                     "updated_at"])
    elif action == "lift":
        apply_lifecycle(sanction.filing, "resume", today=today, actor=actor,
                        comment=f"解除暂停评价（{sanction.number}）：{sanction.last_comment}")
    elif action == "reject":
        sanction.decided_by = actor
        sanction.decision_reason = sanction.last_comment
        sanction.save(update_fields=["decided_by", "decision_reason", "updated_at"])


def _notify(sanction: Sanction, before: str, comment: str) -> None:
    """The agency hears of a decision against it (never of a mere proposal); the proposing side and
    the city hear of every step."""
    recipients = _city_of(sanction.agency)
    if sanction.proposed_by_id:
        recipients.append(sanction.proposed_by)
    if sanction.state in Sanction.PUBLISHED_STATES:
        recipients += _agency_users(sanction.agency_id)
    notify(recipients, subject=f"处理措施：{sanction.agency.name} {sanction.get_measure_display()}"
                               f"（{sanction.number}）{sanction.get_state_display()}",
           body=comment, url=f"/supervision/sanctions/{sanction.pk}/")


def _audit_data(sanction: Sanction, action: str, before: str) -> dict:
    return {"measure": sanction.measure, "proposed_measure": sanction.proposed_measure, "grounds": sanction.grounds}


SANCTION_MACHINE = transitions.Machine(
    model=Sanction,
    audit_prefix="sanction",
    noun=gettext_lazy("该处理建议"),
    actions=SANCTION_ACTIONS,
    system_actions=frozenset(),  # the system proposes; only the city decides [003 §20, §22]
    comment_required=frozenset(SANCTION_ACTIONS),
    select_related=(),  # lock the row alone: the filing is locked next (`prepare`), agency and region never
    refusal=_refusal,
    prepare=_prepare,
    check=_check,
    after_save=_after_save,
    notify=_notify,
    audit_data=_audit_data,
)


def decide_sanction(*, sanction_id: int, action: str, actor, comment: str = "", measure: str | None = None,
                    cancellation_grounds: str = "", today: datetime.date | None = None,
                    expected_state: str | None = None) -> Sanction:
    """The city's review [003 §20]: `uphold`, `alter` (to `measure`; to a removal with the
    `cancellation_grounds` of [003 §22]), `reject`; and `withdraw` by the proposing side, `lift` a
    suspension. Reasons are required."""
    altered = None
    if action == "alter":
        if measure not in M.values:
            raise TransitionRefused(_("请选择变更后的处理措施。"))
        altered = (measure, clean_grounds(M.REMOVE, cancellation_grounds) if measure == M.REMOVE else "")
    token = _altered_to.set(altered)
    try:
        return transitions.perform(SANCTION_MACHINE, pk=sanction_id, action=action, actor=actor, comment=comment,
                                   today=today, expected_state=expected_state)
    finally:
        _altered_to.reset(token)


perform_sanction = decide_sanction


def available_sanction_actions(sanction: Sanction, user) -> list[tuple[str, str]]:
    """The buttons `user` may press now; lifting is only for a suspension."""
    return [(name, label) for name, label in transitions.available_actions(SANCTION_MACHINE, sanction, user)
            if name != "lift" or sanction.measure == M.SUSPEND]


# ----- the cancellation sweep [003 §22] -------------------------------------------------------------------

def _grounds_seen(today: datetime.date) -> dict[str, dict[int, str]]:
    """{ground: {filing_id: what the records show}} for the grounds the records can show: 2 (no
    evaluation carried out for a year), 3 (the legal entity terminated), 6 (a rectification after
    a rating below three stars not done in time), 7 (any other rectification not done in time)."""
    from supervision.models.inspections import RectificationOrder

    in_force = Filing.objects.filter(state__in=IN_FORCE)
    seen: dict[str, dict[int, str]] = {g: {} for g in ("2", "3", "6", "7")}
    year_ago = today - datetime.timedelta(days=INACTIVE_DAYS)
    # Ground 2: in force for a year or more, and no batch carried out within the year. A suspended or
    # rectifying filing is barred from evaluating [002 §30], so its silence is not the agency's choice.
    old = list(in_force.filter(state=FilingState.ACTIVE, valid_from__lte=year_ago)
               .values_list("pk", "agency_id", "valid_from"))
    if old:
        last = _last_batches({a for _, a, _ in old})
        for pk, agency_id, valid_from in old:
            day = last.get(agency_id)
            if day is None or day <= year_ago:
                seen["2"][pk] = (f"最近一次认定活动：{day:%Y-%m-%d}" if day else
                                 f"自 {valid_from:%Y-%m-%d} 备案以来无认定活动记录") + "，已满1年 [003 §22(2)]"
    # Ground 3: the agency's legal entity deregistered or revoked.
    for pk, status in in_force.exclude(agency__entity_status=Agency.EntityStatus.EXISTING).values_list(
            "pk", "agency__entity_status"):
        seen["3"][pk] = f"法人主体状态：{Agency.EntityStatus(status).label} [003 §22(3)]"
    # Grounds 6 and 7: a rectification order past its deadline and not done.
    overdue = (RectificationOrder.objects.filter(Q(state=RectificationOrder.State.OVERDUE)
                                                 | Q(state=RectificationOrder.State.ISSUED, due_on__lt=today))
               .values_list("agency_id", "filing_id", "origin", "number", "due_on"))
    orders = list(overdue)
    if orders:
        by_agency = dict(in_force.filter(agency_id__in={o[0] for o in orders}).values_list("agency_id", "pk"))
        for agency_id, filing_id, origin, number, due_on in orders:
            pk = filing_id if filing_id in by_agency.values() else by_agency.get(agency_id)
            if pk is None:
                continue
            ground = "6" if origin == RATING_ORIGIN else "7"
            seen[ground].setdefault(pk, f"整改通知 {number} 限 {due_on:%Y-%m-%d} 前完成，逾期未完成 [003 §22({ground})]")
    return seen


def _last_batches(agency_ids: set[int]) -> dict[int, datetime.date | None]:
    """The batches area's answer (F's selector); without it, no agency has any recorded activity."""
    try:
        from supervision.selectors.batches import last_batch_on
    except ImportError:  # pragma: no cover - the batches area is part of the app
        return dict.fromkeys(agency_ids)
    return last_batch_on(agency_ids)


def propose_cancellations(today: datetime.date) -> int:
    """The daily sweep [003 §22]: for each ground the records can show, propose cancellation to the
    city's work list — never cancel [003 §22: 由备案机关取消其备案]. Set-based (one read per ground,
    one insert, one audit insert, one batch of messages) and idempotent: a filing with a removal
    pending on the same ground gets no second proposal, nor one the city rejected within
    REJECTION_QUIET_DAYS. Returns how many were proposed."""
    seen = _grounds_seen(today)
    wanted = [(g, pk, why) for g, found in seen.items() for pk, why in found.items()]
    if not wanted:
        return 0
    with transaction.atomic():
        pending = set()
        quiet = today - datetime.timedelta(days=REJECTION_QUIET_DAYS)
        for filing_id, grounds in Sanction.objects.filter(
                Q(state=S.PROPOSED) | Q(state=S.REJECTED, decided_on__gte=quiet),
                measure=M.REMOVE, filing_id__in={pk for _, pk, _ in wanted}).values_list(
                "filing_id", "cancellation_grounds"):
            pending |= {(g, filing_id) for g in ground_numbers(grounds)}
        wanted = [(g, pk, why) for g, pk, why in wanted if (g, pk) not in pending]
        if not wanted:
            return 0
        filings = Filing.objects.select_related("agency", "agency__region").in_bulk({pk for _, pk, _ in wanted})
        prefix = f"CF{today:%Y}"
        last = _next_number(Sanction, prefix)
        seq = int(last[len(prefix):])
        rows = []
        for ground, pk, why in sorted(wanted, key=lambda w: (w[1], w[0])):
            f = filings[pk]
            rows.append(Sanction(number=f"{prefix}{seq:05d}", agency=f.agency, filing=f, measure=M.REMOVE,
                                 proposed_measure=M.REMOVE, grounds=ground, cancellation_grounds=ground,
                                 reason=why, origin=Sanction.Origin.SWEEP,
                                 proposed_on=today, proposer_label=_proposer_label(None)))
            seq += 1
        created = Sanction.objects.bulk_create(rows)
        if any(s.pk is None for s in created):  # backends that do not return ids (none we support)
            created = list(Sanction.objects.filter(number__in=[s.number for s in rows]))
        record_many(Event("sanction.propose", s, None, s.reason,
                          {"agency": s.agency_id, "filing": s.filing_id, "measure": M.REMOVE, "grounds": s.grounds,
                           "origin": Sanction.Origin.SWEEP}) for s in created)
        city = list(User.objects.filter(role=Role.CITY, is_active=True).select_related("region"))
        notify_many(([u for u in city if u.region.path in s.agency.region.ancestor_paths()],
                     f"注销情形待复核：{s.agency.name}（{s.number}）情形 {s.grounds}", s.reason,
                     f"/supervision/sanctions/{s.pk}/") for s in created)
    return len(created)


# ----- voluntary termination [002 §31, 000 §6(3)] ---------------------------------------------------------

def apply_for_termination(*, filing, reason: str, intended_on: datetime.date, actor,
                          today: datetime.date | None = None) -> TerminationRequest:
    """The agency reports that it stops evaluating and applies to cancel its filing [002 §31]."""
    today = today or timezone.localdate()
    if not perm.is_agency_member(filing, actor):
        raise PermissionDenied
    reason = _text(reason, required=True, what=_("终止原因"))
    if intended_on is None or intended_on < today:
        raise TransitionRefused(_("拟终止日期不能早于今天。"))
    with transaction.atomic():
        filing = Filing.objects.select_for_update(of=("self",)).select_related("agency", "region").get(pk=filing.pk)
        if filing.state not in IN_FORCE:
            raise TransitionRefused(_("只有有效备案才能申请自愿终止。"))
        if filing.termination_requests.filter(state__in=(T.SUBMITTED, T.CONFIRMED)).exists():
            raise TransitionRefused(_("该备案已有自愿终止申请在办理中，请勿重复提交。"))
        request = TerminationRequest(agency=filing.agency, filing=filing, reason=reason, intended_on=intended_on,
                                     submitted_on=today, submitted_by=actor)
        _save_numbered(request, f"ZZ{today:%Y}")
        record("termination.apply", request, actor=actor, comment=reason,
               data={"filing": filing.pk, "intended_on": intended_on.isoformat()})
        notify(_city_of(filing.agency), subject=f"自愿终止申请待确认：{filing.agency.name}（{request.number}）",
               body=reason, url=f"/supervision/terminations/{request.pk}/")
    return request


def _termination_prepare(request: TerminationRequest) -> None:
    request.filing = (Filing.objects.select_for_update(of=("self",)).select_related("agency", "region")
                      .get(pk=request.filing_id))


def _termination_refusal(request: TerminationRequest, action: str, today: datetime.date) -> str:
    if action == "confirm":
        return _("该备案当前状态为“%(state)s”，不能终止。") % {"state": request.filing.get_state_display()}
    if action == "close":
        return _("尚有收尾事项未完成 [000 §6(3)]：") + "、".join(
            t.get_task_display() for t in request.tasks.filter(done_on__isnull=True))
    return ""


def _termination_after_save(request: TerminationRequest, action: str, before: str, actor, today) -> None:
    """Confirmed: the filing ends and leaves the directory, and the wrap-up tasks open [002 §31, 000 §6(3)]."""
    if action == "confirm":
        apply_lifecycle(request.filing, "terminate", today=today, actor=actor,
                        comment=f"自愿终止（{request.number}）：{request.reason} [002 §31, 003 §22(1)]")
        TerminationTask.objects.bulk_create(
            [TerminationTask(request=request, task=t, side=TerminationTask.SIDES.get(t, TerminationTask.Side.AGENCY))
             for t in TerminationTask.Task.values], ignore_conflicts=True)


def _termination_notify(request: TerminationRequest, before: str, comment: str) -> None:
    notify(_agency_users(request.agency_id) + _city_of(request.agency),
           subject=f"自愿终止：{request.agency.name}（{request.number}）{request.get_state_display()}",
           body=comment, url=f"/supervision/terminations/{request.pk}/")


TERMINATION_MACHINE = transitions.Machine(
    model=TerminationRequest,
    audit_prefix="termination",
    noun=gettext_lazy("该自愿终止申请"),
    actions=TERMINATION_ACTIONS,
    comment_required=frozenset({"return_request"}),
    select_related=(),  # lock the row alone: the filing is locked next (`prepare`), agency and region never
    refusal=_termination_refusal,
    prepare=_termination_prepare,
    after_save=_termination_after_save,
    notify=_termination_notify,
)


def perform_termination(*, request_id: int, action: str, actor, comment: str = "",
                        today: datetime.date | None = None, expected_state: str | None = None) -> TerminationRequest:
    return transitions.perform(TERMINATION_MACHINE, pk=request_id, action=action, actor=actor, comment=comment,
                               today=today, expected_state=expected_state)


def available_termination_actions(request: TerminationRequest, user) -> list[tuple[str, str]]:
    return transitions.available_actions(TERMINATION_MACHINE, request, user)


def may_do_task(task: TerminationTask, user) -> bool:
    request = task.request
    if task.side == TerminationTask.Side.CITY:
        return perm.is_confirming_city(request, user)
    return perm.is_agency_member(request, user)


def complete_termination_task(*, task_id: int, actor, note: str = "",
                              today: datetime.date | None = None) -> TerminationTask:
    """Tick one wrap-up task, recording who and when [000 §6(3)]: the agency's own tasks by its staff,
    the public announcement by the city."""
    note = _text(note)
    with transaction.atomic():
        task = (TerminationTask.objects.select_for_update(of=("self",))
                .select_related("request__agency", "request__filing__region").get(pk=task_id))
        if not may_do_task(task, actor):
            raise PermissionDenied
        if task.request.state != T.CONFIRMED:
            raise TransitionRefused(_("只有已确认终止的申请才能办理收尾事项。"))
        if task.done_on is not None:
            raise TransitionRefused(_("该收尾事项已完成。"))
        task.done_on, task.done_by, task.note = today or timezone.localdate(), actor, note
        task.save()
        record("termination.task", task.request, actor=actor, comment=note, data={"task": task.task})
    return task
