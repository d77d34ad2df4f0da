"""Role × object walk of the plans area: every url with an id, for a 浦东 and a 徐汇 plan and draw, as
every role; who gets 200 and who 404, and a POST out of scope changes nothing [SPEC §1]."""

import pytest
from django.urls import reverse

from portal.demo import demo_user
from portal.models import AuditEntry, Role
from supervision.models import Draw, DrawRecusal, InspectionPlan
from supervision.services import plans as svc

from ._plans_helpers import MONDAY, item

pytestmark = pytest.mark.django_db

WALKED = {"supervision:plan_detail", "supervision:plan_act", "supervision:plan_recusal",
          "supervision:draw_detail", "supervision:draw_act", "supervision:draw_public",
          "supervision:plan_panel_draw", "supervision:plan_renewal_panel_draw"}
ROLES = ["anonymous", "agency_a", "agency_b", "pudong", "xuhui", "industry", "city", "expert1", "inspector", "admin"]
SEES = {"A": {"pudong", "city", "inspector", "admin"}, "B": {"xuhui", "city", "admin"}}
GET_URLS = {"supervision:plan_detail": "plan", "supervision:draw_detail": "draw"}
POST_URLS = {
    "supervision:plan_act": ("plan", {"action": "draw"}),
    "supervision:plan_recusal": ("plan", {"reason": "越权", "agency": "1"}),
    "supervision:draw_act": ("draw", {"action": "reveal"}),
}
assert set(GET_URLS) | set(POST_URLS) | {"supervision:draw_public", "supervision:plan_panel_draw",
                                         "supervision:plan_renewal_panel_draw"} == WALKED


def _side(world, region, reviewer, pool):
    plan = svc.create_plan(region=region, year=2026, title="矩阵", items=[item(world)], inspectors=pool,
                           sample_count=1, in_force_only=False, actor=reviewer, today=MONDAY)
    svc.transitions.perform(svc.PLAN_MACHINE, pk=plan.pk, action="publish", actor=reviewer, today=MONDAY)
    draw = svc.commit_draw(plan_id=plan.pk, actor=reviewer, today=MONDAY)
    return {"plan": plan, "draw": draw}


@pytest.fixture
def walk(world):
    i2 = demo_user("inspector2", role=Role.INSPECTOR, full_name="督导员乙", region=world.shanghai)
    i3 = demo_user("inspector3", role=Role.INSPECTOR, full_name="督导员丙", region=world.shanghai)
    objects = {"A": _side(world, world.pudong, world.pudong_reviewer, [world.inspector, i2]),
               "B": _side(world, world.xuhui, world.xuhui_reviewer, [i2, i3])}
    users = {"agency_a": world.pudong_clerk, "agency_b": world.xuhui_clerk, "pudong": world.pudong_reviewer,
             "xuhui": world.xuhui_reviewer, "industry": world.industry_reviewer, "city": world.city,
             "expert1": world.experts[0], "inspector": world.inspector, "admin": world.admin}
    return objects, users, i2


def _login(client, users, role):
    client.logout()
    if role != "anonymous":
        client.force_login(users[role])


def _snapshot():
    return (list(InspectionPlan.objects.order_by("pk").values_list("state")),
            list(Draw.objects.order_by("pk").values_list("state", "revealed_seed")), DrawRecusal.objects.count(),
            AuditEntry.objects.filter(outcome="succeeded", action__regex=r"^(plan|draw)\.").count())


@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(client, walk, role):
    objects, users, _i2 = walk
    _login(client, users, role)
    for name, kind in GET_URLS.items():
        for side in ("A", "B"):
            status = client.get(reverse(name, args=[objects[side][kind].pk])).status_code
            if role == "anonymous":
                assert status == 302, (name, side)
            elif role in SEES[side]:
                assert status == 200, (role, name, side, status)
            else:
                assert status == 404, (role, name, side, status)
    for side in ("A", "B"):  # the public notice of a draw: everybody, signed in or not [003 §21]
        assert client.get(reverse("supervision:draw_public", args=[objects[side]["draw"].pk])).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_post_out_of_scope_changes_nothing(client, walk, role):
    objects, users, i2 = walk
    _login(client, users, role)
    before = _snapshot()
    for name, (kind, data) in POST_URLS.items():
        for side in ("A", "B"):
            if role != "anonymous" and role in SEES[side]:
                continue
            payload = dict(data, inspector=str(i2.pk))
            status = client.post(reverse(name, args=[objects[side][kind].pk]), payload).status_code
            assert status == (302 if role == "anonymous" else 404), (role, name, side, status)
    assert _snapshot() == before


def test_inspector_sees_but_may_not_draw(client, walk):
    """An inspector in the pool sees the plan and its draw; only the planning authority draws: 403."""
    objects, users, i2 = walk
    before = _snapshot()
    _login(client, users, "inspector")
    assert client.post(reverse("supervision:draw_act", args=[objects["A"]["draw"].pk]),
                       {"action": "reveal"}).status_code == 403
    assert client.post(reverse("supervision:plan_recusal", args=[objects["A"]["plan"].pk]),
                       {"inspector": str(i2.pk), "agency": "1", "reason": "x"}).status_code == 403
    assert _snapshot() == before


def test_screens_and_public_pages(client, walk):
    """The city's screens work end to end; the public pages need no sign-in and show the seed only
    after the reveal [003 §21]."""
    objects, users, _i2 = walk
    draw = objects["A"]["draw"]
    page = client.get(reverse("supervision:draw_public", args=[draw.pk])).content.decode()
    assert draw.commitment in page and draw.seed not in page
    for name in ("supervision:plan_items", "supervision:plan_public", "supervision:draw_public_list"):
        assert client.get(reverse(name)).status_code == 200
    _login(client, users, "pudong")
    for name in ("supervision:plan_list", "supervision:plan_new"):
        assert client.get(reverse(name)).status_code == 200
    r = client.post(reverse("supervision:draw_act", args=[draw.pk]), {"action": "reveal"})
    assert r.status_code == 302
    draw.refresh_from_db()
    assert draw.state == Draw.State.REVEALED
    client.logout()
    page = client.get(reverse("supervision:draw_public", args=[draw.pk])).content.decode()
    assert draw.revealed_seed in page and draw.candidates_hash in page
    _login(client, users, "pudong")
    r = client.post(reverse("supervision:draw_act", args=[draw.pk]), {"action": "supersede", "comment": ""})
    draw.refresh_from_db()
    assert draw.state == Draw.State.REVEALED  # a redraw needs its reason
    r = client.post(reverse("supervision:draw_act", args=[draw.pk]), {"action": "supersede", "comment": "名单有误"})
    draw.refresh_from_db()
    assert draw.state == Draw.State.SUPERSEDED and r.status_code == 302
    _login(client, users, "industry")
    assert client.get(reverse("supervision:plan_list")).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_panel_draw_matrix(client, world, role):
    """The panel screen of a filing: the city reviewer only; other staff 403/404, anonymous → login."""
    filing = world.filing(agency=world.pudong_enterprise, state="accepted")
    users = {"agency_a": world.pudong_clerk, "agency_b": world.xuhui_clerk, "pudong": world.pudong_reviewer,
             "xuhui": world.xuhui_reviewer, "industry": world.industry_reviewer, "city": world.city,
             "expert1": world.experts[0], "inspector": world.inspector, "admin": world.admin}
    _login(client, users, role)
    url = reverse("supervision:plan_panel_draw", args=[filing.pk])
    status = client.get(url).status_code
    if role == "anonymous":
        assert status == 302
    elif role == "city":
        assert status == 200
    else:
        assert status in (403, 404), (role, status)
    client.post(url, {"mode": "draw", "n": "3"})
    assert not filing.panel.exists()


# who sees a renewal (assessments' own scope) but may not form its panel: 403; out of scope: 404
RENEWAL_PANEL = {"A": {"city": 200, "admin": 403, "pudong": 403, "agency_a": 403},
                 "B": {"city": 200, "admin": 403, "xuhui": 403, "agency_b": 403}}


@pytest.fixture
def renewals(world):
    import datetime

    from assessments.demo import active_filing, drive_renewal
    out = {}
    for side, agency in (("A", world.pudong_enterprise), ("B", world.xuhui_social)):
        f = active_filing(agency, agency.staff.first(), expires_on=datetime.date(2027, 1, 31), actors=world.actors,
                          experts=world.experts[:3], occupations=[world.electrician])
        out[side] = drive_renewal(f, "accepted", actors=world.actors, experts=world.experts[:3],
                                  today=datetime.date(2026, 12, 1))
    return out


@pytest.mark.parametrize("role", ROLES)
def test_renewal_panel_draw_matrix(client, world, renewals, role):
    """The panel draw of a 浦东 and a 徐汇 renewal: the city reviewer only (200); who sees the renewal
    otherwise gets 403, the rest 404, anonymous → login; a POST by anyone but the city changes nothing."""
    from assessments.models import PanelMember
    users = {"agency_a": world.pudong_clerk, "agency_b": world.xuhui_clerk, "pudong": world.pudong_reviewer,
             "xuhui": world.xuhui_reviewer, "industry": world.industry_reviewer, "city": world.city,
             "expert1": world.experts[0], "inspector": world.inspector, "admin": world.admin}
    _login(client, users, role)
    before = (PanelMember.objects.count(), AuditEntry.objects.filter(action="plan.expert_draw").count())
    for side in ("A", "B"):
        url = reverse("supervision:plan_renewal_panel_draw", args=[renewals[side].pk])
        expected = 302 if role == "anonymous" else RENEWAL_PANEL[side].get(role, 404)
        assert client.get(url).status_code == expected, (role, side)
        if role != "city":
            assert client.post(url, {"mode": "draw", "n": "1"}).status_code == expected, (role, side)
    assert (PanelMember.objects.count(), AuditEntry.objects.filter(action="plan.expert_draw").count()) == before
