"""Item 3.5 with no certificate issued [004 Annex 2 3.5: 证书数据上国网情况：已发证人次、已上国网人次、
上国网占比] — issue #10 item 8: 0 of 0 uploaded is no share at all, not 100 %; the form says so, the
agency and the reviewers judge the item by hand with a reason, and the reviewers' judgement stands."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import services
from assessments.demo import active_filing, complete_application, item_values
from assessments.models import RenewalAssessment, upload_ratio_points
from portal.demo import DEMO_PASSWORD

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def renewal(world):
    """A renewal whose Annex 1 reports no certificate issued this period."""
    filing = active_filing(world.pudong_enterprise, world.pudong_clerk, expires_on=TODAY + datetime.timedelta(days=60),
                           actors=world.actors, experts=world.experts[:3], occupations=[world.electrician])
    return services.open_renewal(filing_id=filing.pk, actor=world.pudong_clerk, today=TODAY)


def item_3_5(a):
    return a.rubric.items.get(code="3.5")


def test_nothing_issued_is_no_share_and_scores_nothing_by_itself(world, renewal):
    """[004 Annex 2 3.5] the bands are shares of issued certificates; with none issued there is no share."""
    assert upload_ratio_points(0, 0) is None
    renewal.recompute_totals()
    assert renewal.self_total == 0  # before: 7 points for 0 of 0
    assert renewal.computed_points(item_3_5(renewal)) is None and renewal.judged_by_hand(item_3_5(renewal))
    assert "评估项 3.5 尚未自评" in renewal.self_assessment_problems()


def test_with_certificates_issued_3_5_stays_computed_and_cannot_be_typed(world, renewal):
    """[004 Annex 2 3.5] 95 of 100 uploaded → 7, from the counts; typing a value is refused."""
    services.update_application(assessment_id=renewal.pk, actor=world.pudong_clerk,
                                data={"certs_level5": 100, "certs_uploaded": 95})
    renewal.refresh_from_db()
    item = item_3_5(renewal)
    assert renewal.computed_points(item) == 7 and not renewal.judged_by_hand(item)
    with pytest.raises(ValidationError):
        item.check_value(7)


def test_the_self_assessment_form_says_so_and_asks_for_a_value_and_a_reason(world, renewal, client):
    """[004 Annex 2 3.5] the form shows an input for 3.5 with the reason it is not computed."""
    client.login(username=world.pudong_clerk.username, password=DEMO_PASSWORD)
    page = client.get(reverse("assessments:self_assessment", args=[renewal.pk])).content.decode()
    assert 'data-testid="judged-3.5"' in page and "上国网比例无从计算，不按满分计" in page
    assert f'name="self_{item_3_5(renewal).pk}"' in page


def test_a_judgement_without_a_reason_is_refused_and_nothing_is_saved(world, renewal):
    """[004 Annex 2 3.5] the reason is recorded with the judgement."""
    values = item_values(renewal)
    values[item_3_5(renewal).pk] = ("3", "")
    with pytest.raises(ValidationError) as exc:
        services.save_self_scores(assessment_id=renewal.pk, actor=world.pudong_clerk, values=values)
    assert "3.5" in exc.value.message_dict and "评定理由" in exc.value.message_dict["3.5"][0]
    assert not renewal.scores.exists()
    values[item_3_5(renewal).pk] = ("8", "本期认定均未通过，无证书可发。")
    with pytest.raises(ValidationError, match="0 至 7 分"):
        services.save_self_scores(assessment_id=renewal.pk, actor=world.pudong_clerk, values=values)


def test_the_reviewers_judgement_stands_with_its_reason(world, renewal):
    """[004 Annex 2 3.5, 004 §3(4)] the agency claims 7, the reviewers judge 3 with a reason: the
    review total counts 3, the reason is stored with the score, and the review is not complete
    without it."""
    a = _in_expert_review(world, renewal)
    assert a.self_total == 100
    expert = world.experts[0]
    review = item_values(a)
    services.save_review_scores(assessment_id=a.pk, actor=expert, values=review)
    a = RenewalAssessment.objects.get(pk=a.pk)
    assert "评估项 3.5 尚无评审得分" in a.review_problems()
    review[item_3_5(a).pk] = ("3", "")
    with pytest.raises(ValidationError, match="评定理由"):
        services.save_review_scores(assessment_id=a.pk, actor=expert, values=review)
    review[item_3_5(a).pk] = ("3", "认定组织规范，但无发证记录可核，酌情给分。")
    services.save_review_scores(assessment_id=a.pk, actor=expert, values=review)
    a = RenewalAssessment.objects.get(pk=a.pk)
    assert a.review_total == 96 and a.self_total == 100
    score = a.scores.get(item=item_3_5(a))
    assert score.review_value == 3 and score.review_note == "认定组织规范，但无发证记录可核，酌情给分。"
    assert "评估项 3.5 尚无评审得分" not in a.review_problems()


def _in_expert_review(world, a):
    """Nothing issued this period; the agency judges 3.5 itself with its reason, then the renewal goes
    through pre-review to the panel, by the services."""
    clerk = world.pudong_clerk
    complete_application(a, clerk, certs_level5=0, certs_level4=0, certs_level3=0, certs_uploaded=0)
    values = item_values(a)
    values[item_3_5(a).pk] = ("7", "本期组织认定 2 批，考生均未通过，无证书发放。")
    services.save_self_scores(assessment_id=a.pk, actor=clerk, values=values)
    services.perform(assessment_id=a.pk, action="submit", actor=clerk, today=TODAY)
    services.perform(assessment_id=a.pk, action="forward", actor=world.pudong_reviewer, comment="同意报送。",
                     today=TODAY)
    services.assign_panel(assessment_id=a.pk, actor=world.city, experts=world.experts[:3])
    services.perform(assessment_id=a.pk, action="start_expert_review", actor=world.city, today=TODAY)
    return RenewalAssessment.objects.get(pk=a.pk)
