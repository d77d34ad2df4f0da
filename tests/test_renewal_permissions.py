"""Who may see and act on a renewal: role × object [SPEC §1 object-level rule]."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from assessments import services
from assessments.demo import active_filing, drive_renewal
from assessments.selectors import assessments_visible_to
from filings.services import TransitionRefused

ACTING = datetime.date(2026, 12, 1)
EXPIRY = datetime.date(2027, 1, 31)


@pytest.fixture
def renewals(world):
    """One renewal routed through the Pudong district, one straight to the city (a Xuhui SOE), one
    through the industry department (a city association)."""
    out = {}
    for key, agency, occ in (("district", world.pudong_enterprise, world.electrician),
                             ("city", world.soe, world.lathe), ("industry", world.association, world.carer)):
        f = active_filing(agency, agency.staff.first(), expires_on=EXPIRY, actors=world.actors,
                          experts=world.experts[:3], occupations=[occ])
        out[key] = drive_renewal(f, "pre_review" if key != "city" else "accepted", actors=world.actors,
                                 experts=world.experts[:3], today=ACTING)
    return out


def visible(user):
    return set(assessments_visible_to(user).values_list("pk", flat=True))


def test_routing_follows_the_filing(renewals):
    """[000 §4(1)] SOEs straight to the city; district enterprises and city associations pre-reviewed."""
    assert renewals["district"].state == "pre_review" and renewals["district"].route == "district"
    assert renewals["industry"].state == "pre_review" and renewals["industry"].route == "industry"
    assert renewals["city"].state == "accepted" and renewals["city"].route == "city"


@pytest.mark.parametrize("who, sees", [
    ("pudong_clerk", {"district"}),
    ("soe_clerk", {"city"}),
    ("association_clerk", {"industry"}),
    ("xuhui_clerk", set()),
    ("pudong_reviewer", {"district", "industry"}),  # the association sits in Pudong, like filings
    ("xuhui_reviewer", {"city"}),
    ("industry_reviewer", {"industry"}),
    ("commerce_reviewer", set()),
    ("city", {"district", "city", "industry"}),
    ("admin", {"district", "city", "industry"}),
    ("inspector", set()),  # only what they are drawn to inspect [SPEC §1]; see test_permission_matrix
])
def test_each_role_sees_only_the_renewals_in_its_scope(world, renewals, who, sees):
    assert visible(getattr(world, who)) == {renewals[k].pk for k in sees}


def test_experts_see_only_the_renewals_on_their_panel(world, renewals):
    services.assign_panel(assessment_id=renewals["city"].pk, actor=world.city, experts=world.experts[:3])
    assert visible(world.experts[0]) == {renewals["city"].pk}
    assert visible(world.experts[3]) == set()


@pytest.mark.parametrize("who, may", [
    ("pudong_reviewer", True), ("xuhui_reviewer", False), ("industry_reviewer", False), ("city", False),
    ("pudong_clerk", False),
])
def test_only_the_district_it_is_routed_through_pre_reviews(world, renewals, who, may):
    """[000 §4(1)] the district pre-reviews (初评) before forwarding."""
    call = lambda: services.perform(assessment_id=renewals["district"].pk, action="forward",  # noqa: E731
                                    actor=getattr(world, who), comment="同意。", today=ACTING)
    if may:
        assert call().state == "accepted"
    else:
        with pytest.raises(PermissionDenied):
            call()


def test_only_the_agency_itself_edits_its_application(world, renewals):
    f = renewals["district"].filing
    with pytest.raises(PermissionDenied):
        services.open_renewal(filing_id=f.pk, actor=world.xuhui_clerk, today=ACTING)
    with pytest.raises(TransitionRefused, match="已提交"):
        services.sign_pledge(assessment_id=renewals["district"].pk, actor=world.pudong_clerk)


def test_only_panel_experts_score_and_only_the_city_decides(world, renewals):
    a = renewals["city"]
    services.assign_panel(assessment_id=a.pk, actor=world.city, experts=world.experts[:3])
    services.perform(assessment_id=a.pk, action="start_expert_review", actor=world.city, today=ACTING)
    with pytest.raises(PermissionDenied):
        services.save_review_scores(assessment_id=a.pk, actor=world.experts[3], values={})
    with pytest.raises(PermissionDenied):
        services.save_review_scores(assessment_id=a.pk, actor=world.soe_clerk, values={})
    with pytest.raises(PermissionDenied):
        services.assign_panel(assessment_id=a.pk, actor=world.xuhui_reviewer, experts=world.experts[3:])
    with pytest.raises(PermissionDenied):
        services.perform(assessment_id=a.pk, action="conclude_expert_review", actor=world.experts[0], today=ACTING)
