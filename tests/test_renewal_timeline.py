"""The renewal timeline under each bureau's preset [SPEC §4.1, §8]."""

import datetime

import pytest

from assessments import timeline
from portal.models import PolicyProfile

D = datetime.date
EXPIRY = D(2027, 3, 31)


@pytest.mark.parametrize("preset, opens, latest", [
    ("shanghai", D(2026, 12, 31), D(2027, 3, 31)),    # [000 §3, §5] 3 months ahead; before expiry
    ("shandong", D(2026, 12, 31), D(2027, 5, 31)),    # [004 §3(1), §4(3)] 3 months ahead; 2 months overdue
    ("chongqing", None, D(2027, 3, 1)),               # [002 §14] no window; 30 days before expiry
    ("chizhou", None, D(2027, 3, 31)),                # [003] silent: by expiry
])
def test_window_and_latest_application_date_follow_the_active_preset(db, preset, opens, latest):
    """[000 §3, 004 §3(1), 002 §14, 004 §4(3)]"""
    profile = PolicyProfile.ensure_presets(preset)
    assert timeline.window_opens_on(EXPIRY, profile) == opens
    assert timeline.latest_application_on(EXPIRY, profile) == latest
    # With no application the filing leaves the directory the day after expiry, whatever the latest date.
    assert timeline.ends_without_application_on(EXPIRY, profile) == EXPIRY + datetime.timedelta(days=1)


@pytest.mark.parametrize("preset", ["shanghai", "shandong", "chongqing"])
def test_due_until_selects_exactly_the_filings_whose_rule_is_due(db, preset):
    """The set-based threshold agrees with the per-filing rule on every day, month ends included."""
    profile = PolicyProfile.ensure_presets(preset)

    def rule(v):
        return timeline.latest_application_on(v, profile)

    for today in (D(2027, 2, 28), D(2027, 3, 1), D(2027, 5, 31), D(2028, 2, 29), D(2027, 12, 31)):
        threshold = timeline.due_until(rule, today)
        assert rule(threshold) <= today < rule(threshold + datetime.timedelta(days=1))


def test_the_window_follows_an_administrators_edit_of_the_profile(db):
    """Every rule reads its numbers from the active profile; none is hard-coded [SPEC §8]."""
    profile = PolicyProfile.ensure_presets("shanghai")
    profile.renewal_window_months = 6
    profile.save()
    assert timeline.window_opens_on(EXPIRY) == D(2026, 9, 30)
