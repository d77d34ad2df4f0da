"""Role-scoped reads of renewals, mirroring `filings.selectors.filings_visible_to` [SPEC §1]."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet

from assessments.models import RenewalAssessment
from filings.choices import IN_FORCE
from filings.models import Filing
from filings.selectors import filings_visible_to, scoped_to
from portal.dates import add_months
from portal.models import PolicyProfile


def assessments_visible_to(user) -> QuerySet[RenewalAssessment]:
    """A renewal never submitted (no `submitted_on`) is the agency's alone [SPEC §1, §4.2]."""
    return scoped_to(RenewalAssessment.objects.select_related("agency", "filing", "region", "rubric"), user,
                     submitted_field="submitted_on")


def _buckets(today: datetime.date) -> tuple[datetime.date, dict[str, Q]]:
    """The dashboard's buckets of filings in force by expiry [000 §3], and the last day any reaches."""
    months = PolicyProfile.active().renewal_window_months or 3
    window_end = add_months(today, months)
    return window_end, {
        "overdue": Q(valid_until__lt=today),
        "within_30_days": Q(valid_until__gte=today, valid_until__lte=today + datetime.timedelta(days=30)),
        "within_window": Q(valid_until__gt=today + datetime.timedelta(days=30), valid_until__lte=window_end),
    }


def _in_force(user) -> QuerySet[Filing]:
    return filings_visible_to(user).filter(state__in=IN_FORCE, valid_until__isnull=False)


def expiring_filings(user, today: datetime.date) -> dict[str, QuerySet[Filing]]:
    """Dashboard buckets: in force and expiring within 3 months, within 30 days, and overdue [000 §3]."""
    _end, buckets = _buckets(today)
    base = _in_force(user).order_by("valid_until")
    return {key: base.filter(q) for key, q in buckets.items()}


def expiring_counts(user, today: datetime.date) -> dict[str, int]:
    """The size of each bucket of `expiring_filings`, in one query (from the index
    `filing_in_force_expiry`) [issue #15 §6]."""
    end, buckets = _buckets(today)
    return _in_force(user).filter(valid_until__lte=end).order_by().aggregate(
        **{key: Count("pk", filter=q) for key, q in buckets.items()})
