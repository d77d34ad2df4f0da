"""A member of the public finds an agency in the directory and verifies its receipt, with no login
[SPEC §7, 002 §12, 001 §3(4)]."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from filings.choices import FilingState as S
from filings.services import perform


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()


def test_the_public_finds_an_electrician_agency_in_pudong_and_verifies_its_receipt(page, world):
    """[SPEC §7]: search by occupation and region, open the agency, verify the receipt."""
    active = world.filing(state=S.ACTIVE, occupations=[world.electrician])
    world.filing(agency=world.xuhui_social, state=S.ACTIVE, occupations=[world.electrician])  # Xuhui, not Pudong

    page.goto("/directory/")
    page.get_by_label("职业（工种）名称或编码").fill("电工")
    page.get_by_label("所在区县").select_option(label="浦东新区")
    page.get_by_label("职业（工种）名称或编码").press("Enter")  # keyboard only

    results = page.get_by_role("region", name="评价机构目录查询结果")
    expect(results).to_contain_text("上海浦江电气有限公司")
    expect(results).not_to_contain_text("上海徐汇养老职业培训学校")
    expect(page.get_by_role("status")).to_contain_text("共找到 1 家机构")

    page.get_by_role("link", name="上海浦江电气有限公司").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("上海浦江电气有限公司")
    expect(page.get_by_text(active.number).first).to_be_visible()
    expect(page.locator(".details")).to_contain_text("浦东新区")

    page.get_by_role("link", name="核验备案回执").click()
    expect(page).to_have_url(re.compile(rf"/verify/{active.number}/"))
    expect(page.locator("main")).to_contain_text("现行有效")


def test_a_revoked_receipt_is_reported_as_revoked(page, world):
    """[003 §7, 001 §3(4)]: a cancelled filing leaves the directory and its receipt no longer holds."""
    filing = world.filing(state=S.ACTIVE, occupations=[world.electrician])
    perform(filing_id=filing.pk, action="cancel", actor=world.city, comment="自愿注销")

    page.goto("/directory/")
    page.get_by_label("机构名称").fill("浦江")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("main")).to_contain_text("没有找到符合条件的机构")

    page.goto(f"/directory/{filing.number}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("该机构已不在目录中")
    page.get_by_role("link", name="核验备案回执").click()
    expect(page.locator("main")).to_contain_text("已失效")
    expect(page.locator("main")).to_contain_text("已注销")


def test_the_directory_is_usable_on_a_phone(new_page, world):
    world.filing(state=S.ACTIVE, occupations=[world.electrician])
    phone = new_page(viewport=(375, 740))
    phone.goto("/directory/?q=浦江")
    expect(phone.get_by_role("link", name="上海浦江电气有限公司")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1, "the page must not scroll sideways on a phone"
