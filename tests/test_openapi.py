"""The open data API's OpenAPI 3 document: valid, and the API keeps to it (schemathesis) [SPEC §7]."""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate

from filings.choices import FilingState as S


def test_the_document_is_valid_openapi_3(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/directory/", "/api/v1/directory/{filing_number}/"} <= set(document["paths"])


@pytest.fixture
def _keep_test_connection():
    """The WSGI handler closes the connection after each request when it sees an open transaction;
    the test's transaction must survive, as Django's own test client arranges."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(world, settings, _keep_test_connection):
    """A small directory to query, and limits high enough that the run is never throttled."""
    settings.DIRECTORY_RATE_LIMITS = {"api": (100000, 60)}
    cache.clear()
    world.filing(state=S.ACTIVE, occupations=[world.electrician, world.lathe])
    world.filing(agency=world.xuhui_social, state=S.ACTIVE, occupations=[world.carer])
    return schemathesis.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


schema = schemathesis.from_pytest_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_the_api_keeps_to_its_document(case):
    """No server errors; status codes, content types, headers and bodies as documented."""
    case.call_and_validate()
