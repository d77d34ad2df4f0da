"""Voluntary termination: the agency applies, the city confirms, the filing ends, the wrap-up is
ticked off task by task [002 §31, 003 §22(1), 000 §6(3)]."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from filings.choices import FilingState
from portal.models import AuditEntry, Notification
from portal.transitions import TransitionRefused
from supervision.models import TerminationRequest, TerminationTask
from supervision.services import sanctions as svc

from ._sanctions_helpers import DAY, in_force

pytestmark = pytest.mark.django_db
T = TerminationRequest.State


def _apply(world, filing, actor=None):
    return svc.apply_for_termination(filing=filing, reason="停止开展评价业务", intended_on=DAY, actor=actor or world.pudong_clerk,
                                     today=DAY)


def test_agency_applies_and_city_is_told(world):
    """The agency reports and applies to cancel its filing [002 §31]."""
    filing = in_force(world)
    req = _apply(world, filing)
    assert req.state == T.SUBMITTED and req.number.startswith("ZZ2026")
    assert AuditEntry.objects.filter(action="termination.apply", object_id=str(req.pk)).count() == 1
    assert Notification.objects.filter(recipient=world.city, url=f"/supervision/terminations/{req.pk}/").exists()


@pytest.mark.parametrize("who", ["xuhui_clerk", "pudong_reviewer", "city", "inspector"])
def test_only_the_agency_applies(world, who):
    filing = in_force(world)
    with pytest.raises(PermissionDenied):
        _apply(world, filing, actor=getattr(world, who))
    assert not TerminationRequest.objects.exists()


def test_bad_applications_are_refused(world):
    filing = in_force(world)
    with pytest.raises(TransitionRefused):
        svc.apply_for_termination(filing=filing, reason=" ", intended_on=DAY, actor=world.pudong_clerk, today=DAY)
    with pytest.raises(TransitionRefused):
        svc.apply_for_termination(filing=filing, reason="停止", intended_on=DAY - datetime.timedelta(days=1),
                                  actor=world.pudong_clerk, today=DAY)
    _apply(world, filing)
    with pytest.raises(TransitionRefused):
        _apply(world, filing)
    assert TerminationRequest.objects.count() == 1


def test_confirm_ends_the_filing_and_opens_the_wrap_up(world):
    """The city confirms: the filing ends (leaves the directory) and the wrap-up tasks open
    [002 §31, 000 §6(3)]."""
    filing = in_force(world)
    req = _apply(world, filing)
    req = svc.perform_termination(request_id=req.pk, action="confirm", actor=world.city, comment="同意", today=DAY)
    filing.refresh_from_db()
    assert req.state == T.CONFIRMED and filing.state == FilingState.TERMINATED and filing.ended_on == DAY
    assert set(req.tasks.values_list("task", flat=True)) == set(TerminationTask.Task.values)
    assert "[002 §31" in AuditEntry.objects.get(action="filing.terminate", object_id=str(filing.pk)).comment


@pytest.mark.parametrize("who", ["pudong_reviewer", "pudong_clerk", "xuhui_reviewer", "inspector", "industry_reviewer"])
def test_only_the_city_confirms(world, who):
    """A refused confirmation changes nothing."""
    filing = in_force(world)
    req = _apply(world, filing)
    with pytest.raises(PermissionDenied):
        svc.perform_termination(request_id=req.pk, action="confirm", actor=getattr(world, who), today=DAY)
    req.refresh_from_db()
    filing.refresh_from_db()
    assert req.state == T.SUBMITTED and filing.state == FilingState.ACTIVE and not req.tasks.exists()


def test_wrap_up_by_task_with_who_and_when_then_close(world):
    """Each task records who did it and when; the city closes once all are done [000 §6(3)]."""
    filing = in_force(world)
    req = _apply(world, filing)
    svc.perform_termination(request_id=req.pk, action="confirm", actor=world.city, comment="同意", today=DAY)
    with pytest.raises(TransitionRefused):
        svc.perform_termination(request_id=req.pk, action="close", actor=world.city, today=DAY)
    publish = req.tasks.get(task=TerminationTask.Task.PUBLISH)
    archives = req.tasks.get(task=TerminationTask.Task.ARCHIVES)
    with pytest.raises(PermissionDenied):
        svc.complete_termination_task(task_id=publish.pk, actor=world.pudong_clerk)
    with pytest.raises(PermissionDenied):
        svc.complete_termination_task(task_id=archives.pk, actor=world.city)
    with pytest.raises(PermissionDenied):
        svc.complete_termination_task(task_id=archives.pk, actor=world.xuhui_clerk)
    task = svc.complete_termination_task(task_id=archives.pk, actor=world.pudong_clerk, note="移交区档案馆", today=DAY)
    assert (task.done_on, task.done_by, task.note) == (DAY, world.pudong_clerk, "移交区档案馆")
    with pytest.raises(TransitionRefused):
        svc.complete_termination_task(task_id=archives.pk, actor=world.pudong_clerk)
    for t in req.tasks.filter(done_on__isnull=True):
        svc.complete_termination_task(task_id=t.pk, actor=world.city if t.side == "city" else world.pudong_clerk,
                                      today=DAY)
    req = svc.perform_termination(request_id=req.pk, action="close", actor=world.city, today=DAY)
    assert req.state == T.CLOSED and req.closed_on == DAY
    assert AuditEntry.objects.filter(action="termination.task").count() == len(TerminationTask.Task.values)


def test_return_needs_reasons_and_keeps_the_filing(world):
    filing = in_force(world)
    req = _apply(world, filing)
    with pytest.raises(TransitionRefused):
        svc.perform_termination(request_id=req.pk, action="return_request", actor=world.city, comment="")
    req = svc.perform_termination(request_id=req.pk, action="return_request", actor=world.city, comment="先处理在办批次")
    filing.refresh_from_db()
    assert req.state == T.RETURNED and filing.state == FilingState.ACTIVE


def test_agency_withdraws(world):
    filing = in_force(world)
    req = _apply(world, filing)
    with pytest.raises(PermissionDenied):
        svc.perform_termination(request_id=req.pk, action="withdraw", actor=world.xuhui_clerk)
    req = svc.perform_termination(request_id=req.pk, action="withdraw", actor=world.pudong_clerk)
    assert req.state == T.WITHDRAWN
    assert _apply(world, filing).state == T.SUBMITTED  # may apply again


def test_confirm_refused_when_the_filing_already_ended(world):
    from supervision.models import Sanction
    from ._sanctions_helpers import propose

    filing = in_force(world)
    req = _apply(world, filing)
    s = propose(world, filing, Sanction.Measure.REMOVE, grounds="4")
    svc.decide_sanction(sanction_id=s.pk, action="uphold", actor=world.city, comment="注销", today=DAY)
    with pytest.raises(TransitionRefused):
        svc.perform_termination(request_id=req.pk, action="confirm", actor=world.city, today=DAY)
    req.refresh_from_db()
    assert req.state == T.SUBMITTED
