"""Working days by the State Council schedule, with administrators' overrides [SPEC: 工作日].

Deadlines counted in working days (e.g. the public notice period) depend on these rules, so the
tests read like the calendar a reviewer keeps on the wall."""

from datetime import date

import pytest
from django.test import RequestFactory

from portal import views, workdays
from portal.models import WorkdayOverride
from portal.workdays import add_workdays, is_workday, library_knows, unknown_years, workdays_between

pytestmark = pytest.mark.django_db


def test_five_working_days_after_30_september_skip_the_national_day_holiday():
    """1–8 October 2026 are the National Day holiday; Saturday 10 October is a make-up working day."""
    assert add_workdays(date(2026, 9, 30), 5) == date(2026, 10, 13)


@pytest.mark.parametrize("saturday", [date(2026, 10, 10), date(2026, 2, 14), date(2026, 2, 28),
                                      date(2026, 9, 20)])
def test_a_make_up_weekend_day_is_a_working_day(saturday):
    """调休: a weekend day the schedule turns into a working day counts like any Monday."""
    assert saturday.weekday() >= 5
    assert is_workday(saturday)


def test_a_make_up_saturday_is_counted_by_add_workdays():
    # Friday 9 Oct → Saturday 10 Oct (调休) is the next working day, not Monday 12 Oct.
    assert add_workdays(date(2026, 10, 9), 1) == date(2026, 10, 10)


def test_a_holiday_on_a_weekday_is_not_a_working_day():
    assert not is_workday(date(2026, 10, 1))
    assert not is_workday(date(2026, 10, 5))  # a Monday inside the National Day holiday


def test_a_year_the_library_does_not_know_falls_back_to_monday_to_friday():
    assert not library_knows(2027)
    # Friday 1 Oct 2027 + 5 working days, Monday–Friday only: Fri 8 Oct.
    assert add_workdays(date(2027, 10, 1), 5) == date(2027, 10, 8)
    assert is_workday(date(2027, 10, 4))  # a Monday: no holiday known yet
    assert not is_workday(date(2027, 10, 2))  # a Saturday


def test_an_override_changes_an_unknown_year():
    WorkdayOverride.objects.create(date=date(2027, 10, 4), is_workday=False, note="国庆节")
    WorkdayOverride.objects.create(date=date(2027, 10, 9), is_workday=True, note="国庆调休")
    assert not is_workday(date(2027, 10, 4))
    assert is_workday(date(2027, 10, 9))
    # Mon 4 Oct off, Sat 9 Oct on: 5 working days after Fri 1 Oct are 5,6,7,8,9 → Sat 9 Oct.
    assert add_workdays(date(2027, 10, 1), 5) == date(2027, 10, 9)


def test_an_override_wins_over_the_library_in_a_known_year():
    WorkdayOverride.objects.create(date=date(2026, 10, 10), is_workday=False, note="调休取消")
    WorkdayOverride.objects.create(date=date(2026, 10, 8), is_workday=True, note="临时上班")
    assert not is_workday(date(2026, 10, 10))
    assert is_workday(date(2026, 10, 8))
    # After 30 Sep: 8 Oct (override), 9 Oct, 12, 13, 14 Oct.
    assert add_workdays(date(2026, 9, 30), 5) == date(2026, 10, 14)


def test_workdays_between_counts_the_working_days_after_a_up_to_b():
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 13)) == 5
    assert workdays_between(date(2026, 10, 13), date(2026, 9, 30)) == -5
    assert workdays_between(date(2026, 10, 1), date(2026, 10, 1)) == 0
    # A plain week: Mon 16 Nov → Mon 23 Nov 2026 is 5 working days.
    assert workdays_between(date(2026, 11, 16), date(2026, 11, 23)) == 5


def test_add_workdays_and_workdays_between_agree():
    start = date(2026, 12, 20)
    for n in (1, 5, 10, 20, 40):  # reaches into 2027, the unknown year
        assert workdays_between(start, add_workdays(start, n)) == n


def test_is_workday_never_raises_for_a_valid_date():
    for d in (date(1, 1, 1), date(1999, 12, 31), date(2004, 1, 1), date(2026, 6, 1), date(2099, 12, 31),
              date(9999, 12, 31)):
        assert is_workday(d) in (True, False)


def test_the_administrators_dashboard_warns_that_2027_is_not_loaded(world):
    """An administrator is told when next year's holiday schedule is missing, in Chinese."""
    request = RequestFactory().get("/dashboard/")
    request.user = world.admin
    response = views.dashboard(request, today=date(2026, 11, 23))
    page = response.content.decode()
    assert "2027 年的工作日为暂定" in page
    assert "2026 年的工作日为暂定" not in page
    assert "载入年度节假日安排" in page


def test_the_warning_disappears_once_the_year_is_entered_as_overrides(world):
    WorkdayOverride.objects.create(date=date(2027, 1, 1), is_workday=False, note="元旦")
    assert unknown_years(date(2026, 11, 23)) == []
    request = RequestFactory().get("/dashboard/")
    request.user = world.admin
    page = views.dashboard(request, today=date(2026, 11, 23)).content.decode()
    assert "暂定" not in page


def test_the_dashboard_through_the_client_shows_the_warning_for_today(client, world):
    """The same page as a logged-in administrator sees it, for today's real date."""
    from django.utils import timezone

    client.force_login(world.admin)
    page = client.get("/dashboard/").content.decode()
    assert "系统管理员" in page
    for year in workdays.unknown_years(timezone.localdate()):
        assert f"{year} 年的工作日为暂定" in page


def test_other_roles_do_not_see_the_calendar_warning(client, world):
    client.force_login(world.city)
    assert "工作日为暂定" not in client.get("/dashboard/").content.decode()
