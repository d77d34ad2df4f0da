"""verify_draw recomputes a draw from its published inputs and names the first difference [003 §21]."""

import pytest
from django.core.management import CommandError, call_command

from portal.transitions import TransitionRefused
from supervision import draw as algo
from supervision.models import Draw, DrawResult
from supervision.services import plans as svc

from ._plans_helpers import MONDAY, plan, revealed

pytestmark = pytest.mark.django_db


def test_verify_ok(world, capsys):
    d = revealed(world)
    call_command("verify_draw", d.number)
    assert capsys.readouterr().out.startswith(f"OK {d.number}")


def test_tampered_result_row_is_named(world):
    """A stored result row changed after the draw: verify_draw names the position [003 §21 一公开]."""
    d = revealed(world, sample_count=3)
    row = DrawResult.objects.get(draw=d, position=2)
    others = [a for a, _w in d.candidates if a not in set(d.results.values_list("agency_id", flat=True))]
    DrawResult.objects.filter(pk=row.pk).update(agency_id=others[0])
    with pytest.raises(CommandError) as exc:
        call_command("verify_draw", d.number)
    assert "第 2 位" in str(exc.value) and f"机构 {row.agency_id}" in str(exc.value)


def test_tampered_candidates_are_caught(world):
    d = revealed(world)
    Draw.objects.filter(pk=d.pk).update(candidates=d.candidates[1:])
    with pytest.raises(CommandError, match="候选名单哈希不一致"):
        call_command("verify_draw", d.number)


def test_wrong_seed_refused(world):
    """A revealed seed that does not match the published commitment is refused; nothing is drawn."""
    p = plan(world)
    d = svc.commit_draw(plan_id=p.pk, actor=world.city, today=MONDAY)
    with pytest.raises(TransitionRefused, match="承诺不一致"):
        svc.reveal_draw(draw_id=d.pk, actor=world.city, seed="0" * 64, today=MONDAY)
    d.refresh_from_db()
    assert d.state == Draw.State.COMMITTED and not d.results.exists() and not d.revealed_seed


def test_own_seed_committed_then_revealed(world):
    p = plan(world)
    seed = "5" * 64
    d = svc.commit_draw(plan_id=p.pk, actor=world.city, seed=seed, today=MONDAY)
    assert d.commitment == algo.commit(seed)
    d = svc.reveal_draw(draw_id=d.pk, actor=world.city, seed=seed, today=MONDAY)
    assert d.state == Draw.State.REVEALED and svc.verify_draw(d) == []


def test_unknown_number(world):
    with pytest.raises(CommandError):
        call_command("verify_draw", "CQ19990001")
