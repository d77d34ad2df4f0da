"""What follows from a complaint: an inspection opened from its investigation, a rectification order
or a proposed sanction once upheld [002 §27, 003 §17, §19-20]. Each is refused for the wrong role,
and a refusal writes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from portal.audit import AuditEntry
from portal.transitions import TransitionRefused
from supervision.models import Complaint, Inspection, RectificationOrder, Sanction
from supervision.services import complaints as svc
from tests._complaints_helpers import _complaint_limits  # noqa: F401
from tests._inspections_helpers import second_inspector

MONDAY = datetime.date(2026, 3, 2)


def investigating(w, agency=None, handler=None):
    agency, handler = agency or w.pudong_enterprise, handler or w.pudong_reviewer
    c, _code = svc.file_complaint(category="fees", description=f"{agency.name}收取考生加急费每人500元，没有收据。",
                                  agency=agency, contact_name="张三", contact_phone="13800001111", today=MONDAY)
    svc.perform_complaint(complaint_id=c.pk, action="accept", actor=handler, today=MONDAY)
    svc.perform_complaint(complaint_id=c.pk, action="investigate", actor=handler, handler_id=handler.pk, today=MONDAY)
    return Complaint.objects.get(pk=c.pk)


def succeeded(action, obj_pk=None):
    qs = AuditEntry.objects.filter(action=action, outcome="succeeded")
    return qs.filter(object_id=str(obj_pk)) if obj_pk is not None else qs


def _nothing_written(c, state):
    c.refresh_from_db()
    assert c.state == state and not c.follow_up
    assert not Inspection.objects.exists() and not Sanction.objects.exists()
    assert not RectificationOrder.objects.exists()
    assert not succeeded("complaint.inspection_open").exists() and not succeeded("inspection.open").exists()


# ----- an inspection opened from the complaint [002 §27: 调查核实; 003 §17] -----------------------------

def test_the_district_opens_an_inspection_from_the_complaint_linked_and_audited_on_both(world, client):
    """[002 §27, 003 §17] The handler, while investigating, opens an inspection of the agency from the
    complaint's page; the inspection names the complaint as its origin, both carry an audit entry,
    and the complaint's page links to the inspection."""
    c = investigating(world)
    client.force_login(world.pudong_reviewer)
    page = client.get(f"/supervision/complaints/{c.pk}/").content.decode()
    assert 'id="open-inspection"' in page and "发起监督检查" in page
    response = client.post(f"/supervision/complaints/{c.pk}/inspect/", {
        "phase": Inspection.Phase.DURING, "team": [world.inspector.pk, second_inspector(world).pk],
        "reason": "核查投诉反映的违规收费"})
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert (inspection.origin, inspection.origin_id, inspection.agency) == (
        Inspection.Origin.COMPLAINT, c.pk, world.pudong_enterprise)
    assert inspection.opened_by == world.pudong_reviewer
    assert succeeded("complaint.inspection_open", c.pk).get().data["inspection"] == inspection.pk
    assert succeeded("inspection.open", inspection.pk).get().data["origin_id"] == c.pk
    page = client.get(f"/supervision/complaints/{c.pk}/").content.decode()
    assert f'href="/supervision/inspections/{inspection.pk}/"' in page and inspection.number in page


def test_an_industry_department_handles_the_complaint_but_opens_no_inspection(world, client):
    """[003 §17] Inspections are the city's and the districts': the industry department handling a
    city association's complaint sees no button, and its request is refused with nothing written."""
    world.filing(agency=world.association, state="submitted")
    c = investigating(world, agency=world.association, handler=world.industry_reviewer)
    assert c.route == Complaint.Route.INDUSTRY
    client.force_login(world.industry_reviewer)
    assert 'id="open-inspection"' not in client.get(f"/supervision/complaints/{c.pk}/").content.decode()
    team = [world.inspector, second_inspector(world)]
    with pytest.raises(PermissionDenied):
        svc.open_inspection_from_complaint(complaint_id=c.pk, team=team, phase=Inspection.Phase.DURING,
                                           reason="核查", actor=world.industry_reviewer)
    response = client.post(f"/supervision/complaints/{c.pk}/inspect/", {
        "phase": Inspection.Phase.DURING, "team": [u.pk for u in team], "reason": "核查"})
    assert response.status_code == 403
    _nothing_written(c, Complaint.State.INVESTIGATING)


def test_another_district_and_the_agency_cannot_open_one(world):
    """[003 §19] Only the department the complaint is routed to (or the city) acts on it."""
    c = investigating(world)
    team = [world.inspector, second_inspector(world)]
    for actor in (world.xuhui_reviewer, world.pudong_clerk, world.inspector):
        with pytest.raises(PermissionDenied):
            svc.open_inspection_from_complaint(complaint_id=c.pk, team=team, phase=Inspection.Phase.DURING,
                                               reason="核查", actor=actor)
    _nothing_written(c, Complaint.State.INVESTIGATING)


def test_no_inspection_before_the_investigation_or_with_a_team_of_one(world):
    """[002 §25, §27] An accepted complaint not yet under investigation opens no inspection, nor does
    a team of fewer than two inspectors; the refusal says why and writes nothing."""
    c, _code = svc.file_complaint(category="fees", description="收取考生加急费每人500元，没有收据。",
                                  agency=world.pudong_enterprise, contact_phone="13800001111", today=MONDAY)
    svc.perform_complaint(complaint_id=c.pk, action="accept", actor=world.pudong_reviewer, today=MONDAY)
    team = [world.inspector, second_inspector(world)]
    with pytest.raises(TransitionRefused, match="调查核实中"):
        svc.open_inspection_from_complaint(complaint_id=c.pk, team=team, phase=Inspection.Phase.DURING,
                                           reason="核查", actor=world.pudong_reviewer)
    _nothing_written(c, Complaint.State.ACCEPTED)
    svc.perform_complaint(complaint_id=c.pk, action="investigate", actor=world.pudong_reviewer,
                          handler_id=world.pudong_reviewer.pk, today=MONDAY)
    with pytest.raises(TransitionRefused, match="不少于 2 名"):
        svc.open_inspection_from_complaint(complaint_id=c.pk, team=[world.inspector], phase=Inspection.Phase.DURING,
                                           reason="核查", actor=world.pudong_reviewer)
    _nothing_written(c, Complaint.State.INVESTIGATING)


# ----- an upheld complaint: rectification order, proposed sanction [002 §30, 003 §19-20] --------------

def test_an_upheld_complaint_proposes_a_sanction_to_the_city(world):
    """[003 §20] Upheld, the complaint proposes an interview (约谈) with its findings as the grounds;
    the proposal names the complaint as its origin and the complaint records the follow-up."""
    c = investigating(world)
    svc.perform_complaint(complaint_id=c.pk, action="conclude", actor=world.pudong_reviewer, today=MONDAY,
                          outcome="upheld", findings="经核实，机构确有收取加急费。", follow_up="sanction")
    c.refresh_from_db()
    sanction = Sanction.objects.get()
    assert c.state == Complaint.State.CONCLUDED and c.follow_up == f"处理建议 {sanction.number}"
    assert (sanction.origin, sanction.origin_id, sanction.agency, sanction.measure) == (
        Sanction.Origin.COMPLAINT, c.pk, world.pudong_enterprise, "interview")
    assert sanction.proposed_by == world.pudong_reviewer
    assert succeeded("complaint.conclude", c.pk).exists()


def test_an_upheld_complaint_opens_a_rectification_order(world):
    """[002 §30, 003 §19] Upheld, the complaint orders the agency to rectify; the order names the
    complaint as its origin."""
    c = investigating(world)
    svc.perform_complaint(complaint_id=c.pk, action="conclude", actor=world.pudong_reviewer, today=MONDAY,
                          outcome="partly", findings="部分属实：加急费已退还。", follow_up="rectify")
    c.refresh_from_db()
    order = RectificationOrder.objects.get()
    assert (order.origin, order.origin_id, order.agency) == (RectificationOrder.Origin.COMPLAINT, c.pk,
                                                             world.pudong_enterprise)
    assert c.follow_up == f"责令限期整改 {order.number}"


@pytest.mark.parametrize("follow_up", ["sanction", "rectify"])
def test_a_follow_up_by_the_wrong_role_is_refused_and_writes_nothing(world, client, follow_up):
    """[003 §19-20] Another district, the agency or an inspector cannot conclude the complaint with a
    follow-up: through the service (refused) and the page (404 / 403), nothing changes."""
    c = investigating(world)
    for actor in (world.xuhui_reviewer, world.pudong_clerk, world.inspector, world.industry_reviewer):
        with pytest.raises(PermissionDenied):
            svc.perform_complaint(complaint_id=c.pk, action="conclude", actor=actor, today=MONDAY,
                                  outcome="upheld", findings="查实。", follow_up=follow_up)
    data = {"action": "conclude", "outcome": "upheld", "findings": "查实。", "follow_up": follow_up}
    for actor, status in ((world.xuhui_reviewer, 404), (world.pudong_clerk, 403), (world.inspector, 404)):
        client.force_login(actor)
        assert client.post(f"/supervision/complaints/{c.pk}/do/", data).status_code == status
    _nothing_written(c, Complaint.State.INVESTIGATING)
    assert not succeeded("complaint.conclude").exists()


@pytest.mark.parametrize("follow_up", ["sanction", "rectify"])
def test_a_complaint_not_upheld_takes_no_follow_up(world, follow_up):
    """[003 §19] Nothing verified, nothing to rectify or sanction: refused, nothing written."""
    c = investigating(world)
    with pytest.raises(TransitionRefused, match="不属实"):
        svc.perform_complaint(complaint_id=c.pk, action="conclude", actor=world.pudong_reviewer, today=MONDAY,
                              outcome="not_upheld", findings="经核实，未发现违规收费。", follow_up=follow_up)
    _nothing_written(c, Complaint.State.INVESTIGATING)


def test_the_openapi_document_no_longer_says_the_api_only_reads(world, client):
    """[002 §27, SPEC §7] complaints are filed through /api/v1/: the document's description says so,
    and keeps the directory's read-only note for the directory alone."""
    info = client.get("/api/v1/openapi.json").json()["info"]["description"]
    assert not info.startswith("只读接口") and "机构目录（/api/v1/directory/）只读" in info
    assert "可提交投诉举报" in info and "查询办理进度" in info
