"""Rubric item 4.3 read from the complaint records [004 Annex 2 4.3: 投诉处理措施 — 投诉处理及时并反馈
(4 分)；投诉未及时处理无反馈 (0 分)] — issue #13 item 4: the item and the star rating read from the
records, not from a typed answer. When no complaint asked the agency to answer in the period, the
item is judged by hand with a reason, as 3.5 is when nothing was issued."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.demo import active_filing, complete_application, item_values
from assessments.models import RenewalAssessment, RubricItem
from supervision import rating_factors
from supervision.models import Complaint
from supervision.selectors.complaints import agency_answer_timeliness
from supervision.services import complaints as svc
from tests._complaints_helpers import _complaint_limits  # noqa: F401

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def asked(w, agency, handler, *, asked_on, answered_on=None, text="收取考生加急费每人500元，没有收据。"):
    """A complaint about `agency` whose handler asked the agency to explain on `asked_on` (due 5
    working days later), answered on `answered_on` (or not at all)."""
    c, _code = svc.file_complaint(category="fees", description=f"{agency.name}{text}", agency=agency,
                                  contact_phone="13800001111", today=asked_on)
    svc.perform_complaint(complaint_id=c.pk, action="accept", actor=handler, today=asked_on)
    svc.perform_complaint(complaint_id=c.pk, action="investigate", actor=handler, handler_id=handler.pk,
                          today=asked_on)
    svc.ask_agency(complaint_id=c.pk, question="请说明收费依据", actor=handler, today=asked_on)
    if answered_on:
        svc.answer_as_agency(complaint_id=c.pk, answer="系资料费，已退还。", actor=agency.staff.first(),
                             today=answered_on)
    return Complaint.objects.get(pk=c.pk)


@pytest.fixture
def renewal(world):
    filing = active_filing(world.pudong_enterprise, world.pudong_clerk, expires_on=TODAY + 60 * DAY,
                           actors=world.actors, experts=world.experts[:3], occupations=[world.electrician])
    return services.open_renewal(filing_id=filing.pk, actor=world.pudong_clerk, today=TODAY)


def item_4_3(a):
    return a.rubric.items.get(code="4.3")


def fresh(a):
    return RenewalAssessment.objects.get(pk=a.pk)


# ----- the selector ----------------------------------------------------------------------------------------

def test_timeliness_per_agency_in_one_query(world, django_assert_num_queries):
    """[004 Annex 2 4.3] True: every question answered by its due date; False: one answered late, or
    unanswered past its due date; None: no question (or only one still within its time)."""
    month_ago = TODAY - 30 * DAY
    asked(world, world.pudong_enterprise, world.pudong_reviewer, asked_on=month_ago, answered_on=month_ago + DAY)
    asked(world, world.xuhui_social, world.xuhui_reviewer, asked_on=month_ago, answered_on=month_ago + 20 * DAY)
    asked(world, world.school, world.pudong_reviewer, asked_on=month_ago)  # never answered
    asked(world, world.soe, world.city, asked_on=TODAY)  # due in 5 working days: not late yet
    ids = [world.pudong_enterprise.pk, world.xuhui_social.pk, world.school.pk, world.soe.pk, world.association.pk]
    with django_assert_num_queries(1):
        answer = agency_answer_timeliness(ids, TODAY - 365 * DAY, TODAY)
    assert answer == {world.pudong_enterprise.pk: True, world.xuhui_social.pk: False, world.school.pk: False,
                      world.soe.pk: None, world.association.pk: None}


def test_a_new_question_does_not_erase_a_late_one(client, world):
    """[004 Annex 2 4.3] The records keep every question: asking again about the same complaint after
    the agency let the first deadline pass does not turn the late answer into a timely one."""
    start = TODAY - 60 * DAY
    c = asked(world, world.pudong_enterprise, world.pudong_reviewer, asked_on=start)  # never answered in time
    svc.ask_agency(complaint_id=c.pk, question="请再次说明收费依据", actor=world.pudong_reviewer, today=start + 20 * DAY)
    svc.answer_as_agency(complaint_id=c.pk, answer="系资料费，已退还。", actor=world.pudong_enterprise.staff.first(),
                         today=start + 21 * DAY)
    assert c.questions.count() == 2
    client.force_login(world.pudong_reviewer)
    page = client.get(f"/supervision/complaints/{c.pk}/").content.decode()
    assert 'id="earlier-questions"' in page and "，逾期" in page  # the first, answered only after its deadline
    pk = world.pudong_enterprise.pk
    assert agency_answer_timeliness([pk], TODAY - 365 * DAY, TODAY)[pk] is False


def test_one_late_answer_among_timely_ones_is_late(world):
    """[004 Annex 2 4.3] 投诉未及时处理无反馈: a single late answer in the period is enough."""
    start = TODAY - 60 * DAY
    asked(world, world.pudong_enterprise, world.pudong_reviewer, asked_on=start, answered_on=start + DAY)
    asked(world, world.pudong_enterprise, world.pudong_reviewer, asked_on=start + 10 * DAY,
          answered_on=start + 30 * DAY, text="考场内有人代考，监考人员未制止，考生反映多次。")
    pk = world.pudong_enterprise.pk
    assert agency_answer_timeliness([pk], TODAY - 365 * DAY, TODAY)[pk] is False
    assert agency_answer_timeliness([pk], start, start + 9 * DAY)[pk] is True  # the late one is outside


# ----- the rubric --------------------------------------------------------------------------------------

def test_the_shipped_rubric_reads_4_3_from_the_complaint_records(world, renewal):
    """[004 Annex 2 4.3] the loader gives the 投诉处理 line its own kind: computed, 4 or 0."""
    item = item_4_3(renewal)
    assert item.kind == RubricItem.Kind.COMPLAINT_RECORDS and item.max_score == 4
    assert item.counts_towards_total and not item.entered_by_hand


def test_answered_in_time_gives_full_marks_whatever_was_typed(world, renewal):
    """[004 Annex 2 4.3] 投诉处理及时并反馈 → 4, from the records; a typed 0 changes nothing."""
    asked(world, world.pudong_enterprise, world.pudong_reviewer, asked_on=TODAY - 30 * DAY,
          answered_on=TODAY - 29 * DAY)
    a = fresh(renewal)
    assert a.computed_points(item_4_3(a)) == 4 and not a.judged_by_hand(item_4_3(a))
    values = item_values(a)
    values[item_4_3(a).pk] = ("0", "")
    services.save_self_scores(assessment_id=a.pk, actor=world.pudong_clerk, values=values)
    a = fresh(a)
    assert a.self_total == 100 - 7  # full marks but 3.5, which nothing issued leaves judged (not typed here)
    assert not a.scores.filter(item=item_4_3(a)).exists()
    assert "评估项 4.3 尚未自评" not in a.self_assessment_problems()


def test_a_late_answer_gives_zero(world, renewal):
    """[004 Annex 2 4.3] 投诉未及时处理无反馈 → 0: the total says so without anyone typing it."""
    asked(world, world.pudong_enterprise, world.pudong_reviewer, asked_on=TODAY - 60 * DAY)
    a = complete_application(fresh(renewal), world.pudong_clerk)
    assert a.computed_points(item_4_3(a)) == 0 and not a.judged_by_hand(item_4_3(a))
    assert a.self_total == 100 - 4


def test_no_complaint_leaves_4_3_judged_by_hand_with_a_reason(world, renewal):
    """[004 Annex 2 4.3] with no complaint asking the agency anything there is nothing to read: the
    agency judges 4 or 0 and says why; without a reason nothing is saved."""
    a = fresh(renewal)
    item = item_4_3(a)
    assert a.computed_points(item) is None and a.judged_by_hand(item)
    assert "评估项 4.3 尚未自评" in a.self_assessment_problems()
    values = item_values(a)
    values[item.pk] = ("4", "")
    with pytest.raises(ValidationError) as exc:
        services.save_self_scores(assessment_id=a.pk, actor=world.pudong_clerk, values=values)
    assert "评定理由" in exc.value.message_dict["4.3"][0] and not a.scores.exists()
    values[item.pk] = ("2", "本期未收到投诉。")
    with pytest.raises(ValidationError, match="4 分或 0 分"):
        services.save_self_scores(assessment_id=a.pk, actor=world.pudong_clerk, values=values)
    values[item.pk] = ("4", "本期未收到投诉。")
    services.save_self_scores(assessment_id=a.pk, actor=world.pudong_clerk, values=values)
    assert fresh(a).scores.get(item=item).self_note == "本期未收到投诉。"


def test_the_screens_show_the_value_read_only_with_where_it_came_from(world, renewal, client):
    """[004 Annex 2 4.3] the self-assessment and the renewal's page show 4.3 computed, with its source,
    and no field to type it; with no complaint, the field and the reason it is judged."""
    client.force_login(world.pudong_clerk)
    url = reverse("assessments:self_assessment", args=[renewal.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="judged-4.3"' in page and "无法按投诉记录判定" in page
    assert f'name="self_{item_4_3(renewal).pk}"' in page
    asked(world, world.pudong_enterprise, world.pudong_reviewer, asked_on=TODAY - 30 * DAY,
          answered_on=TODAY - 30 * DAY)
    page = client.get(url).content.decode()
    assert f'name="self_{item_4_3(renewal).pk}"' not in page
    assert 'data-testid="source-4.3"' in page and "按投诉举报记录" in page
    page = client.get(reverse("assessments:detail", args=[renewal.pk])).content.decode()
    assert "按投诉举报记录：本期要求机构说明的投诉均在期限内作出说明" in page


def test_the_star_rating_reads_the_same_records(world):
    """[004 Annex 2 4.3, 002 §27] the rating factor of late answers is the same selector's reading."""
    asked(world, world.pudong_enterprise, world.pudong_reviewer, asked_on=TODAY - 30 * DAY)
    asked(world, world.xuhui_social, world.xuhui_reviewer, asked_on=TODAY - 30 * DAY, answered_on=TODAY - 30 * DAY)
    ids = [world.pudong_enterprise.pk, world.xuhui_social.pk]
    year = (TODAY - 30 * DAY).year
    values = rating_factors.values_for(["complaint_answers_late"], ids, year)["complaint_answers_late"]
    late = agency_answer_timeliness(ids, datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    assert values == {pk: 1.0 for pk, timely in late.items() if timely is False} == {world.pudong_enterprise.pk: 1.0}
