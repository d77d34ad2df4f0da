"""The daily sweep proposes cancellation on the grounds the records show, and never decides
[003 §22]."""

import datetime

import pytest

from filings.choices import FilingState
from filings.models import Agency
from portal import deadlines
from portal.models import AuditEntry, Notification
from supervision.models import CancellationGround, Sanction
from supervision.services import sanctions as svc

from ._sanctions_helpers import DAY, propose

pytestmark = pytest.mark.django_db
M, S = Sanction.Measure, Sanction.State
YEAR_AGO = DAY - datetime.timedelta(days=400)


def _order(world, filing, origin, due_offset=-3):
    from supervision.services.inspections import issue_rectification_order

    return issue_rectification_order(agency=filing.agency, filing=filing, origin=origin, findings="考场视频缺失",
                                     working_days=5, actor=world.city, today=DAY + datetime.timedelta(days=due_offset - 10))


def test_eight_grounds_with_their_text():
    """The eight grounds of [003 §22], numbered 1–8, in the notice's words."""
    assert CancellationGround.values == [str(n) for n in range(1, 9)]
    assert "法人资格依法终止" in CancellationGround("3").label
    assert "三星级（不含）以下" in CancellationGround("6").label


def test_sweep_is_registered():
    assert "supervision.cancellation_grounds" in {name for name, _ in deadlines._sweeps}


def test_ground_2_no_evaluation_for_a_year_is_proposed_once(world):
    """In force a year or more without any evaluation carried out: ground 2 [003 §22(2)], proposed,
    not decided; the second run proposes nothing."""
    old = world.filing(state="active", today=YEAR_AGO)
    young = world.filing(agency=world.xuhui_social, state="active", today=DAY - datetime.timedelta(days=100))
    assert svc.propose_cancellations(DAY) == 1
    s = Sanction.objects.get()
    assert (s.filing, s.measure, s.cancellation_grounds, s.state, s.origin, s.proposed_by) == (
        old, M.REMOVE, "2", S.PROPOSED, Sanction.Origin.SWEEP, None)
    assert "已满1年" in s.reason
    old.refresh_from_db()
    assert old.state == FilingState.ACTIVE  # never cancels by itself
    assert not Sanction.objects.filter(filing=young).exists()
    assert AuditEntry.objects.filter(action="sanction.propose", object_id=str(s.pk), actor__isnull=True).count() == 1
    assert Notification.objects.filter(recipient=world.city, url=f"/supervision/sanctions/{s.pk}/").exists()
    assert svc.propose_cancellations(DAY) == 0
    assert svc.propose_cancellations(DAY + datetime.timedelta(days=1)) == 0
    assert Sanction.objects.count() == 1


def test_ground_2_counts_a_batch_carried_out(world, monkeypatch):
    """An evaluation carried out within the year answers ground 2 (the batches area's last_batch_on)."""
    old = world.filing(state="active", today=YEAR_AGO)
    monkeypatch.setattr(svc, "_last_batches", lambda ids: {a: DAY - datetime.timedelta(days=30) for a in ids})
    assert svc.propose_cancellations(DAY) == 0
    monkeypatch.setattr(svc, "_last_batches", lambda ids: {a: DAY - datetime.timedelta(days=366) for a in ids})
    assert svc.propose_cancellations(DAY) == 1
    assert "最近一次认定活动" in Sanction.objects.get(filing=old).reason


def test_ground_3_legal_entity_terminated(world):
    """The agency's legal entity deregistered or revoked: ground 3 [003 §22(3)]."""
    filing = world.filing(state="active", today=DAY)
    assert svc.propose_cancellations(DAY) == 0
    Agency.objects.filter(pk=filing.agency_id).update(entity_status=Agency.EntityStatus.REVOKED)
    assert svc.propose_cancellations(DAY) == 1
    s = Sanction.objects.get()
    assert s.cancellation_grounds == "3" and "吊销" in s.reason


def test_grounds_6_and_7_rectification_not_done_in_time(world):
    """A rating below three stars not rectified in time is ground 6; any other rectification not
    done in time is ground 7 [003 §22(6), §22(7)]."""
    from supervision.models import RectificationOrder

    rating = world.filing(state="active", today=DAY)
    other = world.filing(agency=world.xuhui_social, state="active", today=DAY)
    _order(world, rating, RectificationOrder.Origin.RATING)
    _order(world, other, RectificationOrder.Origin.INSPECTION)
    assert svc.propose_cancellations(DAY) == 2
    assert Sanction.objects.get(filing=rating).cancellation_grounds == "6"
    assert Sanction.objects.get(filing=other).cancellation_grounds == "7"
    assert svc.propose_cancellations(DAY) == 0


def test_order_not_yet_due_is_not_a_ground(world):
    from supervision.models import RectificationOrder

    filing = world.filing(state="active", today=DAY)
    _order(world, filing, RectificationOrder.Origin.INSPECTION, due_offset=30)
    assert svc.propose_cancellations(DAY) == 0


def test_a_person_proposal_pending_on_the_ground_blocks_the_sweep(world):
    filing = world.filing(state="active", today=DAY)
    propose(world, filing, M.REMOVE, grounds="3,8")
    Agency.objects.filter(pk=filing.agency_id).update(entity_status=Agency.EntityStatus.DEREGISTERED)
    assert svc.propose_cancellations(DAY) == 0


def test_rejected_proposal_keeps_the_sweep_quiet_then_it_proposes_again(world):
    filing = world.filing(state="active", today=DAY)
    Agency.objects.filter(pk=filing.agency_id).update(entity_status=Agency.EntityStatus.DEREGISTERED)
    assert svc.propose_cancellations(DAY) == 1
    s = Sanction.objects.get()
    svc.decide_sanction(sanction_id=s.pk, action="reject", actor=world.city, comment="已恢复存续", today=DAY)
    assert svc.propose_cancellations(DAY + datetime.timedelta(days=1)) == 0
    later = DAY + datetime.timedelta(days=svc.REJECTION_QUIET_DAYS + 1)
    assert svc.propose_cancellations(later) == 1


def test_city_decides_a_sweep_proposal(world):
    """The city decides on the ground proposed: the filing is cancelled with it [003 §22]."""
    filing = world.filing(state="active", today=DAY)
    Agency.objects.filter(pk=filing.agency_id).update(entity_status=Agency.EntityStatus.DEREGISTERED)
    svc.propose_cancellations(DAY)
    s = Sanction.objects.get()
    svc.decide_sanction(sanction_id=s.pk, action="uphold", actor=world.city, comment="法人已注销", today=DAY)
    filing.refresh_from_db()
    assert filing.state == FilingState.CANCELLED
    assert svc.propose_cancellations(DAY) == 0  # an ended filing is no longer in force


def test_ended_filings_are_not_swept(world):
    filing = world.filing(state="active", today=YEAR_AGO)
    propose(world, filing, M.REMOVE, grounds="8")
    svc.decide_sanction(sanction_id=Sanction.objects.get().pk, action="uphold", actor=world.city, comment="注销",
                        today=DAY)
    assert svc.propose_cancellations(DAY) == 0
