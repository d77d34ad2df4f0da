"""Open data download of any directory search, as CSV or Excel [SPEC §7]. Each download writes an
audit entry with the filters used [001 §4(1), 003 §18]; the public downloads anonymously. Every cell
goes through `portal.spreadsheets`, so an agency name that begins like a formula stays text."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from filings.directory import DirectoryQuery, every_entry
from portal.audit import record
from portal.spreadsheets import XLSX_CONTENT_TYPE, Cell, csv_lines, write_xlsx

HEADERS = ["机构名称", "统一社会信用代码", "机构类别", "备案编号", "有效期自", "有效期至", "状态", "区划代码",
           "所在区县", "地址", "评价职业（工种）及等级"]
CHUNK = 2000


def _date(value: str | None) -> datetime.date | str:
    return datetime.date.fromisoformat(value) if value else ""


def _rows(query: DirectoryQuery) -> Iterator[list[Cell]]:
    for item in every_entry(query, chunk=CHUNK):
        scope = "；".join(f"{s['occupation_code']} {s['occupation_name']}{'（' + s['work_type'] + '）' if s['work_type'] else ''}"
                         f" {s['levels_label']}" for s in item["scope"])
        yield [item["name"], item["uscc"], item["kind_label"], item["filing_number"], _date(item["valid_from"]),
               _date(item["valid_until"]), item["status_label"], item["region_code"], item["region_name"],
               item["address"], scope]


def _filename(ext: str) -> str:
    return f"directory-{timezone.localdate():%Y%m%d}.{ext}"


def _audit(query: DirectoryQuery, fmt: str) -> None:
    record("directory.export", None, comment=f"机构目录下载（{fmt.upper()}）",
           data={"format": fmt, "filters": query.as_filters()})


def export_csv(query: DirectoryQuery) -> StreamingHttpResponse:
    _audit(query, "csv")
    response = StreamingHttpResponse(csv_lines(HEADERS, _rows(query)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def export_xlsx(query: DirectoryQuery) -> HttpResponse:
    _audit(query, "xlsx")
    response = HttpResponse(write_xlsx([("机构目录", HEADERS, _rows(query))]), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response
