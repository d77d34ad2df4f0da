"""Spot-check supervisors of a batch, drawn with the supervision issue's reproducible draw or chosen
by hand with a reason [003 §15(2), issue 14 item 4]."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from filings.choices import FilingState
from portal.demo import demo_user
from portal.models import AuditEntry, Role
from portal.transitions import TransitionRefused
from supervision import draw as algo
from supervision.demo_batches import build_batch, drive_batch
from supervision.models.batch_oversight import BatchSpotDraw
from supervision.models.batches import BatchState
from supervision.models.inspections import Inspection
from supervision.models.plans import DrawRecusal, InspectionPlan
from supervision.services import batches as services


@pytest.fixture
def approved(world):
    f = world.filing(state=FilingState.ACTIVE, today=datetime.date(2025, 8, 1))
    b = build_batch(f, world.pudong_clerk, exam_on=datetime.date(2025, 11, 20), today=datetime.date(2025, 9, 26))
    return drive_batch(b, world.pudong_clerk, BatchState.APPROVED, submit_on=datetime.date(2025, 9, 26))


@pytest.fixture
def pool(world):
    return [world.inspector] + [demo_user(f"inspector{i}", role=Role.INSPECTOR, full_name=f"督导员{i}",
                                          region=world.shanghai) for i in range(2, 6)]


def _recuse(world, inspector, agency):
    plan = InspectionPlan.objects.create(number="CJ20259999", title="年度抽查", region=world.shanghai, year=2025,
                                         created_by=world.city) if not InspectionPlan.objects.exists() \
        else InspectionPlan.objects.first()
    DrawRecusal.objects.create(plan=plan, inspector=inspector, agency=agency, reason="近亲属在该机构任职",
                               created_by=world.city)


def test_the_team_is_drawn_from_the_pool_and_verify_draw_reruns_it(world, approved, pool):
    """[003 §15(2)] 随机选派: subject batch:<pk>, seed and commitment kept; verify_draw says OK."""
    inspection = services.send_supervisors(batch_id=approved.pk, actor=world.pudong_reviewer, team_size=3)
    spot = BatchSpotDraw.objects.get(batch=approved)
    assert spot.subject == f"batch:{approved.pk}" and not spot.manual
    assert algo.seed_matches(spot.seed, spot.commitment)
    assert spot.team == algo.draw_team(seed=spot.seed, inspectors=[u.pk for u in pool], n=3, subject=spot.subject)
    assert sorted(inspection.team.values_list("pk", flat=True)) == sorted(spot.team)
    assert (inspection.origin, inspection.origin_id, inspection.phase) == (Inspection.Origin.BATCH, approved.pk,
                                                                           Inspection.Phase.DURING)
    assert AuditEntry.objects.filter(action="batch.spot_draw", data__draw=spot.number).exists()
    out = io.StringIO()
    call_command("verify_draw", spot.number, stdout=out)
    assert out.getvalue().startswith(f"OK {spot.number}")
    call_command("verify_draw", f"batch:{approved.pk}", stdout=io.StringIO())


def test_the_same_seed_gives_the_same_team_and_a_tampered_record_fails(world, approved, pool):
    """[003 §15(2)] Reproducible: anyone with the seed recomputes the team; a changed team is caught."""
    seed = "ab" * 32
    services.send_supervisors(batch_id=approved.pk, actor=world.pudong_reviewer, seed=seed)
    spot = BatchSpotDraw.objects.get()
    assert spot.team == algo.draw_team(seed=seed, inspectors=spot.pool, n=2, subject=f"batch:{approved.pk}")
    other = next(i for i in spot.pool if i not in spot.team)
    BatchSpotDraw.objects.filter(pk=spot.pk).update(team=[spot.team[0], other])
    with pytest.raises(CommandError, match="不一致"):
        call_command("verify_draw", spot.number, stdout=io.StringIO())


def test_conflicted_inspectors_are_left_out_of_the_draw_and_recorded(world, approved, pool):
    """[003 §21] 回避: an inspector recused from the agency is not drawn; the exclusion is kept."""
    _recuse(world, pool[0], approved.agency)
    _recuse(world, pool[1], approved.agency)
    services.send_supervisors(batch_id=approved.pk, actor=world.pudong_reviewer, team_size=3)
    spot = BatchSpotDraw.objects.get()
    assert {pool[0].pk, pool[1].pk}.isdisjoint(spot.team) and {pool[0].pk, pool[1].pk}.isdisjoint(spot.pool)
    assert [row[0] for row in spot.excluded] == [pool[0].pk, pool[1].pk]
    assert "近亲属" in spot.excluded[0][1]
    with pytest.raises(TransitionRefused, match="不足"):
        services.send_supervisors(batch_id=approved.pk, actor=world.pudong_reviewer, team_size=4)


def test_choosing_by_hand_needs_a_reason_and_no_conflicted_inspector(world, approved, pool):
    """[003 §15(2)] 或者指定: by hand, with the reason audited; a recused inspector is refused."""
    with pytest.raises(TransitionRefused, match="理由"):
        services.send_supervisors(batch_id=approved.pk, actor=world.pudong_reviewer, team=pool[:2], reason="")
    _recuse(world, pool[2], approved.agency)
    with pytest.raises(TransitionRefused, match="回避"):
        services.send_supervisors(batch_id=approved.pk, actor=world.pudong_reviewer, team=pool[1:3],
                                  reason="熟悉该职业")
    assert not BatchSpotDraw.objects.exists() and not Inspection.objects.exists()
    services.send_supervisors(batch_id=approved.pk, actor=world.pudong_reviewer, team=pool[:2],
                              reason="两名督查员熟悉电工考核")
    spot = BatchSpotDraw.objects.get()
    assert spot.manual and spot.reason == "两名督查员熟悉电工考核"
    entry = AuditEntry.objects.get(action="batch.spot_draw")
    assert entry.comment == "两名督查员熟悉电工考核" and entry.data["manual"] is True
    with pytest.raises(CommandError, match="人工选派"):
        call_command("verify_draw", spot.number, stdout=io.StringIO())


def test_the_district_draws_from_the_batch_page(client, world, approved, pool):
    """[003 §15(2)] The screen: draw by default, the draw shown on the batch."""
    client.force_login(world.pudong_reviewer)
    client.post(f"/supervision/batches/{approved.pk}/supervise/", {"method": "draw", "team_size": "2"})
    spot = BatchSpotDraw.objects.get()
    page = client.get(f"/supervision/batches/{approved.pk}/").content.decode()
    assert spot.number in page and spot.inspection.number in page
    client.force_login(world.xuhui_reviewer)
    assert client.post(f"/supervision/batches/{approved.pk}/supervise/", {"method": "draw"}).status_code == 404
    assert BatchSpotDraw.objects.count() == 1
