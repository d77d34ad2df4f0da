"""The expert panel of a renewal (期满评估) drawn from the pool like a filing's [000 §4(2), 004 §3(3)]:
specialty matching the filing's occupations, no expert employed by the agency or with a declared
conflict, each candidate's open workload shown; seated through the renewal's own panel service;
a manual choice needs a reason; only the city reviewer of the renewal's region may do it."""

import datetime

import pytest
from django.urls import reverse

from assessments.demo import active_filing, drive_renewal
from portal.demo import demo_user
from portal.models import AuditEntry, Region, Role
from portal.transitions import TransitionRefused
from supervision.models import ExpertProfile
from supervision.services import plans as svc

pytestmark = pytest.mark.django_db

ACTING = datetime.date(2026, 12, 1)
EXPIRY = datetime.date(2027, 1, 31)


@pytest.fixture
def pool(world):
    """A Pudong enterprise's renewal forwarded by the district (accepted, awaiting its panel), and a
    pool of six experts: [0] employed by the agency, [1] declared a conflict, [2..4] eligible, [5] of
    another specialty."""
    filing = active_filing(world.pudong_enterprise, world.pudong_clerk, expires_on=EXPIRY, actors=world.actors,
                           experts=world.experts[:3], occupations=[world.electrician])
    renewal = drive_renewal(filing, "accepted", actors=world.actors, experts=world.experts[:3], today=ACTING)
    extra = [demo_user(f"expert{i}", role=Role.EXPERT, full_name=f"专家{i}") for i in (5, 6)]
    profiles = []
    for user in world.experts + extra:
        p = ExpertProfile.objects.create(user=user)
        p.specialties.set([world.electrician])
        profiles.append(p)
    profiles[0].employer = world.pudong_enterprise
    profiles[0].save()
    profiles[1].conflicts.set([world.pudong_enterprise])
    profiles[5].specialties.set([world.lathe])
    return renewal, profiles


def _snapshot(renewal):
    return (sorted(renewal.panel.values_list("expert_id", flat=True)),
            AuditEntry.objects.filter(action__in=["plan.expert_draw", "renewal.panel"]).count())


def test_candidates_exclude_employer_conflict_and_other_specialty(world, pool):
    """Experts of the agency or with a declared conflict recuse; the specialty must match [000 §4(2)]."""
    renewal, profiles = pool
    ids = {c["user"].pk for c in svc.renewal_expert_candidates(renewal)}
    assert ids == {p.user_id for p in profiles[2:5]}


def test_draw_seats_the_panel_through_the_renewal_service(world, pool):
    """The draw is audited with its seed and the recusals, and the panel is seated by
    `assessments.services.assign_panel` (its audit entry, its state rule) [000 §4(2)]."""
    renewal, profiles = pool
    svc.draw_renewal_panel(assessment_id=renewal.pk, n=3, actor=world.city)
    assert set(renewal.panel.values_list("expert_id", flat=True)) == {p.user_id for p in profiles[2:5]}
    assert AuditEntry.objects.filter(action="renewal.panel").count() == 1
    entry = AuditEntry.objects.get(action="plan.expert_draw")
    assert entry.data["manual"] is False and len(entry.data["seed"]) == 64
    assert entry.data["subject"] == f"renewal:{renewal.pk}"
    assert sorted(r[0] for r in entry.data["recusals"]) == [profiles[0].user_id, profiles[1].user_id]
    # the recorded inputs re-run to the same panel
    assert svc.algo.draw_experts(seed=entry.data["seed"], experts=entry.data["pool"], n=3,
                                 workload={int(k): v for k, v in entry.data["workload"].items()},
                                 subject=entry.data["subject"]) == entry.data["experts"]


@pytest.mark.parametrize("attempt", range(8))
def test_a_conflicted_expert_is_never_drawn(world, pool, attempt):
    """Whatever the seed, the employed and the conflicted expert are never drawn [000 §4(2)]."""
    renewal, profiles = pool
    seed = f"{attempt:064x}"
    svc.draw_renewal_panel(assessment_id=renewal.pk, n=3, actor=world.city, seed=seed)
    seated = set(renewal.panel.values_list("expert_id", flat=True))
    assert profiles[0].user_id not in seated and profiles[1].user_id not in seated
    with pytest.raises(TransitionRefused):  # asking for more than the eligible pool is refused
        svc.draw_renewal_panel(assessment_id=renewal.pk, n=1, actor=world.city, seed=seed)


def test_workload_counts_open_seats_and_the_least_loaded_go_first(world, pool):
    """Each candidate's open workload is shown; the draw prefers the least loaded."""
    renewal, profiles = pool
    other = active_filing(world.school, world.school_clerk, expires_on=EXPIRY, actors=world.actors,
                          experts=world.experts[:3], occupations=[world.electrician])
    busy = drive_renewal(other, "accepted", actors=world.actors, experts=world.experts[:3], today=ACTING)
    svc.draw_renewal_panel(assessment_id=busy.pk, n=1, manual=[profiles[2].user_id], reason="熟悉该职业",
                           actor=world.city)
    load = {c["user"].pk: c["workload"] for c in svc.renewal_expert_candidates(renewal)}
    assert load[profiles[2].user_id] == load[profiles[3].user_id] + 1
    svc.draw_renewal_panel(assessment_id=renewal.pk, n=2, actor=world.city)
    assert set(renewal.panel.values_list("expert_id", flat=True)) == {profiles[3].user_id, profiles[4].user_id}


def test_manual_choice_needs_a_reason_and_a_pool_expert(world, pool):
    """By hand only with a recorded reason, and only from the eligible pool; refused: nothing changes."""
    renewal, profiles = pool
    chosen = [p.user_id for p in profiles[2:5]]
    before = _snapshot(renewal)
    with pytest.raises(TransitionRefused):
        svc.draw_renewal_panel(assessment_id=renewal.pk, n=3, manual=chosen, reason="", actor=world.city)
    with pytest.raises(TransitionRefused):
        svc.draw_renewal_panel(assessment_id=renewal.pk, n=3, manual=chosen, reason="\u200b ", actor=world.city)
    with pytest.raises(TransitionRefused):
        svc.draw_renewal_panel(assessment_id=renewal.pk, n=3, manual=[profiles[1].user_id] + chosen[:2],
                               reason="熟悉", actor=world.city)
    assert _snapshot(renewal) == before
    svc.draw_renewal_panel(assessment_id=renewal.pk, n=3, manual=chosen, reason="需要电工专业高级考评员",
                           actor=world.city)
    assert renewal.panel.count() == 3
    entry = AuditEntry.objects.get(action="plan.expert_draw")
    assert entry.data["manual"] is True and entry.comment == "需要电工专业高级考评员"


def test_manual_without_reason_on_the_screen_changes_nothing(client, world, pool):
    renewal, profiles = pool
    url = reverse("supervision:plan_renewal_panel_draw", args=[renewal.pk])
    client.force_login(world.city)
    before = _snapshot(renewal)
    r = client.post(url, {"mode": "manual", "expert": [str(p.user_id) for p in profiles[2:5]], "reason": ""})
    assert r.status_code == 200 and "请填写人工选择专家的理由" in r.content.decode()
    assert _snapshot(renewal) == before


def test_outside_the_panel_states_refused(client, world, pool):
    """The panel is formed only while the renewal is accepted or under expert review [000 §4(2)]."""
    renewal, profiles = pool
    filing = active_filing(world.xuhui_social, world.xuhui_clerk, expires_on=EXPIRY, actors=world.actors,
                           experts=world.experts[:3], occupations=[world.electrician])
    pre = drive_renewal(filing, "pre_review", actors=world.actors, experts=world.experts[:3], today=ACTING)
    with pytest.raises(TransitionRefused):
        svc.draw_renewal_panel(assessment_id=pre.pk, n=3, actor=world.city)
    client.force_login(world.city)
    url = reverse("supervision:plan_renewal_panel_draw", args=[pre.pk])
    page = client.get(url)
    assert page.status_code == 200 and "不能调整专家组" in page.content.decode()
    assert client.post(url, {"mode": "draw", "n": "3"}).status_code == 200
    assert not pre.panel.exists()


def test_screen_and_link(client, world, pool):
    renewal, profiles = pool
    url = reverse("supervision:plan_renewal_panel_draw", args=[renewal.pk])
    client.force_login(world.city)
    detail = client.get(reverse("assessments:detail", args=[renewal.pk])).content.decode()
    assert url in detail and "从专家库随机抽取专家组" in detail
    page = client.get(url)
    assert page.status_code == 200 and "在办评审任务" in page.content.decode()
    assert client.post(url, {"mode": "draw", "n": "3"}).status_code == 302
    assert renewal.panel.count() == 3


@pytest.mark.parametrize("who", ["pudong_reviewer", "pudong_clerk", "expert", "seated_expert", "other_city",
                                 "xuhui_reviewer", "inspector", "anonymous"])
def test_scope(client, world, pool, who):
    """Only the city reviewer of the renewal's region: the district that forwarded it, the agency and a
    seated expert see the renewal but get 403; an expert not seated, another city's reviewer, another
    district and an inspector get 404; nobody changes the panel [SPEC §1]."""
    renewal, profiles = pool
    svc.draw_renewal_panel(assessment_id=renewal.pk, n=1, manual=[profiles[4].user_id], reason="已确定一名",
                           actor=world.city)
    chongqing = Region.objects.create(code="500000", name="重庆市", level=Region.Level.CITY)
    users = {"pudong_reviewer": world.pudong_reviewer, "pudong_clerk": world.pudong_clerk,
             "expert": profiles[2].user, "seated_expert": profiles[4].user,
             "other_city": demo_user("cq_city", role=Role.CITY, full_name="重庆审核员", region=chongqing),
             "xuhui_reviewer": world.xuhui_reviewer, "inspector": world.inspector}
    expected = {"pudong_reviewer": 403, "pudong_clerk": 403, "seated_expert": 403, "anonymous": 302}.get(who, 404)
    if who != "anonymous":
        client.force_login(users[who])
    url = reverse("supervision:plan_renewal_panel_draw", args=[renewal.pk])
    before = _snapshot(renewal)
    assert client.get(url).status_code == expected
    assert client.post(url, {"mode": "draw", "n": "2"}).status_code == expected
    assert client.post(url, {"mode": "manual", "expert": [str(profiles[2].user_id)], "reason": "越权"}
                       ).status_code == expected
    assert _snapshot(renewal) == before
    if who in users:
        from django.core.exceptions import PermissionDenied
        with pytest.raises(PermissionDenied):
            svc.draw_renewal_panel(assessment_id=renewal.pk, n=2, actor=users[who])
        assert _snapshot(renewal) == before
