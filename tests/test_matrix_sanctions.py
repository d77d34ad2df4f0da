"""Role × object matrix over every sanctions and termination URL with an id [003 §20, 002 §31]:
another district gets 404, an agency sees only its own decided sanctions, a POST out of scope
changes nothing."""

import pytest

from supervision.models import Sanction, SanctionReview, TerminationRequest
from supervision.services import sanction_reviews as review_svc
from supervision.services import sanctions as svc

from ._sanctions_helpers import DAY, in_force, propose

pytestmark = pytest.mark.django_db
WALKED = {"supervision:sanction_detail", "supervision:sanction_review", "supervision:termination_detail"}
ROLES = ["anonymous", "pd_clerk", "xh_clerk", "pudong", "xuhui", "industry", "city", "expert1", "inspector", "admin"]


def _users(world):
    return {"pd_clerk": world.pudong_clerk, "xh_clerk": world.xuhui_clerk, "pudong": world.pudong_reviewer,
            "xuhui": world.xuhui_reviewer, "industry": world.industry_reviewer, "city": world.city,
            "expert1": world.experts[0], "inspector": world.inspector, "admin": world.admin}


def _client(client, world, role):
    client.logout()
    if role != "anonymous":
        client.force_login(_users(world)[role])
    return client


@pytest.fixture
def sides(world):
    out = {}
    for key, agency, district, clerk in (("pd", world.pudong_enterprise, world.pudong_reviewer, world.pudong_clerk),
                                         ("xh", world.xuhui_social, world.xuhui_reviewer, world.xuhui_clerk)):
        filing = in_force(world, agency)
        decided = propose(world, filing, Sanction.Measure.INTERVIEW, actor=district)
        svc.decide_sanction(sanction_id=decided.pk, action="uphold", actor=world.city, comment="约谈", today=DAY)
        pending = propose(world, filing, Sanction.Measure.SUSPEND, actor=district)
        term = svc.apply_for_termination(filing=filing, reason="停止评价", intended_on=DAY, actor=clerk, today=DAY)
        out[key] = {"decided": decided, "pending": pending, "term": term}
    return out


DECIDED = {  # role: (status on the 浦东 object, on the 徐汇 object)
    "anonymous": (302, 302), "pd_clerk": (200, 404), "xh_clerk": (404, 200), "pudong": (200, 404),
    "xuhui": (404, 200), "industry": (404, 404), "city": (200, 200), "expert1": (403, 403),
    "inspector": (403, 403), "admin": (200, 200),
}
# A proposal under review is the authorities' own until the city decides [003 §20].
PENDING = {**DECIDED, "pd_clerk": (404, 404), "xh_clerk": (404, 404)}


@pytest.mark.parametrize("role", ROLES)
def test_sanction_detail_matrix(client, world, sides, role):
    c = _client(client, world, role)
    for i, key in enumerate(("pd", "xh")):
        for kind, table in (("decided", DECIDED), ("pending", PENDING)):
            response = c.get(f"/supervision/sanctions/{sides[key][kind].pk}/")
            assert response.status_code == table[role][i], (role, key, kind)
            if response.status_code == 200 and role.endswith("_clerk"):
                assert "检查记录" not in response.content.decode()  # no internal evidence for the agency


@pytest.mark.parametrize("role", ROLES)
def test_termination_detail_matrix(client, world, sides, role):
    c = _client(client, world, role)
    for i, key in enumerate(("pd", "xh")):
        response = c.get(f"/supervision/terminations/{sides[key]['term'].pk}/")
        assert response.status_code == DECIDED[role][i], (role, key)


@pytest.mark.parametrize("role", ["xuhui", "pd_clerk", "xh_clerk", "industry", "expert1", "inspector", "pudong"])
def test_post_by_who_may_not_decide_changes_nothing(client, world, sides, role):
    """Out of scope → 404 (or 403 for who never may, or a district in scope that may not decide);
    the proposal, the filing and the termination stay as they were [003 §20, 002 §31]."""
    c = _client(client, world, role)
    pending, term = sides["pd"]["pending"], sides["pd"]["term"]
    r = c.post(f"/supervision/sanctions/{pending.pk}/", {"do": "uphold", "comment": "同意", "state": "proposed"})
    assert r.status_code in (403, 404), role
    r = c.post(f"/supervision/terminations/{term.pk}/", {"do": "confirm", "comment": "同意", "state": "submitted"})
    assert r.status_code in (403, 404) or (role == "pd_clerk" and r.status_code == 403), role
    pending.refresh_from_db()
    term.refresh_from_db()
    assert pending.state == Sanction.State.PROPOSED and term.state == TerminationRequest.State.SUBMITTED
    assert pending.filing.state == "active"


def test_the_city_decides_through_the_page(client, world, sides):
    c = _client(client, world, "city")
    pending = sides["pd"]["pending"]
    r = c.post(f"/supervision/sanctions/{pending.pk}/", {"do": "uphold", "comment": "同意", "state": "proposed"})
    assert r.status_code == 302
    pending.refresh_from_db()
    assert pending.state == Sanction.State.DECIDED and pending.filing.state == "suspended"


# The review page answers a POST only; a GET in scope goes back to the sanction (302), out of scope 404.
REVIEW_GET = {**DECIDED, "pd_clerk": (302, 404), "xh_clerk": (404, 302), "pudong": (302, 404),
              "xuhui": (404, 302), "city": (302, 302), "admin": (302, 302)}


@pytest.mark.parametrize("role", ROLES)
def test_sanction_review_matrix(client, world, sides, role):
    """行政复议/诉讼 entry [003 §20]: scoped like the sanction; only the deciding city writes, and a
    POST by anyone else changes nothing."""
    reviews = {key: review_svc.lodge_review(sanction_id=sides[key]["decided"].pk, kind="reconsideration", lodged_on=DAY,
                                     body="市人民政府", actor=world.city, today=DAY) for key in ("pd", "xh")}
    c = _client(client, world, role)
    for i, key in enumerate(("pd", "xh")):
        url = f"/supervision/sanctions/{sides[key]['decided'].pk}/review/"
        response = c.get(url)
        assert response.status_code == REVIEW_GET[role][i], (role, key)
        if role == "city":
            continue
        r = c.post(url, {"do": "revoke", "comment": "撤销", "state": "lodged"})
        assert r.status_code in (302, 403, 404), (role, key)
        if role == "anonymous":
            assert "login" in r["Location"]
        reviews[key].refresh_from_db()
        assert reviews[key].state == SanctionReview.State.LODGED, (role, key)
