"""Plans and draws through the real services, per transition and role [002 §25, 003 §21]."""

import pytest
from django.core.exceptions import PermissionDenied

from portal.models import AuditEntry
from portal.transitions import TransitionRefused, perform
from supervision.models import Draw, DrawRecusal, Inspection, InspectionPlan
from supervision.services import plans as svc

from ._plans_helpers import MONDAY, inspectors, item, plan, revealed

pytestmark = pytest.mark.django_db
P, D = InspectionPlan.State, Draw.State


def test_publish_needs_items_sample_and_two_inspectors(world):
    """A team is at least two inspectors [002 §25]."""
    with pytest.raises(TransitionRefused):
        svc.create_plan(region=world.shanghai, year=2026, title="x", items=[item(world)],
                        inspectors=inspectors(world), team_size=1, sample_count=1, actor=world.city)
    with pytest.raises(TransitionRefused):
        svc.create_plan(region=world.shanghai, year=2026, title="x", items=[item(world)],
                        inspectors=inspectors(world), actor=world.city)
    p = svc.create_plan(region=world.shanghai, year=2026, title="x", items=[], inspectors=inspectors(world),
                        sample_count=1, actor=world.city)
    with pytest.raises(TransitionRefused):
        perform(svc.PLAN_MACHINE, pk=p.pk, action="publish", actor=world.city)
    assert InspectionPlan.objects.get(pk=p.pk).state == P.DRAFT


def test_district_plans_its_own_region_only(world):
    p = plan(world, region=world.pudong, actor=world.pudong_reviewer)
    assert p.state == P.PUBLISHED
    with pytest.raises(PermissionDenied):
        svc.commit_draw(plan_id=p.pk, actor=world.xuhui_reviewer)
    with pytest.raises(PermissionDenied):
        plan(world, region=world.shanghai, actor=world.pudong_reviewer)
    for who in (world.inspector, world.industry_reviewer, world.pudong_clerk):
        with pytest.raises(PermissionDenied):
            svc.commit_draw(plan_id=p.pk, actor=who)


def test_district_population_is_its_region(world):
    d = revealed(world, region=world.pudong, actor=world.pudong_reviewer, sample_share=100, sample_count=None)
    drawn = set(d.results.values_list("agency__region__code", flat=True))
    assert drawn == {world.pudong.code}
    assert len(d.candidates) == 3  # pudong_enterprise, association, school


def test_commitment_before_candidates_then_reveal_then_confirm_opens_inspections(world):
    """Commit, reveal, confirm: each drawn agency gets an inspection by its drawn team [002 §25, 003 §21]."""
    p = plan(world, sample_count=2)
    d = svc.commit_draw(plan_id=p.pk, actor=world.city, today=MONDAY)
    assert d.state == D.COMMITTED and d.commitment and not d.candidates and not d.revealed_seed
    d = svc.reveal_draw(draw_id=d.pk, actor=world.city, today=MONDAY)
    assert d.state == D.REVEALED and d.results.count() == 2 and d.candidates_hash
    d = svc.confirm_draw(draw_id=d.pk, actor=world.city, today=MONDAY)
    assert d.state == D.CONFIRMED
    inspections = Inspection.objects.filter(origin=Inspection.Origin.DRAW, origin_id=d.pk)
    assert inspections.count() == 2
    for r in d.results.all():
        i = inspections.get(pk=r.inspection_id)
        assert i.agency_id == r.agency_id and sorted(i.team.values_list("pk", flat=True)) == sorted(r.team)
    assert InspectionPlan.objects.get(pk=p.pk).state == P.DRAWN
    perform(svc.PLAN_MACHINE, pk=p.pk, action="close", actor=world.city)
    assert InspectionPlan.objects.get(pk=p.pk).state == P.CLOSED
    assert AuditEntry.objects.filter(action="draw.confirm").count() == 1


def test_redraw_keeps_the_old_draw_visible(world):
    d = revealed(world)
    with pytest.raises(TransitionRefused):
        svc.redraw(draw_id=d.pk, reason="", actor=world.city)
    new = svc.redraw(draw_id=d.pk, reason="候选名单有误", actor=world.city)
    d.refresh_from_db()
    assert d.state == D.SUPERSEDED and new.replaces_id == d.pk and new.redraw_reason == "候选名单有误"
    assert new.state == D.COMMITTED and d.results.exists()


def test_only_one_live_draw_and_confirmed_cannot_be_redrawn(world):
    d = revealed(world)
    with pytest.raises(TransitionRefused):
        svc.commit_draw(plan_id=d.plan_id, actor=world.city)
    svc.confirm_draw(draw_id=d.pk, actor=world.city, today=MONDAY)
    with pytest.raises(TransitionRefused):
        svc.redraw(draw_id=d.pk, reason="x", actor=world.city)


def test_recusal_excluded_and_listed(world):
    """An inspector with a conflict of interest is kept off that agency's team, and the recusal is listed
    with the draw [003 §21]."""
    pool = inspectors(world)
    p = plan(world, sample_share=100, sample_count=None)
    for a in (world.pudong_enterprise, world.xuhui_social, world.soe, world.association, world.school):
        svc.add_recusal(plan_id=p.pk, inspector=pool[0], agency=a, reason="曾在该机构任职", actor=world.city)
    d = svc.commit_draw(plan_id=p.pk, actor=world.city, today=MONDAY)
    d = svc.reveal_draw(draw_id=d.pk, actor=world.city, today=MONDAY)
    assert all(pool[0].pk not in r.team for r in d.results.all())
    assert len(d.recusals_used) == 5
    with pytest.raises(TransitionRefused):
        svc.add_recusal(plan_id=p.pk, inspector=pool[1], agency=world.soe, reason="亲属", actor=world.city)
    assert DrawRecusal.objects.count() == 5


def test_in_force_only_population(world):
    world.filing(agency=world.xuhui_social, state="active", occupations=[world.carer])
    d = revealed(world, in_force_only=True, sample_share=100, sample_count=None)
    assert [a for a, _w in d.candidates] == [world.xuhui_social.pk]


def test_risk_weighting_recorded(world):
    d = revealed(world, weighting=InspectionPlan.Weighting.RISK)
    assert all(w >= 1 for _a, w in d.candidates) and svc.verify_draw(d) == []
