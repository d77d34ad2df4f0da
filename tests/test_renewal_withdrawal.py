"""Withdrawing during a renewal assessment is giving up renewal [000 §5: 中途退出评估的，视为放弃续期；
对放弃续期的，终止备案资质，有效期届满后不再延续] — issue #10 item 7. Each date rule is tried across
the 2026 National Day holidays, across 2027 (a year the calendar library may not know) and across
29 February."""

import datetime

import pytest

from assessments import deadlines, services
from assessments.demo import active_filing, drive_renewal
from assessments.models import RenewalAssessment, RenewalReminder
from filings.choices import FilingState
from filings.demo import draft_filing, drive
from filings.models import Filing
from filings.services import TransitionRefused
from portal.models import PolicyProfile

DAY = datetime.timedelta(days=1)

# (validity ends, a day inside the window to open and withdraw)
PERIODS = {
    "national_day_2026": (datetime.date(2026, 10, 1), datetime.date(2026, 9, 25)),  # 国庆: 1–7 Oct 2026
    "february_2027": (datetime.date(2027, 2, 28), datetime.date(2027, 1, 15)),  # 2027: library may not know it
}


def in_directory(filing) -> bool:
    return Filing.objects.in_force().filter(pk=filing.pk).exists()


def filing_until(world, expires_on):
    return active_filing(world.pudong_enterprise, world.pudong_clerk, expires_on=expires_on, actors=world.actors,
                         experts=world.experts[:3], occupations=[world.electrician])


def filing_from_29_february_2028(world):
    """Put in force on 29 February 2028 (a leap day) through the filing services."""
    f = draft_filing(world.pudong_enterprise, world.pudong_clerk, occupations=[world.electrician])
    return drive(f, FilingState.ACTIVE, actors=world.actors, experts=world.experts[:3],
                 today=datetime.date(2028, 2, 29))


def withdraw(world, filing, today, *, at="accepted"):
    a = drive_renewal(filing, at, actors=world.actors, experts=world.experts[:3], today=today)
    services.perform(assessment_id=a.pk, action="withdraw", actor=world.pudong_clerk, comment="企业决定不再续期。",
                     today=today)
    return RenewalAssessment.objects.get(pk=a.pk)


@pytest.mark.parametrize("period", PERIODS)
def test_withdrawing_ends_the_filing_at_expiry_and_no_new_renewal_opens_for_that_validity(world, period):
    """[000 §5] 中途退出评估的，视为放弃续期: still in the directory through the expiry date, gone the day
    after with `ended_on` = the expiry date, and no renewal may be opened again for that validity."""
    expires, acting = PERIODS[period]
    filing = filing_until(world, expires)
    a = withdraw(world, filing, acting)
    assert a.state == "withdrawn"
    assert "视为放弃续期" in services.renewal_blockers(filing, acting)[0]
    with pytest.raises(TransitionRefused, match="放弃续期"):
        services.open_renewal(filing_id=filing.pk, actor=world.pudong_clerk, today=acting + DAY)
    deadlines.sweep(expires)
    assert in_directory(filing)
    deadlines.sweep(expires + DAY)
    filing.refresh_from_db()
    assert filing.state == "expired" and filing.ended_on == expires and not in_directory(filing)
    assert RenewalAssessment.objects.filter(filing=filing).count() == 1


def test_a_filing_valid_from_29_february_2028_withdrawn_ends_at_its_expiry(world):
    """[000 §5] a validity from 29 Feb 2028 ends at the end of February 2031 (the filing's own rule);
    withdrawn in the window, the filing ends on that day and no renewal reopens."""
    filing = filing_from_29_february_2028(world)
    expires = filing.valid_until
    assert (expires.year, expires.month) == (2031, 2)
    withdraw(world, filing, datetime.date(2031, 1, 10), at="draft")
    deadlines.sweep(expires)
    assert in_directory(filing)
    deadlines.sweep(expires + DAY)
    filing.refresh_from_db()
    assert filing.state == "expired" and filing.ended_on == expires
    assert services.renewal_blockers(filing, expires + DAY)


def test_withdrawing_after_expiry_during_expert_review_ends_the_filing_on_the_old_expiry(world):
    """[000 §5] applied in time, so the filing stayed in force past expiry while under review; withdrawn
    then, it ends at once with `ended_on` = the old expiry date (across the 2027 Spring Festival)."""
    expires = datetime.date(2027, 1, 31)
    filing = filing_until(world, expires)
    drive_renewal(filing, "expert_review", actors=world.actors, experts=world.experts[:3],
                  today=datetime.date(2026, 12, 1))
    deadlines.sweep(expires + 10 * DAY)
    assert in_directory(filing)
    withdraw(world, filing, datetime.date(2027, 2, 15), at="expert_review")
    deadlines.sweep(datetime.date(2027, 2, 16))
    filing.refresh_from_db()
    assert filing.state == "expired" and filing.ended_on == expires


def test_under_shandong_a_withdrawal_takes_no_late_application_either(world):
    """[000 §5, 004 §4(3)] Shandong accepts an application two months after expiry from an enterprise
    that did not apply; one that applied and withdrew gave up renewal and is not taken back."""
    PolicyProfile.ensure_presets("shandong")
    expires = datetime.date(2027, 2, 28)
    filing = filing_until(world, expires)
    withdraw(world, filing, datetime.date(2027, 1, 15))
    deadlines.sweep(expires + DAY)
    filing.refresh_from_db()
    assert filing.state == "expired" and filing.ended_on == expires
    with pytest.raises(TransitionRefused, match="放弃续期"):
        services.open_renewal(filing_id=filing.pk, actor=world.pudong_clerk, today=datetime.date(2027, 3, 15))


def test_a_withdrawn_filing_is_not_reminded_to_apply(world):
    """[000 §3, §5] the latest-application reminder says "逾期未申请视为放弃续期": a filing that already
    gave up renewal is not told to apply."""
    expires = datetime.date(2026, 10, 1)
    filing = filing_until(world, expires)
    withdraw(world, filing, datetime.date(2026, 9, 25), at="draft")
    deadlines.flag_expiring(expires)
    assert not RenewalReminder.objects.filter(filing=filing, kind="latest").exists()
