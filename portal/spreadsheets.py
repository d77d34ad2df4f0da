"""Every spreadsheet the portal writes (the directory's downloads, the ledgers) goes through here, so
that text a person typed can never become a live formula in the reader's Excel or WPS (OWASP "CSV
injection" / formula injection).

A text cell that begins with `= + - @`, a tab or a carriage return is a formula, or starts one, to a
spreadsheet program; so is the full-width `＝ ＋ － ＠` that a Chinese input method types, which Excel
and WPS convert to the half-width sign when the cell is edited. Such a cell is neutralised:

- in CSV, by a leading apostrophe (`'=1`), the mark OWASP recommends; a spreadsheet shows the text and
  never evaluates it;
- in XLSX, the text is written as a string cell (never a formula cell) with the cell's *quote prefix*
  set, which is the same apostrophe kept as formatting: the reader sees exactly the name the agency
  gave and editing the cell keeps it text.

Numbers, dates and booleans stay what they are, so a negative number stays a number and a date a
date; only text is ever changed.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# An XLSX cell holds at most 32,767 characters; a longer text would make Excel call the file corrupt.
XLSX_MAX_TEXT = 32_767

Cell = str | int | float | Decimal | bool | datetime.date | datetime.datetime | None


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_cell(value: Cell) -> Cell:
    """The value as a CSV cell that cannot be evaluated: text that would start a formula gets a
    leading apostrophe; anything that is not text is returned unchanged."""
    if is_formula_like(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Cell]) -> list[Cell]:
    return [safe_cell(v) for v in values]


class _Echo:
    """A file-like object whose write() hands back the line, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(headers: Sequence[str], rows: Iterable[Iterable[Cell]]) -> Iterator[str]:
    """UTF-8 CSV lines, the first with a byte-order mark so that Excel opens the Chinese correctly;
    every cell passes through `safe_cell`."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(safe_row(headers))
    for row in rows:
        yield writer.writerow(safe_row(row))


def _xlsx_cell(sheet, value: Cell):
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=value[:XLSX_MAX_TEXT])
        # openpyxl takes any text beginning with "=" as a formula; say it is text, always.
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
        return cell
    return WriteOnlyCell(sheet, value=value)


def write_xlsx(sheets: Iterable[tuple[str, Sequence[str], Iterable[Iterable[Cell]]]]) -> bytes:
    """An XLSX workbook of `(title, headers, rows)` sheets, written with openpyxl's write-only
    (streaming) mode so that rows are never all held as cell objects; every text cell is a string
    cell and formula-like text carries the quote prefix."""
    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.append([_xlsx_cell(sheet, h) for h in headers])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
