"""Sanctions from proposal to decision and effect, through the real services [003 §20, §22, 002 §30]."""

import pytest
from django.core.exceptions import PermissionDenied

from filings.choices import FilingState
from portal.models import AuditEntry, Notification
from portal.transitions import TransitionRefused
from supervision.models import Sanction
from supervision.services import sanctions as svc
from supervision.services.sanctions import SANCTION_ACTIONS

from ._sanctions_helpers import DAY, in_force, propose

pytestmark = pytest.mark.django_db
M, S = Sanction.Measure, Sanction.State


def test_the_district_proposes_and_the_city_is_told(world):
    """The district proposes with grounds and evidence and reports to the city [003 §20]."""
    filing = in_force(world)
    s = propose(world, filing, M.CIRCULATE, evidence="检查记录 JC20260001")
    assert s.state == S.PROPOSED and s.number.startswith("CF2026") and s.proposed_by == world.pudong_reviewer
    assert AuditEntry.objects.filter(action="sanction.propose", object_id=str(s.pk)).count() == 1
    assert Notification.objects.filter(recipient=world.city, url=f"/supervision/sanctions/{s.pk}/").exists()
    assert not Notification.objects.filter(recipient=world.pudong_clerk, url=f"/supervision/sanctions/{s.pk}/").exists()


def test_only_the_route_proposes(world):
    """By the filing's route: the district of a district-routed filing, not another district, not an
    agency, not an inspector [003 §20]."""
    filing = in_force(world)
    for outsider in (world.xuhui_reviewer, world.pudong_clerk, world.inspector, world.industry_reviewer):
        with pytest.raises(PermissionDenied):
            propose(world, filing, actor=outsider)
    assert not Sanction.objects.exists()
    assert propose(world, filing, actor=world.city).proposer_label  # the city may propose too


def test_removal_needs_a_ground_of_003_22(world):
    """A removal names one of the eight grounds [003 §22]."""
    filing = in_force(world)
    for bad in ("", "9", "超范围"):
        with pytest.raises(TransitionRefused):
            propose(world, filing, M.REMOVE, grounds=bad or " ")
    s = propose(world, filing, M.REMOVE, grounds="7，3")
    assert s.cancellation_grounds == "3,7" and s.ground_list == ["3", "7"]
    assert not Sanction.objects.exclude(pk=s.pk).exists()


def test_same_proposal_twice_is_refused(world):
    filing = in_force(world)
    propose(world, filing, M.SUSPEND)
    with pytest.raises(TransitionRefused):
        propose(world, filing, M.SUSPEND)
    assert Sanction.objects.count() == 1


def test_invisible_characters_refused(world):
    filing = in_force(world)
    with pytest.raises(TransitionRefused):
        propose(world, filing, reason="超范围\u202e认定")
    assert not Sanction.objects.exists()


def test_uphold_suspension_suspends_the_filing_and_lift_resumes_it(world):
    """暂停评价 suspends the filing through its lifecycle; lifting resumes it [003 §20]."""
    filing = in_force(world)
    s = propose(world, filing, M.SUSPEND)
    s = svc.decide_sanction(sanction_id=s.pk, action="uphold", actor=world.city, comment="情况属实", today=DAY)
    filing.refresh_from_db()
    assert s.state == S.DECIDED and s.decided_on == DAY and s.decided_by == world.city
    assert filing.state == FilingState.SUSPENDED
    assert AuditEntry.objects.filter(action="filing.suspend", object_id=str(filing.pk)).exists()
    assert Notification.objects.filter(recipient=world.pudong_clerk, url=f"/supervision/sanctions/{s.pk}/").exists()
    s = svc.decide_sanction(sanction_id=s.pk, action="lift", actor=world.city, comment="整改到位", today=DAY)
    filing.refresh_from_db()
    assert s.state == S.LIFTED and filing.state == FilingState.ACTIVE


def test_removal_cancels_the_filing_with_its_ground(world):
    """移除备案 cancels the filing, recording the ground [003 §22]; it leaves the directory."""
    filing = in_force(world)
    s = propose(world, filing, M.REMOVE, grounds="4")
    svc.decide_sanction(sanction_id=s.pk, action="uphold", actor=world.city, comment="查实虚假材料", today=DAY)
    filing.refresh_from_db()
    assert filing.state == FilingState.CANCELLED and filing.ended_on == DAY
    entry = AuditEntry.objects.get(action="filing.cancel", object_id=str(filing.pk))
    assert "通过虚假材料" in entry.comment and "[003 §22]" in entry.comment


def test_rectify_issues_an_order_of_origin_sanction(world):
    """限期整改 issues a rectification order [002 §30]."""
    from supervision.models import RectificationOrder

    filing = in_force(world)
    s = propose(world, filing, M.RECTIFY)
    s = svc.decide_sanction(sanction_id=s.pk, action="uphold", actor=world.city, comment="限期整改", today=DAY)
    order = RectificationOrder.objects.get(pk=s.order_id)
    assert order.origin == RectificationOrder.Origin.SANCTION and order.origin_id == s.pk
    assert order.agency == filing.agency


def test_alter_changes_the_measure_and_marks_it(world):
    """The city may decide another measure than proposed, with reasons [003 §20]."""
    filing = in_force(world)
    s = propose(world, filing, M.SUSPEND)
    s = svc.decide_sanction(sanction_id=s.pk, action="alter", measure=M.CIRCULATE, actor=world.city,
                            comment="情节较轻，改为通报批评", today=DAY)
    filing.refresh_from_db()
    assert s.measure == M.CIRCULATE and s.proposed_measure == M.SUSPEND and s.altered
    assert filing.state == FilingState.ACTIVE


def test_alter_to_removal_needs_grounds(world):
    filing = in_force(world)
    s = propose(world, filing, M.SUSPEND)
    with pytest.raises(TransitionRefused):
        svc.decide_sanction(sanction_id=s.pk, action="alter", measure=M.REMOVE, actor=world.city, comment="严重")
    s = svc.decide_sanction(sanction_id=s.pk, action="alter", measure=M.REMOVE, cancellation_grounds="7",
                            actor=world.city, comment="严重", today=DAY)
    filing.refresh_from_db()
    assert s.measure == M.REMOVE and filing.state == FilingState.CANCELLED


def test_reject_changes_nothing_on_the_filing(world):
    filing = in_force(world)
    s = propose(world, filing, M.SUSPEND)
    s = svc.decide_sanction(sanction_id=s.pk, action="reject", actor=world.city, comment="证据不足", today=DAY)
    filing.refresh_from_db()
    assert s.state == S.REJECTED and filing.state == FilingState.ACTIVE


@pytest.mark.parametrize("who", ["pudong_reviewer", "xuhui_reviewer", "pudong_clerk", "inspector", "industry_reviewer"])
def test_only_the_city_decides(world, who):
    """Only the city reviews and decides [003 §20]; a refused decision changes nothing."""
    filing = in_force(world)
    s = propose(world, filing, M.SUSPEND)
    before = AuditEntry.objects.filter(outcome="succeeded").count()
    with pytest.raises(PermissionDenied):
        svc.decide_sanction(sanction_id=s.pk, action="uphold", actor=getattr(world, who), comment="同意")
    s.refresh_from_db()
    filing.refresh_from_db()
    assert s.state == S.PROPOSED and filing.state == FilingState.ACTIVE
    assert AuditEntry.objects.filter(outcome="succeeded").count() == before


def test_decision_needs_reasons(world):
    filing = in_force(world)
    s = propose(world, filing, M.INTERVIEW)
    with pytest.raises(TransitionRefused):
        svc.decide_sanction(sanction_id=s.pk, action="uphold", actor=world.city, comment="")
    s.refresh_from_db()
    assert s.state == S.PROPOSED


def test_suspension_of_an_ended_filing_is_refused(world):
    """A suspension needs a filing in force and not already suspended."""
    filing = in_force(world)
    s = propose(world, filing, M.SUSPEND)
    s2 = propose(world, filing, M.REMOVE, grounds="8")
    svc.decide_sanction(sanction_id=s2.pk, action="uphold", actor=world.city, comment="注销", today=DAY)
    with pytest.raises(TransitionRefused):
        svc.decide_sanction(sanction_id=s.pk, action="uphold", actor=world.city, comment="暂停", today=DAY)
    s.refresh_from_db()
    assert s.state == S.PROPOSED


def test_the_proposer_withdraws(world):
    filing = in_force(world)
    s = propose(world, filing, M.INTERVIEW)
    with pytest.raises(PermissionDenied):
        svc.decide_sanction(sanction_id=s.pk, action="withdraw", actor=world.xuhui_reviewer, comment="撤回")
    s = svc.decide_sanction(sanction_id=s.pk, action="withdraw", actor=world.pudong_reviewer, comment="已当面纠正")
    assert s.state == S.WITHDRAWN


def test_the_system_never_decides(world):
    """The sweep proposes, the city decides [003 §22: 由备案机关取消其备案]."""
    filing = in_force(world)
    s = propose(world, filing, M.REMOVE, grounds="3")
    with pytest.raises(PermissionDenied):
        svc.decide_sanction(sanction_id=s.pk, action="uphold", actor=None)
    with pytest.raises(PermissionDenied):
        svc.propose_sanction(agency=filing.agency, filing=filing, measure=M.SUSPEND, grounds="x", reason="x",
                             origin=Sanction.Origin.SWEEP, actor=None)


def test_sanctions_since_for_ratings(world):
    from supervision.selectors.sanctions import sanctions_since

    filing = in_force(world)
    s = propose(world, filing, M.INTERVIEW)
    svc.decide_sanction(sanction_id=s.pk, action="uphold", actor=world.city, comment="约谈", today=DAY)
    propose(world, filing, M.CIRCULATE)  # pending: not counted
    out = sanctions_since([filing.agency_id, world.xuhui_social.pk], DAY)
    assert [x.pk for x in out[filing.agency_id]] == [s.pk] and out[world.xuhui_social.pk] == []


@pytest.mark.parametrize("action", ["alter", "reject", "lift"])
@pytest.mark.parametrize("who", ["pudong_reviewer", "xuhui_reviewer", "pudong_clerk", "inspector", "industry_reviewer"])
def test_each_city_action_refused_to_others(world, action, who):
    """Altering, rejecting and lifting are the city's too [003 §20]; a refusal changes nothing and
    is recorded as refused."""
    filing = in_force(world)
    s = propose(world, filing, M.SUSPEND)
    if action == "lift":
        svc.decide_sanction(sanction_id=s.pk, action="uphold", actor=world.city, comment="暂停", today=DAY)
    s.refresh_from_db()
    state, filing_state = s.state, Sanction.objects.get(pk=s.pk).filing.state
    with pytest.raises(PermissionDenied):
        svc.decide_sanction(sanction_id=s.pk, action=action, actor=getattr(world, who), comment="x",
                            measure=M.INTERVIEW)
    s.refresh_from_db()
    filing.refresh_from_db()
    assert (s.state, filing.state) == (state, filing_state)
    assert AuditEntry.objects.filter(action=f"sanction.{action}", outcome="refused").count() == 1
    assert not AuditEntry.objects.filter(action=f"sanction.{action}", outcome="succeeded").exists()


def test_another_city_region_may_not_decide(world):
    """The city of the agency's jurisdiction decides: a district user with the city role elsewhere
    does not exist in the world, so the pudong district user stands for 'not the city'."""
    filing = in_force(world)
    s = propose(world, filing, M.INTERVIEW)
    assert svc.available_sanction_actions(s, world.pudong_reviewer) == [("withdraw", SANCTION_ACTIONS["withdraw"])]
    assert {n for n, _ in svc.available_sanction_actions(s, world.city)} >= {"uphold", "alter", "reject"}
