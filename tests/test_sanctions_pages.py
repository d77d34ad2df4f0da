"""The sanctions screens for each role [003 §20, §22, 002 §31]: the district proposes, the city
decides, the agency sees its own and applies to terminate, the public sees the decisions."""

import pytest

from supervision.models import Sanction, TerminationRequest
from supervision.services import sanctions as svc

from ._sanctions_helpers import DAY, in_force, propose

pytestmark = pytest.mark.django_db


def test_district_proposes_through_the_form(client, world):
    filing = in_force(world)
    client.force_login(world.pudong_reviewer)
    assert client.get("/supervision/sanctions/propose/").status_code == 200
    r = client.post("/supervision/sanctions/propose/", {
        "agency": filing.agency_id, "measure": "circulate", "grounds": "违反 [002 §26(五)]", "reason": "考务管理混乱",
        "evidence": "", "origin": "supervision"})
    assert r.status_code == 302
    s = Sanction.objects.get()
    assert s.measure == "circulate" and s.proposed_by == world.pudong_reviewer


def test_removal_without_ground_is_a_form_error_and_changes_nothing(client, world):
    """[003 §22]: a removal names its grounds."""
    filing = in_force(world)
    client.force_login(world.pudong_reviewer)
    r = client.post("/supervision/sanctions/propose/", {
        "agency": filing.agency_id, "measure": "remove", "grounds": "", "reason": "严重违规", "origin": "inspection"})
    assert r.status_code == 200 and "注销情形" in r.content.decode()
    r = client.post("/supervision/sanctions/propose/", {
        "agency": filing.agency_id, "measure": "remove", "cancellation_grounds": ["7"], "reason": "整改逾期",
        "origin": "inspection"})
    assert r.status_code == 302 and Sanction.objects.get().cancellation_grounds == "7"


def test_another_district_cannot_pick_the_agency(client, world):
    filing = in_force(world)
    client.force_login(world.xuhui_reviewer)
    r = client.post("/supervision/sanctions/propose/", {
        "agency": filing.agency_id, "measure": "interview", "grounds": "x", "reason": "x", "origin": "supervision"})
    assert r.status_code == 200 and not Sanction.objects.exists()


@pytest.mark.parametrize("who", ["pudong_clerk", "expert", "inspector"])
def test_propose_page_is_for_the_authorities(client, world, who):
    user = world.experts[0] if who == "expert" else getattr(world, who)
    client.force_login(user)
    assert client.get("/supervision/sanctions/propose/").status_code == 403


def test_public_page_lists_decisions_only_without_sign_in(client, world):
    """Decisions are published: agency, measure, grounds, date [003 §20, 002 §30]; proposals are not."""
    filing = in_force(world)
    decided = propose(world, filing, Sanction.Measure.REMOVE, grounds="4", reason="内部证据细节")
    svc.decide_sanction(sanction_id=decided.pk, action="uphold", actor=world.city, comment="注销", today=DAY)
    pending = propose(world, in_force(world, world.xuhui_social), Sanction.Measure.INTERVIEW, actor=world.xuhui_reviewer)
    html = client.get("/supervision/sanctions/public/").content.decode()
    assert decided.number in html and filing.agency.name in html and "移除备案" in html and "虚假材料" in html
    assert str(DAY) in html
    assert pending.number not in html and "内部证据细节" not in html


def test_agency_applies_to_terminate_and_city_confirms_through_the_pages(client, world):
    filing = in_force(world)
    client.force_login(world.pudong_clerk)
    assert client.get("/supervision/terminations/new/").status_code == 200
    r = client.post("/supervision/terminations/new/", {"filing": filing.pk, "reason": "停止评价业务",
                                                       "intended_on": "2099-01-01"})
    assert r.status_code == 302
    req = TerminationRequest.objects.get()
    client.force_login(world.city)
    assert "确认终止备案" in client.get(f"/supervision/terminations/{req.pk}/").content.decode()
    r = client.post(f"/supervision/terminations/{req.pk}/", {"do": "confirm", "comment": "同意", "state": "submitted"})
    assert r.status_code == 302
    filing.refresh_from_db()
    assert filing.state == "terminated"
    client.force_login(world.pudong_clerk)
    task = req.tasks.get(task="archives")
    r = client.post(f"/supervision/terminations/{req.pk}/", {"task": task.pk, "comment": "已移交"})
    task.refresh_from_db()
    assert r.status_code == 302 and task.done_by == world.pudong_clerk


@pytest.mark.parametrize("who", ["city", "pudong_reviewer", "pudong_clerk", "industry_reviewer", "admin"])
def test_lists_and_dashboard_open(client, world, who):
    filing = in_force(world)
    s = propose(world, filing, Sanction.Measure.INTERVIEW)
    svc.decide_sanction(sanction_id=s.pk, action="uphold", actor=world.city, comment="约谈", today=DAY)
    propose(world, filing, Sanction.Measure.CIRCULATE)
    client.force_login(getattr(world, who))
    for url in ("/supervision/sanctions/", "/supervision/terminations/", "/"):
        assert client.get(url, follow=True).status_code == 200, url


def test_agency_list_shows_decided_only(client, world):
    filing = in_force(world)
    s = propose(world, filing, Sanction.Measure.INTERVIEW)
    svc.decide_sanction(sanction_id=s.pk, action="uphold", actor=world.city, comment="约谈", today=DAY)
    pending = propose(world, filing, Sanction.Measure.CIRCULATE)
    client.force_login(world.pudong_clerk)
    html = client.get("/supervision/sanctions/").content.decode()
    assert s.number in html and pending.number not in html


def test_directory_marks_a_public_criticism(world):
    from filings.directory_marks import marks_for
    from django.utils import timezone

    filing = in_force(world)
    s = propose(world, filing, Sanction.Measure.CIRCULATE)
    svc.decide_sanction(sanction_id=s.pk, action="uphold", actor=world.city, comment="通报", today=timezone.localdate())
    assert ("sanction", "通报批评") in marks_for([filing.agency_id])[filing.agency_id]


def test_public_page_queries_do_not_grow_with_the_rows(client, world):
    """[STYLE 18] the public list with N and 2N decisions costs the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    filing = in_force(world)

    def decide(n):
        for _ in range(n):
            s = propose(world, filing, Sanction.Measure.INTERVIEW)
            svc.decide_sanction(sanction_id=s.pk, action="uphold", actor=world.city, comment="约谈", today=DAY)

    counts = []
    for n in (2, 2):
        decide(n)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/supervision/sanctions/public/").status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_city_sees_decide_buttons_and_no_lift_on_an_interview(client, world):
    filing = in_force(world)
    s = propose(world, filing, Sanction.Measure.INTERVIEW)
    client.force_login(world.city)
    html = client.get(f"/supervision/sanctions/{s.pk}/").content.decode()
    assert "复核认可，作出处理" in html and "复核不予认可" in html
    svc.decide_sanction(sanction_id=s.pk, action="uphold", actor=world.city, comment="约谈", today=DAY)
    assert "解除暂停评价" not in client.get(f"/supervision/sanctions/{s.pk}/").content.decode()
