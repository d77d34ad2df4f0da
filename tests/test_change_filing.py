"""变更备案 [002 §13, 001 §5(3), 003 §7]: during validity an agency adds or removes occupations and
levels or changes its details; reviewed along the filing's route; the receipt re-issued."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from filings.change_services import act, create_change_request
from filings.choices import FilingState as S
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
    change = act(change_id=change.pk, action="submit", actor=world.pudong_clerk)
    assert change.state == CR.PRE_REVIEW

    with pytest.raises(TransitionRefused, match="初审中"):  # the city waits for the pre-review
        act(change_id=change.pk, action="approve", actor=world.city)
    with pytest.raises(PermissionDenied):  # another district is not on the route
        act(change_id=change.pk, action="forward", actor=world.xuhui_reviewer, comment="同意")
    with pytest.raises(TransitionRefused, match="意见"):
        act(change_id=change.pk, action="forward", actor=world.pudong_reviewer)
    act(change_id=change.pk, action="forward", actor=world.pudong_reviewer, comment="经初审，同意报送。")
    change = act(change_id=change.pk, action="approve", actor=world.city, comment="同意变更")

    assert change.state == CR.APPROVED and change.decided_at
    assert set(active.scope.values_list("occupation__code", flat=True)) == {"6-31-01-03", "6-18-01-01"}
    assert active.examiners.filter(occupation=world.lathe).count() == 5
    receipts = list(active.receipts.order_by("version"))
    assert [r.version for r in receipts] == [1, 2]
    assert receipts[0].superseded_at is not None and receipts[1].superseded_at is None
    assert receipts[1].reason == "变更备案"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"change.create", "change.submit", "change.forward", "change.approve", "filing.change"} <= actions
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
    act(change_id=change.pk, action="submit", actor=world.pudong_clerk)
    act(change_id=change.pk, action="forward", actor=world.pudong_reviewer, comment="同意")
    PolicyProfile.objects.filter(is_active=True).update(min_examiners_per_level=6)
    with pytest.raises(TransitionRefused, match="不足 6 名"):
        act(change_id=change.pk, action="approve", actor=world.city)
    change.refresh_from_db()
    assert change.state == CR.SUBMITTED
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
    client.post(reverse("filings:change_act", args=[change.pk]), {"action": "submit", "expected_state": "draft"})
    change.refresh_from_db()
    assert change.state == CR.PRE_REVIEW

    client.force_login(world.pudong_reviewer)
    page = client.get(reverse("filings:change_detail", args=[change.pk])).content.decode()
    assert "初审通过，报送市级" in page and "同意变更" not in page
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
