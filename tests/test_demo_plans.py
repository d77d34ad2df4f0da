"""The demo holds a plan and a draw in every state and an expert pool; seeding twice makes nothing twice."""

import pytest

from portal import demo
from supervision.models import Draw, ExpertProfile, InspectionPlan


@pytest.mark.django_db
def test_demo_has_every_state_and_is_idempotent():
    demo.seed_all()
    assert set(InspectionPlan.objects.values_list("state", flat=True)) == set(InspectionPlan.State.values)
    assert set(Draw.objects.values_list("state", flat=True)) == set(Draw.State.values)
    assert ExpertProfile.objects.exists()
    counts = (InspectionPlan.objects.count(), Draw.objects.count())
    demo.seed_all()
    assert (InspectionPlan.objects.count(), Draw.objects.count()) == counts
