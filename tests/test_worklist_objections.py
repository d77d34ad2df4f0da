"""The reviewers' work list marks a filing whose public notice has an objection waiting to be
verified [001 §3(3), 003 §7; issue 13: 工作清单标注待核实的异议]."""

from django.urls import reverse

from filings.choices import FilingState as S
from filings.models import NoticeItem
from filings.notices import file_objection


def test_a_filing_with_a_pending_objection_is_marked_in_the_city_work_list(client, world):
    """[001 §3(3)] An objection during the notice puts the filing on the city's list, marked."""
    objected = world.filing(state=S.PUBLIC_NOTICE)
    quiet = world.filing(agency=world.xuhui_social, state=S.PUBLIC_NOTICE, occupations=[world.carer])
    item = NoticeItem.objects.get(filing=objected)
    file_objection(item=item, name="张三", contact="13800000000", text="考评人员名单不实。",
                   today=item.notice.starts_on)
    client.force_login(world.city)
    page = client.get(reverse("filings:worklist") + "?tab=all").content.decode()
    assert objected.agency.name in page and quiet.agency.name in page
    assert page.count("有待核实的异议") == 1
    todo = client.get(reverse("filings:worklist")).content.decode()
    assert objected.agency.name in todo and "有待核实的异议" in todo
