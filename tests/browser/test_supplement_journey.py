"""The one-time supplement notice as a checklist, clicked through [002 §10: 一次性告知]: the district
ticks two items, each with what is wrong; the agency sees the same two items, is refused while they
are open, changes one (a new credit report) and answers the other, then sends the supplement; the
supplement notice it downloads lists both items. The ORM only arranges the submitted application."""

from __future__ import annotations

import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from filings.choices import FilingState as S
from filings.demo import MINIMAL_PDF
from tests.browser.test_filing_journey import (
    AGENCY,
    nav,
    open_from_worklist,
    person,
    state_badge,
)

SCOPE = re.compile(r"申报范围：6-31-01-03 电工")


def test_a_supplement_with_two_ticked_items_is_sent_only_once_both_are_changed_or_answered(world, new_page, tmp_path):
    world.filing(state=S.SUBMITTED)
    pdf = tmp_path / "信用报告2026.pdf"
    pdf.write_bytes(MINIMAL_PDF)

    # ----- the district ticks the credit report and the electrician row, each with its note -----
    district = person(new_page, "pudong")
    open_from_worklist(district)
    form = district.locator("#actions")
    form.get_by_label("申报材料：信用报告").check()
    form.get_by_label("补正要求：信用报告").fill("信用报告已过有效期，请上传近 3 个月内出具的报告。")
    form.get_by_label(SCOPE).check()
    form.get_by_label(re.compile(r"补正要求：6-31-01-03 电工")).fill("三级考评员证书与名单不符。")
    form.get_by_label("意见或理由").fill("请按补正事项清单逐项补正，其余材料符合要求。")
    form.get_by_role("button", name=re.compile("^一次性告知补正")).click()
    expect(district.locator(".messages")).to_contain_text("已办理：一次性告知补正")
    expect(state_badge(district)).to_have_text("待补正")
    expect(district.get_by_test_id("supplement-items")).to_contain_text("信用报告已过有效期")
    expect(district.get_by_test_id("written-notices")).to_contain_text("补正通知书")

    # ----- the agency sees the same two items, open -----
    clerk = person(new_page, "pd_clerk")
    nav(clerk, "我的备案")
    clerk.get_by_role("link", name="修改并提交").click()
    checklist = clerk.get_by_test_id("supplement-checklist")
    items = checklist.get_by_test_id("supplement-item")
    expect(items).to_have_count(2)
    expect(checklist).to_contain_text("信用报告已过有效期，请上传近 3 个月内出具的报告。")
    expect(checklist).to_contain_text("三级考评员证书与名单不符。")
    expect(checklist.get_by_test_id("supplement-item-status")).to_have_text(["待补正", "待补正"])

    # ----- it cannot send the supplement while they are open -----
    clerk.get_by_role("link", name="核对与提交", exact=True).click()
    clerk.get_by_role("button", name="提交补正材料").click()
    expect(clerk.locator(".messages")).to_contain_text("尚未修改或说明")
    expect(clerk.locator(".messages")).to_contain_text("信用报告")
    expect(clerk.get_by_test_id("supplement-checklist")).to_be_visible()

    # ----- it uploads a new credit report (changed) and answers the scope row (answered) -----
    clerk.get_by_role("link", name="申报材料", exact=True).click()
    row = clerk.locator("#material-credit_report")
    row.get_by_label("选择文件").set_input_files(pdf)
    row.get_by_role("button", name="替换").click()
    expect(clerk.locator(".messages")).to_contain_text("已上传")
    statuses = clerk.get_by_test_id("supplement-item-status")
    expect(statuses).to_have_text(["已修改", "待补正"])

    clerk.get_by_role("link", name="核对与提交", exact=True).click()
    clerk.get_by_role("button", name="提交补正材料").click()
    expect(clerk.locator(".messages")).to_contain_text("电工")  # still refused: one item open

    clerk.get_by_label(re.compile("的说明$")).fill("名单中的三级考评员证书已核对无误，附证书编号对照。")
    clerk.get_by_role("button", name="提交说明").click()
    expect(clerk.locator(".messages")).to_contain_text("已填写说明")
    expect(clerk.get_by_test_id("supplement-item-status")).to_have_text(["已修改", "已说明"])

    # ----- now the supplement goes -----
    clerk.get_by_role("button", name="提交补正材料").click()
    expect(clerk.get_by_test_id("confirmation")).to_contain_text("已提交，待形式审查")

    # ----- the supplement notice it downloads lists both items -----
    clerk.goto("/")
    nav(clerk, "我的备案")
    clerk.get_by_role("link", name="详情").first.click()
    expect(clerk.get_by_role("heading", level=1)).to_have_text(AGENCY)
    with clerk.expect_download() as info:
        clerk.get_by_role("link", name=re.compile("下载补正通知书")).click()
    data = info.value.path().read_bytes()
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
    assert "补正通知书" in text and "信用报告已过有效期" in text and "三级考评员证书与名单不符" in text
