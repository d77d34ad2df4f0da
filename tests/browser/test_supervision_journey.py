"""双随机、一公开 in the browser [002 §25-26, §30, 003 §17, §20-21]: the city publishes a plan and draws
with a published commitment; an inspector of the drawn team records the checklist and a finding and
orders rectification; the agency answers and reports its rectification; the district proposes a
sanction and the city decides it; the public sees the draw, the result and the sanction."""

from django.utils import timezone

from supervision.models import Inspection, RectificationOrder, Sanction
from supervision.models.plans import Draw, InspectionPlan
from tests._plans_helpers import inspectors
from tests._sanctions_helpers import in_force
from tests.browser.conftest import login


def _ok(page, text):
    """The flash message a person reads after the click (or what the page said instead)."""
    assert text in page.content(), page.locator("main").inner_text()[:800]


def test_plan_draw_inspect_rectify_sanction_and_the_public_sees_it(world, new_page):
    """The whole 双随机、一公开 loop through the screens only [002 §25, 003 §20-21]."""
    today = timezone.localdate()
    in_force(world, world.pudong_enterprise, today=today)  # the one agency in force: the draw of 1 picks it
    pool = inspectors(world, 4)  # ≥ 2 per team [002 §25]
    names = {u.pk: u.username for u in pool}

    # 1. The city reviewer: an item of the 抽查事项清单, a plan, publish, commit, reveal, confirm.
    city = new_page()
    login(city, "city")
    city.goto("/supervision/plans/items/new/")
    city.locator("#id_name").fill("评价机构备案情况检查")
    city.locator("#id_basis").fill("[002 §26]")
    city.locator("#id_method").fill("现场检查")
    city.get_by_role("button", name="保存并公开").click()
    _ok(city, "已新增抽查事项")

    city.goto("/supervision/plans/new/")
    city.locator("#id_title").fill("年度双随机抽查（浏览器）")
    city.locator("#id_year").fill(str(today.year))
    city.locator("#id_region").select_option(str(world.shanghai.pk))
    city.locator("#id_items").select_option(label="评价机构备案情况检查")
    city.locator("#id_sample_count").fill("1")
    city.locator("#id_weighting").select_option(index=0)
    city.locator("#id_inspectors").select_option([str(u.pk) for u in pool])
    city.locator("#id_team_size").fill("2")
    city.locator("#id_phase").select_option("after")
    city.get_by_role("button", name="保存为草稿").click()
    _ok(city, "已新建抽查计划")
    plan = InspectionPlan.objects.get(title="年度双随机抽查（浏览器）")

    city.get_by_role("button", name="公布抽查计划").click()
    _ok(city, "已公布抽查计划")
    city.get_by_role("button", name="公布种子承诺（开始抽取）").click()
    _ok(city, "已公布种子承诺")
    draw = Draw.objects.get(plan=plan)
    city.get_by_role("link", name=draw.number).click()
    commitment = draw.commitment
    assert commitment in city.content()
    city.get_by_role("button", name="揭示种子并抽取").click()
    _ok(city, "已揭示种子并完成抽取")
    city.get_by_role("button", name="确认抽取结果，派发检查").click()
    _ok(city, "已确认抽取结果，检查任务已派发")
    draw.refresh_from_db()
    assert draw.state == Draw.State.CONFIRMED

    inspection = Inspection.objects.get(origin=Inspection.Origin.DRAW, origin_id=draw.pk)
    assert inspection.agency == world.pudong_enterprise
    team = sorted(inspection.team.values_list("pk", flat=True))
    assert len(team) == 2
    inspector_name = names[team[0]]

    # 2. An inspector of the drawn team: checklist, a finding, submit findings.
    insp = new_page()
    login(insp, inspector_name)
    insp.goto("/supervision/inspections/")
    insp.get_by_role("link", name=inspection.number).click()
    selects = insp.locator("select[name^=result_]")
    n = selects.count()
    assert n >= 1, insp.locator("main").inner_text()[:800]
    for i in range(n):
        selects.nth(i).select_option("compliant")
    selects.nth(0).select_option("non_compliant")
    insp.locator("input[name^=notes_]").nth(0).fill("考场未张贴考场规则")
    insp.get_by_role("button", name="保存检查清单").click()
    _ok(insp, "检查清单已保存")
    # The finding form's fields have their own ids (finding_*), apart from the evidence form's.
    finding = insp.locator(f"form[action='/supervision/inspections/{inspection.pk}/findings/']")
    finding.locator("#finding_severity").select_option("minor")
    finding.locator("#finding_check").select_option(index=1)
    finding.locator("#finding_description").fill("考场未张贴考场规则，考生须知未公示")
    insp.get_by_role("button", name="记录问题").click()
    _ok(insp, "已记录问题")
    insp.locator("#id_summary").fill("考场规则张贴位置不醒目，须整改。")  # what the agency reads
    insp.get_by_role("button", name="保存", exact=True).click()
    _ok(insp, "已保存")
    insp.get_by_role("button", name="提交检查结果，反馈机构").click()
    _ok(insp, "已提交检查结果，反馈机构")

    # 3a. The agency clerk answers the findings.
    agency = new_page()
    login(agency, "pd_clerk")
    agency.goto("/supervision/inspections/")
    agency.get_by_role("link", name=inspection.number).click()
    assert "考场未张贴考场规则" in agency.content()
    agency.locator("#c-answer").fill("考场规则当日已张贴于走廊，附照片说明；考生须知已补充公示。")
    agency.get_by_role("button", name="提出申辩说明").click()
    _ok(agency, "已提出申辩说明")

    # 2b. The inspector concludes and issues a rectification order [002 §30].
    insp.reload()
    insp.locator("#id_conclusion").select_option("rectify")
    insp.get_by_role("button", name="保存", exact=True).click()
    _ok(insp, "已保存")
    insp.get_by_role("button", name="办结检查").click()
    _ok(insp, "已办结检查")
    insp.locator("#id_working_days").fill("10")
    insp.get_by_role("button", name="下达整改通知").click()
    _ok(insp, "已下达整改通知")
    order = RectificationOrder.objects.get(inspection=inspection)

    # 3b. The agency submits its rectification report.
    agency.goto("/supervision/rectification/")
    agency.get_by_role("link", name=order.number).click()
    agency.locator("#id_response").fill("已在考场入口醒目位置张贴考场规则，并完善考前公示流程。")
    agency.get_by_role("button", name="提交整改报告").last.click()
    _ok(agency, "整改报告已提交")
    order.refresh_from_db()
    assert order.state == RectificationOrder.State.RESPONDED

    # 4. The district reviewer proposes 通报批评 [003 §20].
    district = new_page()
    login(district, "pudong")
    district.goto(f"/supervision/sanctions/propose/?agency={world.pudong_enterprise.pk}")
    district.locator("#id_agency").select_option(str(world.pudong_enterprise.pk))
    district.locator("#id_measure").select_option("circulate")
    district.locator("#id_grounds").fill("违反 [002 §26]，考场管理不规范")
    district.locator("#id_reason").fill(f"双随机抽查 {inspection.number} 发现考场规则未张贴。")
    district.locator("#id_evidence").fill(f"检查 {inspection.number}")
    district.locator("#id_origin").select_option("inspection")
    district.locator("#id_origin_id").fill(str(inspection.pk))
    district.get_by_role("button", name="提交市级复核").click()
    _ok(district, "处理建议已提交市级复核")
    sanction = Sanction.objects.get(agency=world.pudong_enterprise, measure=Sanction.Measure.CIRCULATE)

    # 5. The city decides it.
    city.goto("/supervision/sanctions/")
    city.get_by_role("link", name=sanction.number).click()
    city.locator("#id_comment").fill("事实清楚，依据充分，予以通报批评。")
    city.get_by_role("button", name="复核认可，作出处理").click()
    _ok(city, "已复核认可，作出处理")
    sanction.refresh_from_db()
    assert sanction.decided_on is not None

    # 6. The public, signed out: the draw, the result, the sanction.
    public = new_page()
    public.goto("/supervision/draws/public/")
    public.get_by_role("link", name=draw.number).click()
    body = public.content()
    assert commitment in body and draw.revealed_seed in body and draw.candidates_hash in body
    assert world.pudong_enterprise.name in body
    public.goto("/supervision/inspections/results/")
    row = public.locator("tr", has_text=inspection.number)
    assert world.pudong_enterprise.name in row.inner_text()
    assert "发现问题，责令限期整改" in row.inner_text()
    assert "内部" not in public.locator("main").inner_text()
    public.goto("/supervision/sanctions/public/")
    row = public.locator("#public-sanctions tr", has_text=sanction.number)
    assert world.pudong_enterprise.name in row.inner_text() and "通报批评" in row.inner_text()
