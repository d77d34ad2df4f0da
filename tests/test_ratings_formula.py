"""The formula: the documented worked example, factors from real records in one query each, and
versions that never change once published [003 §21, 002 §29; docs/supervision-ratings.md]."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from filings.models import WrittenNotice
from supervision import rating_factors
from supervision.models.ratings import RatingFormula, score_for, stars_for
from supervision.services import inspections as inspection_svc
from supervision.services import ratings as svc

from ._inspections_helpers import MONDAY, order_for, submitted
from ._ratings_helpers import COMPUTED_ON, in_force, published_formula, rating_of, round_in

WORKED = {"supplement_notices": -2, "inspection_findings": -2, "rectification_overdue": -10, "late_reports": -5}


def test_the_worked_example_of_the_documentation():
    """docs/supervision-ratings.md §3: 2 supplement notices, one 一般 and one 较重 finding (1 + 3 = 4),
    one overdue order, one late report: 100 − 4 − 8 − 10 − 5 = 73 → 3 stars."""
    score, breakdown = score_for(Decimal(100), WORKED, {"supplement_notices": 2, "inspection_findings": 4,
                                                        "rectification_overdue": 1, "late_reports": 1})
    assert score == Decimal("73.00")
    assert breakdown["inspection_findings"] == {"value": 4.0, "weight": -2.0, "points": -8.0}
    assert stars_for(score, [60, 70, 80, 90]) == 3
    assert [stars_for(Decimal(s), [60, 70, 80, 90]) for s in (0, 59.99, 60, 79.99, 80, 90, 100)] == [1, 1, 2, 3, 4, 5, 5]
    low, _ = score_for(Decimal(100), {"late_reports": -5}, {"late_reports": 30})
    assert low == 0  # clamped to 0..100


@pytest.mark.django_db
def test_factors_read_the_records_of_the_year(world):
    """Findings weighted by severity, overdue orders, supplement notices: counted per agency and year."""
    in_force(world)
    submitted(world, world.pudong_enterprise, today=MONDAY)  # one 一般 finding, 2026
    order = order_for(world, world.pudong_enterprise, today=MONDAY)
    inspection_svc.sweep_orders(order.due_on + datetime.timedelta(days=3))
    world.filing(agency=world.pudong_enterprise, state="supplement_requested", occupations=[world.lathe])
    year = datetime.date.today().year
    ids = [world.pudong_enterprise.pk, world.xuhui_social.pk]
    assert rating_factors.inspection_findings(ids, 2026) == {world.pudong_enterprise.pk: 1.0}
    assert rating_factors.inspection_findings(ids, 2025) == {}
    assert rating_factors.rectification_overdue(ids, order.due_on.year) == {world.pudong_enterprise.pk: 1.0}
    assert WrittenNotice.objects.filter(kind="supplement").exists()
    assert rating_factors.supplement_notices(ids, year) == {world.pudong_enterprise.pk: 1.0}

    formula = published_formula(world, weights={"inspection_findings": -2, "rectification_overdue": -10})
    rnd = round_in(world, "computed", year=2026, formula=formula)
    pd, xh = rating_of(rnd, world.pudong_enterprise), rating_of(rnd, world.xuhui_social)
    assert (pd.score, pd.stars) == (Decimal("88.00"), 4)
    assert pd.breakdown["inspection_findings"] == {"value": 1.0, "weight": -2.0, "points": -2.0}
    assert (xh.score, xh.stars) == (Decimal("100.00"), 5)


@pytest.mark.django_db
def test_computing_a_year_takes_the_same_queries_for_twice_the_agencies(world):
    """Set-based: one query for the population, one per factor, bulk writes [SPEC §5 benchmark]."""
    in_force(world)
    formula = published_formula(world, weights=rating_factors.default_weights())
    rnd = svc.create_round(year=2025, actor=world.city, formula=formula)
    with CaptureQueriesContext(connection) as two:
        svc.compute_ratings(round_id=rnd.pk, actor=world.city, today=COMPUTED_ON)
    world.filing(agency=world.soe, state="active")
    world.filing(agency=world.school, state="active", occupations=[world.lathe])
    with CaptureQueriesContext(connection) as four:
        svc.compute_ratings(round_id=rnd.pk, actor=world.city, today=COMPUTED_ON)
    assert rnd.ratings.count() == 4
    assert len(four.captured_queries) == len(two.captured_queries)


@pytest.mark.django_db
def test_a_published_formula_never_changes_and_a_change_is_a_new_version(world):
    """Versioned like the rubric: the ratings made by a version stay explainable [002 §29]."""
    formula = published_formula(world)
    formula.refresh_from_db()
    formula.weights = {"late_reports": -50}
    with pytest.raises(ValidationError):
        formula.save()
    with pytest.raises(ValidationError):
        formula.delete()
    assert RatingFormula.objects.get(pk=formula.pk).weights != {"late_reports": -50}
    second = svc.create_formula(title="第二版", effective_year=2026, weights={"late_reports": -50},
                                thresholds=[60, 70, 80, 90], actor=world.city)
    assert second.version == formula.version + 1 and second.state == "draft"
    second.title = "第二版（修改）"
    second.save()  # a draft may still change


@pytest.mark.django_db
def test_a_formula_with_an_unknown_factor_or_bad_thresholds_is_refused(world):
    from portal.transitions import TransitionRefused

    with pytest.raises(TransitionRefused, match="未知的计分因子"):
        svc.create_formula(title="x", effective_year=2025, weights={"made_up": -5}, thresholds=[60, 70, 80, 90],
                           actor=world.city)
    with pytest.raises(TransitionRefused, match="星级分数线"):
        svc.create_formula(title="x", effective_year=2025, weights={"late_reports": -5}, thresholds=[90, 80, 70, 60],
                           actor=world.city)
    assert not RatingFormula.objects.exists()


def test_only_factors_of_areas_in_the_tree_are_registered():
    """A factor whose area is missing is not in the registry, so no formula can name it."""
    assert {"supplement_notices", "objections_upheld", "renewals_failed", "inspection_findings",
            "rectification_overdue", "late_reports"} <= set(rating_factors.FACTORS)
    assert set(rating_factors.default_weights()) <= set(rating_factors.FACTORS)
