"""Expiry flags [000 §3, 004 §3(1)]: set-based, idempotent, once per filing and window."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import deadlines, services
from assessments.demo import active_filing
from assessments.models import RenewalReminder
from filings.choices import AgencyKind, Ownership
from filings.demo import agency_user, get_agency, make_uscc
from portal import deadlines as registry
from portal.models import Notification, PolicyProfile

TODAY = datetime.date(2026, 11, 23)
DAY = datetime.timedelta(days=1)


def expiring(world, days, agency=None):
    agency = agency or world.pudong_enterprise
    return active_filing(agency, agency.staff.first(), expires_on=TODAY + days * DAY, actors=world.actors,
                         experts=world.experts[:3], occupations=[world.electrician])


def inbox(user):
    return list(Notification.objects.filter(recipient=user).values_list("subject", flat=True))


def test_a_filing_entering_the_window_is_flagged_and_its_agency_and_reviewers_told_once(world):
    """[000 §3] the system flags filings whose validity ends within 3 months and tells the agency and
    its reviewers — once, however often the sweep runs."""
    filing = expiring(world, 80)
    expiring(world, 100, agency=world.soe)  # outside the window
    assert deadlines.flag_expiring(TODAY)["window"] == 1
    assert deadlines.flag_expiring(TODAY)["window"] == 0
    registry.run_all(TODAY + DAY)
    assert RenewalReminder.objects.filter(filing=filing, kind="window").count() == 1
    clerk_msgs = [s for s in inbox(world.pudong_clerk) if "期满评估申请已开放" in s]
    assert clerk_msgs == [f"备案有效期将于 {filing.valid_until:%Y-%m-%d} 届满：期满评估申请已开放，请按时提交续期申请。"]
    assert [s for s in inbox(world.pudong_reviewer) if "期满提醒" in s] == ["期满提醒：本次新增 1 家机构的备案进入期满评估申请期。"]
    assert [s for s in inbox(world.city) if "期满提醒" in s] == ["期满提醒：本次新增 1 家机构的备案进入期满评估申请期。"]
    assert not [s for s in inbox(world.xuhui_reviewer) if "期满提醒" in s]
    assert not [s for s in inbox(world.soe_clerk) if "期满" in s]


def test_the_window_boundary_is_three_months_before_expiry_under_shanghai(world):
    """[000 §3] opens on the day three months before expiry, not earlier."""
    filing = expiring(world, 0)
    filing_later = active_filing(world.soe, world.soe_clerk, expires_on=datetime.date(2027, 2, 24),
                                 actors=world.actors, experts=world.experts[:3], occupations=[world.lathe])
    deadlines.flag_expiring(TODAY)
    assert RenewalReminder.objects.filter(filing=filing, kind="window").exists()
    assert not RenewalReminder.objects.filter(filing=filing_later).exists()
    deadlines.flag_expiring(datetime.date(2026, 11, 24))
    assert RenewalReminder.objects.filter(filing=filing_later, kind="window").exists()


def test_a_further_reminder_on_the_latest_application_date(world):
    """[000 §5] the latest date is the expiry date under Shanghai: a second reminder that day."""
    filing = expiring(world, 10)
    deadlines.flag_expiring(TODAY)
    assert not RenewalReminder.objects.filter(filing=filing, kind="latest").exists()
    deadlines.flag_expiring(filing.valid_until)
    deadlines.flag_expiring(filing.valid_until)
    assert RenewalReminder.objects.filter(filing=filing, kind="latest").count() == 1
    assert any("最迟申请日" in s for s in inbox(world.pudong_clerk))


def test_chongqing_has_no_window_and_reminds_on_its_latest_date_30_days_before_expiry(world):
    """[002 §14] apply at least 30 days before expiry."""
    PolicyProfile.ensure_presets("chongqing")
    filing = expiring(world, 40)
    assert deadlines.flag_expiring(TODAY) == {"latest": 0}
    assert deadlines.flag_expiring(TODAY + 10 * DAY) == {"latest": 1}
    assert RenewalReminder.objects.get(filing=filing).kind == "latest"


def test_a_filing_already_applying_for_renewal_is_not_reminded(world):
    filing = expiring(world, 80)
    a = services.open_renewal(filing_id=filing.pk, actor=world.pudong_clerk, today=TODAY)
    from assessments.demo import complete_application

    complete_application(a, world.pudong_clerk)
    services.perform(assessment_id=a.pk, action="submit", actor=world.pudong_clerk, today=TODAY)
    assert deadlines.flag_expiring(TODAY)["window"] == 0


def test_flagging_takes_the_same_number_of_queries_for_3_or_30_filings(world):
    """Set-based: INSERT … SELECT, no query per filing."""
    for i in range(3):
        expiring(world, 30 + i)
    with CaptureQueriesContext(connection) as few:
        assert deadlines.flag_expiring(TODAY)["window"] == 3
    for i in range(12):
        agency = get_agency(name=f"测试企业{i}", uscc=make_uscc(700 + i), kind=AgencyKind.ENTERPRISE,
                            ownership=Ownership.DISTRICT_ENTERPRISE, region_code="310115")
        agency_user(agency, f"bulk{i}")
        expiring(world, 40 + i, agency=agency)
    with CaptureQueriesContext(connection) as many:
        assert deadlines.flag_expiring(TODAY + DAY)["window"] == 12
    assert len(many) == len(few)


@pytest.mark.postgres
def test_flagging_on_postgres_matches(world, on_postgres):
    filing = expiring(world, 20)
    assert deadlines.flag_expiring(TODAY)["window"] == 1
    assert RenewalReminder.objects.filter(filing=filing).count() == 1
