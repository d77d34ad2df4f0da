"""Open data download of any directory search, as CSV or Excel [SPEC §7]. Each download writes an
audit entry with the filters used [001 §4(1), 003 §18]; the public downloads anonymously."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

from filings.directory import DirectoryQuery, every_entry
from portal.audit import record

HEADERS = ["机构名称", "统一社会信用代码", "机构类别", "备案编号", "有效期自", "有效期至", "状态", "区划代码",
           "所在区县", "地址", "评价职业（工种）及等级"]
CHUNK = 2000


def _rows(query: DirectoryQuery) -> Iterator[list[str]]:
    for item in every_entry(query, chunk=CHUNK):
        scope = "；".join(f"{s['occupation_code']} {s['occupation_name']}{'（' + s['work_type'] + '）' if s['work_type'] else ''}"
                         f" {s['levels_label']}" for s in item["scope"])
        yield [item["name"], item["uscc"], item["kind_label"], item["filing_number"], item["valid_from"] or "",
               item["valid_until"] or "", item["status_label"], item["region_code"], item["region_name"],
               item["address"], scope]


def _filename(ext: str) -> str:
    return f"directory-{timezone.localdate():%Y%m%d}.{ext}"


def _audit(query: DirectoryQuery, fmt: str) -> None:
    record("directory.export", None, comment=f"机构目录下载（{fmt.upper()}）",
           data={"format": fmt, "filters": query.as_filters()})


class _Echo:
    def write(self, value):
        return value


def export_csv(query: DirectoryQuery) -> StreamingHttpResponse:
    """UTF-8 with a byte-order mark so that Excel opens the Chinese correctly."""
    _audit(query, "csv")
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff" + writer.writerow(HEADERS)
        for row in _rows(query):
            yield writer.writerow(row)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def export_xlsx(query: DirectoryQuery) -> HttpResponse:
    _audit(query, "xlsx")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("机构目录")
    sheet.append(HEADERS)
    for row in _rows(query):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response
