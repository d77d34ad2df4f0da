"""The filing workflow through the reviewers' screens [SPEC §3, issue 3 §3-5, §12]: each transition
allowed for the right role and refused for the others, comments where the decision goes against the
agency, the second of two simultaneous decisions told plainly, deadlines shown as countdowns, and a
work list whose query count does not grow with its rows."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from filings.choices import FilingState as S
from filings.models import Filing
from portal.models import AuditEntry
from portal.workdays import add_workdays


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def act(client, user, filing, action, comment="", expected=None):
    client.force_login(user)
    return client.post(reverse("filings:act", args=[filing.pk]),
                       {"action": action, "comment": comment, "expected_state": expected or filing.state})


def state_of(filing):
    return Filing.objects.get(pk=filing.pk).state


# (state the filing is in, its agency, the action, who presses it, the comment, resulting state or HTTP status)
CASES = [
    # Completeness check by the receiving authority [002 §10]: the district for a district enterprise.
    (S.SUBMITTED, "pudong_enterprise", "accept", "pudong_reviewer", "", S.PRE_REVIEW),
    (S.SUBMITTED, "pudong_enterprise", "accept", "xuhui_reviewer", "", 404),
    (S.SUBMITTED, "pudong_enterprise", "accept", "city", "", 403),
    (S.SUBMITTED, "pudong_enterprise", "accept", "pudong_clerk", "", 403),
    (S.SUBMITTED, "pudong_enterprise", "request_supplement", "pudong_reviewer", "缺信用报告", S.SUPPLEMENT_REQUESTED),
    (S.SUBMITTED, "pudong_enterprise", "refuse_acceptance", "pudong_reviewer", "不属于本机关职责", S.REFUSED),
    # Straight to the city [000 §4(1)].
    (S.SUBMITTED, "soe", "accept", "city", "", S.ACCEPTED),
    (S.SUBMITTED, "soe", "accept", "xuhui_reviewer", "", 403),
    # Through the industry department [000 §4(1)].
    (S.SUBMITTED, "association", "accept", "industry_reviewer", "", S.PRE_REVIEW),
    (S.SUBMITTED, "association", "accept", "commerce_reviewer", "", 404),
    # Pre-review: opinion attached and forwarded, or returned [003 §7].
    (S.PRE_REVIEW, "pudong_enterprise", "forward", "pudong_reviewer", "同意报送", S.ACCEPTED),
    (S.PRE_REVIEW, "pudong_enterprise", "forward", "city", "同意报送", 403),
    (S.PRE_REVIEW, "pudong_enterprise", "return_to_agency", "pudong_reviewer", "考评员证书不符", S.RETURNED),
    (S.PRE_REVIEW, "association", "forward", "industry_reviewer", "同意报送", S.ACCEPTED),
    (S.PRE_REVIEW, "association", "forward", "pudong_reviewer", "同意报送", 403),
    # The city's evaluation and decision [002 §11].
    (S.EXPERT_REVIEW, "pudong_enterprise", "start_expert_review", "city", "", 409),  # already started
    (S.SELECTION, "pudong_enterprise", "approve_for_notice", "city", "", S.PUBLIC_NOTICE),
    (S.SELECTION, "pudong_enterprise", "approve_for_notice", "pudong_reviewer", "", 403),
    (S.SELECTION, "pudong_enterprise", "refuse", "city", "场地不满足要求", S.REFUSED),
    (S.SELECTION, "pudong_enterprise", "refuse", "expert", "场地不满足要求", 403),
    # The agency withdraws before a decision.
    (S.PRE_REVIEW, "pudong_enterprise", "withdraw", "pudong_clerk", "暂缓申请", S.WITHDRAWN),
    (S.PRE_REVIEW, "pudong_enterprise", "withdraw", "pudong_reviewer", "暂缓申请", 403),
]


@pytest.mark.parametrize("state,agency,action,who,comment,outcome", CASES,
                         ids=[f"{c[2]}-{c[3]}-{c[0]}" for c in CASES])
def test_each_transition_is_allowed_for_its_role_and_refused_for_the_others(
        world, client, state, agency, action, who, comment, outcome):
    """[002 §10-11, 003 §7, 000 §4(1)]"""
    filing = world.filing(agency=getattr(world, agency), state=state)
    user = world.experts[0] if who == "expert" else getattr(world, who)
    before = AuditEntry.for_object(filing).filter(outcome="succeeded").count()
    response = act(client, user, filing, action, comment)
    if outcome == 409:  # the button is no longer there: told plainly, nothing changes
        assert response.status_code == 302
        page = client.get(response.url)
        assert "已由他人处理" in page.content.decode()
        assert state_of(filing) == state
    elif isinstance(outcome, int):
        assert response.status_code == outcome
        assert state_of(filing) == state
        assert AuditEntry.for_object(filing).filter(outcome="succeeded").count() == before
    else:
        assert response.status_code == 302
        assert state_of(filing) == outcome
        entry = AuditEntry.for_object(filing).filter(action=f"filing.{action}", outcome="succeeded").get()
        assert entry.actor == user and entry.comment == comment
        page = client.get(response.url).content.decode()
        assert str(S(outcome).label) in page


@pytest.mark.parametrize("action", ["request_supplement", "refuse_acceptance"])
def test_a_decision_against_the_agency_needs_a_comment_beside_the_field(world, client, action):
    """[002 §10] 一次性告知 and 不予受理 are given in writing with reasons."""
    filing = world.filing(state=S.SUBMITTED)
    response = act(client, world.pudong_reviewer, filing, action)
    assert response.status_code == 400
    assert "此操作须填写意见或理由" in response.content.decode()
    assert state_of(filing) == S.SUBMITTED


def test_two_reviewers_deciding_at_once_the_second_is_told_someone_else_decided(world, client):
    """[issue 3 §3] Exactly one wins; the other sees a plain message and changes nothing."""
    filing = world.filing(state=S.SUBMITTED)
    first = act(client, world.pudong_reviewer, filing, "accept", expected=S.SUBMITTED)
    assert first.status_code == 302 and state_of(filing) == S.PRE_REVIEW
    second = act(client, world.pudong_reviewer, filing, "request_supplement", "缺信用报告", expected=S.SUBMITTED)
    assert second.status_code == 302
    page = client.get(second.url).content.decode()
    assert "该备案已由他人处理" in page and "您的操作未执行" in page
    assert state_of(filing) == S.PRE_REVIEW
    assert not AuditEntry.for_object(filing).filter(action="filing.request_supplement", outcome="succeeded").exists()


def test_a_refused_transition_says_why_and_changes_nothing(world, client):
    """[002 §11] The panel must be named before the expert review starts."""
    filing = world.filing(agency=world.soe, state=S.ACCEPTED)
    response = act(client, world.city, filing, "start_expert_review")
    assert response.status_code == 400
    assert "专家组人数不足" in response.content.decode()
    assert state_of(filing) == S.ACCEPTED


def test_the_detail_page_shows_buttons_only_for_what_the_user_may_do(world, client):
    filing = world.filing(state=S.SUBMITTED)
    client.force_login(world.pudong_reviewer)
    page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert 'value="accept"' in page and 'value="request_supplement"' in page
    assert f'name="expected_state" value="{S.SUBMITTED}"' in page
    client.force_login(world.city)
    page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert 'value="accept"' not in page


def test_the_pre_review_opinion_travels_with_the_filing_to_the_city(world, client):
    """[003 §7, 000 §4(1)]"""
    filing = world.filing(state=S.PRE_REVIEW)
    act(client, world.pudong_reviewer, filing, "forward", "经初审，场地与师资符合要求，同意报送。")
    client.force_login(world.city)
    page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert "初审意见" in page and "经初审，场地与师资符合要求，同意报送。" in page
    assert world.pudong_reviewer.get_full_name() in page


def test_the_detail_page_shows_agency_scope_examiners_materials_and_timeline(world, client):
    filing = world.filing(state=S.PRE_REVIEW)
    client.force_login(world.pudong_reviewer)
    page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert world.pudong_enterprise.uscc in page
    assert world.electrician.name in page
    assert "考评员" in page  # examiners' names
    assert "信用报告" in page and reverse("filings:material_download", args=[filing.materials.first().pk]) in page
    # Timeline: submit and accept, with the actors.
    assert "提交备案申请" in page and "受理" in page and world.pudong_clerk.get_full_name() in page


def test_the_completeness_check_counts_down_in_working_days(world, client):
    """[002 §10] 5 working days to check completeness."""
    today = timezone.localdate()
    filing = world.filing(state=S.SUBMITTED, today=today)
    client.force_login(world.pudong_reviewer)
    page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert "形式审查" in page and "剩余 5 个工作日" in page


def test_an_overdue_decision_is_flagged_on_the_work_list(world, client):
    """[002 §11] Decision within 90 days of acceptance, flagged when late."""
    long_ago = timezone.localdate() - datetime.timedelta(days=100)
    late = world.filing(state=S.PRE_REVIEW, today=long_ago)
    fresh = world.filing(agency=world.school, state=S.PRE_REVIEW)
    client.force_login(world.pudong_reviewer)
    page = client.get(reverse("filings:worklist") + "?tab=overdue").content.decode()
    assert "已逾期 10 天" in page and reverse("filings:detail", args=[late.pk]) in page
    assert reverse("filings:detail", args=[fresh.pk]) not in page
    page = client.get(reverse("filings:worklist") + "?tab=todo").content.decode()
    assert reverse("filings:detail", args=[fresh.pk]) in page and reverse("filings:detail", args=[late.pk]) in page


def test_due_soon_lists_what_ends_within_seven_days_or_two_working_days(world, client):
    """[issue 3 §12] 即将到期: ≤ 2 working days (completeness check) or ≤ 7 days (decision)."""
    today = timezone.localdate()
    soon = world.filing(state=S.PRE_REVIEW, today=today - datetime.timedelta(days=85))
    later = world.filing(agency=world.school, state=S.PRE_REVIEW, today=today - datetime.timedelta(days=60))
    client.force_login(world.pudong_reviewer)
    page = client.get(reverse("filings:worklist") + "?tab=due_soon").content.decode()
    assert reverse("filings:detail", args=[soon.pk]) in page and "剩余 5 天" in page
    assert reverse("filings:detail", args=[later.pk]) not in page


def test_work_list_filters_by_state_district_kind_and_name(world, client):
    pudong = world.filing(state=S.SUBMITTED)
    school = world.filing(agency=world.school, state=S.PRE_REVIEW)
    xuhui = world.filing(agency=world.soe, state=S.SUBMITTED)
    client.force_login(world.city)
    url = reverse("filings:worklist")

    def shown(query):
        page = client.get(url + "?tab=all&" + query).content.decode()
        return {f.pk for f in (pudong, school, xuhui) if reverse("filings:detail", args=[f.pk]) in page}

    assert shown("") == {pudong.pk, school.pk, xuhui.pk}
    assert shown(f"state={S.PRE_REVIEW}") == {school.pk}
    assert shown(f"district={world.xuhui.pk}") == {xuhui.pk}
    assert shown("kind=school") == {school.pk}
    assert shown("q=城建") == {xuhui.pk}


def test_the_city_work_list_holds_only_what_the_city_acts_on(world, client):
    district_step = world.filing(state=S.SUBMITTED)
    city_step = world.filing(agency=world.soe, state=S.SUBMITTED)
    client.force_login(world.city)
    page = client.get(reverse("filings:worklist")).content.decode()
    assert reverse("filings:detail", args=[city_step.pk]) in page
    assert reverse("filings:detail", args=[district_step.pk]) not in page


def test_agency_users_and_experts_have_no_work_list(world, client):
    for user in (world.pudong_clerk, world.experts[0]):
        client.force_login(user)
        assert client.get(reverse("filings:worklist")).status_code == 403


def test_the_work_list_costs_the_same_queries_for_many_rows(world, client, django_assert_max_num_queries):
    """[issue 3 §12] The number of queries does not grow with the rows."""
    client.force_login(world.city)
    url = reverse("filings:worklist") + "?tab=all"
    world.filing(state=S.SUBMITTED)
    client.get(url)  # warm caches (content types, policy)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for agency in (world.school, world.soe, world.xuhui_social, world.association):
        world.filing(agency=agency, state=S.SUBMITTED)
        world.filing(agency=agency, state=S.PRE_REVIEW)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count('class="btn btn-secondary btn-sm"') == 9


def test_the_reviewer_dashboard_counts_to_do_due_soon_and_overdue(world, client):
    world.filing(state=S.PRE_REVIEW, today=timezone.localdate() - datetime.timedelta(days=100))
    world.filing(agency=world.school, state=S.SUBMITTED)
    client.force_login(world.pudong_reviewer)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "备案审核" in page and "即将到期" in page and "已逾期 10 天" in page


def test_add_workdays_is_what_the_countdown_counts(world):
    """The countdown agrees with portal.workdays for a date across a holiday."""
    from filings.worklist import Clock
    from portal.workdays import workdays_between

    today = datetime.date(2025, 9, 26)
    due = add_workdays(today, 5)
    assert Clock(today).workdays_until(due) == workdays_between(today, due) == 5
