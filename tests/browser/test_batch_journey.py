"""An evaluation batch in the browser [003 §15]: the agency files a plan, the district files it, the
candidates are imported, the results publicised and reported, and the renewal form shows the counts."""

import datetime

from django.utils import timezone

from assessments import deadlines
from assessments.demo import active_filing
from portal.workdays import add_workdays
from supervision.demo_batches import candidate_sheet, people, result_sheet
from supervision.models.batches import BatchModule, EvaluationBatch
from tests.browser.conftest import login

DAY = datetime.timedelta(days=1)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_plan_review_import_publicise_report_and_the_renewal_form_counts(world, new_page):
    today = timezone.localdate()
    filing = active_filing(world.pudong_enterprise, world.pudong_clerk, expires_on=today + 85 * DAY,
                           actors=world.actors, experts=world.experts[:3], occupations=[world.electrician])
    exam = add_workdays(today, 12)

    agency = new_page()
    login(agency, "pd_clerk")
    agency.goto("/supervision/batches/new/")
    agency.locator("#id_filing").select_option(str(filing.pk))
    agency.locator("#id_title").fill("2026年电工第一批次")
    agency.locator("#id_venue").fill("浦东新区川沙路 100 号实训楼")
    agency.locator("#id_venue_region").select_option(str(world.pudong.pk))
    agency.locator("#create-plan").click()
    assert "批次计划草稿已建立" in agency.content()

    agency.locator("#id_occupation").select_option(index=1)
    agency.locator("#id_level").select_option("4")  # 三级/高级工, the top of the filed scope
    agency.locator("#id_kind").select_option("theory")
    agency.locator("#id_starts_at").fill(f"{exam:%Y-%m-%d}T09:00")
    agency.locator("#id_ends_at").fill(f"{exam:%Y-%m-%d}T11:00")
    agency.locator("#id_place").fill("301 理论考场")
    agency.get_by_role("button", name="添加职业等级").click()
    assert "已添加职业等级及考核安排" in agency.content()
    for i in range(5):
        agency.locator("#id_role").select_option("examiner")
        agency.locator("#id_examiner").select_option(index=i + 1)
        agency.get_by_role("button", name="添加工作人员").click()
        assert "已添加工作人员" in agency.content(), agency.locator("main").inner_text()[:300]
    for role, name in (("proctor", "周敏"), ("supervisor", "钱亮")):
        agency.locator("#id_role").select_option(role)
        agency.locator("#id_name").fill(name)
        agency.get_by_role("button", name="添加工作人员").click()

    persons = people(12)
    agency.locator("#candidates-file").set_input_files(files=[{
        "name": "名单.xlsx", "mimeType": XLSX, "buffer": candidate_sheet(world.electrician.code, 4, persons)}])
    agency.get_by_role("button", name="导入名单").click()
    assert "已导入参加认定人员 12 人" in agency.content()
    assert persons[0][1] not in agency.content()  # ID numbers masked on screen
    agency.get_by_role("button", name="报备批次计划").click()
    assert agency.locator("#batch-state").inner_text() == "计划已报备，待审核", agency.locator("main").inner_text()[1400:3000]
    batch = EvaluationBatch.objects.get(filing=filing)

    district = new_page()
    login(district, "pudong")
    district.goto(f"/supervision/batches/{batch.pk}/")
    district.get_by_role("button", name="审核通过（备案）").click()
    assert district.locator("#batch-state").inner_text() == "计划已备案，待实施"

    # The exam takes place (time passes).
    past = today - 3 * DAY
    for m in BatchModule.objects.filter(group__batch=batch):
        m.starts_at -= (exam - past)
        m.ends_at -= (exam - past)
        m.save()
    EvaluationBatch.objects.filter(pk=batch.pk).update(first_exam_on=past, last_exam_on=past)

    agency.goto(f"/supervision/batches/{batch.pk}/")
    agency.locator("#results-file").set_input_files(files=[{
        "name": "结果.xlsx", "mimeType": XLSX, "buffer": result_sheet(persons, prefix="3101152026")}])
    agency.get_by_role("button", name="导入结果").click()
    assert "已导入认定结果 12 人" in agency.content()
    agency.get_by_role("button", name="公示认定结果").click()
    assert agency.locator("#batch-state").inner_text() == "结果公示中"

    public = new_page()
    public.goto("/supervision/results/")
    public.get_by_role("link", name=f"{world.pudong_enterprise.name} · 2026年电工第一批次").click()
    assert persons[0][0][:1] + "*" in public.content() and persons[0][1] not in public.content()

    # The seven days of publicity pass.
    EvaluationBatch.objects.filter(pk=batch.pk).update(publicity_starts_on=today - 8 * DAY,
                                                       publicity_ends_on=today - 2 * DAY,
                                                       report_due=add_workdays(today - 2 * DAY, 10))
    agency.goto(f"/supervision/batches/{batch.pk}/")
    agency.get_by_role("button", name="报备认定结果").click()
    assert agency.locator("#batch-state").inner_text() == "结果已报备"
    assert "纸质档案至" in agency.locator("#retention").inner_text()

    # The renewal form reads the certificates from the reported batch: 11 passed of 12 (every 8th fails).
    deadlines.flag_expiring(today)
    agency.goto("/renewals/")
    agency.get_by_role("button", name="申请期满评估（续期）").click()
    agency.get_by_role("link", name="填写续期申请表").click()
    assert agency.locator("#id_certs_level3").input_value() == "11"
    assert agency.locator("#id_certs_uploaded").input_value() == "10"
