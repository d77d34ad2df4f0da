"""The expert panel [002 §11, 001 §3(2)]: the city names at least the policy's number of experts,
none from the applying agency, and starts the review; each expert sees only their own assignments,
records material verification, site visit, opinion, score and recommendation, and submits (locked);
the city sees the panel's summary and concludes."""

import pytest
from django.urls import reverse

from filings import panel_services
from filings.choices import FilingState as S
from filings.models import ExpertAssignment, Filing
from filings.services import TransitionRefused
from portal.models import AuditEntry, Notification


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def accepted(world):
    return world.filing(agency=world.soe, state=S.ACCEPTED)


def assign(client, world, filing, experts):
    client.force_login(world.city)
    return client.post(reverse("filings:assign_panel", args=[filing.pk]), {"experts": [e.pk for e in experts]})


def review(client, expert, assignment, submit=False, **overrides):
    data = {"materials_verified": "on", "materials_notes": "八类材料齐全，与原件一致。", "site_visited": "on",
            "site_visit_notes": "考核场地两处，视频监控正常。", "opinion": "符合备案条件。", "score": "88",
            "recommendation": "approve", ("submit" if submit else "save"): "1"}
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    client.force_login(expert)
    return client.post(reverse("filings:expert_review", args=[assignment.pk]), data)


def test_a_panel_needs_at_least_the_policy_number_of_experts(world, client, accepted):
    """[002 §11] PolicyProfile.min_experts (3)."""
    response = assign(client, world, accepted, world.experts[:2])
    assert response.status_code == 200
    assert "专家组至少需要 3 名专家" in response.content.decode()
    assert not accepted.panel.exists()


def test_an_expert_from_the_applying_agency_is_not_offered_and_is_refused(world, client, accepted):
    """Experts of the applying agency must stand aside."""
    conflicted = world.experts[3]
    conflicted.agency = world.soe
    conflicted.save()
    client.force_login(world.city)
    page = client.get(reverse("filings:assign_panel", args=[accepted.pk])).content.decode()
    assert conflicted.get_full_name() not in page and world.experts[0].get_full_name() in page
    with pytest.raises(TransitionRefused, match="应当回避"):
        panel_services.assign_panel(filing_id=accepted.pk, experts=world.experts, actor=world.city)
    assert not accepted.panel.exists()


def test_the_city_names_the_panel_and_starts_the_review(world, client, accepted):
    response = assign(client, world, accepted, world.experts[:3])
    assert response.status_code == 302
    assert set(accepted.panel.values_list("expert_id", flat=True)) == {e.pk for e in world.experts[:3]}
    entry = AuditEntry.for_object(accepted).get(action="filing.assign_panel")
    assert entry.actor == world.city
    assert Notification.objects.filter(recipient=world.experts[0], subject__contains="评审任务").exists()
    client.post(reverse("filings:act", args=[accepted.pk]),
                {"action": "start_expert_review", "expected_state": S.ACCEPTED})
    assert Filing.objects.get(pk=accepted.pk).state == S.EXPERT_REVIEW


def test_each_expert_sees_only_their_own_assignments(world, client):
    mine = world.filing(state=S.EXPERT_REVIEW)  # experts 1-3
    other = world.filing(agency=world.soe, state=S.ACCEPTED)
    ExpertAssignment.objects.create(filing=other, expert=world.experts[3], assigned_by=world.city)
    client.force_login(world.experts[0])
    page = client.get(reverse("filings:expert_assignments")).content.decode()
    assert world.pudong_enterprise.name in page and world.soe.name not in page
    foreign = other.panel.get()
    assert client.get(reverse("filings:expert_review", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("filings:detail", args=[other.pk])).status_code == 404
    client.force_login(world.city)
    assert client.get(reverse("filings:expert_assignments")).status_code == 403


def test_an_expert_saves_a_draft_then_submits_and_the_record_is_locked(world, client):
    """[002 §11] Each expert's opinion and score recorded; submitted means final."""
    filing = world.filing(state=S.EXPERT_REVIEW)
    expert = world.experts[0]
    assignment = filing.panel.get(expert=expert)
    review(client, expert, assignment, opinion="初步意见", score=None)
    assignment.refresh_from_db()
    assert assignment.opinion == "初步意见" and assignment.submitted_at is None

    response = review(client, expert, assignment, submit=True, site_visited=None)
    assert response.status_code == 200 and "提交前请完成：现场考察" in response.content.decode()
    assert ExpertAssignment.objects.get(pk=assignment.pk).submitted_at is None

    response = review(client, expert, assignment, submit=True, score="101")
    assert response.status_code == 200 and "100" in response.content.decode()
    assert ExpertAssignment.objects.get(pk=assignment.pk).submitted_at is None

    response = review(client, expert, assignment, submit=True)
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.submitted_at and assignment.score == 88 and assignment.recommendation == "approve"
    assert AuditEntry.for_object(filing).filter(action="filing.expert_review.submit", actor=expert).exists()

    review(client, expert, assignment, submit=True, score="10", opinion="改主意了")
    assignment.refresh_from_db()
    assert assignment.score == 88 and assignment.opinion == "符合备案条件。"
    page = client.get(reverse("filings:expert_review", args=[assignment.pk])).content.decode()
    assert "不能再修改" in page
    with pytest.raises(TransitionRefused, match="不能修改"):
        panel_services.record_expert_review(
            assignment_id=assignment.pk, expert=expert, materials_verified=True, materials_notes="",
            site_visited=True, site_visit_notes="", opinion="x", score=1, recommendation="refuse", submit=True)


def test_the_city_concludes_only_when_every_expert_submitted_and_sees_the_summary(world, client):
    """[002 §11] The panel's average and recommendations, then the decision."""
    filing = world.filing(state=S.EXPERT_REVIEW)
    a1, a2, a3 = filing.panel.order_by("expert__username")
    review(client, a1.expert, a1, submit=True, score="80")
    review(client, a2.expert, a2, submit=True, score="90", recommendation="refuse")

    client.force_login(world.city)
    response = client.post(reverse("filings:act", args=[filing.pk]),
                           {"action": "conclude_expert_review", "expected_state": S.EXPERT_REVIEW})
    assert "尚有专家未提交评审意见和评分" in response.content.decode()
    assert Filing.objects.get(pk=filing.pk).state == S.EXPERT_REVIEW

    review(client, a3.expert, a3, submit=True, score="100")
    assert Notification.objects.filter(recipient=world.city, subject__contains="专家评审已全部提交").exists()
    client.force_login(world.city)
    page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert "专家评审汇总" in page and "90.0" in page  # (80 + 90 + 100) / 3
    assert "建议不予备案" in page
    client.post(reverse("filings:act", args=[filing.pk]),
                {"action": "conclude_expert_review", "expected_state": S.EXPERT_REVIEW})
    assert Filing.objects.get(pk=filing.pk).state == S.SELECTION


def test_once_the_review_runs_experts_may_be_added_but_not_removed(world, client):
    filing = world.filing(state=S.EXPERT_REVIEW)
    response = assign(client, world, filing, [world.experts[3]])
    assert response.status_code == 302
    assert filing.panel.count() == 4


def test_the_expert_dashboard_lists_open_assignments(world, client):
    world.filing(state=S.EXPERT_REVIEW)
    client.force_login(world.experts[0])
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "待完成的评审任务" in page and world.pudong_enterprise.name in page
