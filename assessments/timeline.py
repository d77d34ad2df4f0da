"""The renewal timeline [SPEC §4.1], read from the active policy profile; nothing here is hard-coded.

Each rule is a monotone function of the filing's expiry date, so "every filing for which the rule is
due today" is a single range on `Filing.valid_until` (`due_until`): the sweep stays one query."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from portal.dates import add_months
from portal.models import PolicyProfile

ONE_DAY = datetime.timedelta(days=1)


def window_opens_on(valid_until: datetime.date, profile: PolicyProfile | None = None) -> datetime.date | None:
    """The day the renewal window opens: N months before expiry [000 §3, 004 §3(1)]; None where the
    bureau's notice sets no window (Chongqing, Chizhou)."""
    profile = profile or PolicyProfile.active()
    if not profile.renewal_window_months:
        return None
    return add_months(valid_until, -profile.renewal_window_months)


def latest_application_on(valid_until: datetime.date, profile: PolicyProfile | None = None) -> datetime.date:
    """The last day a renewal application is accepted: the expiry date itself (Shanghai [000 §5]),
    30 days before (Chongqing [002 §14]) or 2 months after (Shandong [004 §4(3)])."""
    profile = profile or PolicyProfile.active()
    return (add_months(valid_until, profile.latest_application_months)
            + datetime.timedelta(days=profile.latest_application_days))


def ends_without_application_on(valid_until: datetime.date, profile: PolicyProfile | None = None) -> datetime.date:
    """The first day on which a filing with no application has ended: the day after expiry, under
    every profile. Shandong still accepts an application for 2 months after expiry, but the
    enterprise leaves the directory at expiry meanwhile (期满后自动退出目录) [000 §5, 004 §4(3)]; a renewal
    applied for late and passed brings the filing back (`Filing.reinstate`)."""
    return valid_until + ONE_DAY


def due_until(rule: Callable[[datetime.date], datetime.date | None], today: datetime.date) -> datetime.date | None:
    """The latest expiry date `v` with `rule(v) <= today` (the rule is non-decreasing in `v`), so that
    `valid_until <= due_until(...)` selects exactly the filings for which the rule is due today."""
    if rule(today) is None:
        return None
    v = today
    # Walk in big steps to bracket the answer, then in days; month arithmetic makes this exact at month ends.
    step = datetime.timedelta(days=64)
    while rule(v) <= today:
        v += step
    while rule(v) > today:
        v -= step
    while rule(v + ONE_DAY) <= today:
        v += ONE_DAY
    return v


def rectification_due(start: datetime.date, profile: PolicyProfile | None = None) -> datetime.date | None:
    """Operations suspended at expiry with N months to rectify [000 §5]; None where the notice sets no limit."""
    profile = profile or PolicyProfile.active()
    if not profile.rectification_months:
        return None
    return add_months(start, profile.rectification_months)
