"""Inspections and rectification orders: the machines and the multi-object actions [002 §25-26, §30,
003 §17, §20]. Every state change goes through `portal.transitions.perform` with the machines below;
opening an inspection, recording findings, uploading evidence and issuing an order are the services
here (keyword-only, one transaction, audited inside)."""

from __future__ import annotations

import datetime
from contextvars import ContextVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.uploads import check_upload
from portal import transitions
from portal.audit import Event, record, record_many
from portal.models import PolicyProfile, Role, User
from portal.notifications import notify, notify_many
from portal.text import clean_text
from portal.transitions import TransitionRefused
from portal.workdays import add_workdays
from supervision import numbering
from supervision.models.inspections import (CHECKLIST, Finding, Inspection, InspectionCheck, InspectionEvidence,
                                            RectificationEvidence, RectificationOrder)
from supervision.permissions import inspections as perm

__all__ = ["INSPECTION_MACHINE", "ORDER_MACHINE", "extension_working_days", "rectification_working_days",
           "reminder_working_days", "response_working_days", "add_evidence", "add_finding", "add_order_evidence", "fill_checklist",
           "issue_rectification_order", "open_inspection", "perform_inspection", "perform_order",
           "remind_orders", "respond_order", "save_notes", "sweep_orders", "sweep_inspections"]

# Periods where the notices are silent (docs/supervision-inspections.md) are the bureau's policy
# settings (`PolicyProfile`, every preset keeping the portal's values): the agency acknowledges or
# answers the findings within 5 working days (as the completeness check of [002 §10]); a
# rectification order runs 20 working days unless the issuer sets another number (1–60); the agency
# is reminded 3 working days before the deadline; once overdue, the issuer may grant 10 further
# working days (with reasons) or the city proposes a sanction [002 §30].
MAX_RECTIFICATION_WORKING_DAYS = 60


def response_working_days() -> int:
    """Working days the agency has to acknowledge or answer findings [003 §17] (policy setting)."""
    return PolicyProfile.active().inspection_response_workdays


def rectification_working_days() -> int:
    """The default period of a rectification order [002 §30, 003 §20] (policy setting)."""
    return PolicyProfile.active().rectification_workdays


def reminder_working_days() -> int:
    """How many working days before an order's deadline the agency is reminded (policy setting)."""
    return PolicyProfile.active().rectification_reminder_workdays


def extension_working_days() -> int:
    """The further period an overdue order may be granted [002 §30] (policy setting)."""
    return PolicyProfile.active().rectification_extension_workdays

MIN_TEAM = 2

S = Inspection.State
O = RectificationOrder.State

INSPECTION_ACTIONS = {
    "submit_findings": gettext_lazy("提交检查结果，反馈机构"),
    "acknowledge": gettext_lazy("确认检查结果"),
    "answer": gettext_lazy("提出申辩说明"),
    "reopen": gettext_lazy("采纳申辩，修改检查结果"),
    "conclude": gettext_lazy("办结检查"),
}
ORDER_ACTIONS = {
    "respond": gettext_lazy("提交整改报告"),
    "accept": gettext_lazy("验收通过，整改销号"),
    "reject": gettext_lazy("验收不通过，退回整改"),
    "extend": gettext_lazy("逾期后准予延期整改"),
}


# ----- helpers ------------------------------------------------------------------------------------------

def agency_users(agency_id: int):
    return list(User.objects.filter(role=Role.AGENCY, agency_id=agency_id, is_active=True))


def supervisors_of(agency, roles=(Role.CITY, Role.DISTRICT)):
    """The city and district staff whose region contains the agency's."""
    return list(User.objects.filter(role__in=roles, is_active=True, region__path__in=agency.region.ancestor_paths()))


_save_numbered = numbering.save_numbered


def _text(value: str, *, required: bool = False, what: str = "") -> str:
    try:
        value = clean_text((value or "").strip(), multiline=True)
    except ValidationError as exc:
        raise TransitionRefused("；".join(exc.messages)) from exc
    if required and not value:
        raise TransitionRefused(_("请填写%(what)s。") % {"what": what})
    return value


# ----- inspections ------------------------------------------------------------------------------------------

def _inspection_refusal(inspection: Inspection, action: str, today: datetime.date) -> str:
    if action == "submit_findings":
        parts = []
        if not inspection.team_complete():
            parts.append(_("检查组不少于 2 名检查人员"))
        if not inspection.checklist_complete():
            parts.append(_("检查清单尚有条目未填写结果"))
        if missing := inspection.failing_without_finding():
            parts.append(_("以下“不符合”条目尚未记录问题：") + "、".join(missing))
        return _("尚不能提交检查结果：") + "；".join(parts)
    if action == "conclude":
        return _("请先选择检查结论。")
    return ""


def _inspection_effects(inspection, action, before, actor, comment, today) -> None:
    if action in ("acknowledge", "answer") and comment:
        inspection.agency_response = comment


def _inspection_notify(inspection: Inspection, before: str, comment: str) -> None:
    label = INSPECTION_MACHINE.state_label
    subject = f"监督检查{inspection.number}：{label(before)} → {label(inspection.state)}"
    recipients = list(inspection.team.all()) + supervisors_of(inspection.agency)
    if inspection.state != S.OPEN:
        recipients += agency_users(inspection.agency_id)
    notify(recipients, subject=subject, body="", url=f"/supervision/inspections/{inspection.pk}/")


INSPECTION_MACHINE = transitions.Machine(
    model=Inspection,
    audit_prefix="inspection",
    noun=gettext_lazy("该检查"),
    actions=INSPECTION_ACTIONS,
    system_actions=frozenset({"deem_acknowledged"}),
    comment_required=frozenset({"answer", "reopen"}),
    select_related=("agency", "agency__region"),
    refusal=_inspection_refusal,
    effects=_inspection_effects,
    notify=_inspection_notify,
)


def open_inspection(*, agency, filing=None, team: list[User], origin: str, origin_id: int | None = None,
                    phase: str, reason: str, actor, today: datetime.date | None = None) -> Inspection:
    """Open an inspection of `agency` with its checklist [002 §26, 003 §17]; a team of at least two
    active inspectors [002 §25]. `actor` is the city or district of the agency's region, or None for
    the system (a confirmed draw, a complaint's investigation)."""
    today = today or timezone.localdate()
    if actor is not None and not (perm.is_supervisor(agency, actor) or actor.is_superuser
                                  or actor.role == Role.ADMIN):
        raise PermissionDenied
    if origin not in Inspection.Origin.values:
        raise TransitionRefused(_("检查来源不正确。"))
    if phase not in Inspection.Phase.values:
        raise TransitionRefused(_("请选择检查环节（考前/考中/考后）。"))
    if filing is not None and filing.agency_id != agency.pk:
        raise TransitionRefused(_("所选备案不属于该机构。"))
    members = {u.pk: u for u in team}
    if len(members) < MIN_TEAM:
        raise TransitionRefused(_("检查组不少于 2 名检查人员 [002 §25]。"))
    if any(u.role != Role.INSPECTOR or not u.is_active for u in members.values()):
        raise TransitionRefused(_("检查组成员须为在岗的检查人员。"))
    if any(u.agency_id == agency.pk for u in members.values()):
        raise TransitionRefused(_("检查人员不得检查其所属机构（回避）。"))
    reason = _text(reason, required=True, what=_("检查事由"))
    with transaction.atomic():
        inspection = Inspection(agency=agency, filing=filing, origin=origin, origin_id=origin_id, phase=phase,
                                reason=reason, opened_on=today, opened_by=actor)
        _save_numbered(inspection, f"JC{today:%Y}")
        inspection.team.set(members.values())
        rows = [InspectionCheck(inspection=inspection, code=code, item=item, position=i)
                for i, (code, row_phase, item) in enumerate(CHECKLIST) if row_phase in ("", phase)]
        InspectionCheck.objects.bulk_create(rows)
        record("inspection.open", inspection, actor=actor, comment=reason,
               data={"agency": agency.pk, "origin": origin, "origin_id": origin_id, "phase": phase,
                     "team": sorted(members)})
        notify(list(members.values()), subject=f"您已被编入检查组：{inspection.number} {agency.name}",
               url=f"/supervision/inspections/{inspection.pk}/")
    return inspection


def _locked_open(inspection_id: int, actor) -> Inspection:
    inspection = Inspection.objects.select_for_update().select_related("agency").get(pk=inspection_id)
    if not perm.is_team_member(inspection, actor):
        raise PermissionDenied
    if inspection.state != S.OPEN:
        raise TransitionRefused(_("检查结果已提交，不能再修改。"))
    return inspection


def fill_checklist(*, inspection_id: int, results: dict[int, tuple[str, str]], actor) -> Inspection:
    """Record the checklist's results: {check id: (result, notes)} — only while open, only the team."""
    with transaction.atomic():
        inspection = _locked_open(inspection_id, actor)
        rows = {c.pk: c for c in inspection.checks.all()}
        changed = []
        for pk, (result, notes) in results.items():
            row = rows.get(pk)
            if row is None:
                raise TransitionRefused(_("检查条目不属于本次检查。"))
            if result not in ("", *InspectionCheck.Result.values):
                raise TransitionRefused(_("检查结果只能是符合、不符合或不适用。"))
            notes = _text(notes)
            if (row.result, row.notes) != (result, notes):
                row.result, row.notes = result, notes
                changed.append(row)
        InspectionCheck.objects.bulk_update(changed, ["result", "notes"])
        if changed:
            record("inspection.checklist", inspection, actor=actor,
                   data={"rows": {r.code: r.result for r in changed}})
    return inspection


def add_finding(*, inspection_id: int, severity: str, description: str, check_id: int | None = None,
                actor) -> Finding:
    with transaction.atomic():
        inspection = _locked_open(inspection_id, actor)
        if severity not in Finding.Severity.values:
            raise TransitionRefused(_("请选择问题的严重程度（一般/较重/严重）。"))
        description = _text(description, required=True, what=_("问题描述"))
        row = None
        if check_id:
            row = inspection.checks.filter(pk=check_id).first()
            if row is None:
                raise TransitionRefused(_("检查条目不属于本次检查。"))
        finding = Finding.objects.create(inspection=inspection, checklist_row=row, severity=severity,
                                         description=description, recorded_by=actor)
        record("inspection.finding", inspection, actor=actor, comment=description,
               data={"finding": finding.pk, "severity": severity, "check": row.code if row else None})
    return finding


def add_evidence(*, inspection_id: int, upload, description: str = "", finding_id: int | None = None,
                 actor) -> InspectionEvidence:
    """An evidence file, checked like every upload (filings.uploads), audited."""
    try:
        checked = check_upload(upload)
    except ValidationError as exc:
        raise TransitionRefused("；".join(exc.messages)) from exc
    description = _text(description)[:200]
    with transaction.atomic():
        inspection = _locked_open(inspection_id, actor)
        finding = inspection.findings.filter(pk=finding_id).first() if finding_id else None
        if finding_id and finding is None:
            raise TransitionRefused(_("所选问题不属于本次检查。"))
        evidence = InspectionEvidence(inspection=inspection, finding=finding, description=description,
                                      original_name=checked.original_name, content_type=checked.content_type,
                                      size=checked.size, sha256=checked.sha256, uploaded_by=actor)
        evidence.file.save(f"e.{checked.extension}", checked.file, save=False)
        evidence.save()
        record("inspection.evidence_upload", evidence, actor=actor,
               data={"inspection": inspection.pk, "sha256": checked.sha256, "size": checked.size})
    return evidence


def save_notes(*, inspection_id: int, summary: str, internal_notes: str, conclusion: str = "",
               actor) -> Inspection:
    """The team's summary (the agency reads it), internal notes (it never does) and conclusion."""
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().select_related("agency").get(pk=inspection_id)
        if not perm.is_team_member(inspection, actor):
            raise PermissionDenied
        if inspection.state == S.CONCLUDED:
            raise TransitionRefused(_("检查已办结，不能再修改。"))
        if conclusion and conclusion not in Inspection.Conclusion.values:
            raise TransitionRefused(_("检查结论不正确。"))
        summary, internal_notes = _text(summary), _text(internal_notes)
        if inspection.state != S.OPEN and summary != inspection.summary:
            raise TransitionRefused(_("检查结果已反馈机构，检查情况不能再修改。"))
        inspection.summary, inspection.internal_notes = summary, internal_notes
        if conclusion:
            inspection.conclusion = conclusion
        inspection.save(update_fields=["summary", "internal_notes", "conclusion", "updated_at"])
        record("inspection.notes", inspection, actor=actor, data={"conclusion": inspection.conclusion})
    return inspection


def perform_inspection(*, inspection_id: int, action: str, actor=None, comment: str = "",
                       today: datetime.date | None = None, expected_state: str | None = None) -> Inspection:
    """One transition of an inspection (`portal.transitions.perform`)."""
    return transitions.perform(INSPECTION_MACHINE, pk=inspection_id, action=action, actor=actor,
                               comment=comment, today=today, expected_state=expected_state)


def sweep_inspections(today: datetime.date) -> int:
    """Findings not answered within the time limit stand as acknowledged (set-based, idempotent)."""
    transitions.require_system_action(INSPECTION_MACHINE, "deem_acknowledged")
    ids = list(Inspection.objects.filter(**Inspection.overdue_filter("deem_acknowledged", today))
               .values_list("pk", flat=True))
    moved = 0
    for pk in ids:
        with transaction.atomic():
            obj = Inspection.objects.select_for_update(skip_locked=True).filter(pk=pk).select_related("agency").first()
            if obj is None or obj.overdue_action(today) is None:
                continue
            action, effective = obj.overdue_action(today)
            transitions.apply(INSPECTION_MACHINE, obj, action, actor=None, today=effective,
                              comment=_("回复期限届满（%(date)s），视为确认检查结果") % {"date": f"{effective:%Y-%m-%d}"})
            moved += 1
    return moved


# ----- rectification orders ---------------------------------------------------------------------------------

def _order_notify(order: RectificationOrder, before: str, comment: str) -> None:
    label = ORDER_MACHINE.state_label
    subject = f"整改通知{order.number}：{label(before)} → {label(order.state)}"
    recipients = agency_users(order.agency_id) + supervisors_of(order.agency)
    if order.issued_by_id:
        recipients.append(order.issued_by)
    notify(recipients, subject=subject, body=comment, url=f"/supervision/rectification/{order.pk}/")


def _order_refusal(order, action, today) -> str:
    if action == "respond":
        return _("请填写整改报告。")
    return ""


# The agency's report travels to the locked object in the transition's own transaction, so a refusal
# (a deadline passed, someone else acted) keeps nothing.
_pending_response: ContextVar[str | None] = ContextVar("pending_response", default=None)


def _prepare_order(order) -> None:
    if (text := _pending_response.get()) is not None:
        order.response = text


ORDER_MACHINE = transitions.Machine(
    model=RectificationOrder,
    audit_prefix="rectification",
    noun=gettext_lazy("该整改通知"),
    actions=ORDER_ACTIONS,
    system_actions=frozenset({"mark_overdue"}),
    comment_required=frozenset({"reject", "extend"}),
    select_related=("agency", "agency__region"),
    refusal=_order_refusal,
    prepare=_prepare_order,
    notify=_order_notify,
)


def issue_rectification_order(*, agency, filing=None, inspection=None, origin: str, origin_id=None,
                              findings: str, working_days: int | None = None, actor,
                              today: datetime.date | None = None) -> RectificationOrder:
    """责令限期整改 [002 §30, 003 §20]: the findings and a deadline of `working_days` working days
    (default: the policy's `rectification_workdays`). `actor` is the city or district of the agency's region, a
    member of the inspection's team, or None for the system (another area's outcome)."""
    today = today or timezone.localdate()
    if actor is not None:
        allowed = (perm.is_supervisor(agency, actor) or actor.is_superuser or actor.role == Role.ADMIN
                   or (inspection is not None and perm.is_team_member(inspection, actor)))
        if not allowed:
            raise PermissionDenied
    if origin not in RectificationOrder.Origin.values:
        raise TransitionRefused(_("整改来源不正确。"))
    if inspection is not None and inspection.agency_id != agency.pk:
        raise TransitionRefused(_("所选检查不属于该机构。"))
    if filing is not None and filing.agency_id != agency.pk:
        raise TransitionRefused(_("所选备案不属于该机构。"))
    days = rectification_working_days() if working_days is None else working_days
    if not isinstance(days, int) or not 1 <= days <= MAX_RECTIFICATION_WORKING_DAYS:
        raise TransitionRefused(_("整改期限应为 1 至 %(max)s 个工作日。") % {"max": MAX_RECTIFICATION_WORKING_DAYS})
    findings = _text(findings, required=True, what=_("存在问题及整改要求"))
    with transaction.atomic():
        if inspection is not None:
            inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
            if inspection.orders.exists():
                raise TransitionRefused(_("本次检查已下达整改通知，请勿重复下达。"))
        order = RectificationOrder(agency=agency, filing=filing, inspection=inspection, origin=origin,
                                   origin_id=origin_id if origin_id is not None else (
                                       inspection.pk if inspection is not None else None),
                                   findings=findings, issued_on=today, issued_by=actor, working_days=days,
                                   due_on=add_workdays(today, days))
        _save_numbered(order, f"ZG{today:%Y}")
        record("rectification.issue", order, actor=actor, comment=findings,
               data={"agency": agency.pk, "origin": origin, "origin_id": order.origin_id, "working_days": days,
                     "due_on": order.due_on.isoformat()})
        notify(agency_users(agency.pk) + supervisors_of(agency, roles=(Role.CITY,)),
               subject=f"责令限期整改：{agency.name}（{order.number}），请于 {order.due_on:%Y-%m-%d} 前提交整改报告",
               body=findings, url=f"/supervision/rectification/{order.pk}/")
    return order


def respond_order(*, order_id: int, response: str, actor, today: datetime.date | None = None,
                  expected_state: str | None = None) -> RectificationOrder:
    """The agency's rectification report; the transition checks its permission and the deadline."""
    response = _text(response, required=True, what=_("整改报告"))
    token = _pending_response.set(response)
    try:
        return transitions.perform(ORDER_MACHINE, pk=order_id, action="respond", actor=actor, comment="",
                                   today=today, expected_state=expected_state)
    finally:
        _pending_response.reset(token)


def perform_order(*, order_id: int, action: str, actor=None, comment: str = "",
                  today: datetime.date | None = None, expected_state: str | None = None) -> RectificationOrder:
    if action == "respond":
        raise PermissionDenied  # through respond_order, with the report
    return transitions.perform(ORDER_MACHINE, pk=order_id, action=action, actor=actor, comment=comment,
                               today=today, expected_state=expected_state)


def add_order_evidence(*, order_id: int, upload, description: str = "", actor) -> RectificationEvidence:
    try:
        checked = check_upload(upload)
    except ValidationError as exc:
        raise TransitionRefused("；".join(exc.messages)) from exc
    description = _text(description)[:200]
    with transaction.atomic():
        order = RectificationOrder.objects.select_for_update().select_related("agency").get(pk=order_id)
        if not perm.is_order_agency(order, actor):
            raise PermissionDenied
        if order.state not in (O.ISSUED, O.OVERDUE):
            raise TransitionRefused(_("整改报告已提交，不能再上传材料。"))
        evidence = RectificationEvidence(order=order, description=description, original_name=checked.original_name,
                                         content_type=checked.content_type, size=checked.size,
                                         sha256=checked.sha256, uploaded_by=actor)
        evidence.file.save(f"e.{checked.extension}", checked.file, save=False)
        evidence.save()
        record("rectification.evidence_upload", evidence, actor=actor,
               data={"order": order.pk, "sha256": checked.sha256, "size": checked.size})
    return evidence


def sweep_orders(today: datetime.date) -> int:
    """Orders past their deadline without a report become overdue and the city is told [002 §30]
    (set-based: one select of what is due, one update, one audit insert, one batch of messages;
    idempotent: what is overdue is no longer issued)."""
    transitions.require_system_action(ORDER_MACHINE, "mark_overdue")
    with transaction.atomic():
        orders = list(RectificationOrder.objects.select_for_update(skip_locked=True, of=("self",))
                      .select_related("agency", "agency__region")
                      .filter(**RectificationOrder.overdue_filter("mark_overdue", today)).order_by("pk"))
        if not orders:
            return 0
        for order in orders:
            order.mark_overdue(order.due_on + transitions.ONE_DAY)
        groups: dict[datetime.date, list[int]] = {}
        for order in orders:
            groups.setdefault(order.overdue_on, []).append(order.pk)
        now = timezone.now()
        for day, pks in groups.items():
            RectificationOrder.objects.filter(pk__in=pks, state=O.ISSUED).update(state=O.OVERDUE, overdue_on=day,
                                                                                 updated_at=now)
        record_many(Event("rectification.mark_overdue", o, None, _("整改期限届满未提交整改报告"),
                          {"from": O.ISSUED, "to": O.OVERDUE}) for o in orders)
        notify_many((supervisors_of(o.agency, roles=(Role.CITY,)) + agency_users(o.agency_id),
                     f"整改逾期：{o.agency.name}（{o.number}）截止 {o.due_on:%Y-%m-%d} 未提交整改报告",
                     _("请依据 [002 §30] 处理：整改期满后仍不符合要求或情节严重的，注销备案信息。"),
                     f"/supervision/rectification/{o.pk}/") for o in orders)
    return len(orders)


def remind_orders(today: datetime.date) -> int:
    """Remind the agency once, the policy's `rectification_reminder_workdays` before the deadline (idempotent:
    `reminded_on` is set in the same update)."""
    horizon = add_workdays(today, reminder_working_days())
    with transaction.atomic():
        orders = list(RectificationOrder.objects.select_for_update(skip_locked=True, of=("self",))
                      .select_related("agency").filter(state=O.ISSUED, reminded_on__isnull=True,
                                                       due_on__gte=today, due_on__lte=horizon))
        if not orders:
            return 0
        RectificationOrder.objects.filter(pk__in=[o.pk for o in orders]).update(reminded_on=today)
        record_many(Event("rectification.remind", o, None, "", {"due_on": o.due_on.isoformat()}) for o in orders)
        notify_many((agency_users(o.agency_id), f"整改提醒：{o.number} 将于 {o.due_on:%Y-%m-%d} 到期",
                     _("请在期限内提交整改报告及证明材料。"), f"/supervision/rectification/{o.pk}/") for o in orders)
    return len(orders)


def open_orders_q() -> Q:
    return Q(state__in=RectificationOrder.OPEN_STATES)


def running_deadlines(first: datetime.date, last: datetime.date):
    """Dates computed in working days still running through first..last (portal/schedule.py moves
    them when a year's holiday schedule is loaded): an agency's time to answer the findings, a
    rectification order's deadline."""
    from portal.schedule import Deadline

    today = timezone.localdate()
    out = []
    for inspection in (Inspection.objects.filter(state=S.FINDINGS_SUBMITTED, response_due__gte=max(first, today),
                                                 findings_submitted_on__lte=last).select_related("agency")):
        out.append(Deadline(
            label=f"检查结果回复截止（{inspection.agency.name}）", start=inspection.findings_submitted_on,
            due=inspection.response_due,
            save=lambda new, pk=inspection.pk: Inspection.objects.filter(pk=pk).update(response_due=new),
            recipients=agency_users(inspection.agency_id), url=f"/supervision/inspections/{inspection.pk}/"))
    for order in (RectificationOrder.objects.filter(state=O.ISSUED, due_on__gte=max(first, today),
                                                    issued_on__lte=last).select_related("agency")):
        out.append(Deadline(
            label=f"整改截止（{order.agency.name}，{order.number}）", start=order.issued_on, due=order.due_on,
            save=lambda new, pk=order.pk: RectificationOrder.objects.filter(pk=pk).update(due_on=new),
            recipients=agency_users(order.agency_id), url=f"/supervision/rectification/{order.pk}/"))
    return out
