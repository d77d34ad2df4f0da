"""Ledgers (台账) to Excel [SPEC §9, issue #15]: every ledger's headers, info and dictionary sheets,
scoping per role, audit, formula neutralisation, a fixed number of queries, the command line, the
list pages' "export with these filters" and the background export above the threshold."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from filings.choices import FilingState as S
from filings.models import Agency
from portal import ledgers
from portal.models import AuditEntry

NAMES = ["agencies", "filings", "expiring", "assessments", "inspections", "complaints", "sanctions", "batches",
         "occupations", "users"]


def _export(name, user, filters=None):
    buffer = io.BytesIO()
    ledgers.export(ledgers.get(name), user, filters or {}, buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


def _rows(sheet):
    return [[c.value for c in row] for row in sheet.iter_rows()]


@pytest.fixture
def two_sides(world):
    """An in-force filing on each side: 浦东 (pudong_enterprise) and 徐汇 (xuhui_social)."""
    return world.filing(agency=world.pudong_enterprise, state=S.ACTIVE), world.filing(agency=world.xuhui_social,
                                                                                        state=S.ACTIVE)


@pytest.mark.parametrize("name", NAMES)
def test_every_ledger_has_its_headers_an_info_sheet_and_a_dictionary(world, two_sides, name):
    """Chinese headers, frozen header row, filters, and a first sheet saying what, who, when [SPEC §9]."""
    ledger = ledgers.get(name)
    workbook = _export(name, world.admin)
    assert workbook.sheetnames[0] == "导出说明" and workbook.sheetnames[-1] == "数据字典"
    data = workbook[str(ledger.sheet_title or ledger.title)]
    assert _rows(data)[0] == [f.header for f in ledger.fields]
    assert data.freeze_panes == "A2"
    assert data.auto_filter.ref.startswith("A1:")
    info = dict((r[0], r[1]) for r in _rows(workbook["导出说明"])[1:])
    assert info["台账"] == str(ledger.title)
    assert "admin" in info["导出人"] and info["导出时间"] is not None and info["筛选条件"]
    dictionary = _rows(workbook["数据字典"])
    assert dictionary[0] == ["工作表", "列名", "含义", "类型", "格式"]
    described = {(r[0], r[1]) for r in dictionary[1:]}
    assert {(data.title, f.header) for f in ledger.fields} <= described
    assert all(r[2] for r in dictionary[1:]), "every column has its meaning"


def test_dates_are_dates_and_the_filings_ledger_has_its_scope(world, two_sides):
    workbook = _export("filings", world.admin)
    sheet = workbook["备案"]
    header = _rows(sheet)[0]
    first = list(sheet.iter_rows(min_row=2, max_row=2))[0]
    until = first[header.index("有效期至")]
    assert until.is_date and until.number_format == "yyyy-mm-dd"
    scope = _rows(workbook["备案范围"])
    assert scope[0][:4] == ["备案编号", "机构名称", "职业编码", "职业（工种）"]
    assert {r[2] for r in scope[1:]} == {world.electrician.code}


@pytest.mark.parametrize("name", ["agencies", "filings", "expiring", "assessments"])
def test_a_district_reviewers_ledger_holds_only_its_district(world, two_sides, name, settings):
    """A 浦东 district reviewer's ledger has no 徐汇 row, and 徐汇's none of 浦东 [SPEC §1, §9]."""
    import datetime

    from django.utils import timezone

    from filings.models import Filing

    # Bring both filings into the expiring window, and open a renewal on each side.
    soon = timezone.localdate() + datetime.timedelta(days=20)
    Filing.objects.filter(pk__in=[f.pk for f in two_sides]).update(valid_until=soon)
    if name == "assessments":
        from assessments.demo import complete_application
        from assessments.services import open_renewal

        for f in two_sides:
            a = open_renewal(filing_id=f.pk, actor=f.agency.staff.first(), today=timezone.localdate())
            complete_application(a, f.agency.staff.first())
    ledger = ledgers.get(name)
    title = str(ledger.sheet_title)
    pudong = {r[0] for r in _rows(_export(name, world.pudong_reviewer)[title])[1:]}
    xuhui = {r[0] for r in _rows(_export(name, world.xuhui_reviewer)[title])[1:]}
    everyone = {r[0] for r in _rows(_export(name, world.city)[title])[1:]}
    if name == "agencies":
        assert world.pudong_enterprise.uscc in pudong and world.xuhui_social.uscc not in pudong
        assert world.xuhui_social.uscc in xuhui and world.pudong_enterprise.uscc not in xuhui
    elif name != "assessments" or pudong:
        pd, xh = two_sides
        assert pd.number in pudong and xh.number not in pudong
        assert xh.number in xuhui and pd.number not in xuhui
    assert pudong | xuhui <= everyone


def test_the_pudong_ledger_mentions_no_xuhui_agency_anywhere(world, two_sides):
    workbook = _export("filings", world.pudong_reviewer)
    text = " ".join(str(v) for sheet in workbook.worksheets for row in _rows(sheet) for v in row if v)
    assert world.xuhui_social.name not in text and "徐汇" not in text.replace("徐汇养老", "")


def test_roles_that_may_not_export_are_refused(world):
    for user in (world.pudong_clerk, world.experts[0]):
        assert not ledgers.get("filings").allowed(user)
        with pytest.raises(PermissionError):
            _export("filings", user)
    assert not ledgers.get("users").allowed(world.city)


def test_every_export_is_audited_with_its_filters_and_rows(world, two_sides):
    """Every export writes an audit entry [001 §4(1), 003 §18]."""
    _export("filings", world.pudong_reviewer, {"state": S.ACTIVE})
    entry = AuditEntry.objects.filter(action="ledger.filings.export").get()
    assert entry.actor == world.pudong_reviewer
    assert entry.data["filters"] == {"state": S.ACTIVE}
    assert entry.data["rows"]["备案"] == 1


def test_text_that_would_start_a_formula_stays_text(world, two_sides):
    """OWASP formula injection: a name beginning with = is a quoted string cell, never a formula."""
    evil = '=HYPERLINK("http://evil.example/","点我")'
    Agency.objects.filter(pk=world.pudong_enterprise.pk).update(name=evil, address="+1 路", contact_name="@SUM")
    for name in ("agencies", "filings"):
        workbook = _export(name, world.city)
        cells = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
        assert not [c for c in cells if c.data_type == "f"]
        quoted = [c for c in cells if c.value == evil]
        assert quoted and all(c.quotePrefix for c in quoted)


def _queries(name, user):
    with CaptureQueriesContext(connection) as ctx:
        ledgers.export(ledgers.get(name), user, {}, io.BytesIO())
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["agencies", "filings", "expiring", "assessments"])
def test_an_export_costs_the_same_queries_at_n_and_2n_rows(world, name):
    """One query per sheet, whatever the rows (issue #15 §3)."""
    import datetime

    from django.utils import timezone

    from assessments.services import open_renewal
    from filings.demo import agency_user, get_agency, make_uscc
    from filings.models import Filing

    def add(n, offset):
        for i in range(n):
            agency = get_agency(name=f"上海测试{offset + i}有限公司", uscc=make_uscc(100 + offset + i),
                                kind=world.pudong_enterprise.kind, ownership=world.pudong_enterprise.ownership,
                                region_code="310115")
            clerk = agency_user(agency, f"clerk{offset + i}")
            if name == "filings":
                world.filing(agency=agency, clerk=clerk, state=S.SUBMITTED)
            elif name in ("expiring", "assessments"):
                f = world.filing(agency=agency, clerk=clerk, state=S.ACTIVE)
                Filing.objects.filter(pk=f.pk).update(valid_until=timezone.localdate() + datetime.timedelta(days=20))
                if name == "assessments":
                    open_renewal(filing_id=f.pk, actor=clerk, today=timezone.localdate())

    add(2, 0)
    _queries(name, world.admin)  # the first export of a process looks up content types once
    small = _queries(name, world.admin)
    add(2, 2)
    assert _queries(name, world.admin) == small
    # The rows of each sheet, the audit entry (chain head lock, insert, update): nothing per row.
    sheets = 1 + len(ledgers.get(name).extra_sheets)
    assert small == sheets + EXPECTED_OVERHEAD + POLICY_LOOKUP.get(name, 0)


POLICY_LOOKUP = {"expiring": 1}  # the active policy's renewal window [000 §3]
EXPECTED_OVERHEAD = 5  # the audit entry: SAVEPOINT, the chain head, INSERT, UPDATE, RELEASE


def test_the_command_writes_the_same_ledger_for_a_user(world, two_sides, tmp_path):
    out = tmp_path / "filings.xlsx"
    call_command("export_ledger", "filings", "--user", "pudong", "-o", str(out), stdout=io.StringIO())
    rows = _rows(load_workbook(out)["备案"])
    assert [r[0] for r in rows[1:]] == [two_sides[0].number]
    assert AuditEntry.objects.filter(action="ledger.filings.export", data__via="command").exists()


def test_the_command_refuses_an_unknown_ledger_or_user(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("export_ledger", "nothing", "--user", "city", "-o", "/tmp/x.xlsx")
    with pytest.raises(CommandError):
        call_command("export_ledger", "filings", "--user", "nobody", "-o", "/tmp/x.xlsx")


def _download(response):
    assert response.status_code == 200, response
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_the_work_list_exports_what_it_shows(client, world, two_sides):
    """The list's link carries its tab and filters; the file holds exactly those rows [issue #15 §2]."""
    client.force_login(world.city)
    page = client.get(reverse("filings:worklist") + "?tab=all&state=active")
    link = reverse("portal:ledger_export", kwargs={"name": "filings"}) + "?tab=all&amp;state=active"
    assert link in page.content.decode()
    rows = _rows(_download(client.get(link.replace("&amp;", "&")))["备案"])
    assert sorted(r[0] for r in rows[1:]) == sorted(f.number for f in two_sides)
    rows = _rows(_download(client.get(reverse("portal:ledger_export", kwargs={"name": "filings"})
                                      + "?tab=all&state=submitted"))["备案"])
    assert rows[1:] == []


def test_export_pages_refuse_those_who_may_not(client, world):
    url = reverse("portal:ledger_export", kwargs={"name": "filings"})
    assert client.get(url).status_code == 302  # anonymous → login
    client.force_login(world.pudong_clerk)
    assert client.get(url).status_code == 404
    assert client.get(reverse("portal:ledgers")).status_code == 404
    client.force_login(world.city)
    assert client.get(reverse("portal:ledger_export", kwargs={"name": "users"})).status_code == 404
    assert client.get(reverse("portal:ledgers")).status_code == 200


def test_a_large_export_runs_in_the_background_with_progress_and_an_audited_download(client, world, two_sides,
                                                                                     settings):
    """Above the threshold: a job, a progress page polling a status URL, then the file [issue #15 §3]."""
    settings.LEDGER_BACKGROUND_ROWS = 1
    client.force_login(world.city)
    response = client.get(reverse("portal:ledger_export", kwargs={"name": "filings"}))
    assert response.status_code == 302
    job_url = response["Location"]
    page = client.get(job_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<progress" in html and "ledgers/progress.js" in html and "<script>" not in html
    token = job_url.split("token=")[1]
    status = client.get(reverse("portal:ledger_job_status") + f"?token={token}").json()
    assert status["state"] == "done" and status["percent"] == 100 and status["total"] == 2
    workbook = _download(client.get(status["download_url"]))
    assert len(_rows(workbook["备案"])) == 3
    assert AuditEntry.objects.filter(action="ledger.download", actor=world.city).count() == 1
    assert AuditEntry.objects.filter(action="ledger.filings.export", data__via="background").count() == 1
    # Someone else's job does not exist for them.
    client.force_login(world.pudong_reviewer)
    assert client.get(job_url).status_code == 404
    assert client.get(status["download_url"]).status_code == 404


@pytest.mark.parametrize("name", ["inspections", "complaints", "sanctions", "batches"])
def test_supervision_ledgers_export_for_each_staff_role(world, name):
    """The supervision ledgers read through their areas' selectors: every staff role gets a file,
    the clerk none [SPEC §9]."""
    for user in (world.admin, world.city, world.pudong_reviewer, world.industry_reviewer):
        workbook = _export(name, user)
        assert _rows(workbook[str(ledgers.get(name).sheet_title)])[0] == [f.header for f in ledgers.get(name).fields]
    assert not ledgers.get(name).allowed(world.pudong_clerk)


def test_the_command_knows_every_ledger_of_the_issue():
    """NAME is one of agencies filings expiring assessments inspections complaints sanctions batches."""
    assert {"agencies", "filings", "expiring", "assessments", "inspections", "complaints", "sanctions",
            "batches"} <= {ledger.name for ledger in ledgers.all_ledgers()}
