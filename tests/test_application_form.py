"""The agency prepares and submits its application [SPEC §2–3, 002 §8-10, 003 §5, §8]: scope, examiners,
facilities, materials, the pledge; its home says what is needed next and by when."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from filings.choices import FilingState as S, MaterialType
from filings.demo import MINIMAL_PDF, draft_filing
from filings.models import Filing, ScopeItem, required_material_types
from portal.models import AuditEntry, SkillLevel
from tests.test_examiner_rows import examiner_post


def scope_post(rows, initial=0):
    data = {"scope-TOTAL_FORMS": str(len(rows)), "scope-INITIAL_FORMS": str(initial),
            "scope-MIN_NUM_FORMS": "0", "scope-MAX_NUM_FORMS": "1000"}
    for i, (occupation, low, high) in enumerate(rows):
        data.update({f"scope-{i}-occupation": occupation.pk if occupation else "",
                     f"scope-{i}-level_from": low or "", f"scope-{i}-level_to": high or ""})
    return data


def new_draft(client, world):
    client.force_login(world.pudong_clerk)
    response = client.post("/my/filings/new/")
    return Filing.objects.get(pk=response.url.rstrip("/").split("/")[-1])


def test_a_clerk_fills_every_step_and_submits(client, world):
    """[002 §8-9, 003 §10] scope, examiners, facilities, every required material and the pledge."""
    filing = new_draft(client, world)
    base = f"/my/filings/{filing.pk}"
    assert client.post(f"{base}/details/", {"managing_level": "district"}).url == f"{base}/scope/"
    response = client.post(f"{base}/scope/", scope_post([(world.electrician, SkillLevel.LEVEL_5, SkillLevel.LEVEL_3),
                                                         (None, None, None)]))
    assert response.url == f"{base}/examiners/"
    rows = [(False, f"考评员{'甲乙丙丁戊'[i]}", f"KP00{i}", SkillLevel.LEVEL_3) for i in range(5)]
    assert client.post(f"{base}/examiners/", examiner_post(rows)).url == f"{base}/facilities/"
    client.post(f"{base}/facilities/", {"facilities": "理论考试机房 1 间，实操场地 2 处，全程录像。"})
    page = client.get(f"{base}/materials/").content.decode()
    assert "还缺 8 项材料" in page
    for t in required_material_types(world.pudong_enterprise):
        client.post(f"{base}/materials/", {"type": t, f"{t}-file": SimpleUploadedFile(f"{t}.pdf", MINIMAL_PDF)})
    assert "所需材料已全部上传" in client.get(f"{base}/materials/").content.decode()
    client.post(f"{base}/pledge/", {"agree": "on"})
    page = client.get(f"{base}/pledge/").content.decode()
    assert "已由" in page and "提交前还需完成" not in page
    response = client.post(f"{base}/submit/", {"action": "submit", "expected_state": "draft"}, follow=True)
    filing.refresh_from_db()
    assert filing.state == S.SUBMITTED
    assert "已提交" in response.content.decode()


def test_a_double_clicked_submit_submits_once_and_says_so(client, world):
    """[002 §9-10] the second identical POST creates nothing, raises nothing, and says it was already submitted."""
    filing = world.filing(state=S.DRAFT)
    client.force_login(world.pudong_clerk)
    post = {"action": "submit", "expected_state": "draft"}
    client.post(f"/my/filings/{filing.pk}/submit/", post)
    second = client.post(f"/my/filings/{filing.pk}/submit/", post, follow=True)
    assert second.status_code == 200
    assert "已提交，无需重复提交" in second.content.decode()
    filing.refresh_from_db()
    assert filing.state == S.SUBMITTED
    assert AuditEntry.objects.filter(action="filing.submit", object_id=str(filing.pk)).count() == 1
    assert Filing.objects.filter(agency=world.pudong_enterprise).count() == 1


def test_an_incomplete_application_is_not_submitted_and_everything_missing_is_listed(client, world):
    """[002 §10] 一次性告知: everything missing, listed at once."""
    filing = new_draft(client, world)
    response = client.post(f"/my/filings/{filing.pk}/submit/", {"action": "submit", "expected_state": "draft"},
                           follow=True)
    html = response.content.decode()
    assert "申请尚不完整" in html and "缺少材料：信用报告" in html and "尚未签署申请材料真实性承诺" in html
    filing.refresh_from_db()
    assert filing.state == S.DRAFT


def test_a_double_clicked_new_application_opens_the_same_draft(client, world):
    client.force_login(world.pudong_clerk)
    first, second = client.post("/my/filings/new/"), client.post("/my/filings/new/")
    assert first.url == second.url
    assert Filing.objects.filter(agency=world.pudong_enterprise).count() == 1


def test_a_scope_with_an_entry_restricted_occupation_is_refused_beside_the_field(client, world):
    """[003 §8(2)] entry-restricted (准入类) occupations cannot be filed."""
    filing = new_draft(client, world)
    response = client.post(f"/my/filings/{filing.pk}/scope/",
                           scope_post([(world.restricted, SkillLevel.LEVEL_5, SkillLevel.LEVEL_4)]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"“{world.restricted.name}”为准入类职业，不得纳入备案范围" in html
    assert 'id="id_scope-0-occupation_error"' in html
    assert not ScopeItem.objects.filter(filing=filing).exists()


def test_apprentice_and_principal_levels_are_only_for_enterprises(client, world):
    """[003 §5] 学徒工、特级技师、首席技师 only for enterprises' own evaluation."""
    filing = world.filing(agency=world.xuhui_social, clerk=world.xuhui_clerk, state=S.DRAFT,
                          occupations=[world.carer])
    client.force_login(world.xuhui_clerk)
    response = client.post(f"/my/filings/{filing.pk}/scope/",
                           scope_post([(world.carer, SkillLevel.APPRENTICE, SkillLevel.LEVEL_4)]))
    assert "学徒工仅限用人单位" in response.content.decode()
    assert list(filing.scope.values_list("level_from", flat=True)) == [SkillLevel.LEVEL_5]


def test_a_reversed_level_range_is_refused(client, world):
    filing = new_draft(client, world)
    response = client.post(f"/my/filings/{filing.pk}/scope/",
                           scope_post([(world.lathe, SkillLevel.LEVEL_2, SkillLevel.LEVEL_5)]))
    assert "最低等级不能高于最高等级" in response.content.decode()
    assert not filing.scope.exists()


def test_fewer_than_five_examiners_per_level_keeps_the_application_incomplete(client, world):
    """[003 §8(4)] at least 5 of the agency's own examiners per occupation level."""
    filing = new_draft(client, world)
    client.post(f"/my/filings/{filing.pk}/scope/", scope_post([(world.lathe, SkillLevel.LEVEL_5, SkillLevel.LEVEL_2)]))
    rows = [(False, f"考评员{'甲乙丙丁戊'[i]}", f"KP{i}", SkillLevel.LEVEL_3) for i in range(5)]
    client.post(f"/my/filings/{filing.pk}/examiners/", examiner_post(rows + [(False, "技师甲", "KP9", SkillLevel.LEVEL_2)]))
    assert filing.examiners.count() == 6
    page = client.get(f"/my/filings/{filing.pk}/examiners/").content.decode()
    assert "二级/技师本单位考评人员不足 5 名" in page
    assert any("考评人员不足" in p for p in filing.completeness_problems())


def test_an_examiner_list_with_a_bad_row_saves_nothing_and_names_the_row(client, world):
    filing = world.filing(state=S.DRAFT)
    client.force_login(world.pudong_clerk)
    before = filing.examiners.count()
    response = client.post(f"/my/filings/{filing.pk}/examiners/", examiner_post(
        [(False, "张三", "KP1", SkillLevel.LEVEL_3), (False, "李四", "KP2", "大师")]))
    assert "第 2 行 可考评最高等级：" in response.content.decode()
    assert filing.examiners.count() == before


def test_the_home_says_what_a_draft_still_lacks(client, world):
    """[002 §8] the agency sees how many materials are still missing."""
    filing = new_draft(client, world)
    html = client.get("/my/").content.decode()
    assert "草稿：还缺 8 项材料" in html
    assert f"/my/filings/{filing.pk}/" in html
    assert "草稿：还缺 8 项材料" in client.get("/dashboard/").content.decode()


def test_the_home_says_by_when_a_supplement_is_due(client, world):
    """[002 §10] supplement within 30 days, else deemed abandoned."""
    today = datetime.date.today()
    filing = world.filing(state=S.SUPPLEMENT_REQUESTED, today=today)
    client.force_login(world.pudong_clerk)
    html = client.get("/my/").content.decode()
    due = today + datetime.timedelta(days=30)
    assert f"待补正：请于 {due:%Y-%m-%d} 前补正以下材料" in html
    assert "信用报告已过有效期" in html  # the reviewer's list, shown to the agency
    # The supplement goes through the same path, and a repeat says it was already sent.
    post = {"action": "supplement", "expected_state": S.SUPPLEMENT_REQUESTED}
    client.post(f"/my/filings/{filing.pk}/submit/", post)
    filing.refresh_from_db()
    assert filing.state == S.SUBMITTED
    assert "无需重复提交" in client.post(f"/my/filings/{filing.pk}/submit/", post, follow=True).content.decode()


def test_a_submitted_application_can_no_longer_be_edited(client, world):
    filing = world.filing(state=S.SUBMITTED)
    client.force_login(world.pudong_clerk)
    response = client.post(f"/my/filings/{filing.pk}/facilities/", {"facilities": "改过的"}, follow=True)
    assert "不能修改" in response.content.decode()
    filing.refresh_from_db()
    assert filing.facilities != "改过的"


def test_another_agencys_application_is_not_found(client, world):
    filing = world.filing(state=S.DRAFT)
    client.force_login(world.xuhui_clerk)
    assert client.get(f"/my/filings/{filing.pk}/scope/").status_code == 404
    assert client.post(f"/my/filings/{filing.pk}/submit/", {"action": "submit"}).status_code == 404


def test_the_pledge_is_recorded_with_who_and_when(client, world):
    """[002 §8, 003 §10] the truthfulness pledge."""
    filing = draft_filing(world.pudong_enterprise, world.pudong_clerk, occupations=[world.electrician],
                          complete=False)
    client.force_login(world.pudong_clerk)
    post = {"action": "submit", "expected_state": "draft"}
    response = client.post(f"/my/filings/{filing.pk}/submit/", post, follow=True)
    assert "尚未签署申请材料真实性承诺" in response.content.decode()
    client.post(f"/my/filings/{filing.pk}/submit/", {**post, "agree": "on"})  # incomplete: refused, not signed
    filing.refresh_from_db()
    assert filing.pledge_signed_at is None
    client.post(f"/my/filings/{filing.pk}/pledge/", {"agree": "on"})  # the step itself may still sign alone
    filing.refresh_from_db()
    assert filing.pledge_signed_by == world.pudong_clerk and filing.pledge_signed_at
    assert AuditEntry.objects.filter(action="filing.pledge", object_id=str(filing.pk)).exists()
    assert MaterialType.PLEDGE in required_material_types(world.pudong_enterprise)


def test_every_step_and_page_renders_for_the_clerk(client, world):
    filing = world.filing(state=S.DRAFT)
    client.force_login(world.pudong_clerk)
    for step in ("details", "scope", "examiners", "facilities", "materials", "pledge"):
        html = client.get(f"/my/filings/{filing.pk}/{step}/").content.decode()
        assert "备案申请：上海浦江电气有限公司" in html, step
    scope = client.get(f"/my/filings/{filing.pk}/scope/").content.decode()
    assert "6-31-01-03" in scope and "（准入类，不可备案）" in scope
    examiners = client.get(f"/my/filings/{filing.pk}/examiners/").content.decode()
    assert "考评员" in examiners  # the current list, ready to edit
    assert "草稿：已填写完整" in client.get("/my/").content.decode()


def test_the_agency_home_and_the_register_use_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for _ in range(3):
        world.filing(state=S.SUBMITTED)
    client.force_login(world.pudong_clerk)
    with django_assert_max_num_queries(25):
        client.get("/my/")
    client.force_login(world.city)
    with django_assert_max_num_queries(12):
        client.get("/agencies/")


def test_ticking_the_pledge_and_pressing_submit_signs_and_submits_in_one_press(client, world):
    """[002 §8-10, 003 §10] One press signs the pledge and submits; the confirmation gives the reference."""
    filing = world.filing(state=S.DRAFT)
    Filing.objects.filter(pk=filing.pk).update(pledge_signed_at=None, pledge_signed_by=None)
    client.force_login(world.pudong_clerk)
    response = client.post(f"/my/filings/{filing.pk}/submit/", {"action": "submit", "expected_state": "draft",
                                                                "agree": "on"}, follow=True)
    filing.refresh_from_db()
    assert filing.state == S.SUBMITTED and filing.pledge_signed_by == world.pudong_clerk
    page = response.content.decode()
    assert "申请已提交" in page and filing.reference in page and filing.reference.startswith("SQ")
    assert AuditEntry.objects.filter(action="filing.pledge", object_id=str(filing.pk)).count() == 1


def test_submitting_without_the_pledge_ticked_changes_nothing_and_says_why(client, world):
    """[002 §8] The pledge is signed by a named person; unsigned, nothing is submitted."""
    filing = world.filing(state=S.DRAFT)
    Filing.objects.filter(pk=filing.pk).update(pledge_signed_at=None, pledge_signed_by=None)
    client.force_login(world.pudong_clerk)
    response = client.post(f"/my/filings/{filing.pk}/submit/", {"action": "submit", "expected_state": "draft"},
                           follow=True)
    filing.refresh_from_db()
    assert filing.state == S.DRAFT and filing.pledge_signed_at is None
    assert "尚未签署申请材料真实性承诺" in response.content.decode()


def test_a_refused_submission_does_not_keep_the_pledge_either(client, world):
    """Nothing changes on a refusal: an incomplete application ticked and submitted stays unsigned."""
    filing = draft_filing(world.pudong_enterprise, world.pudong_clerk, occupations=[world.electrician])
    filing.materials.all().delete()
    Filing.objects.filter(pk=filing.pk).update(pledge_signed_at=None, pledge_signed_by=None)
    client.force_login(world.pudong_clerk)
    client.post(f"/my/filings/{filing.pk}/submit/", {"action": "submit", "expected_state": "draft", "agree": "on"})
    filing.refresh_from_db()
    assert filing.state == S.DRAFT and filing.pledge_signed_at is None


def test_the_last_step_shows_every_answer_with_a_link_to_change_it(client, world):
    """Check your answers before an irreversible submit."""
    filing = world.filing(state=S.DRAFT)
    client.force_login(world.pudong_clerk)
    page = client.get(f"/my/filings/{filing.pk}/pledge/").content.decode()
    for step in ("details", "scope", "examiners", "facilities", "materials"):
        assert f'href="/my/filings/{filing.pk}/{step}/"' in page
    assert world.electrician.name in page and filing.examiners.first().name in page
