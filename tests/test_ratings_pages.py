"""The ratings screens as each role uses them [003 §21, 002 §29]: the city builds a formula version,
a round, computes, publishes and confirms; the agency reads its breakdown and replies; the public
sees the confirmed ratings with the formula; the directory shows the stars."""

import pytest
from django.test import Client
from django.utils import timezone

from supervision import rating_factors
from supervision.models.ratings import RatingFormula, RatingRound, RatingState
from supervision.services import ratings as svc

from ._ratings_helpers import in_force, round_in

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_city_builds_and_publishes_a_formula_version_then_a_round(world):
    in_force(world)
    city = _client(world.city)
    assert city.get("/supervision/ratings/").status_code == 200
    data = {"title": "2025 计分办法", "effective_year": "2025", "base": "100", "star2": "60", "star3": "70",
            "star4": "80", "star5": "90", "w_late_reports": "-5", "w_inspection_findings": "-2"}
    bad = city.post("/supervision/ratings/formula/new/", {**data, "star5": "75"})
    assert bad.status_code == 400 and "逐级升高" in bad.content.decode()
    assert not RatingFormula.objects.exists()
    response = city.post("/supervision/ratings/formula/new/", data)
    formula = RatingFormula.objects.get()
    assert response.url == f"/supervision/ratings/formula/{formula.pk}/"
    assert formula.weights == {"late_reports": -5.0, "inspection_findings": -2.0}
    assert formula.thresholds == [60, 70, 80, 90]
    city.post(f"/supervision/ratings/formula/{formula.pk}/", {"do": "publish", "state": "draft"})
    formula.refresh_from_db()
    assert formula.state == "published"
    page = city.get(f"/supervision/ratings/formula/{formula.pk}/").content.decode()
    assert "发布计分办法" not in page and rating_factors.label("late_reports") in page
    city.post("/supervision/ratings/round/new/", {"year": "2025"})
    rnd = RatingRound.objects.get(year=2025)
    city.post(f"/supervision/ratings/round/{rnd.pk}/", {"do": "compute", "state": "draft"})
    city.post(f"/supervision/ratings/round/{rnd.pk}/", {"do": "publish", "state": "computed"})
    rnd.refresh_from_db()
    assert rnd.state == "published" and rnd.ratings.count() == 2
    assert "★★★★★" in city.get(f"/supervision/ratings/round/{rnd.pk}/").content.decode()


def test_the_agency_reads_its_breakdown_and_replies_then_the_city_confirms(world):
    rnd = round_in(world, "published", published_on=timezone.localdate())
    rating = rnd.ratings.get(agency=world.pudong_enterprise)
    clerk = _client(world.pudong_clerk)
    mine = clerk.get("/supervision/ratings/mine/").content.decode()
    assert world.pudong_enterprise.name in mine and world.xuhui_social.name not in mine
    page = clerk.get(f"/supervision/ratings/rating/{rating.pk}/").content.decode()
    assert "计分明细" in page and rating_factors.label("late_reports") in page and "reply-form" in page
    refused = clerk.post(f"/supervision/ratings/rating/{rating.pk}/", {"do": "reply_to", "reply": "异议\u200b"})
    assert refused.status_code == 302
    rating.refresh_from_db()
    assert rating.state == RatingState.PUBLISHED
    clerk.post(f"/supervision/ratings/rating/{rating.pk}/", {"do": "reply_to", "reply": "请复核补正次数"})
    rating.refresh_from_db()
    assert rating.state == RatingState.REPLIED and rating.reply == "请复核补正次数"
    city = _client(world.city)
    assert "confirm-form" in city.get(f"/supervision/ratings/rating/{rating.pk}/").content.decode()
    city.post(f"/supervision/ratings/rating/{rating.pk}/", {"do": "confirm", "stars": "5", "reason": ""})
    rating.refresh_from_db()
    assert rating.state == RatingState.CONFIRMED and rating.stars == 5
    district = _client(world.pudong_reviewer)
    page = district.get(f"/supervision/ratings/rating/{rating.pk}/").content.decode()
    assert "confirm-form" not in page and "reply-form" not in page  # read-only


def test_the_public_sees_confirmed_ratings_with_the_formula_and_the_directory_shows_stars(world):
    rnd = round_in(world, "confirmed")
    page = Client().get("/supervision/ratings/public/").content.decode()
    assert world.pudong_enterprise.name in page and "★★★★★" in page
    assert f"第 {rnd.formula.version} 版" in page and rating_factors.label("late_reports") in page
    from filings.directory_marks import marks_for

    marks = marks_for([world.pudong_enterprise.pk])[world.pudong_enterprise.pk]
    assert ("stars", f"★★★★★ {rnd.year}年度") in marks
    world.pd_filing.refresh_from_db()
    assert f"★★★★★ {rnd.year}年度" in Client().get(f"/directory/{world.pd_filing.number}/").content.decode()


def test_nothing_unconfirmed_is_public(world):
    round_in(world, "published")
    page = Client().get("/supervision/ratings/public/").content.decode()
    assert world.pudong_enterprise.name not in page


def test_dashboards_show_the_rating_panels(world):
    rnd = round_in(world, "published", published_on=timezone.localdate())
    assert "年度星级评定" in _client(world.city).get("/dashboard/").content.decode()
    assert "待确认或反馈" in _client(world.pudong_clerk).get("/dashboard/").content.decode()
    assert _client(world.pudong_reviewer).get("/dashboard/").status_code == 200


def test_chongqing_calls_it_credit_evaluation(world):
    """渝人社发〔2020〕128号 §29: 信用评估 — the same mechanism under that preset's name."""
    from portal.models import PolicyProfile

    PolicyProfile.ensure_presets("chongqing")
    assert svc.scheme_name() == "信用评价"
    assert "信用评价" in Client().get("/supervision/ratings/public/").content.decode()
