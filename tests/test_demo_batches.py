"""The demo has batches in every state of the machine, with candidates and results [SPEC §6]."""

from portal import demo
from portal.models import PolicyProfile
from portal.reference_data import load_occupations, load_regions
from supervision.models.batches import BatchState, Candidate, EvaluationBatch


def _seed():
    """`portal.demo.seed_all()` restricted to what batches need (the filings in force) and batches
    themselves, so that another area's seeder cannot hide this one's result."""
    load_regions()
    load_occupations()
    PolicyProfile.ensure_presets()
    demo.seed_people()
    for name, seeder in demo._seeders:
        if name in ("filings", "supervision.batches"):
            seeder()


def test_demo_has_every_batch_state(db):
    _seed()
    states = set(EvaluationBatch.objects.values_list("state", flat=True))
    assert states == set(BatchState.values), set(BatchState.values) - states
    assert Candidate.objects.filter(batch__state=BatchState.REPORTED, certificate_no__isnull=False).exists()
    count = EvaluationBatch.objects.count()
    _seed()  # idempotent
    assert EvaluationBatch.objects.count() == count
