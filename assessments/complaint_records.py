"""Where rubric item 4.3 (投诉处理及时并反馈 [004 Annex 2 4.3]) comes from: the complaint records.

The bureau asks an agency to explain a complaint, with a due date; whether the agency answered in
time is on the record, so the item is read from it, not typed. Supervision registers the provider
(`supervision.wiring.complaints`), so this app never imports supervision. A provider answers
`provider(agency_ids, since, until)` with {agency_id: True | False | None}: True when every question
put to the agency in the period was answered in time, False when one was late or is unanswered past
its due date, None when there was no such question — then the item is judged by hand, with a reason,
as item 3.5 is when nothing was issued."""

from __future__ import annotations

import datetime
from collections.abc import Callable

_providers: list[Callable] = []


def register(provider: Callable) -> None:
    if provider not in _providers:
        _providers.append(provider)


def answered_in_time(agency_id: int, since: datetime.date, until: datetime.date) -> bool | None:
    """The first provider's answer that is not None; None when no provider knows anything."""
    for provider in _providers:
        if (answer := provider([agency_id], since, until).get(agency_id)) is not None:
            return answer
    return None


def period(assessment, today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The validity period under review: from the filing's start (three years before expiry when not
    known) until the decision — or today while undecided, so a decided result no longer moves."""
    from django.utils import timezone

    until = assessment.decided_on or today or timezone.localdate()
    expires = assessment.expires_on
    since = assessment.filing.valid_from or datetime.date(expires.year - 3, expires.month, 1)
    return since, until
