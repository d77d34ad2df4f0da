"""The agency's one task list: its filings, change filings and renewals, each saying what is needed
next and by when. Each app registers what it knows (`register(name, provider)`), as with dashboard
panels, so the list is whole without `portal` or `filings` knowing the apps built on them."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone


class DueDate:
    """What a line with a `due` date says about it: days left, days overdue, the countdown's mark."""

    due: datetime.date | None

    @property
    def days_left(self) -> int | None:
        return (self.due - timezone.localdate()).days if self.due else None

    @property
    def days_overdue(self) -> int:
        return max(0, -(self.days_left or 0))

    @property
    def countdown_class(self) -> str:
        left = self.days_left
        if left is None:
            return ""
        return "overdue" if left < 0 else "due-soon" if left <= 5 else ""


@dataclass
class Task(DueDate):
    """One line of the task list."""

    kind: str  # 备案申请, 变更备案, 期满评估
    title: str  # what it concerns: the filing's number or the agency's name
    state_label: str
    text: str  # what is needed next
    url: str = ""  # where to do it (or to see it)
    action_label: str = ""  # the button, when it is the agency's move
    due: datetime.date | None = None
    action_needed: bool = False
    details: list[str] = field(default_factory=list)
    badge: str = "badge-pending"


_providers: list[tuple[str, Callable]] = []


def register(name: str, provider: Callable) -> None:
    """`provider(user)` returns the user's tasks from one app."""
    if name not in {n for n, _ in _providers}:
        _providers.append((name, provider))


def tasks_for(user) -> list[Task]:
    """Every task, the agency's own moves first, then by due date."""
    tasks = [t for _, provider in _providers for t in provider(user)]
    return sorted(tasks, key=lambda t: (not t.action_needed, t.due or datetime.date.max))
