"""The public side of complaints: the form without sign-in, the number and code shown once, the
status page by number + code [002 §27, 003 §19]."""

import re

import pytest
from django.core.cache import cache

from supervision.models import Complaint
from supervision.services import complaints as svc
from tests._complaints_helpers import _complaint_limits, form_data  # noqa: F401


def test_every_public_page_links_the_form(client, world):
    """The 投诉举报 link is on every public page [002 §27]."""
    for url in ("/", "/directory/", "/notices/"):
        response = client.get(url, follow=True)
        assert "/supervision/complaints/new/" in response.content.decode(), url


def test_file_without_sign_in_and_track(client, world):
    """No account needed: a number and a code, then the status page shows the state [002 §27]."""
    world.filing(state="pre_review")
    page = client.get("/supervision/complaints/new/")
    assert page.status_code == 200 and "被投诉机构不会看到投诉人" in page.content.decode()
    response = client.post("/supervision/complaints/new/", form_data(client, agency=world.pudong_enterprise.pk),
                           follow=True)
    html = response.content.decode()
    number = re.search(r'id="tracking-number">([^<]+)<', html).group(1)
    code = re.search(r'id="access-code">([^<]+)<', html).group(1)
    c = Complaint.objects.get(number=number)
    assert c.agency == world.pudong_enterprise and c.check_code(code)
    # shown once
    assert client.get("/supervision/complaints/filed/").status_code == 302
    status = client.post("/supervision/complaints/track/", {"number": number, "code": code})
    assert status.status_code == 200 and "待受理" in status.content.decode()


def test_wrong_code_is_404_like_unknown_number(client, world):
    """A wrong code and an unknown number get the same 404 [002 §27]."""
    c, code = svc.file_complaint(category="fees", description="报名时被要求另交加急费300元，没有发票。",
                                 agency=world.pudong_enterprise, contact_phone="13800001111")
    assert client.post("/supervision/complaints/track/", {"number": c.number, "code": "WRONG"}).status_code == 404
    assert client.post("/supervision/complaints/track/", {"number": "TS0000", "code": code}).status_code == 404
    assert client.get(f"/supervision/complaints/track/?number={c.number}&code={code}").status_code == 200


def test_challenge_is_required_and_single_use(client, world):
    """A wrong answer or a replayed form is refused, nothing filed [002 §27]."""
    data = form_data(client, agency_name="某评价中心")
    bad = dict(data, challenge_answer="99")
    assert "验证题答案不正确" in client.post("/supervision/complaints/new/", bad).content.decode()
    assert client.post("/supervision/complaints/new/", data).status_code == 302
    again = client.post("/supervision/complaints/new/", dict(data, description="另一件事：证书是假的，查不到。"))
    assert "重复提交" in again.content.decode()
    assert Complaint.objects.count() == 1


def test_contact_or_anonymous(client, world):
    """Without contact the form asks for one or for anonymity; an anonymous report is accepted and told
    it cannot be answered personally [002 §27]."""
    data = form_data(client, agency_name="某评价中心", contact_phone="", contact_email="")
    assert "请留下联系电话或电子邮箱" in client.post("/supervision/complaints/new/", data).content.decode()
    data = form_data(client, agency_name="某评价中心", contact_phone="", contact_email="", anonymous="on")
    html = client.post("/supervision/complaints/new/", data, follow=True).content.decode()
    assert "无法向您个人答复" in html
    assert Complaint.objects.get().anonymous


def test_rate_limits(client, world, settings):
    """Per client address for the status page and the form [002 §27]."""
    settings.COMPLAINT_RATE_LIMITS = {"file_ip": (1, 3600), "file_contact": (10, 3600), "status": (2, 600)}
    cache.clear()
    for _ in range(2):
        assert client.post("/supervision/complaints/track/", {"number": "X", "code": "Y"}).status_code == 404
    assert client.post("/supervision/complaints/track/", {"number": "X", "code": "Y"}).status_code == 429
    assert client.post("/supervision/complaints/new/", form_data(client, agency_name="甲中心")).status_code == 302
    assert client.post("/supervision/complaints/new/", form_data(
        client, agency_name="乙中心", description="另一件事：证书是假的，查不到编号。")).status_code == 429


def test_hostile_text_shows_error_and_files_nothing(client, world):
    """Invisible characters get a clear error; nothing is filed [002 §27]."""
    data = form_data(client, agency_name="某评价中心", description="收费\u200b不合理，要求退还，已经交了三次。")
    response = client.post("/supervision/complaints/new/", data)
    assert response.status_code == 200 and Complaint.objects.count() == 0
    assert "提交的内容有误" in response.content.decode()


def test_reply_and_reopen_on_status_page(client, world):
    """The reply is read with the code; the complainant may reopen once with reasons [002 §27]."""
    from tests.test_complaints_flow import replied
    c, code = replied(world)
    html = client.post("/supervision/complaints/track/", {"number": c.number, "code": code}).content.decode()
    assert "退还费用" in html and "申请重新处理" in html
    client.post("/supervision/complaints/track/reopen/", {"number": c.number, "code": code, "reason": "并未退费"})
    c.refresh_from_db()
    assert c.state == Complaint.State.INVESTIGATING
    assert client.post("/supervision/complaints/track/reopen/",
                       {"number": c.number, "code": "BAD", "reason": "x"}).status_code == 404
