"""Loading a year's State Council holiday schedule at once, and moving the deadlines it changes.

Until the State Council publishes a year's schedule (放假调休安排), that year's working days are
provisional (portal/workdays.py: weekends and the statutory holidays only). An administrator then
pastes or uploads the whole year — its rest days and its make-up working days — and every deadline
already computed in working days that runs through that year is recomputed with the same number of
working days from the same start; the parties are told of each one that moved.

Each app registers what it computed in working days (`register(name, collect)`), the way sweeps and
demo seeders are registered, so `portal` knows no domain app.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from portal.audit import record
from portal.models import WorkdayOverride
from portal.notifications import notify_many
from portal.workdays import add_workdays, workdays_between

MAX_BYTES = 64 * 1024


@dataclass
class Deadline:
    """One date computed as `start` plus some working days, still running."""

    label: str  # what the date is, e.g. "形式审查截止（上海某某公司）"
    start: datetime.date
    due: datetime.date
    save: Callable[[datetime.date], None]  # writes the new date
    recipients: Iterable  # who is told if it moves
    url: str = ""


_collectors: list[tuple[str, Callable[[datetime.date, datetime.date], list[Deadline]]]] = []


def register(name: str, collect: Callable[[datetime.date, datetime.date], list[Deadline]]) -> None:
    """`collect(first, last)` returns the running deadlines whose span from start to due touches
    the days first..last."""
    if name not in {n for n, _ in _collectors}:
        _collectors.append((name, collect))


@dataclass(frozen=True)
class Schedule:
    year: int
    rest_days: frozenset[datetime.date]
    workdays: frozenset[datetime.date]


LINE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:~|～|至|到|—|--)\s*(\d{4}-\d{1,2}-\d{1,2}))?[\s,，:：]+(\S+)$")
REST_WORDS = {"休", "休息", "放假", "假", "rest", "off", "holiday"}
WORK_WORDS = {"班", "上班", "补班", "工作日", "work", "workday"}


def parse(text: str, year: int) -> Schedule:
    """Lines such as `2027-02-05~2027-02-11 休` (a range of rest days) or `2027-02-14 班` (a make-up
    working day); blank lines and lines starting with # are ignored. Every error names its line."""
    rest, work, errors = set(), set(), []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        match = LINE.match(line)
        if not match:
            errors.append(_("第 %(n)s 行“%(line)s”格式不正确，应为“2027-02-05~2027-02-11 休”或“2027-02-14 班”。")
                          % {"n": number, "line": line[:40]})
            continue
        first, last, word = match.groups()
        try:
            start = datetime.date.fromisoformat(_iso(first))
            end = datetime.date.fromisoformat(_iso(last)) if last else start
        except ValueError:
            errors.append(_("第 %(n)s 行的日期不存在。") % {"n": number})
            continue
        if start.year != year or end.year != year:
            errors.append(_("第 %(n)s 行的日期不在 %(year)s 年内。") % {"n": number, "year": year})
            continue
        if end < start or (end - start).days > 31:
            errors.append(_("第 %(n)s 行的日期范围不正确（起止颠倒或超过一个月）。") % {"n": number})
            continue
        kind = word.lower()
        if kind not in REST_WORDS | WORK_WORDS:
            errors.append(_("第 %(n)s 行应注明“休”或“班”。") % {"n": number})
            continue
        days = {start + datetime.timedelta(days=i) for i in range((end - start).days + 1)}
        (rest if kind in REST_WORDS else work).update(days)
    both = rest & work
    if both:
        errors.append(_("以下日期既标为休息又标为上班：%(days)s。") % {"days": "、".join(f"{d:%m-%d}" for d in sorted(both))})
    if not errors and not rest:
        errors.append(_("未填写任何休息日。"))
    if errors:
        raise ValidationError(errors)
    return Schedule(year, frozenset(rest), frozenset(work))


def _iso(text: str) -> str:
    y, m, d = text.split("-")
    return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"


def read_upload(upload) -> str:
    """A pasted list may also come as a small text or CSV file (UTF-8, or GB18030 as Excel saves it)."""
    if upload.size > MAX_BYTES:
        raise ValidationError(_("文件过大：节假日安排文件不超过 64 KB。"))
    data = upload.read()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding).replace(",", " ")
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("无法识别文件编码，请保存为 UTF-8 文本或 CSV 后上传。"))


@transaction.atomic
def load(*, schedule: Schedule, actor) -> dict:
    """Replace the year's overrides with the schedule, then move every running deadline through that
    year to the same number of working days from its start, telling the parties of each move."""
    first, last = datetime.date(schedule.year, 1, 1), datetime.date(schedule.year, 12, 31)
    running = [d for _, collect in _collectors for d in collect(first, last)]
    spans = [(d, workdays_between(d.start, d.due)) for d in running]  # counted by the calendar as it was
    WorkdayOverride.objects.filter(date__range=(first, last)).delete()
    note = f"{schedule.year} 年国务院节假日安排"
    WorkdayOverride.objects.bulk_create(
        [WorkdayOverride(date=d, is_workday=False, note=note) for d in sorted(schedule.rest_days)]
        + [WorkdayOverride(date=d, is_workday=True, note=note + "（调休上班）") for d in sorted(schedule.workdays)])
    moved = []
    for deadline, n in spans:
        new = add_workdays(deadline.start, n)
        if new != deadline.due:
            deadline.save(new)
            moved.append((deadline, new))
    with override(settings.LANGUAGE_CODE):  # stored messages are in the portal's language
        notify_many((d.recipients, f"期限调整：{d.label}",
                     f"因载入 {schedule.year} 年国务院节假日安排，{d.label}由 {d.due:%Y年%-m月%-d日} "
                     f"调整为 {new:%Y年%-m月%-d日}。", d.url) for d, new in moved)
    summary = {"year": schedule.year, "rest_days": len(schedule.rest_days), "workdays": len(schedule.workdays),
               "deadlines_checked": len(spans), "deadlines_moved": len(moved)}
    record("calendar.load", None, actor=actor, comment=note, data=summary)
    return summary
