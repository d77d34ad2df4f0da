"""The initial filing workflow clicked through by each person in turn [SPEC §3, issue 3]: an agency
applies, the district pre-reviews, the city runs the expert panel and approves, the notice ends and
the receipt is downloaded and verified by its QR link (the clerk checks every answer and signs and submits in one press, then sees the confirmation with the reference); and a supplement request left unanswered
ends in abandonment [002 §10]. The ORM only arranges the world and the clock (`sweep(today)`);
every decision is taken in the browser."""

from __future__ import annotations

import datetime
import io
import re

import pytest
import qrcode
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from PIL import Image, ImageChops
from playwright.sync_api import expect
from pypdf import PdfReader

from filings.deadlines import sweep
from filings.demo import MINIMAL_PDF, draft_filing
from filings.models import Filing
from filings.receipt_pdf import verify_path
from tests.browser.conftest import login

DAY = datetime.timedelta(days=1)
AGENCY = "上海浦江电气有限公司"
EXAMINERS = [("王建国", "KP2019000101", "三级/高级工"), ("李红梅", "KP2020000102", "三级/高级工"),
             ("张卫东", "KP2018000103", "二级/技师"), ("陈晓燕", "KP2021000104", "三级/高级工"),
             ("刘志强", "KP2017000105", "一级/高级技师"), ("赵立新", "KP2022000106", "三级/高级工")]


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()  # login rate limits and the like must not leak between journeys


def person(new_page, username):
    """One person in their own browser, logged in, who says yes to "are you sure?" questions."""
    page = new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, username)
    return page


def nav(page, label):
    page.get_by_role("navigation", name="主导航").get_by_role("link", name=label).click()


def state_badge(page):
    return page.get_by_test_id("state")


def open_from_worklist(page, agency=AGENCY):
    nav(page, "备案审核")
    page.get_by_role("link", name=agency).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(agency)


def act(page, button, comment=None):
    actions = page.locator("#actions")
    if comment is not None:
        actions.get_by_label("意见或理由").fill(comment)
    actions.get_by_role("button", name=re.compile("^" + re.escape(button))).click()
    expect(page.locator(".messages")).to_contain_text(f"已办理：{button}")


def qr_matrix(image: Image.Image) -> Image.Image:
    """The QR code as black/white modules, one pixel each, with the quiet zone trimmed."""
    bw = image.convert("L").point(lambda v: 0 if v < 128 else 255, "1")
    bw = bw.crop(ImageChops.invert(bw.convert("L")).getbbox())
    # The finder pattern in the top-left corner is 7 modules wide: measure one module from it.
    row = [bw.getpixel((x, 0)) for x in range(bw.width)]
    module = next(x for x, v in enumerate(row) if v) / 7
    n = round(bw.width / module)
    return bw.resize((n, n), Image.NEAREST)


def test_an_electrician_application_goes_from_draft_to_a_verified_receipt(world, new_page, tmp_path):
    """[002 §8-12, 003 §7, 001 §3(2-4)]: application, completeness check, pre-review with opinion,
    expert panel, selection, notice, filing number and a receipt whose QR code verifies publicly."""
    pdf = tmp_path / "材料.pdf"
    pdf.write_bytes(MINIMAL_PDF)

    # ----- the clerk fills in the application step by step and submits it -----
    clerk = person(new_page, "pd_clerk")
    nav(clerk, "我的备案")
    expect(clerk.locator("main")).to_contain_text("贵机构目前没有正在办理的备案申请。")
    clerk.get_by_role("button", name="新建备案申请").click()
    expect(clerk.get_by_role("heading", level=1)).to_contain_text(AGENCY)

    clerk.get_by_label("区县级").check()
    clerk.get_by_role("button", name="保存并继续").click()

    clerk.locator("#id_scope-0-occupation").select_option(label="6-31-01-03 电工")
    clerk.locator("#id_scope-0-level_from").select_option(label="五级/初级工")
    clerk.locator("#id_scope-0-level_to").select_option(label="三级/高级工")
    clerk.get_by_role("button", name="保存并继续").click()
    expect(clerk.locator(".messages")).to_contain_text("“申报范围”已保存。")

    expect(clerk.locator("main")).to_contain_text("6-31-01-03 电工")  # the one occupation: no column for it
    clerk.get_by_role("button", name="再加一行").click()  # five rows offered, one more for the sixth
    for n, (name, certificate_no, level) in enumerate(EXAMINERS, start=1):
        clerk.get_by_label(f"第 {n} 行 姓名").fill(name)
        clerk.get_by_label(f"第 {n} 行 证书编号").fill(certificate_no)
        clerk.get_by_label(f"第 {n} 行 可考评最高等级").select_option(label=level)
    clerk.get_by_role("button", name="保存并继续").click()
    expect(clerk.locator(".messages")).to_contain_text("“考评人员”已保存。")

    clerk.get_by_label("场地设备设施").fill("理论考试机房 1 间（40 机位），电工实训考核场地 2 处，全程视频监控并保存 3 年。")
    clerk.get_by_role("button", name="保存并继续").click()
    expect(clerk.locator(".messages")).to_contain_text("“场地设施”已保存。")

    rows = clerk.locator("tr[id^='material-']")
    expect(clerk.locator("main")).to_contain_text(f"还缺 {rows.count()} 项材料")
    for i in range(rows.count()):
        row = clerk.locator("tr[id^='material-']").nth(i)
        row.get_by_label("选择文件").set_input_files(pdf)
        row.get_by_role("button", name="上传").click()
        expect(clerk.locator(".messages")).to_contain_text("已上传")
    expect(clerk.locator("main")).to_contain_text("所需材料已全部上传。")
    expect(clerk.locator(".badge-warn", has_text="未上传")).to_have_count(0)

    clerk.get_by_role("link", name="下一步：核对与提交").click()
    answers = clerk.get_by_test_id("check-answers")
    expect(answers).to_contain_text("王建国")
    expect(answers).to_contain_text("信用报告")
    clerk.get_by_label(re.compile("本机构承诺所填信息")).check()
    clerk.get_by_role("button", name="签署承诺并提交备案申请").click()  # one press signs and submits
    confirmation = clerk.get_by_test_id("confirmation")
    expect(confirmation).to_contain_text("申请编号")
    expect(confirmation).to_contain_text("已提交，待形式审查")
    expect(confirmation).to_contain_text("受理机关将于")

    # ----- the Pudong district accepts, then forwards with its opinion -----
    district = person(new_page, "pudong")
    open_from_worklist(district)
    expect(state_badge(district)).to_have_text("已提交，待形式审查")
    expect(district.locator("main")).to_contain_text("王建国")
    act(district, "受理")
    expect(state_badge(district)).to_have_text("初审中")
    opinion = "经初审，材料齐全，考评人员满足要求，场地已实地核查，同意报送市级。"
    act(district, "初审通过，报送市级", comment=opinion)
    expect(state_badge(district)).to_have_text("已受理，待组织评审")

    # ----- the city names three experts and starts the review -----
    city = person(new_page, "city")
    open_from_worklist(city)
    expect(city.get_by_test_id("pre-review-opinion")).to_contain_text(opinion)
    city.get_by_role("link", name="指派专家组").click()
    for n in (1, 2, 3):
        city.get_by_label(f"专家{n}（expert{n}）").check()
    city.get_by_role("button", name="保存专家组").click()
    expect(city.locator(".messages")).to_contain_text("专家组已保存。")
    act(city, "组织专家评审")
    expect(state_badge(city)).to_have_text("专家评审中")

    # ----- each expert verifies, visits, scores and submits -----
    for n, score in ((1, "88"), (2, "91.5"), (3, "85")):
        expert = person(new_page, f"expert{n}")
        nav(expert, "评审任务")
        expect(expert.locator("main")).to_contain_text(AGENCY)
        expert.get_by_role("link", name="评审", exact=True).click()
        expect(expert.get_by_role("heading", level=1)).to_contain_text(AGENCY)
        expert.get_by_label("材料验核完成").check()
        expert.get_by_label("材料验核意见").fill("营业执照、信用报告、考评人员证书原件与申报一致。")
        expert.get_by_label("现场考察完成").check()
        expert.get_by_label("现场考察情况").fill("理论机房与实训场地满足电工五级至三级考核要求。")
        expert.get_by_label("专家意见").fill("质量管控措施可行，建议予以备案。")
        expert.get_by_label("评分").fill(score)
        expert.get_by_label("结论").select_option(label="建议备案")
        expert.get_by_role("button", name="提交评审意见").click()
        expect(expert.locator(".messages")).to_contain_text("评审意见已提交，不能再修改。")
        expect(expert.get_by_role("region", name="评审任务").last).to_contain_text(score)

    # ----- the city concludes, selects and publishes the notice -----
    city.reload()
    act(city, "专家评审完成")
    expect(state_badge(city)).to_have_text("遴选审定")
    city.get_by_role("link", name="遴选审定").click()
    expect(city.get_by_role("heading", level=1)).to_have_text("遴选审定")
    city.get_by_role("button", name="审定通过，进入公示").click()
    expect(state_badge(city)).to_have_text("公示中")

    filing = Filing.objects.get(agency=world.pudong_enterprise)
    assert filing.notice_ends_on
    clerk.goto("/")
    nav(clerk, "我的备案")
    expect(clerk.locator("main")).to_contain_text(f"公示中，至 {filing.notice_ends_on:%Y-%m-%d}")

    # ----- the notice ends with no objection: filed, numbered, receipt issued -----
    sweep(filing.notice_ends_on + DAY)
    filing.refresh_from_db()
    assert filing.number

    clerk.reload()
    expect(clerk.locator("main")).to_contain_text(f"已备案，有效期至 {filing.valid_until:%Y-%m-%d}")
    clerk.get_by_role("link", name="详情").click()
    expect(state_badge(clerk)).to_have_text("已备案")
    expect(clerk.locator(".page-header")).to_contain_text(filing.number)
    with clerk.expect_download() as info:
        clerk.get_by_role("link", name="下载备案回执").click()
    download = info.value
    assert download.suggested_filename == f"备案回执-{filing.number}-v1.pdf"
    data = download.path().read_bytes()
    assert data.startswith(b"%PDF")

    # What the QR code says: the verification page of this number and version, on the public site.
    target = settings.SITE_URL + verify_path(filing, 1)
    reader = PdfReader(io.BytesIO(data))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    assert filing.number in text and AGENCY in text
    assert target in text, "the receipt prints the address its QR code leads to"
    printed = [qr_matrix(img.image) for p in reader.pages for img in p.images]
    expected = qr_matrix(qrcode.make(target, error_correction=qrcode.constants.ERROR_CORRECT_M).get_image())
    assert any(m.size == expected.size and not ImageChops.difference(m.convert("L"), expected.convert("L")).getbbox()
               for m in printed), "the receipt's QR image encodes the verification address"

    # ----- anyone scanning the QR code, not logged in, sees the receipt holds -----
    public = new_page()
    public.goto(target.removeprefix(settings.SITE_URL))
    expect(public.get_by_role("heading", level=1)).to_have_text("备案回执核验")
    expect(public.get_by_role("status")).to_contain_text("现行有效")
    details = public.locator(".details")
    expect(details).to_contain_text(AGENCY)
    expect(details).to_contain_text(filing.number)
    expect(public.locator("main")).to_contain_text("电工")


def test_a_supplement_request_left_unanswered_past_thirty_days_ends_as_abandoned(world, new_page):
    """[002 §10]: all missing materials are listed at once; not supplemented within 30 days, the
    application is deemed abandoned (视为放弃申请) by the system, and the agency can no longer submit."""
    filing = draft_filing(world.pudong_enterprise, world.pudong_clerk, occupations=[world.electrician])

    clerk = person(new_page, "pd_clerk")
    nav(clerk, "我的备案")
    expect(clerk.locator("main")).to_contain_text("草稿：已填写完整，请提交备案申请")
    clerk.get_by_role("link", name="继续填写").click()
    clerk.get_by_role("link", name="核对与提交").click()
    clerk.get_by_role("button", name="提交备案申请").click()
    expect(clerk.get_by_test_id("confirmation")).to_contain_text("已提交，待形式审查")

    district = person(new_page, "pudong")
    open_from_worklist(district)
    missing = "请补正：\n1. 信用报告已过有效期，请上传近 3 个月内出具的信用报告；\n2. 场地设备设施资产证明缺少租赁合同。"
    act(district, "一次性告知补正", comment=missing)
    expect(state_badge(district)).to_have_text("待补正")

    filing.refresh_from_db()
    due = filing.supplement_due
    assert due == timezone.localdate() + 30 * DAY
    nav(clerk, "我的备案")
    card = clerk.locator(".next-steps")
    expect(card).to_contain_text(f"待补正：请于 {due:%Y-%m-%d} 前补正以下材料，逾期视为放弃申请")
    expect(card).to_contain_text("剩余 30 天")
    expect(card).to_contain_text("信用报告已过有效期")
    expect(card).to_contain_text("缺少租赁合同")
    expect(card.get_by_role("link", name="修改并提交")).to_be_visible()

    # Thirty days pass with no supplement; on the 31st the system deems the application abandoned.
    assert sweep(due) == 0
    assert sweep(due + DAY) == 1

    clerk.reload()
    expect(clerk.locator(".next-steps")).to_have_count(0)
    expect(clerk.locator("main")).to_contain_text("贵机构目前没有正在办理的备案申请。")
    row = clerk.get_by_role("region", name="全部备案").locator("tbody tr")
    expect(row.locator(".badge")).to_have_text("视为放弃申请")
    expect(row.get_by_role("link", name="填写")).to_have_count(0)
    row.get_by_role("link", name="详情").click()

    expect(state_badge(clerk)).to_have_text("视为放弃申请")
    expect(clerk.locator("main")).to_contain_text("本备案申请已终结：视为放弃申请。")
    expect(clerk.get_by_role("link", name="修改申请")).to_have_count(0)
    expect(clerk.get_by_role("button", name="提交补正材料")).to_have_count(0)
    expect(clerk.get_by_role("button", name="提交备案申请")).to_have_count(0)
    latest = clerk.get_by_test_id("timeline").locator(".timeline-item").first
    expect(latest).to_contain_text("逾期未补正，视为放弃申请")
    expect(latest.locator(".timeline-actor")).to_have_text("系统")
    expect(clerk.get_by_test_id("timeline")).to_contain_text("一次性告知补正")

    # Opening the application form directly does not let the clerk supplement it either.
    clerk.goto(f"/my/filings/{filing.pk}/pledge/")
    expect(clerk.locator(".messages")).to_contain_text("当前状态为“视为放弃申请”，不能修改")
    expect(clerk.get_by_role("button", name="提交补正材料")).to_have_count(0)
