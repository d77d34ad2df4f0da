"""The registry of timed transitions. Each app registers its sweeps in AppConfig.ready(); the Celery
beat task and `manage.py run_deadlines` both run `run_all()`, so there is one code path."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

_sweeps: list[tuple[str, Callable[[datetime.date], int]]] = []


def register(name: str, sweep: Callable[[datetime.date], int]) -> None:
    if name not in {n for n, _ in _sweeps}:
        _sweeps.append((name, sweep))


def run_all(today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    return {name: sweep(today) for name, sweep in _sweeps}
