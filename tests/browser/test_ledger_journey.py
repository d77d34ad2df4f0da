"""Ledgers and imports in the browser [issue #15]: an administrator imports agencies with a preview
and confirms; a district reviewer exports its filings ledger and opens the dashboard's overdue
chart to its list."""

import datetime
import io
import re

import pytest
from django.core.cache import cache
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from filings.choices import FilingState as S
from filings.demo import make_uscc
from filings.models import Agency, Filing
from portal.import_resources import KINDS
from tests.browser.conftest import login


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()


def test_an_administrator_imports_agencies_with_a_preview(page, world, tmp_path):
    headers = KINDS["agencies"].headers()
    values = {"统一社会信用代码": make_uscc(901), "机构名称": "上海浏览器测试电气有限公司",
              "机构类别": world.pudong_enterprise.get_kind_display(),
              "隶属关系": world.pudong_enterprise.get_ownership_display(), "区划代码": "310115",
              "地址": "上海市浦东新区示范路 9 号", "法定代表人": "王五", "联系人": "赵六", "联系电话": "021-60000009",
              "联系邮箱": "b@example.com"}
    wb = Workbook()
    wb.active.title = "评价机构"
    wb.active.append(headers)
    wb.active.append([values.get(h) for h in headers])
    path = tmp_path / "agencies.xlsx"
    wb.save(path)

    login(page, "admin")
    page.goto("/imports/")
    page.get_by_role("link", name="上传导入").first.click()
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(path))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_role("table", name="将要导入的行")).to_contain_text("上海浏览器测试电气有限公司")
    assert not Agency.objects.filter(uscc=make_uscc(901)).exists()
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".messages")).to_contain_text("已导入")
    assert Agency.objects.filter(uscc=make_uscc(901)).exists()


def test_a_district_reviewer_exports_its_filings_and_opens_the_overdue_list(page, world):
    submitted = world.filing(agency=world.pudong_enterprise, state=S.SUBMITTED)
    world.filing(agency=world.xuhui_social, state=S.SUBMITTED)
    Filing.objects.filter(pk=submitted.pk).update(acceptance_due=datetime.date.today() - datetime.timedelta(days=3))
    login(page, "pudong")
    page.goto("/review/?tab=all")
    with page.expect_download() as info:
        page.get_by_role("link", name="按当前筛选条件导出 Excel").click()
    workbook = load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
    names = [row[1].value for row in workbook["备案"].iter_rows(min_row=2)]
    assert names == [world.pudong_enterprise.name]

    page.goto("/dashboard/")
    chart = page.locator("#chart-deadlines")
    expect(chart.locator("canvas")).to_have_count(1)  # ECharts drew it from the table
    chart.get_by_role("link", name="1").last.click()
    expect(page).to_have_url(re.compile(r"/review/\?tab=overdue"))
    expect(page.locator("table")).to_contain_text(world.pudong_enterprise.name)
