"""The demo has a formula in each state, a round in each state and ratings in each state, and
seeding twice changes nothing [common rules: every state in the demo]."""

import pytest

from portal.demo import seed_all
from supervision.models.inspections import RectificationOrder
from supervision.models.ratings import FormulaState, RatingFormula, RatingRound, RatingState, RoundState, StarRating


@pytest.mark.django_db
def test_every_rating_state_is_in_the_demo():
    seed_all()
    assert set(RatingFormula.objects.values_list("state", flat=True)) == set(FormulaState.values)
    assert set(RatingRound.objects.values_list("state", flat=True)) == set(RoundState.values)
    assert set(StarRating.objects.values_list("state", flat=True)) == set(RatingState.values)
    low = StarRating.objects.filter(state=RatingState.CONFIRMED, stars__lt=3)
    assert low.exists() and all(r.order_id for r in low)
    assert RectificationOrder.objects.filter(origin="rating").count() == low.count()
    counts = (RatingFormula.objects.count(), RatingRound.objects.count(), StarRating.objects.count())
    seed_all()
    assert (RatingFormula.objects.count(), RatingRound.objects.count(), StarRating.objects.count()) == counts
