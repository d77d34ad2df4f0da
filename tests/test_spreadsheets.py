"""Formula injection in every spreadsheet the portal writes (OWASP "CSV injection", issue #11 item 3):
text a person typed never becomes a live formula in the reader's Excel or WPS."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from filings.choices import FilingState as S
from filings.models import Agency
from portal.spreadsheets import safe_cell, safe_row, write_xlsx

DANGEROUS = ['=HYPERLINK("http://evil.example/","点我")', "+1", "-2", "@SUM(A1:A2)", "\t=1", "\r=1", "＝1+1"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_that_would_start_a_formula_gets_a_leading_apostrophe(text):
    assert safe_cell(text) == "'" + text


def test_ordinary_text_numbers_and_dates_are_left_as_they_are():
    today = datetime.date(2026, 3, 1)
    assert safe_row(["上海浦江电气有限公司", -2, Decimal("-1.5"), 0.5, today, None, True, "a=b"]) == [
        "上海浦江电气有限公司", -2, Decimal("-1.5"), 0.5, today, None, True, "a=b"]


def test_a_workbook_has_no_formula_cell_and_shows_the_text_exactly():
    data = write_xlsx([("表", ["=名称", "数"], [[t, -2] for t in DANGEROUS])])
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    # XML reads a carriage return back as a line feed; the text is otherwise exactly what was written.
    assert [r[0].value for r in sheet.iter_rows(min_row=2)] == [t.replace("\r", "\n") for t in DANGEROUS]
    assert all(r[0].quotePrefix for r in sheet.iter_rows(min_row=2))
    assert [r[1].value for r in sheet.iter_rows(min_row=2)] == [-2] * len(DANGEROUS)


@pytest.fixture
def hostile(world):
    """Filings in force whose agencies' names (legacy data, written past the form) begin like formulas."""
    agencies = [world.pudong_enterprise, world.xuhui_social, world.soe, world.association, world.school]
    names = ['=HYPERLINK("http://evil.example/","点我")', "+1 机构", "-2 机构", "@SUM(A1:A2)", "\t=1 机构"]
    for agency, name in zip(agencies, names):
        world.filing(agency=agency, state=S.ACTIVE)
        Agency.objects.filter(pk=agency.pk).update(name=name)
    return names


def test_directory_csv_neutralises_names_that_begin_like_formulas(client, hostile):
    response = client.get("/directory/export/csv/")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    exported = {row[0] for row in csv.reader(io.StringIO(body))} - {"机构名称"}
    assert exported == {"'" + name for name in hostile}


def test_directory_xlsx_writes_names_as_text_never_as_formulas(client, hostile):
    response = client.get("/directory/export/xlsx/")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2))
    assert {r[0].value for r in rows} == set(hostile)
    assert not [c for r in rows for c in r if c.data_type == "f"]
    assert all(r[0].quotePrefix for r in rows)
    assert all(isinstance(r[4].value, datetime.datetime) for r in rows)  # 有效期自 stays a date
