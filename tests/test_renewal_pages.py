"""The renewal page's history and clock, its buttons, and the self-assessment form on a refused save —
issue #10 items 12 and 18. The clock is tried across the 2026 National Day holidays, across 2027 (a
year the calendar library may not know) and across 29 February."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from assessments import history, services
from assessments.demo import active_filing, drive_renewal, item_values
from assessments.models import RenewalAssessment
from portal import workdays
from portal.demo import DEMO_PASSWORD
from portal.models import PolicyProfile

DAY = datetime.timedelta(days=1)


def filing_until(world, expires_on):
    return active_filing(world.pudong_enterprise, world.pudong_clerk, expires_on=expires_on, actors=world.actors,
                         experts=world.experts[:3], occupations=[world.electrician])


def renew(world, filing, state, today, **kw):
    return drive_renewal(filing, state, actors=world.actors, experts=world.experts[:3], today=today, **kw)


def clock(a, today) -> dict:
    return {c.label: c for c in history.countdowns(a, today)}


def login(client, user):
    client.login(username=user.username, password=DEMO_PASSWORD)
    return client


# ----- 18: history and clock ------------------------------------------------------------------
def test_the_renewal_page_shows_its_history_and_its_clock_as_the_filing_page_does(world, client):
    """[003 §18, 000 §5] every step with who and when, newest first; the latest application day counts down."""
    today = timezone.localdate()
    filing = filing_until(world, today + 60 * DAY)
    a = renew(world, filing, "returned", today)
    login(client, world.pudong_clerk)
    page = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    timeline = page[page.index('data-testid="timeline"'):]
    titles = re.findall(r'class="timeline-title">([^<]+)<', timeline)
    assert titles[:2] == ["退回修改", "提交续期申请"] and titles[-1] == "开始期满评估申请"
    assert "发证数量与系统数据不一致，请核对。" in timeline  # the pre-reviewer's reasons
    countdowns = page[page.index('data-testid="countdowns"'):]
    assert f"最迟申请日：{filing.valid_until:%Y-%m-%d}" in countdowns and "剩余 60 天" in countdowns


def test_the_agency_does_not_see_each_experts_step_and_others_see_no_expert_names(world, client):
    """[002 §11] who reviewed is the city's to know; the agency sees that the panel finished."""
    filing = filing_until(world, timezone.localdate() + 60 * DAY)
    a = renew(world, filing, "deciding", timezone.localdate())
    agency = [t["title"] for t in history.timeline_for(a, world.pudong_clerk)]
    assert "专家评审完成" in agency and "专家提交评估意见" not in agency and "保存评审评分" not in agency
    district = [t for t in history.timeline_for(a, world.pudong_reviewer) if t["title"] == "专家提交评估意见"]
    assert district and {t["actor"] for t in district} == {"评审专家"} and not any(t["comment"] for t in district)
    city = [t for t in history.timeline_for(a, world.city) if t["title"] == "专家提交评估意见"]
    assert {t["actor"] for t in city} != {"评审专家"} and all(t["comment"] for t in city)


def test_the_notice_of_results_counts_working_days_across_the_2026_national_day_holidays(world):
    """[000 §4(3)] published Mon 28 Sep 2026 for 5 working days: 29, 30 Sep, then 国庆 1–7 Oct, then 8, 9
    and Saturday 10 Oct (调休): ends 10 Oct; on 7 Oct three working days are left."""
    a = renew(world, filing_until(world, datetime.date(2026, 12, 20)), "notice", datetime.date(2026, 9, 28))
    assert a.notice_ends_on == datetime.date(2026, 10, 10)
    assert clock(a, datetime.date(2026, 9, 28))["公示"].remaining == 5
    notice = clock(a, datetime.date(2026, 10, 7))["公示"]
    assert notice.remaining == 3 and notice.text == "剩余 3 个工作日"


def test_the_notice_of_results_counts_working_days_across_the_2027_spring_festival(world):
    """[000 §4(3)] in 2027 the statutory 除夕–初三 (5–8 Feb) are never working days, known to the library
    or not: published Wed 3 Feb for 5 working days ends Fri 12 Feb; on 5 Feb four are left."""
    a = renew(world, filing_until(world, datetime.date(2027, 3, 31)), "notice", datetime.date(2027, 2, 3))
    assert a.notice_ends_on == datetime.date(2027, 2, 12)
    assert clock(a, datetime.date(2027, 2, 5))["公示"].remaining == 4
    if not workdays.library_knows(2027):
        assert not workdays.is_workday(datetime.date(2027, 2, 8))


def test_the_latest_application_day_counts_calendar_days_across_29_february(world):
    """[000 §5] a validity ending 29 Feb 2028 (a leap day): the window opened 29 Nov 2027 and the
    latest application day is the expiry itself: one day left on 28 Feb, due on 29 Feb."""
    filing = filing_until(world, datetime.date(2028, 2, 29))
    a = renew(world, filing, "draft", datetime.date(2027, 11, 29))
    assert clock(a, datetime.date(2028, 2, 28))["最迟申请日"].remaining == 1
    due = clock(a, datetime.date(2028, 2, 29))["最迟申请日"]
    assert due.due == datetime.date(2028, 2, 29) and due.text == "今日到期"


def test_under_shandong_the_latest_application_day_is_two_months_after_28_february_2027(world):
    """[004 §4(3)] a validity ending 28 Feb 2027: the latest application day is 28 Apr 2027, counted
    in calendar days through the 2027 Qingming holiday."""
    PolicyProfile.ensure_presets("shandong")
    a = renew(world, filing_until(world, datetime.date(2027, 2, 28)), "draft", datetime.date(2027, 1, 4))
    latest = clock(a, datetime.date(2027, 3, 29))["最迟申请日"]
    assert latest.due == datetime.date(2027, 4, 28) and latest.remaining == 30


# ----- 18: no pass button over a recorded veto ------------------------------------------------------
def test_no_pass_button_is_offered_over_a_recorded_veto(world, client):
    """[004 Annex 2 六] any veto fails the assessment regardless of score: the city is offered 评估不通过 only."""
    filing = filing_until(world, timezone.localdate() + 60 * DAY)
    a = renew(world, filing, "deciding", timezone.localdate(), veto="6.4")
    assert a.review_vetoed
    names = [n for n, _label in services.available_actions(a, world.city)]
    assert "decide_fail" in names and "decide_pass" not in names
    page = login(client, world.city).get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert "审定：评估不通过" in page and "审定：评估通过" not in page


def test_without_a_veto_the_pass_button_is_offered(world):
    """[000 §4(3)] the city approves a pass with its reasons."""
    a = renew(world, filing_until(world, timezone.localdate() + 60 * DAY), "deciding", timezone.localdate())
    assert "decide_pass" in [n for n, _label in services.available_actions(a, world.city)]


# ----- 12: a wrong score keeps what was typed ------------------------------------------------------
def test_one_wrong_score_keeps_every_typed_value_marks_the_field_and_saves_nothing(world, client):
    """[SPEC §4.3] scores stay within 0..max: 1.1 typed as 9 (max 5) is refused beside 1.1, the other
    values and notes come back as typed, and nothing is stored."""
    filing = filing_until(world, timezone.localdate() + 60 * DAY)
    a = services.open_renewal(filing_id=filing.pk, actor=world.pudong_clerk, today=timezone.localdate())
    items = {i.code: i for i in a.rubric.items.all()}
    post = {f"self_{pk}": value for pk, (value, _note) in item_values(a, fraction=0.6).items()}
    post[f"selfnote_{items['4.3'].pk}"] = "本期无投诉要求机构说明情况"  # judged by hand needs a reason [004 Annex 2 4.3]
    post[f"self_{items['1.1'].pk}"] = "9"
    post[f"self_{items['1.2'].pk}"] = "4"
    post[f"selfnote_{items['1.2'].pk}"] = "专职人员 3 名"
    post[f"self_{items['6.2'].pk}"] = "0"
    r = login(client, world.pudong_clerk).post(reverse("assessments:self_assessment", args=[a.pk]), post)
    page = r.content.decode()
    assert r.status_code == 200 and "未保存任何得分" in page
    bad = items["1.1"].pk
    assert re.search(rf'name="self_{bad}"[^>]*value="9"[^>]*aria-invalid="true"', page)
    assert f'id="err-{bad}"' in page and "1.1 的得分应在 0 至 5 分之间" in page.split(f'id="err-{bad}"')[1][:200]
    assert re.search(rf'name="self_{items["1.2"].pk}"[^>]*value="4"', page)
    assert 'value="专职人员 3 名"' in page
    assert re.search(rf'name="self_{items["2.1"].pk}"[^>]*value="4"', page)  # 7 × 0.6, as typed
    assert re.search(r'<option value="0" selected>否</option>', page.split(f'name="self_{items["6.2"].pk}"')[1])
    assert page.count("aria-invalid") == 1
    assert not RenewalAssessment.objects.get(pk=a.pk).scores.exists()
