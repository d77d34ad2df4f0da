"""Complaints from the public to the reply [002 §27, 003 §19]."""

import datetime
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portal.audit import AuditEntry
from portal.transitions import TransitionRefused
from supervision.models import Complaint
from supervision.selectors.complaints import complaints_visible_to, upheld_counts
from supervision.services import complaints as svc

MONDAY = datetime.date(2026, 3, 2)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def file_one(w, agency=None, text="收取考生报名费之外的“加急费”每人500元，没有收据。", **kw):
    kw.setdefault("contact_email", "zhang@example.com")
    kw.setdefault("contact_name", "张三")
    return svc.file_complaint(category="fees", description=text, agency=agency or w.pudong_enterprise,
                              today=kw.pop("today", MONDAY), **kw)


def accepted(w, **kw):
    c, code = file_one(w, **kw)
    svc.perform_complaint(complaint_id=c.pk, action="accept", actor=w.pudong_reviewer, today=MONDAY)
    return Complaint.objects.get(pk=c.pk), code


def investigating(w, **kw):
    c, code = accepted(w, **kw)
    svc.perform_complaint(complaint_id=c.pk, action="investigate", actor=w.pudong_reviewer, today=MONDAY,
                          handler_id=w.pudong_reviewer.pk)
    return Complaint.objects.get(pk=c.pk), code


def replied(w, outcome="upheld", **kw):
    c, code = investigating(w, **kw)
    svc.perform_complaint(complaint_id=c.pk, action="conclude", actor=w.pudong_reviewer, today=MONDAY,
                          outcome=outcome, findings="经核实，机构确有收取加急费。")
    svc.perform_complaint(complaint_id=c.pk, action="send_reply", actor=w.pudong_reviewer, today=MONDAY,
                          reply="经核查，投诉属实，已责令机构退还费用。")
    return Complaint.objects.get(pk=c.pk), code


def test_filing_gives_number_and_code_kept_hashed(world, django_capture_on_commit_callbacks):
    """A complaint gets a tracking number and a code shown once, e-mailed, stored hashed [002 §27]."""
    with django_capture_on_commit_callbacks(execute=True):
        c, code = file_one(world)
    assert c.state == Complaint.State.SUBMITTED and c.number.startswith("TS20260302")
    assert code not in c.access_code_hash and c.check_code(code) and not c.check_code("WRONG")
    assert svc.find_by_code(c.number, code) == c and svc.find_by_code(c.number, "X" * 12) is None
    assert any(code in m.body and c.number in m.body for m in mail.outbox)
    assert c.acknowledge_due == datetime.date(2026, 3, 9)  # 5 working days
    assert AuditEntry.objects.filter(action="complaint.file").exists()


def test_routed_by_the_filing_route(world):
    """The district of the agency, the industry department of a city association, the city when no
    agency is known [002 §6, §27]."""
    c, _ = file_one(world)
    assert c.route == "district" and c.region == world.pudong
    c2, _ = svc.file_complaint(category="other", description="有人冒用机构名义发放证书，收费1000元。",
                               agency_name="不存在的评价中心", today=MONDAY)
    assert c2.route == "city" and c2.agency is None
    assert c.pk in complaints_visible_to(world.pudong_reviewer).values_list("pk", flat=True)
    assert c.pk not in complaints_visible_to(world.xuhui_reviewer).values_list("pk", flat=True)
    assert c2.pk not in complaints_visible_to(world.pudong_reviewer).values_list("pk", flat=True)
    assert c2.pk in complaints_visible_to(world.city).values_list("pk", flat=True)


def test_full_path_to_reply_and_upheld_counts(world):
    """accept → investigate → conclude → reply; upheld feeds rubric 4.3 and the rating [002 §27, 003 §19]."""
    c, code = replied(world)
    assert c.state == Complaint.State.REPLIED and c.outcome == "upheld"
    assert c.conclude_due == svc.add_workdays(MONDAY, 60)
    public = c.as_open311()
    assert public["status"] == "closed" and "退还费用" in public["status_notes"]
    assert "findings" not in public and "contact_name" not in public
    counts = upheld_counts([world.pudong_enterprise.pk, world.xuhui_social.pk], MONDAY, MONDAY)
    assert counts == {world.pudong_enterprise.pk: 1, world.xuhui_social.pk: 0}


def test_decline_needs_a_reason_and_tells_complainant(world):
    """Declining requires the reason and a comment, which the complainant reads [003 §19]."""
    c, _ = file_one(world, anonymous=True)
    with pytest.raises(TransitionRefused):
        svc.perform_complaint(complaint_id=c.pk, action="decline", actor=world.pudong_reviewer, comment="重复",
                              today=MONDAY)
    svc.perform_complaint(complaint_id=c.pk, action="decline", actor=world.pudong_reviewer,
                          comment="内容不具体，无法核查", decline_reason="insufficient", today=MONDAY)
    c.refresh_from_db()
    assert c.state == Complaint.State.DECLINED and "无法核查" in c.as_open311()["status_notes"]
    assert c.anonymous and not c.contact_email


def test_other_district_cannot_act(world):
    """Only the routed department (or the city) handles the complaint [003 §19]."""
    c, _ = file_one(world)
    with pytest.raises(Exception):
        svc.perform_complaint(complaint_id=c.pk, action="accept", actor=world.xuhui_reviewer, today=MONDAY)
    c.refresh_from_db()
    assert c.state == Complaint.State.SUBMITTED


def test_conclude_needs_outcome_and_findings(world):
    """A conclusion is upheld / partly / not upheld with findings [003 §19]."""
    c, _ = investigating(world)
    with pytest.raises(TransitionRefused):
        svc.perform_complaint(complaint_id=c.pk, action="conclude", actor=world.pudong_reviewer, today=MONDAY,
                              outcome="", findings="")
    c.refresh_from_db()
    assert c.state == Complaint.State.INVESTIGATING


def test_upheld_opens_rectification_order(world):
    """An upheld complaint can order rectification (origin complaint) [002 §30, 003 §19-20]."""
    from supervision.models import RectificationOrder
    c, _ = investigating(world)
    svc.perform_complaint(complaint_id=c.pk, action="conclude", actor=world.pudong_reviewer, today=MONDAY,
                          outcome="upheld", findings="查实违规收费。", follow_up="rectify")
    order = RectificationOrder.objects.get(origin="complaint", origin_id=c.pk)
    assert order.agency == world.pudong_enterprise
    c.refresh_from_db()
    assert order.number in c.follow_up


def test_reopen_once_with_reasons(world):
    """The complainant may ask once to reopen, with reasons [002 §27]."""
    c, code = replied(world)
    with pytest.raises(Exception):
        svc.reopen_by_complainant(number=c.number, code="WRONGCODE123", reason="不满意")
    svc.reopen_by_complainant(number=c.number, code=code, reason="机构并未退费", today=MONDAY)
    c.refresh_from_db()
    assert c.state == Complaint.State.INVESTIGATING and c.reopened and c.reopen_reason == "机构并未退费"
    svc.perform_complaint(complaint_id=c.pk, action="conclude", actor=world.pudong_reviewer, today=MONDAY,
                          outcome="upheld", findings="复查属实")
    svc.perform_complaint(complaint_id=c.pk, action="send_reply", actor=world.pudong_reviewer, today=MONDAY,
                          reply="复查后已督促退费")
    with pytest.raises(TransitionRefused):
        svc.reopen_by_complainant(number=c.number, code=code, reason="还是不满意", today=MONDAY)


def test_acknowledge_limit_escalates_to_city_even_without_sweep(world):
    """Not acknowledged within 5 working days, the city takes it over; the limit holds when the
    district acts late, whether or not the sweep ran [003 §19]."""
    c, _ = file_one(world)
    late = datetime.date(2026, 3, 10)
    with pytest.raises(TransitionRefused):
        svc.perform_complaint(complaint_id=c.pk, action="accept", actor=world.pudong_reviewer, today=late)
    c.refresh_from_db()
    assert c.escalated and c.route == "city" and c.state == Complaint.State.SUBMITTED
    svc.perform_complaint(complaint_id=c.pk, action="accept", actor=world.city, today=late)


def test_sweep_escalates_reminds_and_is_idempotent(world):
    """The sweep: escalation, a reminder before the conclusion limit, the city told once when overdue [003 §19]."""
    c1, _ = file_one(world)
    c2, _ = accepted(world, text="考场内有人替考，监考人员视而不见，考生名单可以提供。", contact_email="li@example.com")
    assert svc.sweep_complaints(datetime.date(2026, 3, 10)) == 1
    assert svc.sweep_complaints(datetime.date(2026, 3, 10)) == 0
    near = svc.add_workdays(c2.conclude_due, -0) - datetime.timedelta(days=2)
    assert svc.sweep_complaints(near) == 1 and svc.sweep_complaints(near) == 0
    after = c2.conclude_due + datetime.timedelta(days=1)
    assert svc.sweep_complaints(after) == 1 and svc.sweep_complaints(after) == 0
    c1.refresh_from_db()
    assert c1.escalated


def test_duplicate_and_hostile_input_change_nothing(world):
    """Same agency + similar text + same contact within 30 days is refused; invisible characters
    and a broken upload are refused with a clear error [002 §27]."""
    file_one(world)
    with pytest.raises(TransitionRefused, match="相同"):
        file_one(world, text="收取考生报名费之外的“加急费”每人500元，没有收据！")
    with pytest.raises(TransitionRefused):
        file_one(world, text="这是一段含有\u202e方向控制字符的投诉内容内容")
    with pytest.raises(TransitionRefused):
        file_one(world, text="另一件完全不同的事情：证书造假，伪造印章。",
                 uploads=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 truncated", content_type="application/pdf")])
    assert Complaint.objects.count() == 1


def test_evidence_upload_and_agency_answer(world):
    """Evidence is checked as materials are; the agency answers without seeing the complainant [002 §27]."""
    c, _ = investigating(world, uploads=[SimpleUploadedFile("p.png", png(), content_type="image/png")])
    assert c.evidence.count() == 1
    svc.ask_agency(complaint_id=c.pk, question="请说明加急费的收费依据", actor=world.pudong_reviewer, today=MONDAY)
    svc.answer_as_agency(complaint_id=c.pk, answer="系培训资料费", actor=world.pudong_clerk, today=MONDAY)
    c.refresh_from_db()
    assert c.agency_answer == "系培训资料费"
    with pytest.raises(Exception):
        svc.answer_as_agency(complaint_id=c.pk, answer="再说明", actor=world.xuhui_clerk, today=MONDAY)


def test_mark_abusive_is_audited(world):
    """Handlers may mark a complaint abusive, with reasons, audited [002 §27]."""
    c, _ = file_one(world)
    svc.perform_complaint(complaint_id=c.pk, action="mark_abusive", actor=world.pudong_reviewer,
                          comment="同一人一天内重复投诉十余次", today=MONDAY)
    c.refresh_from_db()
    assert c.state == Complaint.State.ABUSIVE
    assert AuditEntry.objects.filter(action="complaint.mark_abusive").exists()
