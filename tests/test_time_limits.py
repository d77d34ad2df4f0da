"""A time limit holds at the moment someone acts, whether or not the sweep has run yet; the sweep and
the transition share one rule (`TIME_LIMITS`, portal.transitions.settle_overdue) [002 §10, 003 §7]."""

import datetime

import pytest

from filings.choices import FilingState as S
from filings.models import Filing
from filings.services import TransitionRefused, perform
from portal.models import AuditEntry

D = datetime.date


def test_a_supplement_after_the_period_is_refused_and_the_application_is_abandoned(world):
    """[002 §10] 逾期不补正的，视为放弃申请: on 2 July the 30 days from 1 June are over; the clerk's
    supplement is refused and the filing is abandoned as of that day, with no sweep run."""
    filing = world.filing(state=S.SUPPLEMENT_REQUESTED, today=D(2026, 6, 1))
    with pytest.raises(TransitionRefused, match="已超过办理时限"):
        perform(filing_id=filing.pk, action="supplement", actor=world.pudong_clerk, today=D(2026, 7, 2))
    filing.refresh_from_db()
    assert filing.state == S.ABANDONED and filing.ended_on == D(2026, 7, 2)
    entry = AuditEntry.for_object(filing).filter(action="filing.abandon").get()
    assert entry.actor is None


def test_a_supplement_on_the_last_day_is_taken(world):
    """[002 §10] The 30th day itself is within the period."""
    filing = world.filing(state=S.SUPPLEMENT_REQUESTED, today=D(2026, 6, 1))
    perform(filing_id=filing.pk, action="supplement", actor=world.pudong_clerk, today=D(2026, 7, 1))
    assert Filing.objects.get(pk=filing.pk).state == S.SUBMITTED


def test_a_refusal_of_acceptance_after_five_working_days_is_refused_and_the_filing_is_accepted(world):
    """[002 §10] 逾期未作出不予受理决定的，视为受理: submitted 30 September 2026, the five working days
    end on 13 October (after the National Day holiday); on the 15th the district can no longer refuse
    acceptance: the filing was accepted on the 14th."""
    filing = world.filing(state=S.SUBMITTED, today=D(2026, 9, 30))
    with pytest.raises(TransitionRefused, match="视为受理"):
        perform(filing_id=filing.pk, action="refuse_acceptance", actor=world.pudong_reviewer, comment="材料不符",
                today=D(2026, 10, 15))
    filing.refresh_from_db()
    assert filing.state == S.PRE_REVIEW and filing.accepted_on == D(2026, 10, 14)


def test_a_refusal_of_acceptance_within_the_five_working_days_stands(world):
    """[002 §10] On the fifth working day (13 October, the holiday not counted) the authority may still refuse."""
    filing = world.filing(state=S.SUBMITTED, today=D(2026, 9, 30))
    perform(filing_id=filing.pk, action="refuse_acceptance", actor=world.pudong_reviewer, comment="不属于受理范围",
            today=D(2026, 10, 13))
    assert Filing.objects.get(pk=filing.pk).state == S.REFUSED


def test_the_sweep_after_a_settled_limit_changes_nothing(world):
    """The sweep and the transition share one rule: what a person's action settled is not moved twice."""
    from filings.deadlines import sweep

    filing = world.filing(state=S.SUPPLEMENT_REQUESTED, today=D(2026, 6, 1))
    with pytest.raises(TransitionRefused):
        perform(filing_id=filing.pk, action="supplement", actor=world.pudong_clerk, today=D(2026, 7, 3))
    assert sweep(D(2026, 7, 3)) == 0
    assert AuditEntry.for_object(filing).filter(action="filing.abandon").count() == 1
