"""The expert panel of a filing drawn from the pool [002 §11, 003 §21]: specialty matching the
filing's occupations, no expert employed by the agency or with a declared conflict, seated through
the filings panel service; a manual choice needs a reason."""

import pytest
from django.urls import reverse

from portal.demo import demo_user
from portal.models import AuditEntry, Role
from portal.transitions import TransitionRefused
from supervision.models import ExpertProfile
from supervision.services import plans as svc

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(world):
    extra = [demo_user(f"expert{i}", role=Role.EXPERT, full_name=f"专家{i}") for i in (5, 6)]
    profiles = []
    for user in world.experts + extra:
        p = ExpertProfile.objects.create(user=user)
        p.specialties.set([world.electrician])
        profiles.append(p)
    profiles[0].employer = world.pudong_enterprise
    profiles[0].save()
    profiles[1].conflicts.set([world.pudong_enterprise])
    lathe_only = profiles[5]
    lathe_only.specialties.set([world.lathe])
    return world.filing(agency=world.pudong_enterprise, state="accepted", occupations=[world.electrician]), profiles


def test_candidates_exclude_employer_conflict_and_other_specialty(world, pool):
    filing, profiles = pool
    ids = {c["user"].pk for c in svc.expert_candidates(filing)}
    assert ids == {profiles[2].user_id, profiles[3].user_id, profiles[4].user_id}


def test_draw_seats_the_panel_through_the_filings_service(world, pool):
    filing, profiles = pool
    svc.draw_filing_panel(filing_id=filing.pk, n=3, actor=world.city)
    assert set(filing.panel.values_list("expert_id", flat=True)) == {p.user_id for p in profiles[2:5]}
    assert AuditEntry.objects.filter(action="filing.assign_panel").exists()
    entry = AuditEntry.objects.get(action="plan.expert_draw")
    assert entry.data["manual"] is False and len(entry.data["seed"]) == 64


def test_manual_choice_needs_a_reason_and_a_pool_expert(world, pool):
    filing, profiles = pool
    chosen = [p.user_id for p in profiles[2:5]]
    with pytest.raises(TransitionRefused):
        svc.draw_filing_panel(filing_id=filing.pk, n=3, manual=chosen, reason="", actor=world.city)
    with pytest.raises(TransitionRefused):
        svc.draw_filing_panel(filing_id=filing.pk, n=3, manual=[profiles[0].user_id] + chosen[:2], reason="熟悉",
                              actor=world.city)
    assert not filing.panel.exists()
    svc.draw_filing_panel(filing_id=filing.pk, n=3, manual=chosen, reason="需要电工专业高级考评员", actor=world.city)
    assert filing.panel.count() == 3


def test_screen(client, world, pool):
    filing, profiles = pool
    url = reverse("supervision:plan_panel_draw", args=[filing.pk])
    client.force_login(world.city)
    page = client.get(url)
    assert page.status_code == 200 and "在办评审任务" in page.content.decode()
    assert client.post(url, {"mode": "draw", "n": "3"}).status_code == 302
    assert filing.panel.count() == 3
    for user in (world.pudong_clerk, world.expert if hasattr(world, "expert") else world.experts[0]):
        client.force_login(user)
        assert client.get(url).status_code in (403, 404)
