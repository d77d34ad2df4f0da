"""Complaints: the machine and the multi-object actions [002 §27, 003 §19, 001 §4(2), SPEC §9].

Filing a complaint (public, no account), following it by number + code, the handlers' steps through
`perform_complaint` (one `portal.transitions.perform` each), investigation notes, the agency's answer,
the complainant's one reopening, and the daily sweep (reminders, escalation to the city).

Policy where the notices are silent (docs/complaints.md): acknowledge within 5 working days,
conclude within 60 working days of acceptance (the bureau's PolicyProfile settings, every preset
keeping these values); reminder 5 working days before the conclusion
limit; the agency answers a question within 5 working days. Not acknowledged in time, a complaint
goes to the city (TimeLimits); past the conclusion limit, the city is told once (督办)."""

from __future__ import annotations

import datetime
import secrets
from contextvars import ContextVar
from difflib import SequenceMatcher

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.uploads import check_upload
from portal import transitions
from portal.audit import record
from portal.models import PolicyProfile, Region, Role, User
from portal.notifications import notify
from portal.text import clean_text
from portal.transitions import TransitionRefused
from portal.workdays import add_workdays, workdays_between
from supervision.models.complaints import (Complaint, ComplaintCategory, ComplaintEvidence, ComplaintNote,
                                           ComplaintQuestion, ObjectionTracking)
from supervision.permissions import complaints as perm

__all__ = ["COMPLAINT_MACHINE", "DUPLICATE_WINDOW_DAYS", "acknowledge_working_days", "add_note", "answer_as_agency",
           "ask_agency", "conclude_working_days", "open_inspection_from_complaint", "file_complaint", "find_by_code", "perform_complaint",
           "reopen_by_complainant", "route_for_agency", "sweep_complaints", "MAX_EVIDENCE"]

S = Complaint.State
_POLICY_FIELDS = {"acknowledge": "complaint_acknowledge_workdays", "conclude": "complaint_conclude_workdays",
                  "remind_before": "complaint_remind_workdays", "agency_answer": "complaint_agency_answer_workdays"}
DUPLICATE_WINDOW_DAYS = 30
MAX_EVIDENCE = 5
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I

ACTIONS = {
    "accept": gettext_lazy("受理"),
    "decline": gettext_lazy("不予受理"),
    "investigate": gettext_lazy("指定承办人，开展调查核实"),
    "conclude": gettext_lazy("作出核查结论"),
    "send_reply": gettext_lazy("答复投诉人"),
    "mark_abusive": gettext_lazy("认定为恶意投诉"),
}


def _days(key: str) -> int:
    """The bureau's complaint periods [003 §19], policy settings (`PolicyProfile.complaint_*_workdays`)."""
    return getattr(PolicyProfile.active(), _POLICY_FIELDS[key])


def acknowledge_working_days() -> int:
    return _days("acknowledge")


def conclude_working_days() -> int:
    return _days("conclude")


def _text(value, *, required=False, what="", multiline=True, max_length=None) -> str:
    try:
        value = clean_text((value or "").strip(), multiline=multiline)
    except ValidationError as exc:
        raise TransitionRefused(f"{what}：" + "；".join(exc.messages) if what else "；".join(exc.messages)) from exc
    if required and not value:
        raise TransitionRefused(_("请填写%(what)s。") % {"what": what})
    if max_length and len(value) > max_length:
        raise TransitionRefused(_("%(what)s不能超过 %(n)s 个字。") % {"what": what, "n": max_length})
    return value


# ----- routing ---------------------------------------------------------------------------------------------

def city_region() -> Region:
    return Region.objects.filter(parent__isnull=True).order_by("pk").first()


def route_for_agency(agency):
    """(route, region, industry department, filing): the department that manages the agency, as its
    filing is routed [002 §6, §27]; the city when no filing is known."""
    if agency is None:
        return Complaint.Route.CITY, city_region(), None, None
    from filings.models import Filing
    filing = (Filing.objects.filter(agency=agency, submitted_at__isnull=False).exclude(route="")
              .order_by("-submitted_at").first())
    if filing is None:
        return Complaint.Route.DISTRICT, agency.region, None, None
    if filing.route == "industry":
        return Complaint.Route.INDUSTRY, filing.region, filing.industry_department, filing
    if filing.route == "city":
        return Complaint.Route.CITY, filing.region, None, filing
    return Complaint.Route.DISTRICT, filing.region, None, filing


def handlers_of(complaint) -> list[User]:
    users = User.objects.filter(is_active=True, role__in=(Role.CITY, Role.DISTRICT, Role.INDUSTRY)).select_related(
        "region")
    return [u for u in users if perm.is_handler_for(complaint, u) and (
        u.role != Role.CITY or complaint.route == Complaint.Route.CITY or complaint.escalated)]


def city_of(complaint) -> list[User]:
    return [u for u in User.objects.filter(is_active=True, role=Role.CITY).select_related("region")
            if perm.is_handler_for(complaint, u)]


def agency_users(complaint) -> list[User]:
    if not complaint.agency_id:
        return []
    return list(User.objects.filter(is_active=True, role=Role.AGENCY, agency_id=complaint.agency_id))


# ----- numbers and codes ---------------------------------------------------------------------------------

def _new_number(today: datetime.date) -> str:
    """Not guessable: the date and ten random characters (no sequence to walk)."""
    return f"TS{today:%Y%m%d}{''.join(secrets.choice(CODE_ALPHABET) for _ in range(10))}"


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))


def track_objection(objection) -> ObjectionTracking:
    """The hook filings calls when an objection is filed: a number and a code (set on the objection
    as `tracking` for the page to show once) [003 §7]."""
    code = _new_code()
    today = timezone.localdate()
    for _attempt in range(5):
        number = f"YY{today:%Y%m%d}{''.join(secrets.choice(CODE_ALPHABET) for _ in range(10))}"
        try:
            with transaction.atomic():
                row = ObjectionTracking.objects.create(objection=objection, number=number,
                                                       access_code_hash=make_password(code))
            break
        except IntegrityError:
            continue
    else:
        raise TransitionRefused(_("编号生成冲突，请稍后再试。"))
    objection.tracking = {"number": row.number, "code": code}
    return row


def find_objection_by_code(number: str, code: str) -> ObjectionTracking | None:
    row = ObjectionTracking.objects.select_related("objection__item__notice", "objection__item__filing__agency") \
        .filter(number=(number or "").strip().upper()).first()
    if row is None:
        make_password(code or "x")
        return None
    return row if row.check_code(code or "") else None


def find_by_code(number: str, code: str) -> Complaint | None:
    """The complaint with this number if the code is right; None for an unknown number and a wrong
    code alike (the caller answers 404 either way). A hash is checked even for an unknown number so
    that the answer takes as long."""
    complaint = Complaint.objects.select_related("region", "industry_department", "agency").filter(
        number=(number or "").strip().upper()).first()
    if complaint is None:
        make_password(code or "x")
        return None
    return complaint if complaint.check_code(code or "") else None


def _mail_complainant(complaint: Complaint, subject: str, body: str) -> None:
    """E-mail the complainant, if they gave an address, after the commit; a mail server that is down
    never undoes the complaint (the code was shown on screen)."""
    if complaint.anonymous or not complaint.contact_email:
        return
    address = complaint.contact_email

    def send():
        try:
            send_mail(subject, body, None, [address])
        except OSError:
            pass
    transaction.on_commit(send)


# ----- filing --------------------------------------------------------------------------------------------

def _similar(a: str, b: str) -> bool:
    return SequenceMatcher(None, a, b).ratio() >= 0.85


def find_duplicate(*, agency, agency_name: str, description: str, contact: str, today: datetime.date):
    """A complaint about the same agency with similar text (and the same contact, when one is given)
    within DUPLICATE_WINDOW_DAYS."""
    since = today - datetime.timedelta(days=DUPLICATE_WINDOW_DAYS)
    qs = Complaint.objects.filter(submitted_on__gte=since)
    qs = qs.filter(agency=agency) if agency is not None else qs.filter(agency__isnull=True,
                                                                          agency_name_given=agency_name)
    if contact:
        qs = qs.filter(Q(contact_phone=contact) | Q(contact_email__iexact=contact))
    for other in qs.only("pk", "description", "number")[:50]:
        if _similar(other.description, description):
            return other
    return None


def file_complaint(*, category: str, description: str, agency=None, agency_name: str = "",
                   occupation_text: str = "", batch_text: str = "", happened_on: str = "", address_string: str = "",
                   anonymous: bool = False, contact_name: str = "", contact_phone: str = "", contact_email: str = "",
                   uploads=(), client_ip: str | None = None, channel: str = "web",
                   today: datetime.date | None = None) -> tuple[Complaint, str]:
    """A complaint from the public [002 §27]. Returns the complaint and its access code, shown once
    (only its hash is kept). Refused with a clear reason, changing nothing, for bad text, a bad
    upload, a missing agency, or a duplicate."""
    today = today or timezone.localdate()
    if category not in ComplaintCategory.values:
        raise TransitionRefused(_("请选择投诉类别。"))
    description = _text(description, required=True, what=_("投诉内容"), max_length=5000)
    if len(description) < 10:
        raise TransitionRefused(_("请具体描述发生了什么（不少于 10 个字）。"))
    agency_name = _text(agency_name, what=_("机构名称"), multiline=False, max_length=100)
    if agency is None and not agency_name:
        raise TransitionRefused(_("请从目录中选择被投诉机构，或填写机构名称。"))
    fields = {k: _text(v, what=label, multiline=False, max_length=n) for k, v, label, n in (
        ("occupation_text", occupation_text, _("涉及职业"), 100), ("batch_text", batch_text, _("涉及批次"), 100),
        ("happened_on", happened_on, _("发生时间"), 50), ("address_string", address_string, _("发生地点"), 200))}
    if anonymous:
        contact_name = contact_phone = contact_email = ""
    contact_name = _text(contact_name, what=_("姓名"), multiline=False, max_length=50)
    contact_phone = _text(contact_phone, what=_("联系电话"), multiline=False, max_length=30)
    contact_email = _text(contact_email, what=_("电子邮箱"), multiline=False, max_length=254)
    if contact_email:
        from django.core.validators import validate_email
        try:
            validate_email(contact_email)
        except ValidationError as exc:
            raise TransitionRefused(_("电子邮箱格式不正确。")) from exc
    if contact_phone and not all(c.isdigit() or c in "-+ ()" for c in contact_phone):
        raise TransitionRefused(_("联系电话只能包含数字和“-”。"))
    uploads = [u for u in uploads if u]
    if len(uploads) > MAX_EVIDENCE:
        raise TransitionRefused(_("证据材料最多 %(n)s 个文件。") % {"n": MAX_EVIDENCE})
    checked = []
    for upload in uploads:
        try:
            checked.append(check_upload(upload))
        except ValidationError as exc:
            raise TransitionRefused("；".join(exc.messages)) from exc
    duplicate = find_duplicate(agency=agency, agency_name=agency_name, description=description,
                               contact=contact_email or contact_phone, today=today)
    if duplicate is not None:
        raise TransitionRefused(_("您已就同一机构提交过内容相同的投诉，请使用原受理编号查询办理进度。"))
    route, region, department, filing = route_for_agency(agency)
    code = _new_code()
    with transaction.atomic():
        complaint = Complaint(
            category=category, description=description, agency=agency, agency_name_given=agency_name,
            filing=filing, anonymous=anonymous, contact_name=contact_name, contact_phone=contact_phone,
            contact_email=contact_email, client_ip=client_ip, channel=channel, route=route, region=region,
            industry_department=department, submitted_on=today,
            acknowledge_due=add_workdays(today, acknowledge_working_days()),
            access_code_hash=make_password(code), **fields)
        complaint.escalate_on = complaint.acknowledge_due if route != Complaint.Route.CITY else None
        for _attempt in range(5):
            complaint.number = _new_number(today)
            try:
                with transaction.atomic():
                    complaint.save()
                break
            except IntegrityError:
                complaint.pk = None
        else:
            raise TransitionRefused(_("编号生成冲突，请稍后再试。"))
        for c in checked:
            evidence = ComplaintEvidence(complaint=complaint, original_name=c.original_name,
                                         content_type=c.content_type, size=c.size, sha256=c.sha256)
            evidence.file.save(f"e.{c.file.name.rsplit('.', 1)[-1][:8] if '.' in c.file.name else 'bin'}", c.file,
                               save=False)
            evidence.save()
        record("complaint.file", complaint, data={"category": category, "channel": channel,
                                                  "evidence": len(checked), "agency": agency.pk if agency else None})
        notify(handlers_of(complaint), subject=f"新投诉举报{complaint.number}：{complaint.agency_label}",
               url=f"/supervision/complaints/{complaint.pk}/")
        _mail_complainant(complaint, f"投诉举报已收到（受理编号 {complaint.number}）",
                          f"受理编号：{complaint.number}\n查询码：{code}\n请妥善保管查询码，凭编号和查询码可查询办理进度。\n"
                          f"预计受理答复日期：{complaint.acknowledge_due:%Y-%m-%d}")
    return complaint, code


# ----- the machine ---------------------------------------------------------------------------------------

_pending: ContextVar[dict] = ContextVar("complaint_pending", default={})


def _check(complaint: Complaint, action: str, actor, today: datetime.date) -> None:
    """Apply what the handler entered with the action, before the conditions are judged."""
    data = _pending.get()
    if action == "decline":
        reason = data.get("decline_reason", "")
        if reason not in Complaint.DeclineReason.values:
            raise TransitionRefused(_("请选择不予受理的理由。"))
        complaint.decline_reason = reason
    elif action == "investigate":
        handler = User.objects.filter(pk=data.get("handler_id") or 0, is_active=True).first()
        if handler is None or not perm.is_handler_for(complaint, handler):
            raise TransitionRefused(_("请选择本部门的承办人。"))
        complaint.handler = handler
    elif action == "conclude":
        outcome = data.get("outcome", "")
        if outcome not in Complaint.Outcome.values:
            raise TransitionRefused(_("请选择核查结论。"))
        findings = _text(data.get("findings", ""), required=True, what=_("核查情况"))
        complaint.outcome, complaint.findings = outcome, findings
        follow = data.get("follow_up", "")
        if follow and outcome == Complaint.Outcome.NOT_UPHELD:
            raise TransitionRefused(_("投诉不属实时不能责令整改或提出处理建议。"))
        if follow and complaint.agency_id is None:
            raise TransitionRefused(_("未指明被投诉机构，不能责令整改。"))
    elif action == "send_reply":
        complaint.reply = _text(data.get("reply", ""), required=True, what=_("答复意见"))


def _refusal(complaint: Complaint, action: str, today: datetime.date) -> str:
    return {"investigate": _("请先指定承办人。"), "conclude": _("请选择核查结论并填写核查情况。"),
            "send_reply": _("请填写答复意见。"), "reopen": _("每件投诉只能申请重新处理一次。")}.get(action, "")


def _effects(complaint: Complaint, action, before, actor, comment, today) -> None:
    if action == "decline":
        complaint.status_notes = comment
    elif action == "accept":
        complaint.status_notes = _("已受理，正在办理。")
    elif action == "investigate" and before == S.ACCEPTED:
        complaint.status_notes = _("正在调查核实。")
    elif action == "reopen":
        complaint.reopen_reason = comment
        complaint.status_notes = _("已按您的申请重新处理。")
    elif action == "mark_abusive":
        complaint.status_notes = _("经核实为恶意投诉，不予处理。")


def _after_save(complaint: Complaint, action, before, actor, today) -> None:
    follow = _pending.get().get("follow_up", "")
    if action != "conclude" or not follow:
        return
    if follow == "rectify":
        from supervision.models.inspections import RectificationOrder
        from supervision.services.inspections import issue_rectification_order
        order = issue_rectification_order(agency=complaint.agency, filing=complaint.filing,
                                          origin=RectificationOrder.Origin.COMPLAINT, origin_id=complaint.pk,
                                          findings=complaint.findings, actor=None, today=today)
        complaint.follow_up = f"责令限期整改 {order.number}"
    elif follow == "sanction":
        try:
            from supervision.services.sanctions import propose_sanction
        except ImportError as exc:
            raise TransitionRefused(_("处理建议功能尚未启用。")) from exc
        sanction = propose_sanction(agency=complaint.agency, filing=complaint.filing, measure="interview",
                                    grounds=complaint.findings, reason=f"投诉举报{complaint.number}查实",
                                    origin="complaint", origin_id=complaint.pk, actor=actor, today=today)
        complaint.follow_up = f"处理建议 {sanction.number}"
    Complaint.objects.filter(pk=complaint.pk).update(follow_up=complaint.follow_up)


def _notify(complaint: Complaint, before: str, comment: str) -> None:
    label = COMPLAINT_MACHINE.state_label
    subject = f"投诉举报{complaint.number}：{label(before)} → {label(complaint.state)}"
    url = f"/supervision/complaints/{complaint.pk}/"
    staff = handlers_of(complaint) + ([complaint.handler] if complaint.handler_id else [])
    notify(staff, subject=subject, url=url)
    if complaint.state in (S.ACCEPTED, S.REPLIED) and complaint.agency_id:
        # The agency hears that a complaint concerns it, never who made it [002 §27].
        notify(agency_users(complaint), subject=f"有一件投诉举报涉及贵机构（{complaint.number}）：{label(complaint.state)}",
               url=url)
    if complaint.state in (S.ACCEPTED, S.DECLINED, S.REPLIED):
        _mail_complainant(complaint, f"投诉举报{complaint.number}：{label(complaint.state)}",
                          f"{complaint.public_notes()}\n凭受理编号和查询码可在网站查询详情。")


COMPLAINT_MACHINE = transitions.Machine(
    model=Complaint,
    audit_prefix="complaint",
    noun=gettext_lazy("该投诉"),
    actions=ACTIONS,
    system_actions=frozenset({"escalate", "reopen"}),
    comment_required=frozenset({"decline", "mark_abusive", "reopen"}),
    select_related=("region",),  # an inner join: FOR UPDATE may not take the nullable side of an outer one
    refusal=_refusal,
    check=_check,
    effects=_effects,
    after_save=_after_save,
    notify=_notify,
)


def perform_complaint(*, complaint_id: int, action: str, actor, comment: str = "", today: datetime.date | None = None,
                      expected_state: str | None = None, **data) -> Complaint:
    """One handler step; `data` carries what the step needs (decline_reason, handler_id, outcome,
    findings, follow_up, reply)."""
    token = _pending.set(data)
    try:
        return transitions.perform(COMPLAINT_MACHINE, pk=complaint_id, action=action, actor=actor, comment=comment,
                                   today=today, expected_state=expected_state)
    finally:
        _pending.reset(token)


def reopen_by_complainant(*, number: str, code: str, reason: str, today: datetime.date | None = None) -> Complaint:
    """The complainant asks once to reopen a replied complaint, with reasons [002 §27]."""
    complaint = find_by_code(number, code)
    if complaint is None:
        raise PermissionDenied
    reason = _text(reason, required=True, what=_("申请重新处理的理由"))
    if complaint.state != S.REPLIED:
        raise TransitionRefused(_("只有已答复的投诉可以申请重新处理。"))
    if complaint.reopened:
        raise TransitionRefused(_("每件投诉只能申请重新处理一次。"))
    return transitions.perform(COMPLAINT_MACHINE, pk=complaint.pk, action="reopen", actor=None, comment=reason,
                               today=today)


# ----- investigation ------------------------------------------------------------------------------------

def _locked(complaint_id: int) -> Complaint:
    return Complaint.objects.select_for_update(of=("self",)).select_related("region", "agency").get(pk=complaint_id)


def add_note(*, complaint_id: int, text: str, upload=None, actor) -> ComplaintNote:
    """An investigation note (and optionally an evidence file), internal, audited."""
    text = _text(text, required=True, what=_("调查记录"))
    checked = None
    if upload:
        try:
            checked = check_upload(upload)
        except ValidationError as exc:
            raise TransitionRefused("；".join(exc.messages)) from exc
    with transaction.atomic():
        complaint = _locked(complaint_id)
        if not perm.may_handle(complaint, actor):
            raise PermissionDenied
        if complaint.state != S.INVESTIGATING:
            raise TransitionRefused(_("只有调查核实中的投诉可以添加调查记录。"))
        note = ComplaintNote.objects.create(complaint=complaint, author=actor, text=text)
        if checked:
            evidence = ComplaintEvidence(complaint=complaint, original_name=checked.original_name,
                                         content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
                                         uploaded_by=actor)
            evidence.file.save("e.bin", checked.file, save=False)
            evidence.save()
        record("complaint.note", complaint, actor=actor, data={"note": note.pk, "evidence": bool(checked)})
    return note


def ask_agency(*, complaint_id: int, question: str, actor, today: datetime.date | None = None) -> Complaint:
    """Ask the agency to explain, within 5 working days; the agency never learns who complained."""
    today = today or timezone.localdate()
    question = _text(question, required=True, what=_("请机构说明的问题"))
    with transaction.atomic():
        complaint = _locked(complaint_id)
        if not perm.may_handle(complaint, actor):
            raise PermissionDenied
        if complaint.state != S.INVESTIGATING or complaint.agency_id is None:
            raise TransitionRefused(_("只有调查核实中、指明机构的投诉可以要求机构说明。"))
        complaint.agency_question, complaint.agency_answer, complaint.agency_answered_on = question, "", None
        complaint.agency_answer_due = add_workdays(today, _days("agency_answer"))
        complaint.save()
        ComplaintQuestion.objects.create(complaint=complaint, agency_id=complaint.agency_id, question=question,
                                         asked_on=today, due_on=complaint.agency_answer_due, asked_by=actor)
        record("complaint.ask_agency", complaint, actor=actor, comment=question)
        notify(agency_users(complaint), subject=f"投诉举报{complaint.number}：请于{complaint.agency_answer_due:%Y-%m-%d}前说明情况",
               url=f"/supervision/complaints/{complaint.pk}/")
    return complaint


def open_inspection_from_complaint(*, complaint_id: int, team: list, phase: str, reason: str, actor,
                                   today: datetime.date | None = None):
    """An inspection opened from a complaint under investigation [002 §27: 调查核实; 003 §17, §19],
    through the inspections' own service (team, phase and reason checked there), linked to the
    complaint (origin "complaint", origin_id) and audited on both. Only someone who handles the
    complaint and supervises the agency's region; refused, nothing is written."""
    from supervision.models.inspections import Inspection
    from supervision.services.inspections import open_inspection

    today = today or timezone.localdate()
    with transaction.atomic():
        complaint = _locked(complaint_id)
        if not perm.may_open_inspection(complaint, actor):
            raise PermissionDenied
        if complaint.state != S.INVESTIGATING:
            raise TransitionRefused(_("只有调查核实中的投诉可以发起监督检查。"))
        inspection = open_inspection(agency=complaint.agency, filing=complaint.filing, team=list(team),
                                     origin=Inspection.Origin.COMPLAINT, origin_id=complaint.pk, phase=phase,
                                     reason=reason, actor=actor, today=today)
        record("complaint.inspection_open", complaint, actor=actor, comment=inspection.reason,
               data={"inspection": inspection.pk, "number": inspection.number})
    return inspection


def answer_as_agency(*, complaint_id: int, answer: str, actor, today: datetime.date | None = None) -> Complaint:
    today = today or timezone.localdate()
    answer = _text(answer, required=True, what=_("情况说明"))
    with transaction.atomic():
        complaint = _locked(complaint_id)
        if not perm.is_agency_of(complaint, actor):
            raise PermissionDenied
        if complaint.state != S.INVESTIGATING or not complaint.agency_question:
            raise TransitionRefused(_("目前没有需要贵机构说明的问题。"))
        if complaint.agency_answered_on:
            raise TransitionRefused(_("贵机构已提交说明。"))
        complaint.agency_answer, complaint.agency_answered_on = answer, today
        complaint.save()
        complaint.questions.filter(answered_on__isnull=True).update(answered_on=today)
        record("complaint.agency_answer", complaint, actor=actor)
        notify(handlers_of(complaint) + ([complaint.handler] if complaint.handler_id else []),
               subject=f"投诉举报{complaint.number}：机构已提交说明", url=f"/supervision/complaints/{complaint.pk}/")
    return complaint


# ----- the sweep ------------------------------------------------------------------------------------------

def sweep_complaints(today: datetime.date) -> int:
    """Set-based and idempotent: escalate what was not acknowledged in time (to the city), remind
    the handlers 5 working days before the conclusion limit, tell the city once what is overdue."""
    from portal.transitions import apply, require_system_action
    require_system_action(COMPLAINT_MACHINE, "escalate")
    done = 0
    for pk in Complaint.objects.filter(**Complaint.overdue_filter("escalate", today)).values_list("pk", flat=True):
        with transaction.atomic():
            c = transitions.lock(COMPLAINT_MACHINE, pk)
            if c.state == S.SUBMITTED and c.escalate_on and c.escalate_on < today:
                apply(COMPLAINT_MACHINE, c, "escalate", actor=None, today=today,
                      comment=_("逾期未受理，提级市级办理"))
                done += 1
    active = Complaint.objects.filter(state__in=(S.ACCEPTED, S.INVESTIGATING, S.CONCLUDED),
                                      conclude_due__isnull=False).select_related("region", "handler")
    for c in active.filter(reminded_on__isnull=True, conclude_due__gte=today):
        if workdays_between(today, c.conclude_due) <= _days("remind_before"):
            with transaction.atomic():
                if Complaint.objects.filter(pk=c.pk, reminded_on__isnull=True).update(reminded_on=today):
                    notify(handlers_of(c) + ([c.handler] if c.handler_id else []),
                           subject=f"投诉举报{c.number}将于{c.conclude_due:%Y-%m-%d}到期，请及时办结",
                           url=f"/supervision/complaints/{c.pk}/")
                    record("complaint.remind", c, data={"due": c.conclude_due.isoformat()})
                    done += 1
    for c in active.filter(overdue_notified_on__isnull=True, conclude_due__lt=today):
        with transaction.atomic():
            if Complaint.objects.filter(pk=c.pk, overdue_notified_on__isnull=True).update(overdue_notified_on=today):
                notify(city_of(c) + ([c.handler] if c.handler_id else []),
                       subject=f"投诉举报{c.number}已超过办结期限（{c.conclude_due:%Y-%m-%d}），请督办",
                       url=f"/supervision/complaints/{c.pk}/")
                record("complaint.overdue", c, data={"due": c.conclude_due.isoformat()})
                done += 1
    return done
