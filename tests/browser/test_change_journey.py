"""A change filing that adds an occupation gets the initial review [002 §13, 003 §7, 002 §11]: the
clerk names the new examiners (Enter saves the form), uploads the new scope's materials and
submits; the district sees the examiners by name and certificate; the city names a panel; an
expert submits an opinion on the change's own page."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from filings.choices import FilingState as S
from filings.demo import MINIMAL_PDF
from tests.browser.conftest import login

NAMES = ["王建国", "李卫东", "张海涛", "刘志强", "陈国平"]


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()


def test_an_added_occupation_is_examined_like_an_initial_filing(page, new_page, world, tmp_path):
    active = world.filing(state=S.ACTIVE)
    pdf = tmp_path / "材料.pdf"
    pdf.write_bytes(MINIMAL_PDF)

    login(page, "pd_clerk")
    page.goto(f"/filings/{active.pk}/changes/new/")
    page.get_by_label("变更理由").fill("新建车工实训车间，申请新增车工评价")
    page.locator("#id_add-0-occupation").select_option(label="6-18-01-01 车工")
    page.locator("#id_add-0-level_from").select_option(label="五级/初级工")
    page.locator("#id_add-0-level_to").select_option(label="三级/高级工")
    page.get_by_role("button", name="再加一行").click()
    page.get_by_role("button", name="再加一行").click()
    for n, name in enumerate(NAMES, start=1):
        page.get_by_label(f"第 {n} 行 职业（工种）").select_option(label="6-18-01-01 车工")
        page.get_by_label(f"第 {n} 行 姓名").fill(name)
        page.get_by_label(f"第 {n} 行 证书编号").fill(f"CG2024{n:04d}")
        page.get_by_label(f"第 {n} 行 可考评最高等级").select_option(label="三级/高级工")
    page.get_by_label("第 5 行 证书编号").press("Enter")  # Enter saves; it does not add a row
    expect(page.locator(".messages")).to_contain_text("变更申请已保存为草稿")

    page.get_by_role("button", name="提交变更申请").click()
    expect(page.locator(".messages")).to_contain_text("认定工作实施方案")  # what is missing, named
    rows = page.get_by_test_id("change-materials").locator("tr[id^='material-']")
    for i in range(rows.count()):
        row = page.get_by_test_id("change-materials").locator("tr[id^='material-']").nth(i)
        row.get_by_label("选择文件").set_input_files(pdf)
        row.get_by_role("button", name=re.compile("上传")).click()
        expect(page.locator(".messages")).to_contain_text("材料已上传")
    page.get_by_role("button", name="提交变更申请").click()
    expect(page.locator("h1")).to_contain_text("初审中")
    change_url = page.url

    page = new_page()
    login(page, "pudong")
    page.goto(change_url)
    expect(page.locator("main")).to_contain_text("王建国")
    expect(page.locator("main")).to_contain_text("CG20240001")
    page.get_by_label("意见或理由").fill("经初审，新增车工考评人员配备符合要求，同意报送。")
    page.get_by_role("button", name="初审通过，报送市级").click()

    page = new_page()
    login(page, "city")
    page.goto(change_url)
    panel = page.get_by_test_id("change-panel")
    for expert in world.experts[:3]:
        panel.get_by_label(re.compile(f"（{expert.username}）")).check()
    panel.get_by_role("button", name="保存专家组").click()
    expect(page.locator(".messages")).to_contain_text("专家组已保存")
    page.get_by_role("button", name="开始专家评审").click()
    expect(page.locator("h1")).to_contain_text("专家评审中")

    page = new_page()
    login(page, world.experts[0].username)
    page.goto(change_url)
    page.get_by_label("专家意见").fill("车工考评人员配备和实施方案符合要求。")
    page.get_by_label("评分").fill("86")
    page.get_by_label("结论").select_option(label="建议同意变更")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交评审意见").click()
    expect(page.locator(".messages")).to_contain_text("评审意见已提交")
