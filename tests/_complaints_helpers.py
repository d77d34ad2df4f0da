"""Shared set-up for the complaints tests: the public form's challenge read from the page, and
generous rate limits (each test sets its own when it is about them)."""

import re

import pytest


@pytest.fixture(autouse=True)
def _complaint_limits(settings):
    from django.core.cache import cache
    settings.COMPLAINT_RATE_LIMITS = {"file_ip": (10_000, 60), "file_contact": (10_000, 60), "status": (10_000, 60)}
    cache.clear()


def form_data(client, **fields):
    page = client.get("/supervision/complaints/new/").content.decode()
    token = re.search(r'name="challenge_token" value="([^"]+)"', page).group(1)
    a, b = map(int, re.search(r"(\d) \+ (\d) = \?", page).groups())
    data = {"category": "fees", "description": "报名时被要求另交加急费300元，没有发票。", "agency_name": "",
            "contact_name": "张三", "contact_phone": "13800001111", "contact_email": "zs@example.com",
            "challenge_token": token, "challenge_answer": str(a + b)}
    data.update(fields)
    return data
