"""An inspection from opening to conclusion, through the real services [002 §25-26, 003 §17]."""

import pytest
from django.core.exceptions import PermissionDenied

from portal.audit_actions import is_registered
from portal.models import AuditEntry
from portal.transitions import TransitionRefused
from supervision.models import Inspection, InspectionCheck
from supervision.services import inspections as svc

from ._inspections_helpers import MONDAY, concluded, fill_all, open_one, second_inspector, submitted

pytestmark = pytest.mark.django_db
S = Inspection.State


def test_open_builds_the_checklist_of_the_phase(world):
    """The six contents of [002 §26] and the key points of the phase [003 §17]."""
    inspection = open_one(world, phase=Inspection.Phase.BEFORE)
    codes = list(inspection.checks.values_list("code", flat=True))
    assert codes[:6] == ["26.1", "26.2", "26.3", "26.4", "26.5", "26.6"]
    assert {c for c in codes[6:]} == {"17.1.1", "17.1.2", "17.1.3", "17.1.4"}
    assert inspection.state == S.OPEN and inspection.number.startswith("JC2026")
    assert AuditEntry.objects.filter(action="inspection.open").count() == 1


def test_team_of_at_least_two_inspectors(world):
    """[002 §25] two inspectors at least; only inspectors."""
    with pytest.raises(TransitionRefused):
        svc.open_inspection(agency=world.pudong_enterprise, team=[world.inspector], origin="ad_hoc",
                            phase="during", reason="x", actor=world.city, today=MONDAY)
    with pytest.raises(TransitionRefused):
        svc.open_inspection(agency=world.pudong_enterprise, team=[world.inspector, world.expert1 if hasattr(
            world, "expert1") else world.experts[0]], origin="ad_hoc", phase="during", reason="x",
            actor=world.city, today=MONDAY)
    assert not Inspection.objects.exists()


def test_only_the_region_opens(world):
    """The xuhui district cannot open an inspection of a pudong agency."""
    with pytest.raises(PermissionDenied):
        svc.open_inspection(agency=world.pudong_enterprise, team=[world.inspector, second_inspector(world)],
                            origin="ad_hoc", phase="during", reason="x", actor=world.xuhui_reviewer, today=MONDAY)
    assert not Inspection.objects.exists()


def test_findings_need_a_complete_checklist(world):
    """Every row answered, and every 不符合 row backed by a finding [002 §26]."""
    inspection = open_one(world)
    with pytest.raises(TransitionRefused, match="检查清单"):
        svc.perform_inspection(inspection_id=inspection.pk, action="submit_findings", actor=world.inspector)
    fill_all(inspection, world.inspector, InspectionCheck.Result.NON_COMPLIANT)
    with pytest.raises(TransitionRefused, match="尚未记录问题"):
        svc.perform_inspection(inspection_id=inspection.pk, action="submit_findings", actor=world.inspector)
    inspection.refresh_from_db()
    assert inspection.state == S.OPEN


def test_full_flow_and_audit(world):
    inspection = concluded(world)
    assert inspection.state == S.CONCLUDED and inspection.concluded_on == MONDAY
    actions = set(AuditEntry.objects.filter(object_id=str(inspection.pk)).values_list("action", flat=True))
    assert {"inspection.submit_findings", "inspection.acknowledge", "inspection.conclude"} <= actions
    for code in ("inspection.deem_acknowledged", "rectification.mark_overdue", "rectification.extend"):
        assert is_registered(code)


def test_response_deadline_holds_when_the_agency_acts(world):
    """5 working days to answer; after that the findings stand acknowledged, sweep or not."""
    inspection = submitted(world)
    assert inspection.response_due is not None
    late = inspection.response_due.toordinal() + 1
    import datetime
    with pytest.raises(TransitionRefused):
        svc.perform_inspection(inspection_id=inspection.pk, action="answer", comment="不同意",
                               actor=world.pudong_clerk, today=datetime.date.fromordinal(late))
    inspection.refresh_from_db()
    assert inspection.state == S.ACKNOWLEDGED and inspection.agency_response == ""


def test_sweep_deems_acknowledged_idempotently(world):
    import datetime
    inspection = submitted(world)
    later = inspection.response_due + datetime.timedelta(days=1)
    assert svc.sweep_inspections(later) == 1
    assert svc.sweep_inspections(later) == 0
    inspection.refresh_from_db()
    assert inspection.state == S.ACKNOWLEDGED


def test_answer_needs_text_and_keeps_it(world):
    inspection = submitted(world)
    with pytest.raises(TransitionRefused):
        svc.perform_inspection(inspection_id=inspection.pk, action="answer", comment="", actor=world.pudong_clerk,
                               today=MONDAY)
    svc.perform_inspection(inspection_id=inspection.pk, action="answer", comment="规则已张贴，附照片",
                           actor=world.pudong_clerk, today=MONDAY)
    inspection.refresh_from_db()
    assert inspection.state == S.ANSWERED and inspection.agency_response == "规则已张贴，附照片"


def test_other_agency_cannot_acknowledge(world):
    inspection = submitted(world)
    with pytest.raises(PermissionDenied):
        svc.perform_inspection(inspection_id=inspection.pk, action="acknowledge", actor=world.xuhui_clerk,
                               today=MONDAY)
    inspection.refresh_from_db()
    assert inspection.state == S.FINDINGS_SUBMITTED
