"""The screens: the team fills the checklist and findings, the agency answers, the city issues an
order, the agency reports, the public reads the results; the directory shows 整改中."""

import io

import pytest
from django.utils import timezone
from PIL import Image
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from filings.choices import FilingState
from portal.models import AuditEntry
from supervision.models import Finding, Inspection, InspectionEvidence, RectificationOrder

from ._inspections_helpers import concluded, open_one, order_for, second_inspector, submitted

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()
PNG_OLD = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def test_city_opens_an_inspection_from_the_form(client, world):
    client.force_login(world.city)
    response = client.post(reverse("supervision:inspection_new"), {
        "agency": world.pudong_enterprise.pk, "phase": "before", "reason": "年度专项检查",
        "team": [world.inspector.pk, second_inspector(world).pk]})
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and inspection.phase == "before"
    assert set(inspection.team.all()) == {world.inspector, world.inspector2}


def test_open_form_refuses_a_team_of_one_with_a_clear_error(client, world):
    """[002 §25] at least two inspectors."""
    client.force_login(world.city)
    response = client.post(reverse("supervision:inspection_new"), {
        "agency": world.pudong_enterprise.pk, "phase": "before", "reason": "检查", "team": [world.inspector.pk]})
    assert response.status_code == 200 and "不少于 2 名" in response.content.decode()
    assert not Inspection.objects.exists()


def test_team_fills_checklist_finding_and_evidence(client, world):
    inspection = open_one(world)
    client.force_login(world.inspector)
    rows = list(inspection.checks.all())
    data = {f"result_{r.pk}": "compliant" for r in rows}
    data[f"result_{rows[0].pk}"] = "non_compliant"
    data[f"notes_{rows[0].pk}"] = "未张贴"
    client.post(reverse("supervision:inspection_checklist", args=[inspection.pk]), data)
    client.post(reverse("supervision:inspection_finding", args=[inspection.pk]),
                {"severity": "grave", "check": rows[0].pk, "description": "考场规则未张贴"})
    assert Finding.objects.get().severity == "grave"
    client.post(reverse("supervision:inspection_evidence", args=[inspection.pk]),
                {"file": SimpleUploadedFile("photo.png", _png(), content_type="image/png"), "description": "现场照片"})
    evidence = InspectionEvidence.objects.get()
    assert AuditEntry.objects.filter(action="inspection.evidence_upload").exists()
    response = client.get(reverse("supervision:inspection_evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert AuditEntry.objects.filter(action="inspection.evidence_download").count() == 1
    client.post(reverse("supervision:inspection_act", args=[inspection.pk]), {"action": "submit_findings"})
    inspection.refresh_from_db()
    assert inspection.state == Inspection.State.FINDINGS_SUBMITTED


def test_a_disguised_upload_is_refused(client, world):
    inspection = open_one(world)
    client.force_login(world.inspector)
    response = client.post(reverse("supervision:inspection_evidence", args=[inspection.pk]),
                           {"file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")},
                           follow=True)
    assert not InspectionEvidence.objects.exists()
    assert response.status_code == 200


def test_agency_sees_findings_but_never_internal_notes_nor_evidence(client, world):
    inspection = submitted(world, today=TODAY)
    from supervision.services import inspections as svc
    svc.save_notes(inspection_id=inspection.pk, summary=inspection.summary, internal_notes="内部机密意见",
                   actor=world.inspector)
    client.force_login(world.pudong_clerk)
    html = client.get(reverse("supervision:inspection_detail", args=[inspection.pk])).content.decode()
    assert "考场未张贴考场规则" in html and "内部机密意见" not in html and "督导员" not in html
    client.post(reverse("supervision:inspection_act", args=[inspection.pk]), {"action": "answer", "comment": "已整改"})
    inspection.refresh_from_db()
    assert inspection.state == Inspection.State.ANSWERED


def test_agency_does_not_see_an_open_inspection(client, world):
    inspection = open_one(world)
    client.force_login(world.pudong_clerk)
    assert client.get(reverse("supervision:inspection_detail", args=[inspection.pk])).status_code == 404


def test_order_from_the_inspection_and_the_agency_report(client, world):
    inspection = concluded(world)
    client.force_login(world.city)
    response = client.post(reverse("supervision:inspection_order", args=[inspection.pk]),
                           {"findings": "限期整改考场管理", "working_days": "15"})
    order = RectificationOrder.objects.get()
    assert response.status_code == 302 and order.working_days == 15 and order.inspection == inspection
    client.force_login(world.pudong_clerk)
    client.post(reverse("supervision:rectification_evidence", args=[order.pk]),
                {"file": SimpleUploadedFile("fix.png", _png(), content_type="image/png")})
    client.post(reverse("supervision:rectification_respond", args=[order.pk]), {"response": "已整改完毕"})
    order.refresh_from_db()
    assert order.state == RectificationOrder.State.RESPONDED and order.evidence.count() == 1
    client.force_login(world.city)
    client.post(reverse("supervision:rectification_act", args=[order.pk]), {"action": "accept", "comment": "通过"})
    order.refresh_from_db()
    assert order.state == RectificationOrder.State.CLOSED


def test_public_results_page_without_sign_in(client, world):
    """结果公告: agency, date, phase, conclusion, order yes/no; no internal notes, no inspectors."""
    inspection = concluded(world)
    order_for(world, inspection=inspection)
    response = client.get(reverse("supervision:inspection_results"))
    html = response.content.decode()
    assert response.status_code == 200
    assert inspection.number in html and world.pudong_enterprise.name in html and "是" in html
    assert "内部" not in html.split("<main", 1)[-1] or "内部：复查重点" not in html
    assert "督导员" not in html and "考场未张贴考场规则" not in html


def test_directory_and_api_show_rectifying(client, world, on_postgres):
    """While an order is open the directory entry shows 整改中 [002 §30]. (On PostgreSQL the search
    reads the entries table its migration maintains, absent under --nomigrations.)"""
    filing = world.filing(agency=world.pudong_enterprise, state=FilingState.ACTIVE)
    order_for(world)
    cache.clear()
    assert "整改中" in client.get(f"/directory/{filing.number}/").content.decode()
    api = client.get(f"/api/v1/directory/{filing.number}/").json()
    assert api["marks"] == [{"class": "rectifying", "label": "整改中"}]
    if on_postgres:
        return
    assert "整改中" in client.get("/directory/").content.decode()
    listing = client.get("/api/v1/directory/").json()
    assert listing["results"][0]["marks"] == [{"class": "rectifying", "label": "整改中"}]


def test_dashboards_show_panels(client, world):
    submitted(world)
    order_for(world)
    for user in (world.inspector, world.pudong_clerk, world.city, world.pudong_reviewer):
        client.force_login(user)
        response = client.get("/", follow=True)
        assert response.status_code == 200
        assert "监督检查" in response.content.decode() or "检查任务" in response.content.decode()
