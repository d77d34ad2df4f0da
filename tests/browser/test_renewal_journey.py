"""Renewal journeys in the browser [SPEC §4]: one enterprise passes and gets three more years from its
old expiry; another fails, rectifies, fails again and is terminated and gone from the directory."""

import datetime

from django.utils import timezone
from pypdf import PdfReader

from assessments import deadlines
from assessments.demo import active_filing, drive_renewal
from assessments.models import RenewalAssessment
from filings.demo import MINIMAL_PDF
from portal.dates import add_years
from tests.browser.conftest import login

DAY = datetime.timedelta(days=1)


def score_everything(page, side, fraction=1.0):
    """Fill every score on the scoring screen as a person would: numbers within the maximum, the
    all-or-nothing items and the vetoes from their lists."""
    rows = page.locator("tr[data-kind]")
    for i in range(rows.count()):
        row = rows.nth(i)
        kind = row.get_attribute("data-kind")
        field = row.locator(f"[name^='{side}_']")
        if kind == "score":
            field.fill(str(round(float(row.get_attribute("data-max")) * fraction)))
        elif kind == "all_or_nothing":
            field.select_option(index=1 if fraction >= 0.5 else 2)
        elif kind == "complaint_records" and field.count():  # no complaint asked: judged, with a reason
            field.select_option(index=1 if fraction >= 0.5 else 2)
            row.locator(f"[name^='{side}note_']").fill("本期无投诉要求机构说明情况")
        elif kind == "deduction":
            field.fill("0")
        elif kind == "veto":
            field.select_option("0")


def test_an_enterprise_flagged_three_months_ahead_renews_and_gets_three_years_from_its_old_expiry(world, new_page):
    today = timezone.localdate()
    filing = active_filing(world.pudong_enterprise, world.pudong_clerk, expires_on=today + 85 * DAY,
                           actors=world.actors, experts=world.experts[:3], occupations=[world.electrician])
    old_expiry = filing.valid_until
    assert deadlines.flag_expiring(today)["window"] == 1

    # The agency is told, applies, self-assesses, uploads and submits.
    agency = new_page()
    login(agency, "pd_clerk")
    agency.goto("/inbox/")
    assert "期满评估申请已开放" in agency.content()
    agency.goto("/renewals/")
    agency.get_by_role("button", name="申请期满评估（续期）").click()
    assert "任务清单" in agency.content()
    agency.get_by_role("link", name="填写续期申请表").click()
    agency.locator("#id_entity_changed_1").check()
    agency.locator("#id_credit_good_0").check()
    agency.locator("#id_evaluations_carried_out_0").check()
    agency.locator("#id_commissioned_evaluations_1").check()
    agency.locator("#id_wants_to_continue_0").check()
    agency.get_by_label("初级").fill("80")
    agency.get_by_label("中级").fill("20")
    agency.get_by_label("已上国网人次").fill("95")
    agency.get_by_label("本企业现有技能人员持证总数（人）").fill("150")
    agency.get_by_label("职工总数（人）").fill("200")
    agency.get_by_role("button", name="保存").click()
    assert "150 / 200 = 75.0%" in agency.content()

    agency.get_by_role("link", name="填写自查自评").click()
    score_everything(agency, "self")
    assert agency.locator("#live-total").inner_text() == "100"
    agency.get_by_role("button", name="保存得分").click()
    assert agency.get_by_test_id("self-total").inner_text().startswith("100")

    agency.get_by_role("link", name="上传材料").click()
    agency.get_by_label("材料类型").select_option(label="企业法人登记证书")
    agency.get_by_label("文件").set_input_files(files=[{"name": "营业执照.pdf", "mimeType": "application/pdf",
                                                       "buffer": MINIMAL_PDF}])
    agency.get_by_role("button", name="上传").click()
    assert "营业执照.pdf" in agency.content()
    agency.get_by_role("link", name="返回").click()
    agency.get_by_role("button", name="签署承诺").click()
    agency.get_by_role("button", name="提交续期申请").click()
    assert "初审中" in agency.content()
    assessment = RenewalAssessment.objects.get(filing=filing)
    url = f"/renewals/{assessment.pk}/"

    # The district pre-reviews and forwards.
    district = new_page()
    login(district, "pudong")
    district.goto(url)
    district.locator("#comment-forward").fill("初评：材料齐全，同意报送市级。")
    district.get_by_role("button", name="初评通过，报送市级").click()
    assert "待组织专家评审" in district.content()

    # The city forms the panel and starts the review.
    city = new_page()
    login(city, "city")
    city.goto("/renewals/board/")
    city.get_by_role("link", name=world.pudong_enterprise.name).first.click()
    for expert in world.experts[:3]:
        city.get_by_label(str(expert)).check()
    city.get_by_role("button", name="确定专家组").click()
    city.get_by_role("button", name="组织专家评审").click()
    assert "专家评审中" in city.content()

    # Experts score beside the self score and give opinions.
    for n, expert in enumerate(world.experts[:3]):
        page = new_page()
        login(page, expert.username)
        page.goto(f"{url}review/")
        if n == 0:
            score_everything(page, "review", fraction=0.8)
            page.get_by_role("button", name="保存得分").click()
        page.get_by_label("资料审阅").check()
        page.get_by_label("现场核查").check()
        page.get_by_label("专家意见").fill("制度健全，执行规范，同意通过。")
        page.get_by_role("button", name="提交专家意见").click()

    city.goto(url)
    assert city.get_by_test_id("review-total").inner_text().startswith("85")
    city.get_by_role("button", name="专家评审完成").click()
    city.locator("#comment-decide_pass").fill("评审得分 85 分，达到合格分，同意续期。")
    city.get_by_role("button", name="审定：评估通过").click()
    assert "结果公示中" in city.content()

    # The notice of results runs its course (the nightly sweep), the result takes effect.
    assessment.refresh_from_db()
    deadlines.sweep(assessment.notice_ends_on + DAY)
    filing.refresh_from_db()
    new_expiry = add_years(old_expiry + DAY, 3) - DAY
    assert filing.valid_until == new_expiry
    agency.goto(url)
    shown = agency.get_by_test_id("valid-until").inner_text()
    assert shown == f"{new_expiry.year}年{new_expiry.month}月{new_expiry.day}日"
    agency.goto(f"/verify/{filing.number}/")
    assert f"{new_expiry:%Y-%m-%d}" in agency.content()
    # The re-issued receipt itself (version 2) carries the new validity.
    agency.goto(f"/filings/{filing.pk}/")
    with agency.expect_download() as download:
        agency.get_by_role("link", name="下载备案回执").click()
    text = "".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert f"{new_expiry.year}年{new_expiry.month}月{new_expiry.day}日" in text.replace(" ", "")
    assert filing.receipts.get(superseded_at__isnull=True).version == 2


def test_an_enterprise_fails_rectifies_fails_again_and_leaves_the_directory(world, new_page):
    today = timezone.localdate()
    expiry = today + 40 * DAY
    filing = active_filing(world.soe, world.soe_clerk, expires_on=expiry, actors=world.actors,
                           experts=world.experts[:3], occupations=[world.lathe])
    first = drive_renewal(filing, "deciding", actors=world.actors, experts=world.experts[:3], today=today,
                          fraction=0.4)

    city = new_page()
    login(city, "city")
    city.goto(f"/renewals/{first.pk}/")
    city.locator("#comment-decide_fail").fill("评审得分未达合格分，评估不通过，期满暂停运作并限期整改。")
    city.get_by_role("button", name="审定：评估不通过").click()
    assert "结果公示中" in city.content()

    first.refresh_from_db()
    deadlines.sweep(first.notice_ends_on + DAY)
    deadlines.sweep(expiry + DAY)  # at expiry: operations suspended, six months to rectify [000 §5]
    filing.refresh_from_db()
    assert filing.state == "suspended"

    agency = new_page()
    login(agency, "soe_clerk")
    agency.goto(f"/renewals/{first.pk}/")
    assert "整改期限" in agency.content()
    # The agency applies for the re-assessment from its renewal page (the re-assessment is decided
    # after expiry, so the screens are driven with today's date and the services with a later one).
    agency.goto("/renewals/")
    agency.get_by_role("button", name="申请整改后复评").click()
    second = RenewalAssessment.objects.get(filing=filing, round=2)
    second = drive_renewal(filing, "deciding", actors=world.actors, experts=world.experts[:3],
                           today=expiry + 30 * DAY, fraction=0.4)
    city.goto(f"/renewals/{second.pk}/")
    city.locator("#comment-decide_fail").fill("整改后复评仍不合格，终止备案。")
    city.get_by_role("button", name="审定：评估不通过").click()
    second.refresh_from_db()
    deadlines.sweep(max(second.notice_ends_on, expiry) + DAY)
    filing.refresh_from_db()
    assert filing.state == "terminated"

    public = new_page()
    public.goto(f"/directory/?q={world.soe.name}")
    assert world.soe.name not in public.locator("main").inner_text()
    agency.goto(f"/renewals/{second.pk}/")
    assert "已终止" in agency.content()
