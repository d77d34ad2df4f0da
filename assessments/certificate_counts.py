"""Where the renewal form's certificate counts come from [004 Annex 1, Annex 2 item 3.5].

Certificates issued per level and how many were uploaded to the national database are read from
the evaluation batches the agency reported (supervision registers the provider), not typed: the
form shows them and item 3.5 follows. A provider answers `provider(filing, since, until)` with
{field: count} for `RenewalAssessment.CERT_FIELDS` and `certs_uploaded`, or None when it knows
nothing of the period (then the agency's typed figures stand, e.g. before the portal existed)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

_providers: list[Callable] = []


def register(provider: Callable) -> None:
    if provider not in _providers:
        _providers.append(provider)


def figures(filing, since: datetime.date, until: datetime.date) -> dict[str, int] | None:
    for provider in _providers:
        if (answer := provider(filing, since, until)) is not None:
            return answer
    return None


def apply(assessment, today: datetime.date | None = None) -> bool:
    """Set the assessment's counts from the providers; True when they did (the fields are then read-only)."""
    from django.utils import timezone

    filing = assessment.filing
    until = today or timezone.localdate()
    since = filing.valid_from or datetime.date(until.year - 3, until.month, 1)
    answer = figures(filing, since, until)
    if answer is None:
        return False
    for name, value in answer.items():
        setattr(assessment, name, value)
    return True
