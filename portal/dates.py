"""Calendar arithmetic for validity periods (years and months, not working days)."""

import datetime


def add_years(d: datetime.date, years: int) -> datetime.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def add_months(d: datetime.date, months: int) -> datetime.date:
    month_index = d.month - 1 + months
    year, month = d.year + month_index // 12, month_index % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return datetime.date(year, month, day)
        except ValueError:
            continue
    raise ValueError(d)


def period_end(start: datetime.date, *, years: int = 0, months: int = 0) -> datetime.date:
    """The last day of a period of `years` and `months` that begins on (and counts) `start`: the day
    before the same day that many years and months on. Where that day does not exist (29 February in
    a common year, the 31st of a short month) the period ends on the last day of that month, the
    month-end rule (民法典 §202: 没有对应日的，月末日为期间的最后一日). So three years from
    2026-11-24 end on 2029-11-23 and three years from 2028-02-29 end on 2031-02-28."""
    d_months = start.month - 1 + 12 * years + months
    year, month = start.year + d_months // 12, d_months % 12 + 1
    try:
        return datetime.date(year, month, start.day) - datetime.timedelta(days=1)
    except ValueError:  # no such day: the month's last day
        first_of_next = datetime.date(year + month // 12, month % 12 + 1, 1)
        return first_of_next - datetime.timedelta(days=1)
