"""A member of the public files a complaint with evidence and gets the number and code; the district
accepts, investigates and replies; the public page shows the reply. An anonymous report is declined
with reasons, which the public page shows [002 §27, 003 §19]."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from filings.choices import FilingState as S
from filings.demo import MINIMAL_PDF
from tests.browser.conftest import login


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    settings.COMPLAINT_RATE_LIMITS = {"file_ip": (1000, 60), "file_contact": (1000, 60), "status": (1000, 60)}
    cache.clear()


def _answer_challenge(page):
    a, b = map(int, re.search(r"(\d) \+ (\d)", page.locator("#challenge-question").inner_text()).groups())
    page.get_by_label("验证题").fill(str(a + b))


def _track(page, number, code):
    page.goto("/supervision/complaints/track/")
    page.get_by_label("受理编号").fill(number)
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()


def test_complaint_from_the_public_to_the_reply(page, new_page, world, tmp_path):
    world.filing(state=S.ACTIVE)
    pdf = tmp_path / "收据.pdf"
    pdf.write_bytes(MINIMAL_PDF)

    page.goto("/")
    page.locator("footer").get_by_role("link", name="投诉举报").click()
    expect(page.locator("#privacy-note")).to_contain_text("被投诉机构不会看到投诉人")
    page.get_by_label("被投诉机构（从机构目录中选择）").select_option(label=world.pudong_enterprise.name)
    page.get_by_label("投诉类别").select_option(label="违规收费")
    page.get_by_label("发生了什么").fill("报名时被要求另交“加急费”300元，未开具发票。")
    page.get_by_label("证据材料").set_input_files(pdf)
    page.get_by_label("姓名").fill("张三")
    page.get_by_label("联系电话").fill("13800001111")
    _answer_challenge(page)
    page.get_by_role("button", name="提交投诉").click()
    number = page.locator("#tracking-number").inner_text()
    code = page.locator("#access-code").inner_text()
    assert number.startswith("TS") and len(code) == 12

    staff = new_page()
    login(staff, "pudong")
    staff.goto("/supervision/complaints/")
    staff.get_by_role("link", name=number).click()
    expect(staff.locator("#complainant")).to_contain_text("张三")
    staff.get_by_role("button", name="受理", exact=True).click()
    expect(staff.locator("#complaint-state")).to_have_text("已受理")
    staff.get_by_role("button", name="指定承办人，开展调查核实").click()
    expect(staff.locator("#complaint-state")).to_have_text("调查核实中")
    staff.get_by_label("调查记录").fill("现场核查收费台账，确有加急费记录。")
    staff.get_by_role("button", name="保存记录").click()
    expect(staff.locator(".messages")).to_contain_text("已记录")
    staff.get_by_label("核查结论").select_option(label="投诉属实")
    staff.get_by_label("核查情况").fill("查实机构违规收取加急费。")
    staff.get_by_role("button", name="作出核查结论").click()
    expect(staff.locator("#complaint-state")).to_have_text("已作出结论")
    staff.get_by_label("答复意见").fill("经核查，投诉属实，已责令机构退还加急费。")
    staff.get_by_role("button", name="答复投诉人").click()
    expect(staff.locator("#complaint-state")).to_have_text("已答复")

    _track(page, number, code)
    expect(page.locator("#complaint-status")).to_have_text("已答复")
    expect(page.locator("#status-notes")).to_contain_text("已责令机构退还加急费")

    _track(page, number, "WRONGCODE000")
    expect(page.locator("main")).not_to_contain_text("已责令机构退还加急费")


def test_anonymous_report_declined_with_reasons(page, new_page, world):
    page.goto("/supervision/complaints/new/")
    page.get_by_label("或填写机构名称").fill("某某技能培训中心")
    page.get_by_label("投诉类别").select_option(label="证书造假")
    page.get_by_label("发生了什么").fill("听说这家中心卖证书，具体情况不清楚。")
    page.get_by_label("匿名投诉（匿名投诉会受理，但无法向您个人答复）").check()
    _answer_challenge(page)
    page.get_by_role("button", name="提交投诉").click()
    expect(page.locator("main")).to_contain_text("无法向您个人答复")
    number = page.locator("#tracking-number").inner_text()
    code = page.locator("#access-code").inner_text()

    staff = new_page()
    login(staff, "city")
    staff.goto("/supervision/complaints/")
    staff.get_by_role("link", name=number).click()
    expect(staff.locator("#complainant")).to_contain_text("匿名")
    staff.locator("#decline_reason").select_option(label="投诉内容不具体、无法核查")
    staff.locator("#decline_comment").fill("请补充具体的时间、地点和证书编号后重新投诉。")
    staff.get_by_role("button", name="不予受理", exact=True).click()
    expect(staff.locator("#complaint-state")).to_have_text("不予受理")

    _track(page, number, code)
    expect(page.locator("#complaint-status")).to_have_text("不予受理")
    expect(page.locator("#status-notes")).to_contain_text("请补充具体的时间、地点和证书编号")
