"""The score arithmetic of the rubric [004 Annex 2, SPEC §4.3]: bounds, deductions, vetoes, item 3.5."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessments import services
from assessments.demo import active_filing, complete_application, item_values
from assessments.models import RenewalAssessment, Rubric, upload_ratio_points

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def renewal(world):
    filing = active_filing(world.pudong_enterprise, world.pudong_clerk, expires_on=TODAY + datetime.timedelta(days=60),
                           actors=world.actors, experts=world.experts[:3], occupations=[world.electrician])
    return services.open_renewal(filing_id=filing.pk, actor=world.pudong_clerk, today=TODAY)


def test_the_shandong_rubric_ships_as_the_default_with_100_points(db):
    """[004 Annex 2] 20 + 25 + 35 + 20 = 100, with one deduction rule and five vetoes."""
    rubric = Rubric.current()
    assert rubric.scored_maximum() == 100
    kinds = [i.kind for i in rubric.items.all()]
    assert kinds.count("veto") == 5 and kinds.count("deduction") == 1 and kinds.count("upload_ratio") == 1


@pytest.mark.parametrize("issued, uploaded, points", [
    (1000, 599, 0), (1000, 600, 1), (1000, 699, 1), (1000, 700, 3), (1000, 799, 3), (1000, 800, 5),
    (1000, 899, 5), (1000, 900, 7), (1000, 1000, 7),
])
def test_item_3_5_bands_by_share_of_certificates_uploaded(issued, uploaded, points):
    """[004 Annex 2 item 3.5] ≥90% → 7, 80–90 → 5, 70–80 → 3, 60–70 → 1, <60 → 0 (59.9% → 0, 60% → 1)."""
    assert upload_ratio_points(issued, uploaded) == points


def test_item_3_5_is_computed_from_the_application_counts_never_typed(world, renewal):
    """[004 Annex 2 item 3.5] 799 of 1000 uploaded (79.9%) scores 3; typing a value for it is refused."""
    clerk = world.pudong_clerk
    services.update_application(assessment_id=renewal.pk, actor=clerk,
                                data={"certs_level5": 1000, "certs_uploaded": 799})
    item = renewal.rubric.items.get(code="3.5")
    with pytest.raises(ValidationError):
        item.check_value(7)
    renewal.refresh_from_db()
    assert renewal.upload_share == Decimal("79.9")
    assert renewal.self_total == 3  # nothing else scored yet


def test_a_score_above_the_items_maximum_is_refused_and_nothing_is_saved(world, renewal):
    """[SPEC §4.3] scores stay within 0..max."""
    values = item_values(renewal)
    item = renewal.rubric.items.get(code="1.1")
    values[item.pk] = ("6", "")
    with pytest.raises(ValidationError) as exc:
        services.save_self_scores(assessment_id=renewal.pk, actor=world.pudong_clerk, values=values)
    assert "0 至 5 分" in str(exc.value)
    assert not renewal.scores.exists()
    values[item.pk] = ("-1", "")
    with pytest.raises(ValidationError):
        services.save_self_scores(assessment_id=renewal.pk, actor=world.pudong_clerk, values=values)


def test_all_or_nothing_items_take_only_full_marks_or_zero(world, renewal):
    """[004 Annex 2 items 4.3, 4.4] 4 or 0; 5 or 0."""
    item = renewal.rubric.items.get(code="4.3")
    with pytest.raises(ValidationError):
        item.check_value(2)
    assert item.check_value(4) == 4 and item.check_value(0) == 0


def test_totals_are_computed_with_deductions_of_ten_points_each(world, renewal):
    """[004 Annex 2 五] −10 for each verified non-compliant commissioned evaluation."""
    complete_application(renewal, world.pudong_clerk)  # full marks, 95 of 100 certificates uploaded → 7
    renewal.refresh_from_db()
    assert renewal.self_total == 100
    values = item_values(renewal, deductions=2)
    services.save_self_scores(assessment_id=renewal.pk, actor=world.pudong_clerk, values=values)
    renewal.refresh_from_db()
    assert renewal.self_total == 80
    assert not renewal.self_vetoed


def test_deductions_never_take_the_total_below_zero(world, renewal):
    complete_application(renewal, world.pudong_clerk, fraction=0)
    services.save_self_scores(assessment_id=renewal.pk, actor=world.pudong_clerk,
                              values=item_values(renewal, fraction=0, deductions=5))
    renewal.refresh_from_db()
    assert renewal.self_total == 0


def test_a_one_vote_veto_fails_the_assessment_regardless_of_score(world, renewal):
    """[004 Annex 2 六] any "yes" fails the assessment regardless of the score."""
    complete_application(renewal, world.pudong_clerk)
    services.save_self_scores(assessment_id=renewal.pk, actor=world.pudong_clerk,
                              values=item_values(renewal, veto="6.4"))
    renewal = RenewalAssessment.objects.get(pk=renewal.pk)
    assert renewal.self_total == 100 and renewal.self_vetoed
    renewal.review_vetoed, renewal.review_total = True, Decimal(100)
    assert not renewal.meets_pass_mark()


def test_the_certified_share_is_computed_from_its_two_counts(world, renewal):
    """[004 Annex 1] 持证总数 / 职工总数, computed, not typed."""
    services.update_application(assessment_id=renewal.pk, actor=world.pudong_clerk,
                                data={"certified_holders": 123, "employees": 456})
    renewal.refresh_from_db()
    assert renewal.certified_share == Decimal("27.0")


def test_a_new_rubric_version_applies_to_new_assessments_only(world, renewal):
    """[SPEC §4.3] an assessment keeps the version it was scored on."""
    from django.utils import timezone

    old = renewal.rubric
    new = Rubric.objects.create(name="上海市期满评估表", version=1, source="沪人社职〔2023〕21号",
                                published_at=timezone.now() + datetime.timedelta(seconds=1))
    new.items.create(section="一 主体存续", code="A1", title="主体存续", max_score=25, order=1)
    assert Rubric.current() == new
    renewal.refresh_from_db()
    assert renewal.rubric == old
