"""Working days by the State Council holiday schedule (调休 included), through `chinese-calendar`.

An administrator's override (WorkdayOverride) wins over the library. For a year the library does
not know yet, the statutory holidays fixed by law (全国年节及纪念日放假办法, as amended in 2024:
元旦 1 day, 春节 除夕 to 初三, 清明, 劳动节 1–2 May, 端午, 中秋, 国庆 1–3 October) are never working
days, computed by the `holidays` library without its guessed substitute days (`observed=False`);
other days follow Monday–Friday. Such a year is provisional until an administrator loads the State
Council's schedule for it (portal/schedule.py); `unknown_years()` names it for the dashboards.
Never raises for a date.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import chinese_calendar
import holidays

from portal.models import WorkdayOverride

ONE_DAY = datetime.timedelta(days=1)


@lru_cache(maxsize=1)
def _library_years() -> frozenset[int]:
    return frozenset(d.year for d in chinese_calendar.holidays) | frozenset(d.year for d in chinese_calendar.workdays)


def library_knows(year: int) -> bool:
    return year in _library_years()


@lru_cache(maxsize=16)
def statutory_holidays(year: int) -> frozenset[datetime.date]:
    """The days the law itself makes holidays in `year` (no 调休: those come with the schedule)."""
    return frozenset(holidays.China(years=year, observed=False))


def _overrides(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
    return dict(WorkdayOverride.objects.filter(date__range=(start, end)).values_list("date", "is_workday"))


def _is_workday(d: datetime.date, overrides: dict[datetime.date, bool]) -> bool:
    if d in overrides:
        return overrides[d]
    if library_knows(d.year):
        return chinese_calendar.is_workday(d)
    return d.weekday() < 5 and d not in statutory_holidays(d.year)


def is_workday(d: datetime.date) -> bool:
    return _is_workday(d, _overrides(d, d))


def add_workdays(start: datetime.date, n: int) -> datetime.date:
    """The n-th working day strictly after `start` (n ≥ 1); for n = 0, `start` itself."""
    if n <= 0:
        return start
    # A generous window for one query of overrides: n working days never span more than 3n+30 days.
    overrides = _overrides(start, start + datetime.timedelta(days=3 * n + 30))
    d, counted = start, 0
    while counted < n:
        d += ONE_DAY
        if _is_workday(d, overrides):
            counted += 1
    return d


def workdays_between(a: datetime.date, b: datetime.date) -> int:
    """Working days in (a, b]: how many working days after `a` up to and including `b`.
    Negative when b is before a."""
    if b < a:
        return -workdays_between(b, a)
    overrides = _overrides(a, b)
    count, d = 0, a
    while d < b:
        d += ONE_DAY
        count += _is_workday(d, overrides)
    return count


def is_provisional(year: int) -> bool:
    """Working days of `year` are provisional: no library schedule, and none loaded by an administrator."""
    return not library_knows(year) and not WorkdayOverride.objects.filter(date__year=year).exists()


def unknown_years(today: datetime.date | None = None) -> list[int]:
    """This year and next where working days are provisional (no schedule known or loaded)."""
    today = today or datetime.date.today()
    years = [y for y in (today.year, today.year + 1) if not library_knows(y)]
    entered = set(WorkdayOverride.objects.filter(date__year__in=years).dates("date", "year"))
    return [y for y in years if datetime.date(y, 1, 1) not in entered]
