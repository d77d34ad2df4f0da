"""Imports from Excel [SPEC §9, issue #15 §4]: agencies by USCC, occupations by code, users by
username, through django-import-export with a preview; all or nothing with every error named by row
and column; a round trip from the ledger; hostile files refused quickly with nothing changed; each
import audited with its file's SHA-256."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from filings.demo import make_uscc
from filings.models import Agency
from portal import imports, ledgers
from portal.import_resources import KINDS, run
from portal.models import AuditEntry, Occupation, User

HEADERS = KINDS["agencies"].headers()


def xlsx(headers, rows, title="评价机构") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name="agencies.xlsx"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def agency_row(seed, name="上海新建电气有限公司", region="310115", **changes):
    row = {"统一社会信用代码": make_uscc(seed), "机构名称": name, "机构类别": "用人单位（企业自主评价）",
           "隶属关系": "区属企业", "区划代码": region, "行业主管部门": None, "地址": "上海市浦东新区示范路 1 号",
           "法定代表人": "王五", "联系人": "赵六", "联系电话": "021-60000001", "联系邮箱": "a@example.com"}
    row.update(changes)
    return [row[h] for h in HEADERS]


@pytest.fixture
def labels(world):
    """The Chinese labels the ledger writes for kind and ownership."""
    a = world.pudong_enterprise
    return {"kind": a.get_kind_display(), "ownership": a.get_ownership_display()}


def _row(seed, labels, **kw):
    return agency_row(seed, **{"机构类别": labels["kind"], "隶属关系": labels["ownership"], **kw})


def test_a_good_file_previews_then_imports_every_row(world, labels):
    content = xlsx(HEADERS, [_row(201, labels), _row(202, labels, 机构名称="上海新建机械有限公司")])
    before = Agency.objects.count()
    preview = run(KINDS["agencies"], upload(content), actor=world.admin, confirm=False)
    assert preview.ok, [str(e) for e in preview.errors]
    assert [r["type"] for r in preview.rows] == ["new", "new"] and [r["row"] for r in preview.rows] == [2, 3]
    assert Agency.objects.count() == before, "the preview changes nothing"
    done = run(KINDS["agencies"], upload(content), actor=world.admin, confirm=True)
    assert done.ok and Agency.objects.count() == before + 2
    entry = AuditEntry.objects.get(action="import.agencies")
    assert entry.data["sha256"] == hashlib.sha256(content).hexdigest() and entry.actor == world.admin


def test_one_bad_row_imports_nothing_and_is_named_by_row_and_column(world, labels):
    """All or nothing: a wrong USCC check digit on row 3 and an unknown district on row 4 [SPEC §9]."""
    bad_uscc = make_uscc(204)[:-1] + ("0" if make_uscc(204)[-1] != "0" else "1")
    content = xlsx(HEADERS, [_row(203, labels), _row(204, labels, 统一社会信用代码=bad_uscc),
                             _row(205, labels, 区划代码="999999")])
    before = Agency.objects.count()
    result = run(KINDS["agencies"], upload(content), actor=world.admin, confirm=True)
    assert not result.ok
    messages = [str(e) for e in result.errors]
    assert any(m.startswith("第 3 行“统一社会信用代码”列") for m in messages), messages
    assert any(m.startswith("第 4 行“区划代码”列") and "999999" in m for m in messages), messages
    assert Agency.objects.count() == before
    assert not AuditEntry.objects.filter(action="import.agencies").exists()


def test_a_choice_not_in_the_list_is_named(world, labels):
    content = xlsx(HEADERS, [_row(206, labels, 机构类别="外星机构")])
    result = run(KINDS["agencies"], upload(content), actor=world.admin, confirm=False)
    assert any("第 2 行“机构类别”列" in str(e) and "外星机构" in str(e) for e in result.errors)


def test_invisible_characters_in_a_cell_are_refused(world, labels):
    content = xlsx(HEADERS, [_row(207, labels, 机构名称="上海\u202e电气有限公司")])
    result = run(KINDS["agencies"], upload(content), actor=world.admin, confirm=True)
    assert any("第 2 行“机构名称”列" in str(e) for e in result.errors)
    assert not Agency.objects.filter(uscc=make_uscc(207)).exists()


def test_round_trip_export_edit_import_back(world):
    """The agencies ledger, edited in Excel, imports back keyed by USCC [issue #15 §4]."""
    buffer = io.BytesIO()
    ledgers.export(ledgers.get("agencies"), world.admin, {}, buffer)
    wb = load_workbook(io.BytesIO(buffer.getvalue()))
    ws = wb["评价机构"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[header.index("统一社会信用代码")].value == world.pudong_enterprise.uscc:
            row[header.index("联系人")].value = "钱七"
    edited = io.BytesIO()
    wb.save(edited)
    count = Agency.objects.count()
    preview = run(KINDS["agencies"], upload(edited.getvalue()), actor=world.admin, confirm=False)
    assert preview.ok, [str(e) for e in preview.errors]
    assert {r["type"] for r in preview.rows} == {"update", "skip"}
    assert [r["type"] for r in preview.rows].count("update") == 1
    assert run(KINDS["agencies"], upload(edited.getvalue()), actor=world.admin, confirm=True).ok
    world.pudong_enterprise.refresh_from_db()
    assert world.pudong_enterprise.contact_name == "钱七" and Agency.objects.count() == count


def _zip(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


HOSTILE = {
    "pdf renamed": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
    "csv": "统一社会信用代码,机构名称\n1,2\n".encode(),
    "old xls or encrypted": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
    "plain zip": _zip({"readme.txt": b"hello"}),
    "broken zip": b"PK\x03\x04" + b"\0" * 100,
    "macro workbook": _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                            "xl/vbaProject.bin": b"\0" * 10}),
    "zip bomb": _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                      "xl/worksheets/sheet1.xml": b"\0" * (60 * 1024 * 1024)}),
    "empty": b"",
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_files_are_refused_before_parsing_and_nothing_changes(world, kind):
    count = Agency.objects.count()
    with pytest.raises(imports.ImportRefused) as refused:
        run(KINDS["agencies"], upload(HOSTILE[kind], name="agencies.xlsx"), actor=world.admin, confirm=True)
    assert refused.value.messages and all(m for m in refused.value.messages)
    assert Agency.objects.count() == count
    assert AuditEntry.objects.filter(action="import.refused").count() == 1


def test_an_oversized_file_and_an_overlong_sheet_are_refused(world, labels, settings):
    content = xlsx(HEADERS, [_row(300 + i, labels, 机构名称=f"上海第{i}电气有限公司") for i in range(5)])
    settings.IMPORT_MAX_BYTES = len(content) - 1
    with pytest.raises(imports.ImportRefused, match="上限"):
        run(KINDS["agencies"], upload(content), actor=world.admin, confirm=True)
    settings.IMPORT_MAX_BYTES = 10 * 1024 * 1024
    settings.IMPORT_MAX_ROWS = 3
    with pytest.raises(imports.ImportRefused, match="3 行"):
        run(KINDS["agencies"], upload(content), actor=world.admin, confirm=True)
    assert not Agency.objects.filter(uscc=make_uscc(300)).exists()


def test_a_sheet_without_the_key_column_is_refused(world):
    content = xlsx(["名称"], [["上海"]])
    with pytest.raises(imports.ImportRefused, match="统一社会信用代码"):
        run(KINDS["agencies"], upload(content), actor=world.admin, confirm=False)


def test_occupations_import_by_code_and_refuse_a_malformed_code(world):
    headers = KINDS["occupations"].headers()
    good = xlsx(headers, [["6-31-01-99", "测试电工", "", "否", "是", 2022],
                          [world.electrician.code, "电工（更名）", "", "否", "是", 2022]], title="职业（工种）")
    result = run(KINDS["occupations"], upload(good), actor=world.admin, confirm=True)
    assert result.ok, [str(e) for e in result.errors]
    assert Occupation.objects.get(code="6-31-01-99").name == "测试电工"
    world.electrician.refresh_from_db()
    assert world.electrician.name == "电工（更名）"
    bad = xlsx(headers, [["6310199", "测试", "", "否", "是", 2022]], title="职业（工种）")
    result = run(KINDS["occupations"], upload(bad), actor=world.admin, confirm=True)
    assert any("第 2 行“职业编码”列" in str(e) for e in result.errors)
    assert not Occupation.objects.filter(code="6310199").exists()


def test_users_import_by_username_never_makes_an_administrator(world):
    headers = KINDS["users"].headers()
    rows = [["new_pd", "新审核员", "区县人社部门", "", "new_pd@example.gov.cn", "310115", None, None, "是"]]
    result = run(KINDS["users"], upload(xlsx(headers, rows, title="用户")), actor=world.admin, confirm=True)
    assert result.ok, [str(e) for e in result.errors]
    user = User.objects.get(username="new_pd")
    assert user.region == world.pudong and not user.has_usable_password()
    from portal.models import Role

    for bad in (["evil", "某人", str(Role.ADMIN.label), "", "", "", None, None, "是"],
                ["admin", "系统管理员", "市级人社部门", "", "", "310000", None, None, "是"],
                ["no_region", "某人", "区县人社部门", "", "", "", None, None, "是"]):
        result = run(KINDS["users"], upload(xlsx(headers, [bad], title="用户")), actor=world.admin, confirm=True)
        assert not result.ok, bad
    assert not User.objects.filter(username__in=["evil", "no_region"]).exists()
    world.admin.refresh_from_db()
    assert world.admin.role == Role.ADMIN


def test_the_admin_screens_preview_and_confirm(client, world, labels):
    content = xlsx(HEADERS, [_row(401, labels)])
    client.force_login(world.admin)
    assert client.get(reverse("portal:imports")).status_code == 200
    template = client.get(reverse("portal:import_template", kwargs={"name": "agencies"}))
    wb = load_workbook(io.BytesIO(b"".join(template.streaming_content)))
    assert [c.value for c in wb["评价机构"][1]] == [f.header for f in ledgers.get("agencies").fields]
    page = client.post(reverse("portal:import_upload", kwargs={"name": "agencies"}), {"file": upload(content)})
    html = page.content.decode()
    assert page.status_code == 200 and "确认导入" in html and make_uscc(401) in html
    assert not Agency.objects.filter(uscc=make_uscc(401)).exists()
    token = html.split('name="token" value="')[1].split('"')[0]
    done = client.post(reverse("portal:import_confirm", kwargs={"name": "agencies"}), {"token": token})
    assert done.status_code == 302
    assert Agency.objects.filter(uscc=make_uscc(401)).exists()
    # The same token cannot import twice.
    again = client.post(reverse("portal:import_confirm", kwargs={"name": "agencies"}), {"token": token})
    assert again.status_code == 302 and AuditEntry.objects.filter(action="import.agencies").count() == 1


def test_a_hostile_upload_shows_its_reason_on_the_form(client, world):
    client.force_login(world.admin)
    page = client.post(reverse("portal:import_upload", kwargs={"name": "agencies"}),
                       {"file": upload(HOSTILE["pdf renamed"])})
    assert page.status_code == 200 and "不是 Excel 工作簿" in page.content.decode()


@pytest.mark.parametrize("who", ["pudong_reviewer", "city", "pudong_clerk"])
def test_only_administrators_import(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("portal:imports")).status_code == 404
    assert client.get(reverse("portal:import_upload", kwargs={"name": "agencies"})).status_code == 404
