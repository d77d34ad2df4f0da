"""Role-scoped reads of renewals, mirroring `filings.selectors.filings_visible_to` [SPEC §1]."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

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


def expiring_filings(user, today: datetime.date) -> dict[str, QuerySet[Filing]]:
    """Dashboard buckets: in force and expiring within 3 months, within 30 days, and overdue [000 §3]."""
    months = PolicyProfile.active().renewal_window_months or 3
    base = filings_visible_to(user).filter(state__in=IN_FORCE, valid_until__isnull=False).order_by("valid_until")
    return {
        "overdue": base.filter(valid_until__lt=today),
        "within_30_days": base.filter(valid_until__gte=today, valid_until__lte=today + datetime.timedelta(days=30)),
        "within_window": base.filter(valid_until__gt=today + datetime.timedelta(days=30),
                                     valid_until__lte=add_months(today, months)),
    }
