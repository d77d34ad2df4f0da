"""The annual star rating [003 §21-22, 002 §29]: per transition, per role; refusals change nothing."""

import pytest
from django.core.exceptions import PermissionDenied

from portal.audit_actions import is_registered
from portal.models import AuditEntry
from portal.transitions import TransitionRefused
from supervision.models.inspections import RectificationOrder
from supervision.models.ratings import RatingState, RoundState
from supervision.selectors.ratings import current_stars
from supervision.services import ratings as svc

from ._ratings_helpers import AFTER_REPLIES, COMPUTED_ON, PUBLISHED_ON, YEAR, in_force, published_formula, rating_of, round_in

pytestmark = pytest.mark.django_db


def _others(w):
    return [w.pudong_reviewer, w.xuhui_reviewer, w.industry_reviewer, w.inspector, w.experts[0], w.pudong_clerk]


def test_only_the_city_creates_and_publishes_a_formula(world):
    """The rating is the city's, by a published formula [003 §21]."""
    for user in _others(world):
        with pytest.raises(PermissionDenied):
            svc.create_formula(title="x", effective_year=2025, weights={"late_reports": -5},
                               thresholds=[60, 70, 80, 90], actor=user)
    formula = svc.create_formula(title="计分办法", effective_year=2025, weights={"late_reports": -5},
                                 thresholds=[60, 70, 80, 90], actor=world.city)
    for user in _others(world):
        with pytest.raises(PermissionDenied):
            svc.perform(svc.FORMULA_MACHINE, pk=formula.pk, action="publish", actor=user)
    formula.refresh_from_db()
    assert formula.state == "draft"
    svc.perform(svc.FORMULA_MACHINE, pk=formula.pk, action="publish", actor=world.city)
    formula.refresh_from_db()
    assert formula.state == "published" and formula.published_on


def test_a_round_computes_publishes_and_confirms_through_the_machinery(world):
    """draft → computed → published → confirmed, each step audited [003 §21, 002 §29]."""
    rnd = round_in(world, "draft")
    for user in _others(world):
        with pytest.raises(PermissionDenied):
            svc.compute_ratings(round_id=rnd.pk, actor=user, today=COMPUTED_ON)
    assert not rnd.ratings.exists()
    svc.compute_ratings(round_id=rnd.pk, actor=world.city, today=COMPUTED_ON)
    rnd.refresh_from_db()
    assert rnd.state == RoundState.COMPUTED
    assert set(rnd.ratings.values_list("agency_id", flat=True)) == {world.pudong_enterprise.pk, world.xuhui_social.pk}
    assert set(rnd.ratings.values_list("state", flat=True)) == {RatingState.COMPUTED}
    svc.compute_ratings(round_id=rnd.pk, actor=world.city, today=COMPUTED_ON)  # recompute replaces
    assert rnd.ratings.count() == 2
    for user in _others(world):
        with pytest.raises(PermissionDenied):
            svc.publish_round(round_id=rnd.pk, actor=user, today=PUBLISHED_ON)
    svc.publish_round(round_id=rnd.pk, actor=world.city, today=PUBLISHED_ON)
    rnd.refresh_from_db()
    assert rnd.state == RoundState.PUBLISHED and rnd.reply_due > PUBLISHED_ON
    assert set(rnd.ratings.values_list("state", flat=True)) == {RatingState.PUBLISHED}
    with pytest.raises(TransitionRefused):  # the reply period is still running
        svc.confirm_round(round_id=rnd.pk, actor=world.city, today=PUBLISHED_ON)
    svc.confirm_round(round_id=rnd.pk, actor=world.city, today=AFTER_REPLIES)
    rnd.refresh_from_db()
    assert rnd.state == RoundState.CONFIRMED
    assert set(rnd.ratings.values_list("state", flat=True)) == {RatingState.CONFIRMED}
    codes = set(AuditEntry.objects.filter(outcome="succeeded").values_list("action", flat=True))
    assert {"rating_round.compute", "rating_round.publish", "rating_round.confirm", "rating.confirm"} <= codes
    assert current_stars([world.pudong_enterprise.pk]) == {world.pudong_enterprise.pk: 5}


def test_a_round_needs_a_published_formula_for_its_year(world):
    """Ratings are computed only by a published formula in force for the year [002 §29]."""
    in_force(world)
    draft = svc.create_formula(title="草稿", effective_year=2025, weights={"late_reports": -5},
                               thresholds=[60, 70, 80, 90], actor=world.city)
    with pytest.raises(TransitionRefused):
        svc.create_round(year=YEAR, actor=world.city, formula=draft)
    later = published_formula(world, year=2027)
    with pytest.raises(TransitionRefused):
        svc.create_round(year=YEAR, actor=world.city, formula=later)
    with pytest.raises(TransitionRefused):
        svc.create_round(year=YEAR, actor=world.city)


def test_the_agency_replies_within_the_period_and_only_to_its_own(world):
    """The agency sees how its rating was made and may reply before the city confirms [SPEC §5]."""
    rnd = round_in(world, "published")
    rating = rating_of(rnd, world.pudong_enterprise)
    for user in [world.xuhui_clerk, world.pudong_reviewer, world.city, world.inspector]:
        with pytest.raises(PermissionDenied):
            svc.reply_to_rating(rating_id=rating.pk, reply="异议", actor=user, today=PUBLISHED_ON)
    with pytest.raises(TransitionRefused):  # a reply needs its text
        svc.reply_to_rating(rating_id=rating.pk, reply="  ", actor=world.pudong_clerk, today=PUBLISHED_ON)
    with pytest.raises(TransitionRefused):  # hidden characters refused
        svc.reply_to_rating(rating_id=rating.pk, reply="异议\u202e", actor=world.pudong_clerk, today=PUBLISHED_ON)
    rating.refresh_from_db()
    assert rating.state == RatingState.PUBLISHED and rating.reply == ""
    with pytest.raises(TransitionRefused):  # after the period
        svc.reply_to_rating(rating_id=rating.pk, reply="异议", actor=world.pudong_clerk, today=AFTER_REPLIES)
    svc.reply_to_rating(rating_id=rating.pk, reply="补正系扫描件不清晰所致", actor=world.pudong_clerk,
                        today=PUBLISHED_ON)
    rating.refresh_from_db()
    assert rating.state == RatingState.REPLIED and rating.reply == "补正系扫描件不清晰所致"
    assert rating.replied_on == PUBLISHED_ON


def test_the_city_confirms_a_replied_rating_adjusting_it_only_with_a_reason(world):
    """The city confirms, possibly adjusting with a reason [003 §21]; districts only read."""
    rnd = round_in(world, "published")
    rating = rating_of(rnd, world.pudong_enterprise)
    svc.reply_to_rating(rating_id=rating.pk, reply="请复核", actor=world.pudong_clerk, today=PUBLISHED_ON)
    for user in [world.pudong_reviewer, world.pudong_clerk, world.inspector, world.industry_reviewer]:
        with pytest.raises(PermissionDenied):
            svc.confirm_rating(rating_id=rating.pk, actor=user, stars=4, reason="理由", today=PUBLISHED_ON)
    with pytest.raises(TransitionRefused):
        svc.confirm_rating(rating_id=rating.pk, actor=world.city, stars=4, today=PUBLISHED_ON)
    rating.refresh_from_db()
    assert rating.state == RatingState.REPLIED and rating.stars == rating.computed_stars == 5
    svc.confirm_rating(rating_id=rating.pk, actor=world.city, stars=4, reason="现场检查发现档案不全",
                       today=PUBLISHED_ON)
    rating.refresh_from_db()
    assert (rating.state, rating.stars, rating.computed_stars) == (RatingState.CONFIRMED, 4, 5)
    assert rating.adjust_reason == "现场检查发现档案不全" and rating.confirmed_by == world.city
    other = rating_of(rnd, world.xuhui_social)
    with pytest.raises(TransitionRefused):  # no reply yet and the period still runs
        svc.confirm_rating(rating_id=other.pk, actor=world.city, today=PUBLISHED_ON)


def test_a_confirmed_rating_below_three_stars_opens_a_rectification_order(world):
    """三星级（不含）以下 → 限期整改; not rectified in time → cancellation ground 6 [003 §21-22]."""
    rnd = round_in(world, "published")
    low = rating_of(rnd, world.pudong_enterprise)
    svc.confirm_rating(rating_id=low.pk, actor=world.city, stars=2, reason="检查发现严重问题", today=AFTER_REPLIES)
    low.refresh_from_db()
    order = RectificationOrder.objects.get(pk=low.order_id)
    assert order.origin == RectificationOrder.Origin.RATING and order.origin_id == low.pk
    assert order.agency_id == world.pudong_enterprise.pk and "2 星" in order.findings
    svc.confirm_round(round_id=rnd.pk, actor=world.city, today=AFTER_REPLIES)
    assert RectificationOrder.objects.filter(origin="rating").count() == 1  # 5 stars: no order
    assert rating_of(rnd, world.xuhui_social).order_id is None


def test_the_round_confirmation_orders_rectification_for_every_low_rating(world):
    """A formula that rates both agencies at one star: each gets its order when the round is confirmed [003 §21]."""
    formula = published_formula(world, weights={"in_force_all_year": -60})
    for f in (in_force(world).pd_filing, world.xh_filing):
        type(f).objects.filter(pk=f.pk).update(valid_from="2024-06-01", valid_until="2027-05-31")
    rnd = round_in(world, "confirmed", formula=formula)
    assert set(rnd.ratings.values_list("stars", flat=True)) == {1}
    assert RectificationOrder.objects.filter(origin="rating").count() == 2
    assert all(r.order_id for r in rnd.ratings.all())


def test_every_transition_has_an_audit_action():
    for machine in (svc.FORMULA_MACHINE, svc.ROUND_MACHINE, svc.RATING_MACHINE):
        for name in machine.transition_names():
            assert is_registered(machine.audit_action(name)), name
