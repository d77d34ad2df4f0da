"""Objections on a batch's result notice [003 §15(3): 公示结果, objections taken there]: filed on the
public page while the publicity runs, tracked by a number and a code, answered in writing by the
agency or the managing authority; a pending objection holds the result report."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signing import loads
from django.utils import timezone

from filings.choices import FilingState
from portal.models import AuditEntry, Notification
from portal.transitions import TransitionRefused
from portal.workdays import add_workdays
from supervision.demo_batches import build_batch, drive_batch
from supervision.forms.complaints import CHALLENGE_SALT
from supervision.models.batch_oversight import BatchObjection
from supervision.models.batches import BatchState
from supervision.services import batch_objections
from supervision.services import batches as services

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def in_publicity(world):
    """A batch whose result notice runs today (the exam a few days ago)."""
    today = timezone.localdate()
    exam = today - datetime.timedelta(days=5)
    while add_workdays(exam, 2) > today or exam.weekday() >= 5:
        exam -= datetime.timedelta(days=1)
    f = world.filing(state=FilingState.ACTIVE, today=exam - datetime.timedelta(days=120))
    submit = exam - datetime.timedelta(days=40)
    b = build_batch(f, world.pudong_clerk, exam_on=exam, today=submit)
    return drive_batch(b, world.pudong_clerk, BatchState.PUBLICITY, submit_on=submit)


def _answer(form_page: str) -> tuple[str, str]:
    token = form_page.split('name="challenge_token" value="')[1].split('"')[0]
    data = loads(token, salt=CHALLENGE_SALT)
    return token, str(data["a"] + data["b"])


def _post(client, batch, **extra):
    page = client.get(f"/supervision/results/{batch.pk}/").content.decode()
    token, answer = _answer(page)
    data = {"name": "张三", "contact": "zhangsan@example.com", "text": "第 3 行人员未参加实操考核却显示合格。",
            "challenge_token": token, "challenge_answer": answer, **extra}
    return client.post(f"/supervision/results/{batch.pk}/", data, follow=True)


def test_anyone_objects_on_the_result_notice_and_gets_a_number_and_a_code(client, world, in_publicity):
    """[003 §15(3)] 公示结果: the objection is taken on the notice page, no sign-in, tracked."""
    page = _post(client, in_publicity).content.decode()
    objection = BatchObjection.objects.get(batch=in_publicity)
    assert objection.number in page and objection.number.startswith("PY")
    code = page.split('id="access-code">')[1].split("<")[0]
    assert objection.check_code(code) and code not in objection.access_code_hash
    assert AuditEntry.objects.filter(action="batch.objection").count() == 1
    told = set(Notification.objects.filter(subject__contains="收到异议").values_list("recipient__username", flat=True))
    assert {world.pudong_clerk.username, world.pudong_reviewer.username} <= told
    status = client.post("/supervision/results/objections/track/", {"number": objection.number, "code": code})
    assert status.status_code == 200 and "待答复" in status.content.decode()
    wrong = client.post("/supervision/results/objections/track/", {"number": objection.number, "code": "WRONGCODE"})
    assert wrong.status_code == 404


def test_the_form_checks_the_challenge_name_contact_and_evidence(client, in_publicity):
    """[003 §15(3)] The notice objection's checks: the challenge, a name, a contact, evidence as materials."""
    page = client.get(f"/supervision/results/{in_publicity.pk}/").content.decode()
    token, _ = _answer(page)
    bad = client.post(f"/supervision/results/{in_publicity.pk}/",
                      {"name": "张三", "contact": "13800000000", "text": "有问题。", "challenge_token": token,
                       "challenge_answer": "99"})
    assert "验证题答案不正确" in bad.content.decode()
    _post(client, in_publicity, contact="not a contact")
    _post(client, in_publicity, evidence=SimpleUploadedFile("x.png", b"MZ\x90\x00 not an image", "image/png"))
    assert not BatchObjection.objects.exists()
    _post(client, in_publicity, evidence=SimpleUploadedFile("photo.png", PNG, "image/png"))
    assert BatchObjection.objects.get().evidence_name == "photo.png"


def test_no_objection_once_the_publicity_has_ended(world, in_publicity):
    """[003 §15(3)] Objections are taken only while the publicity runs."""
    with pytest.raises(TransitionRefused):
        batch_objections.file_objection(batch_id=in_publicity.pk, name="张三", contact="13800000000",
                                        text="结果不实。", today=in_publicity.publicity_ends_on
                                        + datetime.timedelta(days=1))
    assert not BatchObjection.objects.exists()


def test_a_pending_objection_holds_the_report_until_answered(client, world, in_publicity):
    """[003 §15(3)] The agency answers in writing before it reports the results; the objector reads it."""
    objection, code = batch_objections.file_objection(batch_id=in_publicity.pk, name="李四",
                                                      contact="13800000000", text="成绩有误。")
    client.force_login(world.pudong_reviewer)
    listed = client.get("/supervision/batches/").content.decode()
    assert "有待答复的异议" in listed
    after = in_publicity.publicity_ends_on + datetime.timedelta(days=1)
    with pytest.raises(TransitionRefused, match="异议尚未答复"):
        services.perform(batch_id=in_publicity.pk, action="report", actor=world.pudong_clerk, today=after)
    in_publicity.refresh_from_db()
    assert in_publicity.state == BatchState.PUBLICITY
    client.force_login(world.pudong_clerk)
    assert "有待答复的异议" in client.get("/", follow=True).content.decode()  # the agency's dashboard
    detail = client.get(f"/supervision/batches/{in_publicity.pk}/").content.decode()
    assert "1 件异议待答复" in detail and objection.number in detail
    client.post(f"/supervision/batches/{in_publicity.pk}/objections/{objection.pk}/answer/",
                {"result": "dismissed", "reply": "经核查，该人员已参加实操考核，成绩属实。"})
    objection.refresh_from_db()
    assert objection.state == BatchObjection.State.DISMISSED and objection.answered_by == world.pudong_clerk
    assert AuditEntry.objects.filter(action="batch.objection_answer").count() == 1
    status = batch_objections.find_by_code(objection.number, code)
    assert status.reply.startswith("经核查")
    services.perform(batch_id=in_publicity.pk, action="report", actor=world.pudong_clerk, today=after)
    in_publicity.refresh_from_db()
    assert in_publicity.state == BatchState.REPORTED


def test_only_the_agency_and_the_managing_authority_answer(client, world, in_publicity):
    """[003 §15(3)] Another district (out of scope) gets 404; an answer is given once."""
    objection, _code = batch_objections.file_objection(batch_id=in_publicity.pk, name="李四",
                                                       contact="13800000000", text="成绩有误。")
    url = f"/supervision/batches/{in_publicity.pk}/objections/{objection.pk}/answer/"
    client.force_login(world.xuhui_reviewer)
    assert client.post(url, {"result": "upheld", "reply": "成立"}).status_code == 404
    client.force_login(world.pudong_reviewer)
    client.post(url, {"result": "upheld", "reply": "异议成立，责令机构复核该人员成绩。"})
    objection.refresh_from_db()
    assert objection.state == BatchObjection.State.UPHELD
    with pytest.raises(TransitionRefused):
        batch_objections.answer_objection(objection_id=objection.pk, actor=world.pudong_clerk, upheld=False,
                                          reply="不成立")
    assert AuditEntry.objects.filter(action="batch.objection_answer").count() == 1
