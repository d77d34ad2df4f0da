"""The demo has complaints in every state, an upheld one that ordered rectification, an anonymous
one declined with reasons; seeding twice adds nothing [002 §27, 003 §19]."""

from supervision import demo_complaints
from supervision.models import Complaint, RectificationOrder


def test_demo_has_every_state(world):
    """Every state of the complaint machine is in the demo (registered as supervision.complaints)."""
    from portal import demo
    assert "supervision.complaints" in {name for name, _ in demo._seeders}
    world.filing(state="active")
    world.filing(agency=world.xuhui_social, state="active", occupations=[world.carer])
    demo_complaints.seed()
    assert set(Complaint.objects.values_list("state", flat=True)) == set(Complaint.State.values)
    assert RectificationOrder.objects.filter(origin="complaint").exists()
    assert Complaint.objects.filter(state="declined", anonymous=True).exists()
    before = Complaint.objects.count()
    demo_complaints.seed()
    assert Complaint.objects.count() == before
