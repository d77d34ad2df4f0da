"""Date arithmetic for every start date [SPEC §3, §4.1, §8]: the three-year validity [002 §14, 003 §7]
and its renewal continuing from the old expiry [000 §5, 004 §4], the pilot year [003 §7], the
decision and supplement clocks [002 §10-11], the completeness check in working days [002 §10] and
the renewal window [000 §3, 002 §14, 004 §3(1), §4(3)]; each across the 2026 holidays, across 2027
and across 29 February. Where the notices are silent, docs/filings.md states the decision."""

from __future__ import annotations

import datetime
from datetime import date

import pytest

from assessments import timeline
from filings.choices import FilingState as S
from filings.demo import drive
from filings.services import perform
from portal.dates import period_end
from portal.models import PolicyProfile

DAY = datetime.timedelta(days=1)


def every_day(first: date, last: date):
    d = first
    while d <= last:
        yield d
        d += DAY


def anniversary(d: date, years: int) -> date:
    """The same day `years` on; 1 March where 29 February does not exist."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return date(d.year + years, 3, 1)


def filed_on(world, day: date, **kwargs):
    """A filing put in force on `day` through the real transitions (notice published 20 days before)."""
    filing = world.filing(state=S.PUBLIC_NOTICE, today=day - 20 * DAY, **kwargs)
    return drive(filing, S.ACTIVE, actors=world.actors, today=day)


# ----- validity: three years, ending the day before the anniversary ---------------------------------
def test_every_start_date_of_2026_to_2029_runs_exactly_three_years():
    """[002 §14, 003 §7] the day after the last day is the anniversary (1 March for 29 February)."""
    for start in every_day(date(2026, 1, 1), date(2029, 12, 31)):
        end = period_end(start, years=3)
        assert end + DAY == anniversary(start, 3), start
        assert end.year == start.year + 3 or (end.month, end.day) == (12, 31), start


@pytest.mark.parametrize(("start", "end"), [
    (date(2028, 2, 29), date(2031, 2, 28)),   # 29 February: to 28 February of the third year
    (date(2028, 3, 1), date(2031, 2, 28)),
    (date(2029, 3, 1), date(2032, 2, 29)),    # the period takes in the next 29 February
    (date(2026, 2, 17), date(2029, 2, 16)),   # Spring Festival 2026: calendar days, holidays count
    (date(2026, 10, 1), date(2029, 9, 30)),   # National Day 2026
    (date(2026, 11, 24), date(2029, 11, 23)),
    (date(2027, 1, 1), date(2029, 12, 31)),   # 2027, the year the holiday library does not know
    (date(2027, 12, 31), date(2030, 12, 30)),
])
def test_a_filing_put_in_force_runs_to_the_day_before_its_third_anniversary(world, start, end):
    """[002 §14, 003 §7] through the transition that files it (Filing._put_in_force)."""
    filing = filed_on(world, start)
    assert (filing.valid_from, filing.valid_until) == (start, end)


def test_a_renewal_continues_from_the_old_expiry_for_every_expiry_date():
    """[000 §5, 004 §4] 延长三年, 自上一轮有效期到期之日起接续: the new period begins the day after the
    old one ends, and is itself exactly three years."""
    for old_end in every_day(date(2026, 1, 1), date(2029, 12, 31)):
        new_end = period_end(old_end + DAY, years=3)
        assert new_end + DAY == anniversary(old_end + DAY, 3), old_end


@pytest.mark.parametrize(("old_end", "new_end"), [
    (date(2031, 2, 28), date(2034, 2, 28)),   # a filing made on 29 February 2028, renewed
    (date(2032, 2, 29), date(2035, 2, 28)),
    (date(2028, 2, 28), date(2031, 2, 28)),   # the new period starts on 29 February 2028
    (date(2029, 11, 23), date(2032, 11, 23)),
])
def test_extend_validity_continues_from_the_old_expiry(world, old_end, new_end):
    """[000 §5, 004 §4] Filing.extend_validity, as a passed renewal calls it."""
    filing = filed_on(world, date(2026, 11, 24))
    filing.valid_until = old_end
    filing.extend_validity()
    assert filing.valid_until == new_end


# ----- the pilot year [003 §7] -----------------------------------------------------------------------
@pytest.mark.parametrize(("start", "until"), [
    (date(2028, 2, 29), date(2029, 2, 28)),
    (date(2026, 2, 17), date(2027, 2, 16)),
    (date(2026, 10, 1), date(2027, 9, 30)),
    (date(2027, 3, 1), date(2028, 2, 29)),
])
def test_the_pilot_year_ends_the_day_before_its_anniversary(world, start, until):
    """[003 §7] 试点运行一年 (Chizhou preset, social organisations): the same rule as the validity."""
    PolicyProfile.ensure_presets("chizhou")
    filing = filed_on(world, start, agency=world.xuhui_social, clerk=world.xuhui_clerk, occupations=[world.carer])
    assert filing.pilot and filing.pilot_until == until


def test_every_pilot_start_date_runs_exactly_twelve_months():
    for start in every_day(date(2026, 1, 1), date(2029, 12, 31)):
        assert period_end(start, months=12) + DAY == anniversary(start, 1), start


# ----- the filing clock [002 §10-11] ----------------------------------------------------------------
@pytest.mark.parametrize(("submitted", "due"), [
    (date(2026, 2, 13), date(2026, 2, 27)),   # Spring Festival: 14 Feb is a make-up working day
    (date(2026, 9, 30), date(2026, 10, 13)),  # National Day: 1-8 October off, 10 October worked
    (date(2027, 10, 1), date(2027, 10, 8)),   # 2027: Monday to Friday until the schedule is entered
    (date(2028, 2, 28), date(2028, 3, 6)),    # across 29 February 2028
])
def test_the_completeness_check_is_due_five_working_days_after_receipt(world, submitted, due):
    """[002 §10] 5 working days, State Council schedule, fallback Monday to Friday."""
    filing = world.filing(state=S.SUBMITTED, today=submitted)
    assert (filing.received_on, filing.acceptance_due) == (submitted, due)


@pytest.mark.parametrize(("accepted", "due"), [
    (date(2026, 2, 17), date(2026, 5, 18)),   # calendar days: the Spring Festival counts
    (date(2026, 10, 1), date(2026, 12, 30)),
    (date(2027, 6, 1), date(2027, 8, 30)),
    (date(2027, 12, 31), date(2028, 3, 30)),  # takes in 29 February 2028
])
def test_the_decision_is_due_ninety_days_after_acceptance(world, accepted, due):
    """[002 §11] 自受理之日起 90 日内作出决定: the day of acceptance is not counted."""
    filing = world.filing(state=S.SUBMITTED, today=accepted)
    filing = perform(filing_id=filing.pk, action="accept", actor=world.pudong_reviewer, today=accepted,
                     expected_state=S.SUBMITTED)
    assert (filing.accepted_on, filing.decision_due) == (accepted, due)
    assert (due - accepted).days == 90


@pytest.mark.parametrize(("requested", "due"), [
    (date(2026, 9, 30), date(2026, 10, 30)),  # across National Day, calendar days
    (date(2027, 1, 29), date(2027, 2, 28)),
    (date(2028, 2, 15), date(2028, 3, 16)),   # across 29 February
])
def test_the_supplement_is_due_thirty_days_after_the_request(world, requested, due):
    """[002 §10] 补正期限 30 日; abandoned the day after."""
    filing = world.filing(state=S.SUBMITTED, today=requested)
    filing = perform(filing_id=filing.pk, action="request_supplement", actor=world.pudong_reviewer, today=requested,
                     comment="请补正信用报告。", expected_state=S.SUBMITTED)
    assert filing.supplement_due == due


# ----- the renewal window and the last application day ------------------------------------------
@pytest.mark.parametrize(("preset", "rule"), [("shanghai", "window_opens_on"), ("shandong", "window_opens_on"),
                                              ("shanghai", "latest_application_on"),
                                              ("chongqing", "latest_application_on"),
                                              ("shandong", "latest_application_on")])
def test_each_renewal_date_is_found_exactly_by_the_sweep_for_every_day(world, preset, rule):
    """[000 §3, 002 §14, 004 §3(1), §4(3)] for every day of 2026-2029 the sweep's single range on
    valid_until (`due_until`) selects exactly the filings whose date has come, month ends included."""
    PolicyProfile.ensure_presets(preset)
    profile = PolicyProfile.active()
    fn = getattr(timeline, rule)

    def date_for(v):
        return fn(v, profile)

    previous = None
    for today in every_day(date(2026, 1, 1), date(2029, 12, 31)):
        v = timeline.due_until(date_for, today)
        assert date_for(v) <= today < date_for(v + DAY), (today, v)
        assert previous is None or v >= previous
        previous = v


@pytest.mark.parametrize(("valid_until", "opens", "shandong_latest", "chongqing_latest"), [
    (date(2031, 2, 28), date(2030, 11, 28), date(2031, 4, 28), date(2031, 1, 29)),
    (date(2028, 2, 29), date(2027, 11, 29), date(2028, 4, 29), date(2028, 1, 30)),
    (date(2029, 5, 31), date(2029, 2, 28), date(2029, 7, 31), date(2029, 5, 1)),
    (date(2026, 10, 1), date(2026, 7, 1), date(2026, 12, 1), date(2026, 9, 1)),
])
def test_renewal_dates_around_month_ends_and_29_february(world, valid_until, opens, shandong_latest,
                                                         chongqing_latest):
    """[000 §3] window 3 months before expiry; [004 §4(3)] 2 months after; [002 §14] 30 days before.
    A month counts to the same day of the month, or the month's last day where there is none."""
    profiles = {p.preset: p for p in PolicyProfile.objects.filter(preset__in=["shanghai", "shandong", "chongqing"])}
    assert timeline.window_opens_on(valid_until, profiles["shanghai"]) == opens
    assert timeline.latest_application_on(valid_until, profiles["shandong"]) == shandong_latest
    assert timeline.latest_application_on(valid_until, profiles["chongqing"]) == chongqing_latest
    assert timeline.latest_application_on(valid_until, profiles["shanghai"]) == valid_until
