"""变更备案 [002 §13, 001 §5(3), 003 §7]: during validity an agency adds or removes occupations and
levels or changes its details; reviewed along the filing's route; the receipt re-issued."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from filings.change_services import act, create_change_request
from filings.choices import FilingState as S
from filings.demo import MINIMAL_PDF
from filings.demo_changes import attach_materials, review_by_panel
from filings.models import ChangeRequest
from filings.services import AlreadyDecided, TransitionRefused, perform
from portal.models import AuditEntry, Notification, PolicyProfile, SkillLevel
from tests.test_examiner_rows import examiner_post

CR = ChangeRequest.State


def examiners(n, level=SkillLevel.LEVEL_3):
    return [{"name": f"新考评员{i}", "certificate_no": f"NEW{i:03d}", "level": level} for i in range(n)]


def add_lathe(world, n_examiners=5):
    return [{"occupation": world.lathe.pk, "level_from": SkillLevel.LEVEL_5, "level_to": SkillLevel.LEVEL_3,
             "examiners": examiners(n_examiners)}]


def finish_notice(change):
    """Let the change's notice run out and the sweep take its end [003 §7]."""
    import datetime

    from filings.deadlines import sweep_changes

    change.refresh_from_db()
    sweep_changes(change.notice_ends_on + datetime.timedelta(days=1))
    change.refresh_from_db()
    return change


@pytest.fixture
def active(world):
    """A district enterprise's filing in force (routed through Pudong for pre-review)."""
    return world.filing(state=S.ACTIVE)


def test_an_added_occupation_is_pre_reviewed_by_the_district_then_approved_by_the_city(world, active):
    """[003 §7]: the change goes the filing's way — district pre-review, then the city decides —
    and on approval the scope grows, the examiners join, and receipt v2 replaces v1 [002 §13]."""
    change = create_change_request(filing_id=active.pk, actor=world.pudong_clerk, reason="新增车工评价",
                                   add=add_lathe(world))
    assert change.state == CR.DRAFT
    attach_materials(change, world.pudong_clerk)
    change = act(change_id=change.pk, action="submit", actor=world.pudong_clerk)
    assert change.state == CR.PRE_REVIEW

    with pytest.raises(TransitionRefused, match="初审中"):  # the city waits for the pre-review
        act(change_id=change.pk, action="approve", actor=world.city)
    with pytest.raises(PermissionDenied):  # another district is not on the route
        act(change_id=change.pk, action="forward", actor=world.xuhui_reviewer, comment="同意")
    with pytest.raises(TransitionRefused, match="意见"):
        act(change_id=change.pk, action="forward", actor=world.pudong_reviewer)
    act(change_id=change.pk, action="forward", actor=world.pudong_reviewer, comment="经初审，同意报送。")
    with pytest.raises(TransitionRefused, match="须经专家评审"):  # added scope goes before experts [002 §11]
        act(change_id=change.pk, action="approve", actor=world.city)
    review_by_panel(change, world.city, world.experts[:3])
    change = act(change_id=change.pk, action="approve_for_notice", actor=world.city, comment="同意变更")
    assert change.state == CR.NOTICE and active.receipts.count() == 1  # published first [003 §7]
    change = finish_notice(change)

    assert change.state == CR.APPROVED and change.decided_at
    assert set(active.scope.values_list("occupation__code", flat=True)) == {"6-31-01-03", "6-18-01-01"}
    assert active.examiners.filter(occupation=world.lathe).count() == 5
    receipts = list(active.receipts.order_by("version"))
    assert [r.version for r in receipts] == [1, 2]
    assert receipts[0].superseded_at is not None and receipts[1].superseded_at is None
    assert receipts[1].reason == "变更备案"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"change.create", "change.material_upload", "change.submit", "change.forward", "change.assign_panel",
            "change.start_expert_review", "change.expert_review", "change.approve_for_notice",
            "change.complete_notice", "filing.change"} <= actions
    assert Notification.objects.filter(recipient=world.pudong_clerk, subject__contains="已同意变更").exists()


def test_a_city_routed_filing_goes_straight_to_the_city(world):
    """[000 §4(1)]: a municipal SOE's change is decided by the city without pre-review."""
    filing = world.filing(agency=world.soe, state=S.ACTIVE)
    change = create_change_request(filing_id=filing.pk, actor=world.soe_clerk, reason="联系人调整",
                                   details={"contact_name": "王五"})
    change = act(change_id=change.pk, action="submit", actor=world.soe_clerk)
    assert change.state == CR.SUBMITTED
    act(change_id=change.pk, action="approve", actor=world.city)
    filing.agency.refresh_from_db()
    assert filing.agency.contact_name == "王五"


def test_details_change_updates_the_agency_and_the_new_receipt_shows_it(world, active):
    """[002 §13]: the re-issued receipt carries the new address."""
    from filings.receipt_pdf import render_and_store
    from tests.test_receipts import pdf_text

    change = create_change_request(filing_id=active.pk, actor=world.pudong_clerk, reason="迁址",
                                   details={"address": "上海市浦东新区张江路 88 号", "legal_representative": "赵六",
                                            "contact_phone": active.agency.contact_phone})
    assert set(change.proposal["details"]) == {"address", "legal_representative"}  # unchanged ones dropped
    act(change_id=change.pk, action="submit", actor=world.pudong_clerk)
    act(change_id=change.pk, action="forward", actor=world.pudong_reviewer, comment="属实")
    act(change_id=change.pk, action="approve", actor=world.city)
    active.agency.refresh_from_db()
    assert active.agency.address == "上海市浦东新区张江路 88 号" and active.agency.legal_representative == "赵六"
    receipt = render_and_store(active.receipts.get(version=2).pk)
    with receipt.file.open("rb") as fh:
        assert "张江路88号" in pdf_text(fh.read())


def test_a_restricted_occupation_cannot_be_added(world, active):
    """[003 §8(2)]: entry-restricted occupations are never filed, by change either."""
    add = [{"occupation": world.restricted.pk, "level_from": 2, "level_to": 3, "examiners": examiners(5)}]
    with pytest.raises(TransitionRefused, match="准入类"):
        create_change_request(filing_id=active.pk, actor=world.pudong_clerk, reason="新增", add=add)
    assert not ChangeRequest.objects.exists() and active.scope.count() == 1


def test_a_new_occupation_needs_five_examiners_per_level(world, active):
    """[003 §8(4)]: at least five of the agency's own examiners for each filed level."""
    with pytest.raises(TransitionRefused, match="不足 5 名"):
        create_change_request(filing_id=active.pk, actor=world.pudong_clerk, reason="新增车工",
                              add=add_lathe(world, n_examiners=3))
    assert active.examiners.filter(occupation=world.lathe).count() == 0  # the check wrote nothing


def test_enterprise_only_levels_are_refused_for_a_social_organisation(world):
    """[003 §5]: 学徒工, 特级技师, 首席技师 are for enterprises only."""
    filing = world.filing(agency=world.xuhui_social, state=S.ACTIVE, occupations=[world.carer])
    add = [{"occupation": world.carer.pk, "level_from": SkillLevel.APPRENTICE, "level_to": SkillLevel.LEVEL_3,
            "examiners": examiners(5)}]
    with pytest.raises(TransitionRefused, match="仅限用人单位"):
        create_change_request(filing_id=filing.pk, actor=world.xuhui_clerk, reason="扩大等级", add=add)


def test_an_occupation_is_removed_but_the_scope_never_becomes_empty(world):
    filing = world.filing(state=S.ACTIVE, occupations=[world.electrician, world.lathe])
    with pytest.raises(TransitionRefused, match="不能为空"):
        create_change_request(filing_id=filing.pk, actor=world.pudong_clerk, reason="全部删除",
                              remove=[world.electrician.pk, world.lathe.pk])
    change = create_change_request(filing_id=filing.pk, actor=world.pudong_clerk, reason="不再开展车工评价",
                                   remove=[world.lathe.pk])
    act(change_id=change.pk, action="submit", actor=world.pudong_clerk)
    act(change_id=change.pk, action="forward", actor=world.pudong_reviewer, comment="同意")
    act(change_id=change.pk, action="approve", actor=world.city)
    assert list(filing.scope.values_list("occupation__code", flat=True)) == ["6-31-01-03"]


def test_the_rules_are_checked_again_when_the_city_approves(world, active):
    """If the rules tightened after submission, nothing is applied and the city is told why."""
    change = create_change_request(filing_id=active.pk, actor=world.pudong_clerk, reason="新增车工",
                                   add=add_lathe(world))
    attach_materials(change, world.pudong_clerk)
    act(change_id=change.pk, action="submit", actor=world.pudong_clerk)
    act(change_id=change.pk, action="forward", actor=world.pudong_reviewer, comment="同意")
    review_by_panel(change, world.city, world.experts[:3])
    PolicyProfile.objects.filter(is_active=True).update(min_examiners_per_level=6)
    with pytest.raises(TransitionRefused, match="不足 6 名"):
        act(change_id=change.pk, action="approve_for_notice", actor=world.city)
    change.refresh_from_db()
    assert change.state == CR.EXPERT_REVIEW
    assert active.scope.count() == 1 and active.receipts.count() == 1
    assert active.examiners.filter(occupation=world.lathe).count() == 0


def test_only_an_in_force_filing_can_be_changed(world, active):
    """[002 §13]: during validity."""
    perform(filing_id=active.pk, action="cancel", actor=world.city, comment="注销 [003 §22]")
    with pytest.raises(TransitionRefused, match="有效期内"):
        create_change_request(filing_id=active.pk, actor=world.pudong_clerk, reason="迁址",
                              details={"address": "新地址"})


def test_one_change_at_a_time_and_the_agency_may_withdraw(world, active):
    change = create_change_request(filing_id=active.pk, actor=world.pudong_clerk, reason="迁址",
                                   details={"address": "上海市浦东新区新址 1 号"})
    with pytest.raises(TransitionRefused, match="正在办理"):
        create_change_request(filing_id=active.pk, actor=world.pudong_clerk, reason="再改",
                              details={"contact_name": "甲"})
    act(change_id=change.pk, action="submit", actor=world.pudong_clerk)
    act(change_id=change.pk, action="withdraw", actor=world.pudong_clerk)
    with pytest.raises(AlreadyDecided, match="已由他人处理"):
        act(change_id=change.pk, action="refuse", actor=world.city, comment="不同意", expected_state=CR.SUBMITTED)
    create_change_request(filing_id=active.pk, actor=world.pudong_clerk, reason="再改", details={"contact_name": "甲"})


def test_a_refusal_needs_reasons_and_leaves_the_filing_as_it_was(world, active):
    change = create_change_request(filing_id=active.pk, actor=world.pudong_clerk, reason="迁址",
                                   details={"address": "上海市浦东新区新址 1 号"})
    act(change_id=change.pk, action="submit", actor=world.pudong_clerk)
    act(change_id=change.pk, action="forward", actor=world.pudong_reviewer, comment="请市级审定")
    with pytest.raises(TransitionRefused, match="意见或理由"):
        act(change_id=change.pk, action="refuse", actor=world.city)
    change = act(change_id=change.pk, action="refuse", actor=world.city, comment="新址未提供场地证明")
    assert change.state == CR.REFUSED and change.last_comment == "新址未提供场地证明"
    active.agency.refresh_from_db()
    assert active.agency.address != "上海市浦东新区新址 1 号" and active.receipts.count() == 1


def test_another_agency_cannot_change_or_see_the_filing(client, world, active):
    """[SPEC §1]: out of scope is 404; a reviewer may see but not apply."""
    with pytest.raises(PermissionDenied):
        create_change_request(filing_id=active.pk, actor=world.xuhui_clerk, reason="x", details={"address": "y"})
    client.force_login(world.xuhui_clerk)
    assert client.get(reverse("filings:change_create", args=[active.pk])).status_code == 404
    change = create_change_request(filing_id=active.pk, actor=world.pudong_clerk, reason="迁址",
                                   details={"address": "上海市浦东新区新址 1 号"})
    assert client.get(reverse("filings:change_detail", args=[change.pk])).status_code == 404


def test_the_agency_applies_on_screen_and_the_district_forwards(client, world, active):
    client.force_login(world.pudong_clerk)
    page = client.get(reverse("filings:change_create", args=[active.pk])).content.decode()
    assert "申请变更备案" in page and active.agency.address in page
    data = {"reason": "新增车工评价", "address": active.agency.address, "legal_representative": "张三",
            "contact_name": "李四", "contact_phone": "021-60000000", "contact_email": "contact@example.com",
            "add-TOTAL_FORMS": "2", "add-INITIAL_FORMS": "0", "add-MIN_NUM_FORMS": "0", "add-MAX_NUM_FORMS": "10",
            "add-0-occupation": str(world.lathe.pk), "add-0-level_from": "2", "add-0-level_to": "4",
            "add-1-level_from": "2", "add-1-level_to": "4"}
    rows = [(world.lathe, f"王{'甲乙丙丁戊'[i]}", f"KP{i:04d}", 4) for i in range(5)]
    page = client.post(reverse("filings:change_create", args=[active.pk]), examiner_post(rows[:3], **data))
    assert "不足 5 名" in page.content.decode() and not ChangeRequest.objects.exists()  # said why, saved nothing
    response = client.post(reverse("filings:change_create", args=[active.pk]), examiner_post(rows, **data),
                           follow=True)
    change = ChangeRequest.objects.get()
    assert "车工" in response.content.decode() and change.state == CR.DRAFT
    # Without the new scope's materials the submission is refused, naming what is missing [003 §10].
    response = client.post(reverse("filings:change_act", args=[change.pk]),
                           {"action": "submit", "expected_state": "draft"}, follow=True)
    assert "专家等专业人员技能水平证明" in response.content.decode()
    change.refresh_from_db()
    assert change.state == CR.DRAFT
    for material_type in ("staff_qualifications", "implementation_plan"):
        response = client.post(reverse("filings:change_material_upload", args=[change.pk]),
                               {"type": material_type, "file": SimpleUploadedFile("m.pdf", MINIMAL_PDF)},
                               follow=True)
        assert "材料已上传" in response.content.decode()
    client.post(reverse("filings:change_act", args=[change.pk]), {"action": "submit", "expected_state": "draft"})
    change.refresh_from_db()
    assert change.state == CR.PRE_REVIEW

    client.force_login(world.pudong_reviewer)
    page = client.get(reverse("filings:change_detail", args=[change.pk])).content.decode()
    assert "初审通过，报送市级" in page and "同意变更" not in page
    # The reviewer sees each new examiner by name, with certificate number and level [003 §8(4)].
    assert "王甲" in page and "KP0000" in page and "三级/高级工" in page
    attachment = change.attachments.get(type="implementation_plan")
    download = client.get(reverse("filings:change_material_download", args=[attachment.pk]))
    assert download.status_code == 200
    assert AuditEntry.objects.filter(action="change.material_download", actor=world.pudong_reviewer).exists()
    response = client.post(reverse("filings:change_act", args=[change.pk]),
                           {"action": "forward", "comment": "", "expected_state": "pre_review"}, follow=True)
    assert "此操作须填写意见或理由" in response.content.decode()
    client.post(reverse("filings:change_act", args=[change.pk]),
                {"action": "forward", "comment": "同意报送", "expected_state": "pre_review"})
    change.refresh_from_db()
    assert change.state == CR.SUBMITTED


def test_the_change_list_shows_what_the_user_may_see_in_few_queries(client, world, active,
                                                                     django_assert_max_num_queries):
    for i in range(3):
        change = create_change_request(filing_id=active.pk, actor=world.pudong_clerk, reason=f"变更{i}",
                                       details={"contact_name": f"联系人{'甲乙丙'[i]}"})
        # Submitted, then withdrawn: one never submitted would be the agency's alone [SPEC §1].
        act(change_id=change.pk, action="submit", actor=world.pudong_clerk)
        act(change_id=change.pk, action="withdraw", actor=world.pudong_clerk)
    client.force_login(world.city)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("filings:change_list")).content.decode()
    assert page.count("已撤回") == 3 and active.agency.name in page
    client.force_login(world.xuhui_reviewer)
    assert "变更0" not in client.get(reverse("filings:change_list")).content.decode()


# ----- added scope passes the checks initial scope passes [003 §7, 002 §13] ----------------------
def _social_holder(world, n, occupation):
    from tests.test_selection import social_org
    return world.filing(agency=social_org(world, n), state=S.ACTIVE, occupations=[occupation])


def test_a_social_organisation_cannot_add_an_occupation_whose_places_are_taken(world):
    """[003 §7] at most the policy's number of social organisations per occupation: a change filing
    is no side door for a fourth; the refusal names the holders, and nothing is saved."""
    holders = [_social_holder(world, n, world.lathe) for n in (1, 2, 3)]
    filing = world.filing(agency=world.xuhui_social, state=S.ACTIVE, occupations=[world.carer])
    with pytest.raises(TransitionRefused, match="上限 3 家") as refused:
        create_change_request(filing_id=filing.pk, actor=world.xuhui_clerk, reason="新增车工", add=add_lathe(world))
    assert all(h.agency.name in str(refused.value) for h in holders)
    assert not ChangeRequest.objects.exists()


def test_the_quota_is_checked_again_when_the_city_approves(world):
    """[003 §7]: places taken while the change was in review block the approval; nothing applies."""
    filing = world.filing(agency=world.xuhui_social, state=S.ACTIVE, occupations=[world.carer])
    change = create_change_request(filing_id=filing.pk, actor=world.xuhui_clerk, reason="新增车工",
                                   add=add_lathe(world))
    attach_materials(change, world.xuhui_clerk)
    act(change_id=change.pk, action="submit", actor=world.xuhui_clerk)
    if change.filing.route != "city":
        act(change_id=change.pk, action="forward", actor=world.xuhui_reviewer, comment="同意报送")
    review_by_panel(change, world.city, world.experts[:3])
    holder = _social_holder(world, 1, world.lathe)
    PolicyProfile.objects.filter(is_active=True).update(social_orgs_per_occupation=1)
    with pytest.raises(TransitionRefused, match="超出择优遴选名额") as refused:
        act(change_id=change.pk, action="approve_for_notice", actor=world.city)
    assert holder.agency.name in str(refused.value)
    change.refresh_from_db()
    assert change.state == CR.EXPERT_REVIEW and filing.scope.count() == 1 and filing.receipts.count() == 1
    assert not AuditEntry.objects.filter(action="change.approve_for_notice").exclude(outcome="refused").exists()


def test_re_ranging_an_occupation_already_held_does_not_count_against_the_quota(world):
    """[003 §7]: the organisation already holds its place; only new occupations compete."""
    filing = world.filing(agency=world.xuhui_social, state=S.ACTIVE, occupations=[world.carer])
    _social_holder(world, 1, world.carer)
    PolicyProfile.objects.filter(is_active=True).update(social_orgs_per_occupation=1)
    item = filing.scope.get()
    add = [{"occupation": world.carer.pk, "level_from": item.level_from, "level_to": item.level_to,
            "examiners": examiners(5, item.level_from)}]
    change = create_change_request(filing_id=filing.pk, actor=world.xuhui_clerk, reason="调整等级", add=add)
    assert change.selection_conflicts() == []


def _submitted_addition(world, active):
    change = create_change_request(filing_id=active.pk, actor=world.pudong_clerk, reason="新增车工",
                                   add=add_lathe(world))
    attach_materials(change, world.pudong_clerk)
    act(change_id=change.pk, action="submit", actor=world.pudong_clerk)
    return act(change_id=change.pk, action="forward", actor=world.pudong_reviewer, comment="同意报送")


def test_added_scope_goes_before_an_expert_panel_of_the_policys_size(world, active):
    """[002 §11, 003 §7]: as for the filing itself — at least the policy's number of experts, none
    from the agency; the review starts only with a full panel; the city decides after every opinion."""
    from filings.change_panel_services import assign_change_panel, record_change_review

    change = _submitted_addition(world, active)
    with pytest.raises(TransitionRefused, match="专家组至少需要 3 名专家"):
        assign_change_panel(change_id=change.pk, experts=world.experts[:2], actor=world.city)
    with pytest.raises(TransitionRefused, match="专家组人数不足"):
        act(change_id=change.pk, action="start_expert_review", actor=world.city)
    with pytest.raises(PermissionDenied):
        assign_change_panel(change_id=change.pk, experts=world.experts[:3], actor=world.pudong_reviewer)
    assign_change_panel(change_id=change.pk, experts=world.experts[:3], actor=world.city)
    change = act(change_id=change.pk, action="start_expert_review", actor=world.city)
    assert change.state == CR.EXPERT_REVIEW
    record_change_review(change_id=change.pk, expert=world.experts[0], opinion="符合要求", score=88,
                         recommendation="approve")
    with pytest.raises(TransitionRefused, match="尚有专家未提交"):
        act(change_id=change.pk, action="approve", actor=world.city)
    with pytest.raises(PermissionDenied):  # not on this panel
        record_change_review(change_id=change.pk, expert=world.experts[3], opinion="x", score=1,
                             recommendation="refuse")
    for expert in world.experts[1:3]:
        record_change_review(change_id=change.pk, expert=expert, opinion="符合要求", score=80,
                             recommendation="approve")
    assert Notification.objects.filter(recipient=world.city, subject__contains="专家评审已全部提交").exists()
    assert act(change_id=change.pk, action="approve_for_notice", actor=world.city).state == CR.NOTICE


def test_a_details_only_change_needs_no_expert_review(world, active):
    """[002 §13]: only added scope is evaluated again; a new address is decided by the city."""
    change = create_change_request(filing_id=active.pk, actor=world.pudong_clerk, reason="迁址",
                                   details={"address": "上海市浦东新区新址 1 号"})
    act(change_id=change.pk, action="submit", actor=world.pudong_clerk)
    act(change_id=change.pk, action="forward", actor=world.pudong_reviewer, comment="同意")
    with pytest.raises(TransitionRefused, match="仅新增职业"):
        act(change_id=change.pk, action="start_expert_review", actor=world.city)
    assert act(change_id=change.pk, action="approve", actor=world.city).state == CR.APPROVED


def test_the_expert_reviews_on_screen_and_the_city_sees_the_opinions(client, world, active):
    """The city names the panel on the change's page; the expert, told by notification, submits an
    opinion and a score there; the city reads them beside the examiners and materials."""
    change = _submitted_addition(world, active)
    client.force_login(world.city)
    page = client.get(reverse("filings:change_detail", args=[change.pk])).content.decode()
    assert "保存专家组" in page and "新考评员0" in page and "NEW000" in page
    client.post(reverse("filings:change_panel", args=[change.pk]),
                {"experts": [e.pk for e in world.experts[:3]]})
    assert change.panel.count() == 3
    client.post(reverse("filings:change_act", args=[change.pk]),
                {"action": "start_expert_review", "expected_state": "submitted"})

    expert = world.experts[0]
    client.force_login(expert)
    assert Notification.objects.filter(recipient=expert, url=f"/changes/{change.pk}/").exists()
    page = client.get(reverse("filings:change_detail", args=[change.pk])).content.decode()
    assert "提交评审意见" in page and "新考评员0" in page
    response = client.post(reverse("filings:change_review", args=[change.pk]),
                           {"opinion": "考评人员配备符合要求。", "score": "86", "recommendation": "approve"},
                           follow=True)
    assert "评审意见已提交" in response.content.decode()
    client.force_login(world.experts[3])  # not on the panel, not on the filing's panel: not found
    assert client.get(reverse("filings:change_detail", args=[change.pk])).status_code == 404

    client.force_login(world.city)
    page = client.get(reverse("filings:change_detail", args=[change.pk])).content.decode()
    assert "考评人员配备符合要求。" in page and "已提交 1 / 3" in page


def test_the_city_is_offered_only_the_steps_that_can_work(world, active):
    from filings.change_services import available_actions

    addition = _submitted_addition(world, active)
    assert [name for name, _label in available_actions(addition, world.city)] == ["start_expert_review", "refuse"]
    other = world.filing(agency=world.soe, state=S.ACTIVE)
    details = create_change_request(filing_id=other.pk, actor=world.soe_clerk, reason="联系人调整",
                                    details={"contact_name": "王五"})
    details = act(change_id=details.pk, action="submit", actor=world.soe_clerk)
    assert [name for name, _label in available_actions(details, world.city)] == ["approve", "refuse"]
