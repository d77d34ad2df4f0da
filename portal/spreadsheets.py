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


# ----- streamed ledgers (issue #15) ----------------------------------------------------------------
#
# A ledger is written sheet by sheet from one query each, with openpyxl's write-only mode: rows go
# straight to the sheet's temporary XML file, so memory does not grow with the number of rows. The
# converters below are chosen once per column (not per cell) and reuse one styled cell per column,
# which keeps the cost per cell close to openpyxl's own raw `append`.

from dataclasses import dataclass, field  # noqa: E402
from typing import Callable  # noqa: E402

from django.utils import timezone  # noqa: E402
from django.utils.functional import Promise  # noqa: E402
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # noqa: E402
from openpyxl.styles import Font, PatternFill  # noqa: E402

TEXT, DATE, DATETIME, INTEGER, DECIMAL, BOOLEAN = "text", "date", "datetime", "integer", "decimal", "boolean"
KIND_LABELS = {TEXT: "文本", DATE: "日期", DATETIME: "日期时间", INTEGER: "整数", DECIMAL: "数值", BOOLEAN: "是/否"}
KIND_FORMATS = {TEXT: "", DATE: "yyyy-mm-dd", DATETIME: "yyyy-mm-dd hh:mm", INTEGER: "0", DECIMAL: "0.0",
                BOOLEAN: "“是”或“否”"}
DEFAULT_WIDTHS = {TEXT: 18, DATE: 12, DATETIME: 17, INTEGER: 10, DECIMAL: 10, BOOLEAN: 8}
_FORMULA_FIRST = frozenset(c for c in FORMULA_STARTS)


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its Chinese header, the type of its values (TEXT, DATE…), what it means
    (for the data dictionary), a display format when not the type's default, a width in characters."""

    header: str
    kind: str = TEXT
    meaning: str = ""
    width: int | None = None
    format: str = ""

    @property
    def type_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def format_label(self) -> str:
        return self.format or KIND_FORMATS[self.kind]


@dataclass
class Sheet:
    """A data sheet: title, columns, and rows as sequences of values in column order (an iterator
    over one query, e.g. `values_list(...).iterator(chunk_size=2000)`)."""

    title: str
    columns: list[Column]
    rows: Iterable[Sequence[Cell]]
    count: int = field(default=0, init=False)


def _text_converter(sheet) -> Callable:
    quoted = WriteOnlyCell(sheet)
    quoted.quotePrefix = True

    def convert(value):
        if value is None:
            return None
        if not isinstance(value, str):
            value = str(value)
        if len(value) > XLSX_MAX_TEXT:
            value = value[:XLSX_MAX_TEXT]
        if ILLEGAL_CHARACTERS_RE.search(value):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value[:1] in _FORMULA_FIRST:
            quoted.value = value
            quoted.data_type = "s"  # never a formula cell, whatever openpyxl guessed
            return quoted
        return value
    return convert


def _date_converter(sheet, number_format: str, *, with_time: bool) -> Callable:
    cell = WriteOnlyCell(sheet)
    cell.number_format = number_format

    def convert(value):
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value).replace(tzinfo=None)
            if not with_time:
                value = value.date()
        cell.value = value
        return cell
    return convert


def _bool_converter(value):
    if value is None:
        return None
    return "是" if value else "否"


def _number_converter(value):
    return value


def converters_for(sheet, columns: Sequence[Column]) -> list[Callable]:
    out = []
    for column in columns:
        if column.kind == TEXT:
            out.append(_text_converter(sheet))
        elif column.kind == DATE:
            out.append(_date_converter(sheet, KIND_FORMATS[DATE], with_time=False))
        elif column.kind == DATETIME:
            out.append(_date_converter(sheet, KIND_FORMATS[DATETIME], with_time=True))
        elif column.kind == BOOLEAN:
            out.append(_bool_converter)
        else:
            out.append(_number_converter)
    return out


_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")


def _header_cells(sheet, headers: Sequence[str]) -> list:
    cells = []
    for text in headers:
        cell = _xlsx_cell(sheet, text)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cells.append(cell)
    return cells


def _column_letter(n: int) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(n)


def _write_data_sheet(workbook, spec: Sheet, progress: Callable[[int], None] | None, every: int) -> int:
    ws = workbook.create_sheet(spec.title[:31])
    for index, column in enumerate(spec.columns, start=1):
        ws.column_dimensions[_column_letter(index)].width = column.width or max(
            DEFAULT_WIDTHS[column.kind], min(40, len(column.header) * 2 + 2))
    ws.freeze_panes = "A2"
    ws.append(_header_cells(ws, [c.header for c in spec.columns]))
    convert = converters_for(ws, spec.columns)
    pairs = list(enumerate(convert))
    append = ws.append
    n = 0
    for row in spec.rows:
        append([f(row[i]) for i, f in pairs])
        n += 1
        if progress is not None and n % every == 0:
            progress(n)
    ws.auto_filter.ref = f"A1:{_column_letter(max(1, len(spec.columns)))}{n + 1}"
    spec.count = n
    return n


def write_ledger(target, *, title: str, about: Sequence[tuple[str, Cell]], sheets: Sequence[Sheet],
                 progress: Callable[[int], None] | None = None, progress_every: int = 2000) -> int:
    """Write a ledger workbook to `target` (a path or a binary file object): first a sheet “导出说明”
    saying what was exported (`about`: label and value pairs: title, scope, who, when, filters),
    then each data sheet (frozen header, autofilter, widths, real dates, formula-like text quoted),
    then the data dictionary “数据字典” (sheet, column, meaning, type, format). Returns the number of
    data rows written; `progress(n)` is called every `progress_every` rows."""
    workbook = Workbook(write_only=True)
    info = workbook.create_sheet("导出说明")
    info.column_dimensions["A"].width = 16
    info.column_dimensions["B"].width = 60
    total = 0
    for spec in sheets:
        total += _write_data_sheet(workbook, spec, progress, progress_every)
        if progress is not None:
            progress(total)
    info.append(_header_cells(info, [title, ""]))
    convert_text = _text_converter(info)
    for label, value in about:
        if isinstance(value, Promise):  # a lazy translation (e.g. an inspector's scope) is text too
            value = str(value)
        info.append([convert_text(label), value if not isinstance(value, str) else convert_text(value)])
    for spec in sheets:
        info.append([convert_text("行数"), convert_text(f"{spec.title}：{spec.count}")])
    dictionary = workbook.create_sheet("数据字典")
    for letter, width in zip("ABCDE", (16, 22, 60, 10, 18)):
        dictionary.column_dimensions[letter].width = width
    dictionary.freeze_panes = "A2"
    dictionary.append(_header_cells(dictionary, ["工作表", "列名", "含义", "类型", "格式"]))
    convert_text = _text_converter(dictionary)
    for spec in sheets:
        for column in spec.columns:
            dictionary.append([convert_text(v) for v in (spec.title[:31], column.header, column.meaning,
                                                        column.type_label, column.format_label)])
    workbook.save(target)
    return total
