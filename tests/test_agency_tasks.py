"""Where the clerk looks: the change filing is linked from the agency's home, its filing page and its
details page, and one task list holds its filings, change filings and renewals, each with what is
needed next [002 §13, 000 §3]."""

import datetime

from filings.change_services import create_change_request
from filings.choices import FilingState as S
from portal import todo


def test_the_change_filing_is_linked_where_the_clerk_looks(client, world):
    """[002 §13] 变更备案 from the home, the filing page and the agency details page."""
    active = world.filing(state=S.ACTIVE)
    client.force_login(world.pudong_clerk)
    link = f'href="/filings/{active.pk}/changes/new/"'
    assert link in client.get("/my/").content.decode()
    assert link in client.get(f"/filings/{active.pk}/").content.decode()
    assert link in client.get("/my/agency/").content.decode()
    assert client.get(f"/filings/{active.pk}/changes/new/").status_code == 200


def test_one_task_list_holds_filings_changes_and_renewals(client, world):
    """An open change filing and a renewal window that has opened sit beside the filings."""
    today = datetime.date.today()
    active = world.filing(state=S.ACTIVE, today=today - datetime.timedelta(days=3 * 365 - 30))
    create_change_request(filing_id=active.pk, actor=world.pudong_clerk, reason="迁址",
                          details={"address": "上海市浦东新区新址 1 号"})
    tasks = todo.tasks_for(world.pudong_clerk)
    kinds = {t.kind for t in tasks}
    assert {"变更备案", "期满评估"} <= kinds, [(t.kind, t.text) for t in tasks]
    change = next(t for t in tasks if t.kind == "变更备案")
    assert change.action_needed and "请核对后提交" in change.text and change.url.startswith("/changes/")
    renewal = next(t for t in tasks if t.kind == "期满评估")
    assert renewal.action_needed and renewal.due and "请于" in renewal.text
    client.force_login(world.pudong_clerk)
    page = client.get("/my/").content.decode()
    assert "待办事项" in page and "变更申请草稿" in page and "期满评估申请已开放" in page


def test_other_roles_have_no_agency_tasks(world):
    world.filing(state=S.ACTIVE)
    assert not [t for t in todo.tasks_for(world.city) if t.kind == "期满评估"]
