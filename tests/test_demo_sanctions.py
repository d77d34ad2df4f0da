"""The demo has sanctions and voluntary terminations in every state, and a sanction of each measure
[003 §20, §22, 002 §31]."""

from portal import demo
from portal.models import PolicyProfile
from portal.reference_data import load_occupations, load_regions
from supervision.models import Sanction, TerminationRequest


def _seed():
    """`portal.demo.seed_all()` restricted to what sanctions need (the people, the filings) and the
    sanctions seeder itself, so that another area's seeder cannot hide this one's result."""
    load_regions()
    load_occupations()
    PolicyProfile.ensure_presets()
    demo.seed_people()
    for name, seeder in demo._seeders:
        if name in ("filings", "supervision.sanctions"):
            seeder()


def test_demo_has_every_state(db):
    _seed()
    assert set(Sanction.objects.values_list("state", flat=True)) == set(Sanction.State.values)
    decided = set(Sanction.objects.filter(state__in=Sanction.PUBLISHED_STATES).values_list("measure", flat=True))
    assert decided == set(Sanction.Measure.values)
    assert set(TerminationRequest.objects.values_list("state", flat=True)) == set(TerminationRequest.State.values)
    assert Sanction.objects.filter(altered=True).exists()
    counts = (Sanction.objects.count(), TerminationRequest.objects.count())
    _seed()  # idempotent
    assert (Sanction.objects.count(), TerminationRequest.objects.count()) == counts
