"""The demo data a new user sees after `make run`."""

from django.core.management import call_command

from assessments.choices import AssessmentState
from assessments.models import RenewalAssessment
from filings.choices import FilingState
from filings.models import ChangeRequest, Filing
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


def test_seed_demo_puts_a_change_request_in_every_state_and_seeds_them_once(db):
    """[issue 10 item 22, 002 §13] every change request state reached through change_services, on
    in-force filings of different agencies; a second run adds nothing."""
    call_command("seed_demo", verbosity=0)
    states = set(ChangeRequest.objects.values_list("state", flat=True))
    assert set(ChangeRequest.State.values) <= states, set(ChangeRequest.State.values) - states
    assert ChangeRequest.objects.values("filing__agency").distinct().count() >= 3
    approved = ChangeRequest.objects.get(state=ChangeRequest.State.APPROVED)
    assert approved.filing.scope.filter(occupation__name="焊工").exists()  # the approval applied the change
    count = ChangeRequest.objects.count()
    call_command("seed_demo", verbosity=0)
    assert ChangeRequest.objects.count() == count
    assert verify_chain() is None
