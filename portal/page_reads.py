"""Reads shared by the parts of one page [issue #15 §6].

A dashboard's panels and charts come from different apps, and several of them need the same
figure (the city's work-list panel and its chart of filings by state both count every filing in
scope: a scan of all 100,000 rows at scale). Inside `page()` — the dashboard view wraps its panels
and charts in it — `shared(key, compute)` computes a figure once and hands the same value to every
part that asks; outside it, every call computes afresh, so nothing is ever read stale from an
earlier page or test.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

_memo: contextvars.ContextVar[dict | None] = contextvars.ContextVar("page_reads", default=None)


@contextmanager
def page() -> Iterator[None]:
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def shared(key: Hashable, compute: Callable[[], T]) -> T:
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
