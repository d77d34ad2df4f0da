"""The public notice of a change's added scope [002 §13, 003 §7, 001 §3(3), 002 §11-12]: where the
bureau's policy publishes a filing, the occupations and levels a change adds are published for the
same working days; the change applies only when the notice ends with no objection pending."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from filings.change_services import act, available_actions, create_change_request
from filings.choices import FilingState as S
from filings.deadlines import changes_due, running_deadlines, sweep_changes
from filings.demo_changes import attach_materials, review_by_panel
from filings.models import ChangeRequest, NoticeItem, PublicNotice
from filings.notices import file_objection
from filings.panel_services import resolve_objection
from filings.services import TransitionRefused
from portal.models import AuditEntry, Notification, PolicyProfile
from tests.test_change_filing import add_lathe

CR = ChangeRequest.State
D = datetime.date


@pytest.fixture
def active(world):
    return world.filing(state=S.ACTIVE)


def reviewed_addition(world, filing, clerk=None, reviewer=None):
    """An added occupation through pre-review and a complete expert panel, awaiting the city."""
    clerk = clerk or world.pudong_clerk
    change = create_change_request(filing_id=filing.pk, actor=clerk, reason="新增车工评价", add=add_lathe(world))
    attach_materials(change, clerk)
    change = act(change_id=change.pk, action="submit", actor=clerk)
    if change.state == CR.PRE_REVIEW:
        act(change_id=change.pk, action="forward", actor=reviewer or world.pudong_reviewer, comment="同意报送")
    return review_by_panel(change, world.city, world.experts[:3])


def in_notice(world, filing, today=D(2026, 12, 2)):
    change = reviewed_addition(world, filing)
    return act(change_id=change.pk, action="approve_for_notice", actor=world.city, comment="同意，予以公示",
               today=today)


def test_added_scope_is_published_and_applies_only_when_the_notice_ends(client, world, active):
    """[003 §7, 002 §13]: under the Shanghai preset every filing is published, so is the scope a
    change adds — for the policy's working days; no new scope, examiners or receipt before the end."""
    change = reviewed_addition(world, active)
    assert "approve" not in dict(available_actions(change, world.city))
    assert "approve_for_notice" in dict(available_actions(change, world.city))
    with pytest.raises(TransitionRefused, match="须经公示"):
        act(change_id=change.pk, action="approve", actor=world.city)

    change = act(change_id=change.pk, action="approve_for_notice", actor=world.city, comment="同意，予以公示",
                 today=D(2026, 12, 2))
    assert change.state == CR.NOTICE and change.notice_ends_on == D(2026, 12, 9)  # 5 working days
    item = NoticeItem.objects.get(change=change)
    assert item.notice.purpose == PublicNotice.Purpose.CHANGE and item.notice.ends_on == change.notice_ends_on
    assert "车工" in item.summary
    assert active.scope.count() == 1 and active.receipts.count() == 1
    assert not active.examiners.filter(occupation=world.lathe).exists()
    assert Notification.objects.filter(recipient=world.pudong_clerk, body__contains="公示至 2026-12-09").exists()

    # the public sees it (no sign-in) with its period, and may object while it runs
    page = client.get(reverse("filings:notice_detail", args=[item.notice_id])).content.decode()
    assert "变更备案公示" in page and "车工" in page and "提出异议" in page

    assert sweep_changes(D(2026, 12, 9)) == 0  # the last day of the notice is still in it
    assert sweep_changes(D(2026, 12, 10)) == 1
    change.refresh_from_db()
    assert change.state == CR.APPROVED and change.notice_ends_on is None
    assert active.scope.filter(occupation=world.lathe).exists() and active.receipts.count() == 2
    assert AuditEntry.objects.filter(action="change.complete_notice", actor__isnull=True).exists()
    assert sweep_changes(D(2026, 12, 11)) == 0  # idempotent


def test_a_persons_action_after_the_end_meets_the_same_rule_as_the_sweep(world, active):
    """[003 §7] TimeLimits: when the city acts after the notice ended and before the sweep ran, the
    notice is completed first (dated the day after its end), and the city's act is not carried out."""
    change = in_notice(world, active)
    with pytest.raises(TransitionRefused, match="已超过办理时限"):
        act(change_id=change.pk, action="refuse", actor=world.city, comment="不同意", today=D(2026, 12, 10))
    change.refresh_from_db()
    assert change.state == CR.APPROVED and active.receipts.count() == 2
    entry = AuditEntry.objects.get(action="change.complete_notice", outcome="succeeded")
    assert "2026-12-10" in entry.comment
    assert sweep_changes(D(2026, 12, 11)) == 0  # nothing left for the sweep


def test_a_pending_objection_stops_the_change_from_applying(world, active):
    """[003 §7, 001 §3(3)]: an objection under verification holds the change in its notice, at the
    sweep and at anyone's action; once dismissed, the change applies."""
    change = in_notice(world, active)
    item = NoticeItem.objects.get(change=change)
    objection = file_objection(item=item, name="张三", contact="13800000000", text="考评人员名单不实。",
                               today=D(2026, 12, 3))
    after = D(2026, 12, 10)
    assert list(changes_due(after)[0][1]) == []
    assert sweep_changes(after) == 0
    with pytest.raises(TransitionRefused, match="公示中"):  # someone acting does not end the notice either
        act(change_id=change.pk, action="withdraw", actor=world.pudong_clerk, today=after)
    change.refresh_from_db()
    assert change.state == CR.NOTICE and active.receipts.count() == 1
    assert not AuditEntry.objects.filter(action="change.complete_notice", outcome="succeeded").exists()

    resolve_objection(objection_id=objection.pk, actor=world.city, upheld=False, resolution="经核实，名单属实。")
    assert sweep_changes(after) == 1
    change.refresh_from_db()
    assert change.state == CR.APPROVED and active.scope.filter(occupation=world.lathe).exists()


def test_an_upheld_objection_returns_the_change_to_review(world, active):
    """[001 §3(3), 003 §7]: upheld → the added scope goes back to the experts; the notice no longer
    takes objections and never ends by itself; nothing applied."""
    change = in_notice(world, active)
    item = NoticeItem.objects.get(change=change)
    objection = file_objection(item=item, name="李四", contact="lisi@example.com", text="场地不符。",
                               today=D(2026, 12, 3))
    with pytest.raises(TransitionRefused, match="退回评审或不予备案"):
        resolve_objection(objection_id=objection.pk, actor=world.city, upheld=True, resolution="属实")
    resolve_objection(objection_id=objection.pk, actor=world.city, upheld=True, resolution="属实",
                      then="reopen_review")
    change.refresh_from_db()
    assert change.state == CR.EXPERT_REVIEW and change.notice_ends_on is None
    assert AuditEntry.objects.filter(action="change.reopen_review", comment__contains="异议成立").exists()
    assert sweep_changes(D(2026, 12, 10)) == 0
    assert active.scope.count() == 1 and active.receipts.count() == 1


def test_an_upheld_objection_may_refuse_the_change_and_nothing_changes(world, active):
    """[003 §7]: refused on an objection, the filing stays as it was."""
    change = in_notice(world, active)
    objection = file_objection(item=NoticeItem.objects.get(change=change), name="王五", contact="13900000000",
                               text="不符合条件。", today=D(2026, 12, 3))
    resolve_objection(objection_id=objection.pk, actor=world.city, upheld=True, resolution="属实", then="refuse")
    change.refresh_from_db()
    assert change.state == CR.REFUSED and change.notice_ends_on is None
    assert active.scope.count() == 1 and active.receipts.count() == 1
    assert sweep_changes(D(2026, 12, 10)) == 0


def test_a_refused_step_changes_nothing(world, active):
    """A refusal leaves no trace but the refused attempt: no notice, no state change [003 §7]."""
    change = reviewed_addition(world, active)
    with pytest.raises(TransitionRefused):
        act(change_id=change.pk, action="approve", actor=world.city)
    PolicyProfile.objects.filter(is_active=True).update(min_examiners_per_level=6)
    with pytest.raises(TransitionRefused, match="不足 6 名"):
        act(change_id=change.pk, action="approve_for_notice", actor=world.city)
    change.refresh_from_db()
    assert change.state == CR.EXPERT_REVIEW and change.notice_ends_on is None
    assert not NoticeItem.objects.filter(change=change).exists() and not PublicNotice.objects.filter(purpose=PublicNotice.Purpose.CHANGE).exists()
    assert active.receipts.count() == 1


def test_no_notice_where_the_policy_publishes_none(world, active):
    """[002 §12]: where the bureau publishes no notice, added scope applies at the city's approval,
    as an initial filing's does; a notice step is then refused."""
    PolicyProfile.objects.filter(is_active=True).update(notice_scope=PolicyProfile.NoticeScope.NONE)
    change = reviewed_addition(world, active)
    with pytest.raises(TransitionRefused, match="无需公示"):
        act(change_id=change.pk, action="approve_for_notice", actor=world.city)
    assert act(change_id=change.pk, action="approve", actor=world.city).state == CR.APPROVED
    assert active.receipts.count() == 2 and not PublicNotice.objects.filter(purpose=PublicNotice.Purpose.CHANGE).exists()


def test_social_only_notice_publishes_a_social_organisations_change_only(world, active):
    """[002 §12, 003 §7]: a policy publishing only social organisations' filings publishes only
    their changes (decided by `Filing.notice_required`, as for the initial filing)."""
    PolicyProfile.objects.filter(is_active=True).update(notice_scope=PolicyProfile.NoticeScope.SOCIAL)
    enterprise = reviewed_addition(world, active)
    assert not enterprise.notice_required()
    social = world.filing(agency=world.xuhui_social, state=S.ACTIVE, occupations=[world.carer])
    change = reviewed_addition(world, social, clerk=world.xuhui_clerk, reviewer=world.xuhui_reviewer)
    assert change.notice_required()


def test_the_notice_counts_2027_holidays(world, active):
    """Working days across a year the calendar library may not know [issue 10 §1]: 元旦 2027 and the
    Spring Festival (除夕 to 初三) are not working days of the notice [003 §7]."""
    change = in_notice(world, active, today=D(2026, 12, 30))
    assert change.notice_ends_on == D(2027, 1, 7)  # 12-31, (1-1 元旦), 1-4 … 1-7
    assert sweep_changes(D(2027, 1, 7)) == 0 and sweep_changes(D(2027, 1, 8)) == 1

    other = world.filing(agency=world.soe, state=S.ACTIVE)
    change = reviewed_addition(world, other, clerk=world.soe_clerk)
    change = act(change_id=change.pk, action="approve_for_notice", actor=world.city, today=D(2027, 2, 4))
    assert change.notice_ends_on == D(2027, 2, 15)  # 2-5 除夕 … 2-8 初三 rest; 2-9 … 2-12, 2-15


def test_the_running_notice_is_on_the_schedule(world, active):
    """The change's notice end is a running deadline, moved when a year's schedule is loaded
    (portal/schedule.py) [003 §7]."""
    change = in_notice(world, active, today=datetime.date.today())
    deadlines = [d for d in running_deadlines(datetime.date.today(), change.notice_ends_on)
                 if d.due == change.notice_ends_on and "变更备案公示" in d.label]
    assert len(deadlines) == 1
    new = change.notice_ends_on + datetime.timedelta(days=1)
    deadlines[0].save(new)
    change.refresh_from_db()
    assert change.notice_ends_on == new and NoticeItem.objects.get(change=change).notice.ends_on == new


def test_the_change_page_shows_the_notice_and_its_clock(client, world, active):
    """The agency and the city see the notice period on the change's page, and the city the
    objections to verify [003 §7]."""
    change = in_notice(world, active, today=datetime.date.today())
    file_objection(item=NoticeItem.objects.get(change=change), name="张三", contact="13800000000",
                   text="名单不实。")
    client.force_login(world.pudong_clerk)
    page = client.get(reverse("filings:change_detail", args=[change.pk])).content.decode()
    assert "公示中" in page and f"{change.notice_ends_on:%Y-%m-%d}" in page
    assert "名单不实" not in page  # the objector is for the city to verify
    client.force_login(world.city)
    page = client.get(reverse("filings:change_detail", args=[change.pk])).content.decode()
    assert f"{change.notice_ends_on:%Y-%m-%d}" in page and "名单不实" in page and "核实" in page


def test_scope_that_no_longer_passes_at_the_end_waits_for_the_city(world, active):
    """[003 §8(4)]: if the rules tightened during the notice, the end applies nothing; the city,
    acting after the end, can still refuse (the notice does not end by itself)."""
    change = in_notice(world, active)
    PolicyProfile.objects.filter(is_active=True).update(min_examiners_per_level=6)
    assert sweep_changes(D(2026, 12, 10)) == 0
    change = act(change_id=change.pk, action="refuse", actor=world.city, comment="考评人员不足。",
                 today=D(2026, 12, 10))
    assert change.state == CR.REFUSED and active.scope.count() == 1 and active.receipts.count() == 1
