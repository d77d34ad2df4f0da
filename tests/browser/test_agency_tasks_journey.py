"""The agency's clerk finds the change filing where they look, and one task list with what is needed
next for its filings, change filings and renewals [002 §13, 000 §3]."""

import datetime
import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from filings.choices import FilingState as S
from tests.browser.conftest import login


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()


def test_the_clerk_starts_a_change_filing_from_the_home_and_finds_it_in_the_task_list(page, world):
    today = datetime.date.today()
    active = world.filing(state=S.ACTIVE, today=today - datetime.timedelta(days=3 * 365 - 30))
    login(page, "pd_clerk")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的备案").click()
    tasks = page.get_by_test_id("tasks")
    expect(tasks).to_contain_text("期满评估申请已开放")

    page.get_by_role("link", name="申请变更备案").first.click()
    expect(page).to_have_url(re.compile(rf"/filings/{active.pk}/changes/new/"))
    page.get_by_label("变更理由").fill("办公地址迁移")
    page.get_by_label("地址").fill("上海市浦东新区张江路 100 号")
    page.get_by_role("button", name=re.compile("保存")).click()
    expect(page.locator(".messages")).to_contain_text("变更申请")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的备案").click()
    expect(page.get_by_test_id("tasks")).to_contain_text("变更申请草稿：请核对后提交")
    page.get_by_test_id("tasks").get_by_role("link", name="提交变更申请").click()
    expect(page).to_have_url(re.compile(r"/changes/\d+/"))
