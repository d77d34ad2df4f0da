"""The renewal screens, as each role sees them [SPEC §4, §1]."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.demo import active_filing, drive_renewal
from assessments.models import RenewalAssessment
from portal.demo import DEMO_PASSWORD

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def filing(world, today):
    return active_filing(world.pudong_enterprise, world.pudong_clerk, expires_on=today + 60 * DAY,
                         actors=world.actors, experts=world.experts[:3], occupations=[world.electrician])


def login(client, user):
    client.login(username=user.username, password=DEMO_PASSWORD)
    return client


def test_the_agency_opens_its_renewal_and_sees_what_is_left_and_the_deadline(world, client, filing, today):
    """[004 §3] application, self-assessment, materials, submit — with the latest application date."""
    login(client, world.pudong_clerk)
    page = client.get(reverse("assessments:agency_home")).content.decode()
    assert "申请期满评估（续期）" in page and filing.number in page
    r = client.post(reverse("assessments:open", args=[filing.pk]))
    a = RenewalAssessment.objects.get(filing=filing)
    assert r.url == reverse("assessments:detail", args=[a.pk])
    page = client.get(r.url).content.decode()
    for task in ("续期申请表", "自查自评", "申报材料", "承诺与提交"):
        assert task in page
    assert f"最迟申请日：{filing.valid_until.year}年{filing.valid_until.month}月{filing.valid_until.day}日" in page
    assert "评估项 1.1 尚未自评" in page


def test_an_out_of_range_self_score_is_refused_beside_the_item_and_nothing_changes(world, client, filing, today):
    """[SPEC §4.3] 0..max; bad input changes nothing and says why."""
    login(client, world.pudong_clerk)
    client.post(reverse("assessments:open", args=[filing.pk]))
    a = RenewalAssessment.objects.get(filing=filing)
    item = a.rubric.items.get(code="1.1")
    r = client.post(reverse("assessments:self_assessment", args=[a.pk]), {f"self_{item.pk}": "9"})
    assert "1.1 的得分应在 0 至 5 分之间" in r.content.decode()
    assert not a.scores.exists()


def test_application_form_computes_the_certified_share(world, client, filing):
    login(client, world.pudong_clerk)
    client.post(reverse("assessments:open", args=[filing.pk]))
    a = RenewalAssessment.objects.get(filing=filing)
    data = {"contact_name": "李四", "contact_phone": "021-12345678", "address": "浦东", "entity_changed": "0",
            "credit_good": "1", "evaluations_carried_out": "1", "commissioned_evaluations": "0",
            "wants_to_continue": "1", "certs_apprentice": 0, "certs_level5": 10, "certs_level4": 0, "certs_level3": 0,
            "certs_level2": 0, "certs_level1": 0, "certs_principal": 0, "certs_chief": 0, "certs_uploaded": 9,
            "certified_holders": 50, "employees": 200}
    r = client.post(reverse("assessments:application", args=[a.pk]), data)
    assert r.status_code == 302
    page = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert "50 / 200 = 25.0%" in page


def test_other_agencies_and_districts_get_404(world, client, filing, today):
    a = drive_renewal(filing, "pre_review", actors=world.actors, experts=world.experts[:3], today=today)
    for user in (world.xuhui_clerk, world.xuhui_reviewer, world.commerce_reviewer, world.experts[3]):
        assert login(client, user).get(reverse("assessments:detail", args=[a.pk])).status_code == 404
    assert login(client, world.pudong_reviewer).get(reverse("assessments:detail", args=[a.pk])).status_code == 200


def test_the_board_lists_renewals_by_state_with_a_constant_number_of_queries(world, client, filing, today):
    drive_renewal(filing, "accepted", actors=world.actors, experts=world.experts[:3], today=today)
    login(client, world.city)
    url = reverse("assessments:board")
    with CaptureQueriesContext(connection) as one:
        page = client.get(url).content.decode()
    assert "待组织专家评审（1）" in page and world.pudong_enterprise.name in page
    other = active_filing(world.soe, world.soe_clerk, expires_on=today + 40 * DAY, actors=world.actors,
                          experts=world.experts[:3], occupations=[world.lathe])
    drive_renewal(other, "accepted", actors=world.actors, experts=world.experts[:3], today=today)
    with CaptureQueriesContext(connection) as two:
        page = client.get(url).content.decode()
    assert "待组织专家评审（2）" in page
    assert len(two) == len(one)


def test_experts_score_beside_the_self_score(world, client, filing, today):
    a = drive_renewal(filing, "expert_review", actors=world.actors, experts=world.experts[:3], today=today)
    login(client, world.experts[0])
    page = client.get(reverse("assessments:review", args=[a.pk])).content.decode()
    assert "评审打分" in page and "自评" in page and 'name="review_' in page
    item = a.rubric.items.get(code="1.1")
    client.post(reverse("assessments:review", args=[a.pk]), {f"review_{item.pk}": "4"})
    assert a.scores.get(item=item).review_value == 4


def test_dashboards_list_filings_expiring_soon(world, client, filing):
    login(client, world.city)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "备案期满提醒" in page and world.pudong_enterprise.name in page
