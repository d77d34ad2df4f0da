"""Ratings' pages × every role, for a rating on each side (浦东, 徐汇) [SPEC §1, STYLE 16]: who gets
200, who 404 (out of scope), anonymous → login; a POST out of scope changes nothing."""

import pytest
from django.test import Client

from portal.models import AuditEntry, User
from supervision.models.ratings import StarRating

from ._ratings_helpers import round_in

WALKED = {"supervision:ratings_formula", "supervision:ratings_round", "supervision:ratings_rating"}
ROLES = ["anonymous", "pd_clerk", "xh_clerk", "pudong", "xuhui", "industry", "city", "expert1", "inspector", "admin"]
SEES_RATING = {"pudong": {"pd_clerk", "pudong", "city", "admin"}, "xuhui": {"xh_clerk", "xuhui", "city", "admin"}}
SEES_ROUND = {"pudong", "xuhui", "city", "admin"}
SEES_FORMULA = {"city", "admin"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def sides(world):
    rnd = round_in(world, "published")
    return rnd, {"pudong": rnd.ratings.get(agency=world.pudong_enterprise),
                 "xuhui": rnd.ratings.get(agency=world.xuhui_social)}


def _client(role):
    c = Client()
    if role != "anonymous":
        c.force_login(User.objects.get(username=role))
    return c


def _expect(client, role, url, sees):
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.url, (role, url)
    else:
        assert response.status_code == (200 if role in sees else 404), (role, url, response.status_code)
    return response


def test_every_role_on_both_sides(world, sides):
    rnd, ratings = sides
    for role in ROLES:
        client = _client(role)
        for side, rating in ratings.items():
            _expect(client, role, f"/supervision/ratings/rating/{rating.pk}/", SEES_RATING[side])
        response = _expect(client, role, f"/supervision/ratings/round/{rnd.pk}/", SEES_ROUND)
        if role == "pudong":  # a district reads its own region's ratings only
            body = response.content.decode()
            assert world.pudong_enterprise.name in body and world.xuhui_social.name not in body
        _expect(client, role, f"/supervision/ratings/formula/{rnd.formula_id}/", SEES_FORMULA)
        # the public page: everyone, signed in or not
        assert client.get("/supervision/ratings/public/").status_code == 200


def _snapshot():
    return (sorted(StarRating.objects.values_list("pk", "state", "stars", "reply")),
            AuditEntry.objects.filter(action__startswith="rating", outcome="succeeded").count())


def test_post_out_of_scope_changes_nothing(world, sides):
    rnd, ratings = sides
    before = _snapshot()
    for role in ROLES:
        client = _client(role)
        for side, rating in ratings.items():
            if role in SEES_RATING[side] and role in ("city", "admin") or role == f"{side[:2]}_clerk":
                continue
            for data in ({"do": "reply_to", "reply": "异议"}, {"do": "confirm", "stars": "1", "reason": "调整"}):
                response = client.post(f"/supervision/ratings/rating/{rating.pk}/", data)
                if role == "anonymous":
                    assert response.status_code == 302 and "/login" in response.url
                elif role in SEES_RATING[side]:  # reads it, may not act: refused, nothing changes
                    assert response.status_code in (302, 403), (role, side, data, response.status_code)
                else:
                    assert response.status_code == 404, (role, side, data, response.status_code)
        if role not in ("city",):
            for action in ("compute", "publish", "confirm"):
                response = client.post(f"/supervision/ratings/round/{rnd.pk}/", {"do": action})
                assert response.status_code in ((302,) if role == "anonymous" else (403, 404)), (role, action)
            response = client.post(f"/supervision/ratings/formula/{rnd.formula_id}/", {"do": "publish"})
            assert response.status_code in ((302,) if role == "anonymous" else (403, 404)), role
    assert _snapshot() == before
