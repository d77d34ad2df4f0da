"""Batch screens and supervision: dashboards, lists, the spot check [003 §15(2), §17]."""

import datetime

from filings.choices import FilingState
from portal.demo import demo_user
from portal.models import Role
from supervision.demo_batches import build_batch, drive_batch
from supervision.models.batches import BatchState
from supervision.services import batches as services


def _approved(world):
    f = world.filing(state=FilingState.ACTIVE, today=datetime.date(2025, 8, 1))
    b = build_batch(f, world.pudong_clerk, exam_on=datetime.date(2025, 11, 20), today=datetime.date(2025, 9, 26))
    return drive_batch(b, world.pudong_clerk, BatchState.APPROVED, submit_on=datetime.date(2025, 9, 26))


def test_district_sends_supervisors_to_a_batch(world):
    """[003 §15(2), §17] 选派督查员对关键环节进行抽查: an inspection of origin BATCH, phase 考中."""
    from supervision.models.inspections import Inspection

    batch = _approved(world)
    second = demo_user("inspector2", role=Role.INSPECTOR, full_name="督导员二", region=world.shanghai)
    inspection = services.send_supervisors(batch_id=batch.pk, team=[world.inspector, second], reason="熟悉该职业的督查员",
                                           actor=world.pudong_reviewer)
    assert (inspection.origin, inspection.origin_id, inspection.phase) == (Inspection.Origin.BATCH, batch.pk,
                                                                           Inspection.Phase.DURING)
    assert list(services.supervision_of(batch)) == [inspection]


def test_dashboards_and_lists_render_for_each_role(world, client):
    batch = _approved(world)
    for user in (world.pudong_clerk, world.pudong_reviewer, world.city, world.xuhui_reviewer, world.admin):
        client.force_login(user)
        for url in ("/", "/supervision/batches/", "/supervision/results/"):
            response = client.get(url, follow=True)
            assert response.status_code == 200, (user, url)
    client.force_login(world.pudong_clerk)
    assert batch.title in client.get("/supervision/batches/").content.decode()
    assert client.get("/supervision/batches/new/").status_code == 200
    client.force_login(world.pudong_reviewer)
    assert client.get("/supervision/batches/new/").status_code == 403
