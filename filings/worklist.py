"""Reviewers' work lists [issue 3 §12]: what waits for whom, and how close each deadline is
[002 §10-11]. Reads only, built on `selectors.filings_visible_to` so the scoping stays in one place.

Tabs: 待办 (the reviewer acts next), 即将到期 (≤ 2 working days for a working-day rule, ≤ 7 days for
a calendar-day rule), 已逾期, 全部. Every count is one query however many filings there are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from filings.choices import FilingState, Route
from filings.models import Filing, Objection
from filings.selectors import counts_by_state, filings_visible_to
from portal import workdays
from portal.models import Role, WorkdayOverride

S = FilingState

DUE_SOON_WORKDAYS = 2
DUE_SOON_DAYS = 7
# States in which the 90-day decision clock runs [002 §11].
DECIDING = (S.PRE_REVIEW, S.ACCEPTED, S.EXPERT_REVIEW, S.SELECTION)

TABS = [("todo", gettext_lazy("待办")), ("due_soon", gettext_lazy("即将到期")), ("overdue", gettext_lazy("已逾期")),
        ("all", gettext_lazy("全部"))]


def todo_q(user) -> Q:
    """Filings on which `user` is the next to act (mirrors the transitions' permissions)."""
    if user.role in (Role.DISTRICT, Role.INDUSTRY):
        route = Route.DISTRICT if user.role == Role.DISTRICT else Route.INDUSTRY
        return Q(route=route, state__in=[S.SUBMITTED, S.PRE_REVIEW])
    if user.role == Role.CITY or user.is_superuser or user.role == Role.ADMIN:
        # An objection waiting to be verified, as one uncorrelated subquery (read once, not per row):
        # no join, so no filing comes twice and no DISTINCT is needed.
        pending = Objection.objects.filter(state=Objection.State.PENDING).values("item__filing_id")
        return (Q(route=Route.CITY, state=S.SUBMITTED)
                | Q(state__in=[S.ACCEPTED, S.EXPERT_REVIEW, S.SELECTION])
                | Q(state=S.PUBLIC_NOTICE, pk__in=pending))
    return Q(pk__in=[])


def due_soon_q(today: datetime.date) -> Q:
    """[002 §10] 5 working days to check completeness; [002 §11] 90 days to decide."""
    return (Q(state=S.SUBMITTED, acceptance_due__gte=today,
              acceptance_due__lte=workdays.add_workdays(today, DUE_SOON_WORKDAYS))
            | Q(state__in=DECIDING, decision_due__gte=today,
                decision_due__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)))


def overdue_q(today: datetime.date) -> Q:
    return Q(state=S.SUBMITTED, acceptance_due__lt=today) | Q(state__in=DECIDING, decision_due__lt=today)


def _tab_q(user, tab: str, today: datetime.date) -> Q:
    if tab == "todo":
        return todo_q(user)
    # The deadline first: most filings fail it, so the count's filters stop early [issue #15 §6].
    if tab == "due_soon":
        return due_soon_q(today) & todo_q(user)
    if tab == "overdue":
        return overdue_q(today) & todo_q(user)
    return Q()


def for_tab(user, tab: str, today: datetime.date) -> QuerySet[Filing]:
    """The tab's filings; no condition joins a many-valued relation, so no row comes twice."""
    qs = filings_visible_to(user)
    return qs.filter(_tab_q(user, tab, today)) if tab in ("todo", "due_soon", "overdue") else qs


def tab_counts(user, today: datetime.date) -> dict[str, int]:
    """Every tab's count in two queries whatever the data [issue #15 §6]: 即将到期 and 已逾期 are
    待办 narrowed by a deadline, so the three are counted over the 待办 rows alone (from the index, a
    few thousand rows); 全部 is the sum of the counts by state, which the dashboard's chart of
    filings by state reads too (`selectors.counts_by_state`, shared within a page)."""
    counts = for_tab(user, "todo", today).order_by().aggregate(
        todo=Count("pk"), due_soon=Count("pk", filter=due_soon_q(today)),
        overdue=Count("pk", filter=overdue_q(today)))
    counts["all"] = sum(counts_by_state(user).values())
    return {name: counts[name] for name, _label in TABS}


@dataclass(frozen=True)
class Countdown:
    label: str          # what the deadline is for
    due: datetime.date
    remaining: int      # negative when overdue
    unit: str           # "个工作日" or "天"
    soon: bool
    overdue: bool

    @property
    def text(self) -> str:
        if self.overdue:
            return _("已逾期 %(span)s") % {"span": self._span(-self.remaining)}
        if self.remaining < 0:
            return _("已届满")
        if self.remaining == 0:
            return _("今日到期")
        return _("剩余 %(span)s") % {"span": self._span(self.remaining)}

    def _span(self, n: int) -> str:
        if self.unit == "天":
            return ngettext("%(n)s 天", "%(n)s 天", n) % {"n": n}
        return ngettext("%(n)s 个工作日", "%(n)s 个工作日", n) % {"n": n}

    @property
    def css(self) -> str:
        return "overdue" if self.overdue else ("due-soon" if self.soon else "")


@lru_cache(maxsize=8192)
def _library_workday(day: datetime.date) -> bool:
    """`portal.workdays`' own rule without overrides (the State Council's schedule, else the statutory
    holidays), remembered per date: the library validates each date slowly, and its answer for a
    date never changes while the process runs. Overrides are applied on top, by the caller."""
    return workdays._is_workday(day, {})


class Clock:
    """Counts working days for many dates with one query of administrator overrides, so a page of
    filings costs the same however many rows it shows.

    The overrides are read once, on the first count, for the span around today widened to every
    date `cover()` was given (the page's deadlines, however long overdue); a count is then a lookup
    in a running total of working days, not a walk over the calendar per row. A date outside the
    span (one nobody covered) widens it with one more query, never one per row of a covered page.
    """

    def __init__(self, today: datetime.date, span_days: int = 400):
        self.today = today
        self.start = today - datetime.timedelta(days=span_days)
        self.end = today + datetime.timedelta(days=span_days)
        self._cumulative: list[int] | None = None  # working days in (start, start + i]

    def cover(self, filings) -> Clock:
        """Widen the span to the deadlines of `filings` (before the first count: no query)."""
        dates = [d for f in filings for d in (f.acceptance_due, f.notice_ends_on) if d]
        if dates:
            self._widen(min(dates), max(dates))
        return self

    def _widen(self, low: datetime.date, high: datetime.date) -> None:
        if low >= self.start and high <= self.end:
            return
        self.start, self.end = min(self.start, low), max(self.end, high)
        self._cumulative = None  # read again, once, for the wider span

    def _load(self) -> list[int]:
        if self._cumulative is None:
            overrides = dict(WorkdayOverride.objects.filter(date__range=(self.start, self.end))
                             .values_list("date", "is_workday"))
            total, cumulative, d = 0, [0], self.start
            while d < self.end:
                d += datetime.timedelta(days=1)
                total += overrides[d] if d in overrides else _library_workday(d)
                cumulative.append(total)
            self._cumulative = cumulative
        return self._cumulative

    def workdays_until(self, due: datetime.date) -> int:
        """`workdays.workdays_between(today, due)`: working days in (today, due], negative before."""
        self._widen(due, due)
        cumulative = self._load()
        return cumulative[(due - self.start).days] - cumulative[(self.today - self.start).days]

    def _workday(self, label, due):
        n = self.workdays_until(due)
        return Countdown(label, due, n, "个工作日", 0 <= n <= DUE_SOON_WORKDAYS, due < self.today)

    def _days(self, label, due):
        n = (due - self.today).days
        return Countdown(label, due, n, "天", 0 <= n <= DUE_SOON_DAYS, n < 0)

    def countdowns(self, filing: Filing) -> list[Countdown]:
        """Every clock that runs for the filing in its current state [002 §10-11, 003 §7]."""
        out = []
        if filing.state == S.SUBMITTED and filing.acceptance_due:
            out.append(self._workday(_("形式审查"), filing.acceptance_due))
        if filing.state == S.SUPPLEMENT_REQUESTED and filing.supplement_due:
            out.append(self._days(_("补正"), filing.supplement_due))
        if filing.state in DECIDING and filing.decision_due:
            out.append(self._days(_("作出决定"), filing.decision_due))
        if filing.state == S.PUBLIC_NOTICE and filing.notice_ends_on:
            n = self.workdays_until(filing.notice_ends_on)
            out.append(Countdown(pgettext("step", "公示"), filing.notice_ends_on, n, "个工作日", False, False))
        return out

    def current(self, filing: Filing) -> Countdown | None:
        found = self.countdowns(filing)
        return found[0] if found else None
