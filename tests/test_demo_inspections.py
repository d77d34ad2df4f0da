"""The demo holds an inspection and a rectification order in every state, and seeding twice makes
nothing twice."""

import pytest

from portal import demo
from supervision.models import Inspection, RectificationOrder


@pytest.mark.django_db
def test_demo_has_every_state_and_is_idempotent():
    demo.seed_all()
    assert set(Inspection.objects.values_list("state", flat=True)) == set(Inspection.State.values)
    # set_aside comes only from a sanction review revoking a 限期整改 (tests/test_sanction_reviews.py)
    assert set(RectificationOrder.objects.values_list("state", flat=True)) == (
        set(RectificationOrder.State.values) - {RectificationOrder.State.SET_ASIDE})
    counts = (Inspection.objects.count(), RectificationOrder.objects.count())
    demo.seed_all()
    assert (Inspection.objects.count(), RectificationOrder.objects.count()) == counts
