"""The demo data a new user sees after `make run`."""

from django.core.management import call_command

from assessments.choices import AssessmentState
from assessments.models import RenewalAssessment
from filings.choices import FilingState
from filings.models import Filing
from portal.audit import verify_chain


def test_seed_demo_puts_a_filing_in_every_state_and_a_renewal_in_every_state(db):
    """[issue 3 item 13, issue 5 item 10] every state reached through the real transitions."""
    call_command("seed_demo", verbosity=0)
    filing_states = set(Filing.objects.values_list("state", flat=True))
    assert set(FilingState.values) <= filing_states, set(FilingState.values) - filing_states
    renewal_states = set(RenewalAssessment.objects.values_list("state", flat=True))
    expected = set(AssessmentState.values)
    assert expected <= renewal_states, expected - renewal_states
    assert verify_chain() is None
