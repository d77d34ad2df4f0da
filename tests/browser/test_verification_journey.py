"""A member of the public without the QR code verifies a receipt from the public menu, and finds the
agency by its USCC [002 §12, SPEC §7]."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from filings.choices import FilingState as S


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()


def test_the_public_types_a_receipt_number_and_finds_the_agency_by_its_uscc(page, world):
    active = world.filing(state=S.ACTIVE, occupations=[world.electrician])

    page.goto("/directory/")
    page.get_by_role("navigation").get_by_role("link", name="回执核验").click()
    page.get_by_label("备案编号").fill(active.number.lower())
    page.get_by_label("备案编号").press("Enter")
    expect(page).to_have_url(re.compile(rf"/verify/{active.number}/"))
    expect(page.locator("main")).to_contain_text("现行有效")

    page.goto("/directory/")
    page.get_by_label("机构名称、信用代码或备案编号").fill(active.agency.uscc)
    page.get_by_label("机构名称、信用代码或备案编号").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("共找到 1 家机构")
    expect(page.get_by_role("region", name="评价机构目录查询结果")).to_contain_text(active.agency.name)
