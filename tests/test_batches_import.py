"""Candidate lists and results from Excel, all-or-nothing, with the row and column named [003 §15]."""

import datetime
import io
import zipfile

import pytest

from filings.choices import FilingState
from supervision import idcard
from supervision.batch_import import CANDIDATE_COLUMNS, RESULT_COLUMNS, ImportRefused, read_sheet
from supervision.demo_batches import build_batch, candidate_sheet, drive_batch, people, result_sheet, xlsx
from supervision.models.batches import BatchState, Candidate
from supervision.services import batches as services

FRIDAY = datetime.date(2025, 9, 26)


@pytest.fixture
def batch(world):
    f = world.filing(state=FilingState.ACTIVE, today=datetime.date(2025, 8, 1))
    return build_batch(f, world.pudong_clerk, exam_on=datetime.date(2025, 11, 20), persons=[], today=FRIDAY)


def _import(batch, world, data):
    return services.import_candidates(batch_id=batch.pk, data=data, actor=world.pudong_clerk, today=FRIDAY)


def _code_level(batch):
    g = batch.groups.select_related("occupation").get()
    return g.occupation.code, g.level


def test_good_file_imports_whole(world, batch):
    """[003 §15(1)] 参加认定人员信息 from the portal's template."""
    code, level = _code_level(batch)
    assert _import(batch, world, candidate_sheet(code, level, people(30))) == 30
    assert batch.candidates.count() == 30


def test_one_bad_row_imports_nothing_and_names_row_and_column(world, batch):
    """All or nothing: a malformed ID number (check digit), a duplicate candidate, a level outside
    the batch — each named by row and column; nothing is stored."""
    code, level = _code_level(batch)
    persons = people(5)
    bad_id = persons[2][1][:17] + ("0" if persons[2][1][17] != "0" else "1")
    rows = [(n, i, code, "四级/中级工" if level == 3 else "三级/高级工", "满 4 年", "本单位在岗职工") for n, i in persons]
    rows[2] = (rows[2][0], bad_id, *rows[2][2:])
    rows.append((persons[0][0], persons[0][1], code, rows[0][3], "", "本单位在岗职工"))
    rows.append(("赵六", idcard.make("31011519900101123"), code, "二级/技师", "", "本单位在岗职工"))
    with pytest.raises(ImportRefused) as exc:
        _import(batch, world, xlsx(CANDIDATE_COLUMNS, rows))
    text = "；".join(exc.value.problems)
    assert "第 4 行 B 列（身份证号码）：身份证号码校验位错误（GB 11643）" in text
    assert "第 7 行 B 列（身份证号码）：与第 2 行重复" in text
    assert "第 8 行 D 列（申报等级）" in text and "不在本批次" in text
    assert not Candidate.objects.filter(batch=batch).exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused(world, batch):
    with pytest.raises(ImportRefused, match="不是 Excel"):
        _import(batch, world, b"%PDF-1.7 not a workbook")
    with pytest.raises(ImportRefused, match="不是 Excel"):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("word/document.xml", "<w/>")
        _import(batch, world, buf.getvalue())


def test_zip_bomb_is_refused_before_reading(world, batch):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (90 * 1024 * 1024))
    assert len(buf.getvalue()) < 1024 * 1024
    with pytest.raises(ImportRefused, match="压缩炸弹"):
        _import(batch, world, buf.getvalue())


def test_a_sheet_of_100000_rows_is_refused(world, batch):
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("名单")
    sheet.append(list(CANDIDATE_COLUMNS))
    for i in range(100_000):
        sheet.append([i])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ImportRefused, match="上限 10000 行"):
        read_sheet(out.getvalue(), columns=CANDIDATE_COLUMNS)


def test_missing_header_names_the_columns(world, batch):
    with pytest.raises(ImportRefused, match="表头缺少列：身份证号码"):
        _import(batch, world, xlsx(("姓名",), [("张三",)]))


def test_results_missing_score_and_duplicate_certificates(world):
    """[003 §15(3)] the certificate sheet: a missing score, a certificate number twice, a number
    used by another batch — all named, nothing stored."""
    f = world.filing(state=FilingState.ACTIVE, today=datetime.date(2025, 8, 1))
    persons = people(6)
    batch = build_batch(f, world.pudong_clerk, exam_on=datetime.date(2025, 9, 19), persons=persons,
                        today=datetime.date(2025, 9, 1))
    batch = drive_batch(batch, world.pudong_clerk, BatchState.APPROVED, submit_on=datetime.date(2025, 9, 1))
    rows = [(n, i, 80, 85, "合格", f"C{k}", "是") for k, (n, i) in enumerate(persons)]
    rows[1] = (rows[1][0], rows[1][1], 80, None, "合格", "C1", "是")
    rows[3] = (*rows[3][:5], "C0", "是")
    with pytest.raises(ImportRefused) as exc:
        services.import_results(batch_id=batch.pk, data=xlsx(RESULT_COLUMNS, rows), actor=world.pudong_clerk)
    text = "；".join(exc.value.problems)
    assert "第 3 行 D 列（技能成绩）：缺少成绩" in text
    assert "第 5 行 F 列（证书编号）：与第 2 行证书编号重复" in text
    assert not batch.candidates.filter(passed__isnull=False).exists()
    services.import_results(batch_id=batch.pk, data=result_sheet(persons, prefix="ZS"), actor=world.pudong_clerk)
    assert batch.candidates.filter(passed=True).count() == 6
    # A second batch may not reuse the numbers.
    other = build_batch(f, world.pudong_clerk, exam_on=datetime.date(2025, 9, 19), persons=people(2, seed=99),
                        title="另一批", today=datetime.date(2025, 9, 1))
    other = drive_batch(other, world.pudong_clerk, BatchState.APPROVED, submit_on=datetime.date(2025, 9, 1))
    with pytest.raises(ImportRefused, match="已在其他批次使用"):
        services.import_results(batch_id=other.pk, data=result_sheet(people(2, seed=99), prefix="ZS"),
                                actor=world.pudong_clerk)


def test_export_masks_id_numbers(world, client):
    """Exports show no whole ID number; the export is audited."""
    from portal.models import AuditEntry

    f = world.filing(state=FilingState.ACTIVE, today=datetime.date(2025, 8, 1))
    persons = people(3)
    batch = build_batch(f, world.pudong_clerk, exam_on=datetime.date(2025, 11, 20), persons=persons, today=FRIDAY)
    client.force_login(world.pudong_clerk)
    response = client.get(f"/supervision/batches/{batch.pk}/export/")
    rows = read_sheet(response.content, columns=RESULT_COLUMNS)
    assert [r[1]["身份证号码"] for r in rows] == [idcard.mask(p[1]) for p in persons]
    assert AuditEntry.objects.filter(action="batch.export").exists()
    page = client.get(f"/supervision/batches/{batch.pk}/").content.decode()
    assert persons[0][1] not in page and idcard.mask(persons[0][1]) in page
