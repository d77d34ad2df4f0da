"""Working days by the State Council holiday schedule (调休 included), through `chinese-calendar`.

An administrator's override (WorkdayOverride) wins over the library. For a year the library does
not know yet the fallback is Monday–Friday plus the overrides, and `unknown_years()` names that year
so the administrators' dashboard can warn that its schedule is not loaded. Never raises for a date.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import chinese_calendar

from portal.models import WorkdayOverride

ONE_DAY = datetime.timedelta(days=1)


@lru_cache(maxsize=1)
def _library_years() -> frozenset[int]:
    return frozenset(d.year for d in chinese_calendar.holidays) | frozenset(d.year for d in chinese_calendar.workdays)


def library_knows(year: int) -> bool:
    return year in _library_years()


def _overrides(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
    return dict(WorkdayOverride.objects.filter(date__range=(start, end)).values_list("date", "is_workday"))


def _is_workday(d: datetime.date, overrides: dict[datetime.date, bool]) -> bool:
    if d in overrides:
        return overrides[d]
    if library_knows(d.year):
        return chinese_calendar.is_workday(d)
    return d.weekday() < 5


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


def unknown_years(today: datetime.date | None = None) -> list[int]:
    """This year and next, where the library has no schedule and no override marks the year."""
    today = today or datetime.date.today()
    years = [y for y in (today.year, today.year + 1) if not library_knows(y)]
    entered = set(WorkdayOverride.objects.filter(date__year__in=years).dates("date", "year"))
    return [y for y in years if datetime.date(y, 1, 1) not in entered]
