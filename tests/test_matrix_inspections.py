"""Role × object walk of the inspections area: every url with an id, for objects on two sides
(浦东 and 徐汇), as every role; who gets 200 and who 404, and a POST out of scope changes nothing
[SPEC §1 object-level rule]."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from portal.demo import demo_user
from portal.models import AuditEntry, Role
from supervision.models import (Finding, Inspection, InspectionCheck, InspectionEvidence, RectificationEvidence,
                                RectificationOrder)
from supervision.services import inspections as svc

from ._inspections_helpers import second_inspector

pytestmark = pytest.mark.django_db

WALKED = {
    "supervision:inspection_detail", "supervision:inspection_checklist", "supervision:inspection_finding",
    "supervision:inspection_evidence", "supervision:inspection_notes", "supervision:inspection_act",
    "supervision:inspection_order", "supervision:inspection_evidence_download",
    "supervision:rectification_detail", "supervision:rectification_respond", "supervision:rectification_evidence",
    "supervision:rectification_act", "supervision:rectification_evidence_download",
}
ROLES = ["anonymous", "agency_a", "agency_b", "pudong", "xuhui", "industry", "city", "expert1", "inspector", "admin"]
SEES = {
    "A.inspection": {"agency_a", "pudong", "city", "inspector", "admin"},
    "B.inspection": {"agency_b", "xuhui", "city", "admin"},
    "A.inspection_evidence": {"pudong", "city", "inspector", "admin"},
    "B.inspection_evidence": {"xuhui", "city", "admin"},
    "A.order": {"agency_a", "pudong", "city", "inspector", "admin"},
    "B.order": {"agency_b", "xuhui", "city", "admin"},
    "A.order_evidence": {"agency_a", "pudong", "city", "inspector", "admin"},
    "B.order_evidence": {"agency_b", "xuhui", "city", "admin"},
}
GET_URLS = {
    "supervision:inspection_detail": "inspection",
    "supervision:inspection_evidence_download": "inspection_evidence",
    "supervision:rectification_detail": "order",
    "supervision:rectification_evidence_download": "order_evidence",
}
POST_URLS = {
    "supervision:inspection_checklist": ("inspection", {}),
    "supervision:inspection_finding": ("inspection", {"severity": "grave", "description": "越权记录"}),
    "supervision:inspection_evidence": ("inspection", {}),
    "supervision:inspection_notes": ("inspection", {"summary": "越权", "internal_notes": "越权", "conclusion": "refer"}),
    "supervision:inspection_act": ("inspection", {"action": "acknowledge"}),
    "supervision:inspection_order": ("inspection", {"findings": "越权整改", "working_days": "5"}),
    "supervision:rectification_respond": ("order", {"response": "越权报告"}),
    "supervision:rectification_evidence": ("order", {}),
    "supervision:rectification_act": ("order", {"action": "accept", "comment": "越权"}),
}
assert set(GET_URLS) | set(POST_URLS) == WALKED


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (10, 120, 30)).save(buffer, "PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")


def _side(world, agency, team, clerk, *, linked: bool):
    inspection = svc.open_inspection(agency=agency, team=team, origin="ad_hoc", phase="during", reason="矩阵",
                                     actor=world.city)
    svc.fill_checklist(inspection_id=inspection.pk, actor=team[0],
                       results={c.pk: (InspectionCheck.Result.COMPLIANT, "") for c in inspection.checks.all()})
    evidence = svc.add_evidence(inspection_id=inspection.pk, upload=_png(), actor=team[0])
    svc.perform_inspection(inspection_id=inspection.pk, action="submit_findings", actor=team[0])
    order = svc.issue_rectification_order(agency=agency, inspection=inspection if linked else None,
                                          origin="inspection", findings="整改", actor=world.city)
    order_evidence = svc.add_order_evidence(order_id=order.pk, upload=_png(), actor=clerk)
    svc.respond_order(order_id=order.pk, response="已整改", actor=clerk)
    return {"inspection": inspection, "inspection_evidence": evidence, "order": order, "order_evidence": order_evidence}


@pytest.fixture
def walk(world):
    inspector3 = demo_user("inspector3", role=Role.INSPECTOR, full_name="督导员丙", region=world.shanghai)
    objects = {
        "A": _side(world, world.pudong_enterprise, [world.inspector, second_inspector(world)], world.pudong_clerk,
                   linked=True),
        "B": _side(world, world.xuhui_social, [second_inspector(world), inspector3], world.xuhui_clerk, linked=False),
    }
    users = {"agency_a": world.pudong_clerk, "agency_b": world.xuhui_clerk, "pudong": world.pudong_reviewer,
             "xuhui": world.xuhui_reviewer, "industry": world.industry_reviewer, "city": world.city,
             "expert1": world.experts[0], "inspector": world.inspector, "admin": world.admin}
    return objects, users


def _login(client, users, role):
    client.logout()
    if role != "anonymous":
        client.force_login(users[role])


def _snapshot():
    return (list(Inspection.objects.order_by("pk").values_list("state", "summary", "internal_notes", "conclusion")),
            list(RectificationOrder.objects.order_by("pk").values_list("state", "response", "last_comment")),
            Finding.objects.count(), InspectionEvidence.objects.count(), RectificationEvidence.objects.count(),
            list(InspectionCheck.objects.order_by("pk").values_list("result", flat=True)),
            AuditEntry.objects.filter(outcome="succeeded", action__regex=r"^(inspection|rectification)\.").count())


@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(client, walk, role):
    objects, users = walk
    _login(client, users, role)
    for name, kind in GET_URLS.items():
        for side in ("A", "B"):
            url = reverse(name, args=[objects[side][kind].pk])
            status = client.get(url).status_code
            if role == "anonymous":
                assert status == 302, (name, side)
            elif role in SEES[f"{side}.{kind}"]:
                assert status == 200, (role, name, side, status)
            else:
                assert status == 404, (role, name, side, status)


@pytest.mark.parametrize("role", ROLES)
def test_post_out_of_scope_changes_nothing(client, walk, role):
    objects, users = walk
    _login(client, users, role)
    before = _snapshot()
    for name, (kind, data) in POST_URLS.items():
        for side in ("A", "B"):
            if role != "anonymous" and role in SEES[f"{side}.{kind}"]:
                continue
            obj = objects[side][kind]
            payload = dict(data)
            if name.endswith("_evidence"):
                payload["file"] = _png()
            if name == "supervision:inspection_checklist":
                payload = {f"result_{c.pk}": "non_compliant" for c in obj.checks.all()}
            status = client.post(reverse(name, args=[obj.pk]), payload).status_code
            assert status == (302 if role == "anonymous" else 404), (role, name, side, status)
    assert _snapshot() == before


def test_a_seeing_role_without_the_right_is_refused(client, walk):
    """The agency sees its order but cannot verify it; the district sees the inspection but is not on
    the team: 403, nothing changes."""
    objects, users = walk
    before = _snapshot()
    _login(client, users, "agency_a")
    assert client.post(reverse("supervision:rectification_act", args=[objects["A"]["order"].pk]),
                       {"action": "accept"}).status_code == 403
    _login(client, users, "pudong")
    assert client.post(reverse("supervision:inspection_notes", args=[objects["A"]["inspection"].pk]),
                       {"summary": "x"}).status_code == 403
    assert _snapshot() == before
