"""Complaints through /api/v1/ as Open311 GeoReport v2 requests, and the OpenAPI document [002 §27, SPEC §9]."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings as hsettings
from openapi_spec_validator import validate

from supervision.models import Complaint
from supervision.services import complaints as svc
from tests._complaints_helpers import _complaint_limits  # noqa: F401
from tests.test_openapi import _keep_test_connection  # noqa: F401

BODY = {"service_code": "cheating", "description": "考场内有人替考，监考人员视而不见。", "agency_name": "某评价中心",
        "phone": "13800002222", "last_name": "王", "first_name": "五"}


def test_document_lists_the_complaint_paths_and_is_valid(client, db):
    document = client.get("/api/v1/openapi.json").json()
    validate(document)
    assert {"/api/v1/complaints/services.json", "/api/v1/complaints/requests.json",
            "/api/v1/complaints/requests/{service_request_id}.json"} <= set(document["paths"])


def test_services_are_the_categories(client, db):
    services = client.get("/api/v1/complaints/services.json").json()
    assert {s["service_code"] for s in services} == set(Complaint.Category.values)
    assert all("service_name" in s for s in services)


def test_file_and_read_status_through_the_api(client, world):
    """Filed with Open311 names; the status read by id + code; a wrong code is 404 [002 §27]."""
    response = client.post("/api/v1/complaints/requests.json", BODY, content_type="application/json")
    assert response.status_code == 201
    created = response.json()[0]
    rid, code = created["service_request_id"], created["access_code"]
    c = Complaint.objects.get(number=rid)
    assert c.channel == "api" and c.contact_name == "王五" and c.route == "city"
    status = client.get(f"/api/v1/complaints/requests/{rid}.json", {"code": code}).json()[0]
    assert status["status"] == "open" and status["service_code"] == "cheating"
    assert {"service_request_id", "status_notes", "agency_responsible", "requested_datetime",
            "updated_datetime", "expected_datetime"} <= set(status)
    assert "contact_phone" not in status and "findings" not in status
    assert client.get(f"/api/v1/complaints/requests/{rid}.json", {"code": "WRONG"}).status_code == 404
    assert client.get("/api/v1/complaints/requests/TS000.json", {"code": code}).status_code == 404


def test_bad_requests_are_400_and_change_nothing(client, world):
    """Missing category, bad types, invisible characters, a duplicate: 400 with the reason [002 §27]."""
    for body in ({"description": "x"}, dict(BODY, description=123), dict(BODY, description="收费\u200b不合理，要求退还费用。"),
                 dict(BODY, phone="", email="")):
        response = client.post("/api/v1/complaints/requests.json", body, content_type="application/json")
        assert response.status_code == 400 and response.json()["detail"]
    assert client.post("/api/v1/complaints/requests.json", b"[1]", content_type="application/json").status_code == 400
    assert Complaint.objects.count() == 0
    assert client.post("/api/v1/complaints/requests.json", BODY, content_type="application/json").status_code == 201
    assert client.post("/api/v1/complaints/requests.json", BODY, content_type="application/json").status_code == 400


def test_reply_visible_through_the_api(client, world):
    from tests.test_complaints_flow import replied
    c, code = replied(world)
    status = client.get(f"/api/v1/complaints/requests/{c.number}.json", {"code": code}).json()[0]
    assert status["status"] == "closed" and "退还费用" in status["status_notes"] and status["outcome_label"] == "投诉属实"


@pytest.fixture
def complaint_schema(world, settings, _keep_test_connection):  # noqa: F811
    settings.DIRECTORY_RATE_LIMITS = {"api": (100000, 60)}
    svc.file_complaint(category="fees", description="收取加急费每人300元，没有发票。", agency_name="某中心",
                       contact_phone="13800001111")
    schema = schemathesis.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    return schema.include(path_regex="complaints")


complaint_api = schemathesis.from_pytest_fixture("complaint_schema")


@complaint_api.parametrize()
@hsettings(max_examples=20, derandomize=True, database=None, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                  HealthCheck.filter_too_much])
def test_the_complaint_api_keeps_to_its_document(case):
    """No server errors; status codes, content types and bodies as documented."""
    case.call_and_validate()
