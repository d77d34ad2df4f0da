"""Who sees who reviewed: only the city sees the experts' names; the agency sees that the panel
finished [002 §11; issue: the applicant saw the experts' names in its history]."""

from filings.choices import FilingState as S
from portal.models import AuditEntry


def _names(world):
    return [n for e in world.experts[:3] for n in (e.username, e.full_name)]


def test_the_agency_sees_the_panel_finished_but_not_who_sat_on_it(client, world):
    filing = world.filing(state=S.SELECTION)
    assert AuditEntry.for_object(filing).filter(action="filing.expert_review.submit").count() == 3
    client.force_login(world.pudong_clerk)
    page = client.get(f"/filings/{filing.pk}/").content.decode()
    assert "专家评审完成" in page
    assert "专家提交评审意见" not in page
    assert not [n for n in _names(world) if n in page]


def test_a_district_reviewer_sees_the_steps_with_experts_unnamed(client, world):
    filing = world.filing(state=S.SELECTION)
    client.force_login(world.pudong_reviewer)
    page = client.get(f"/filings/{filing.pk}/").content.decode()
    assert "专家提交评审意见" in page and "评审专家" in page
    assert not [n for n in _names(world) if n in page]


def test_the_city_sees_each_expert_by_name(client, world):
    filing = world.filing(state=S.SELECTION)
    client.force_login(world.city)
    page = client.get(f"/filings/{filing.pk}/").content.decode()
    assert "专家提交评审意见" in page
    assert any(n in page for n in _names(world))
