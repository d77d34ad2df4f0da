"""Objections to public notices tracked as complaints are: a number, a code shown once, a status
page with the written reply [003 §7, 002 §27]."""

import re

import pytest
from django.contrib.messages import get_messages

from filings.choices import FilingState as S
from supervision.models import ObjectionTracking
from tests._complaints_helpers import _complaint_limits  # noqa: F401
from tests.test_notices import item_of, object_to, resolve


@pytest.fixture
def on_notice(world):
    return world.filing(state=S.PUBLIC_NOTICE)


def test_an_objection_gets_number_code_and_reply(world, client, on_notice):
    """The objector is shown a number and code once; the status page shows the result and reply;
    a wrong code is a 404 [003 §7, 002 §27]."""
    response = object_to(client, on_notice)
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    number, code = re.search(r"受理编号：(YY\w+)，查询码：(\w+)", text).groups()
    row = ObjectionTracking.objects.get(number=number)
    assert row.objection.item == item_of(on_notice) and code not in row.access_code_hash
    client.logout()
    page = client.post("/supervision/complaints/track/", {"number": number, "code": code})
    assert page.status_code == 200 and "待核实" in page.content.decode()
    assert client.post("/supervision/complaints/track/", {"number": number, "code": "WRONG"}).status_code == 404
    resolve(client, world, row.objection, "dismissed", resolution="经核实，机构具备考核场地。")
    client.logout()
    page = client.post("/supervision/complaints/track/", {"number": number, "code": code}).content.decode()
    assert "异议不成立" in page and "机构具备考核场地" in page
