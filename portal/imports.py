"""The one safe way the portal reads an uploaded Excel workbook (imports of agencies, occupations,
users, batch lists…) [SPEC §9: imports from Excel templates, all-or-nothing with row-level error
reports].

A file is judged by its content, never by its name, and refused *before* openpyxl parses anything
when it is not a workbook we are willing to read:

- larger than `IMPORT_MAX_BYTES` (setting, default 10 MB);
- not an OOXML package: the bytes must start as a ZIP archive, hold `[Content_Types].xml` and
  `xl/workbook.xml`, and no macro project (`vbaProject.bin`); an old binary `.xls`, an encrypted
  workbook (an OLE container), a CSV or a renamed program are refused, each with a message that says so;
- a zip bomb: no part may declare more than `MAX_PART_BYTES`, the parts together no more than
  `MAX_UNCOMPRESSED_BYTES`, and no part may expand more than `MAX_RATIO` times its compressed size.
  The sizes are those the archive declares, read without decompressing; Python's zip reader never
  returns more than the declared size, so a part that lies is cut short and fails its CRC;
- more rows than `max_rows` (default `IMPORT_MAX_ROWS`, 20,000) or columns than `MAX_COLUMNS`.

The workbook is then opened with `read_only=True, data_only=True` (rows streamed, a formula read as
its cached value, never evaluated) and rows are handed out as `(row number, {header: value})`, the row
number being the one Excel shows. Text cells are NFC-normalised and refused when they hold characters
nobody can see (`portal.text`). Every problem is collected as a `RowError` naming the row and the
column in Chinese, so one report lists them all; an import applies its rows with `apply_all_or_nothing`
and changes nothing unless every row is good.
"""

from __future__ import annotations

import datetime
import hashlib
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.text import clean_text

MAX_PART_BYTES = 200 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
MAX_RATIO = 200  # real sheets compress 5-20×; shared strings of one repeated value perhaps 100×
MAX_MEMBERS = 2_000
MAX_COLUMNS = 200
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and every password-protected .xlsx


class ImportRefused(ValidationError):
    """The file as a whole is refused (not a workbook, too large, a zip bomb, no header): nothing
    of it was read."""


@dataclass(frozen=True)
class RowError:
    row: int | None  # the row number Excel shows; None for a problem of the whole sheet
    column: str  # the header as written, or "" when the row as a whole is at fault
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return f"“{self.column}”列：{self.message}" if self.column else self.message
        if self.column:
            return _("第 %(row)s 行“%(column)s”列：%(message)s") % {
                "row": self.row, "column": self.column, "message": self.message}
        return _("第 %(row)s 行：%(message)s") % {"row": self.row, "message": self.message}


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 10 * 1024 * 1024))


def max_rows_default() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", 20_000))


def sha256_of(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    if hasattr(upload, "chunks"):
        for chunk in upload.chunks():
            digest.update(chunk)
    else:
        for chunk in iter(lambda: upload.read(1024 * 1024), b""):
            digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _size_of(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    upload.seek(0)
    return int(size)


def _name_of(upload) -> str:
    return str(getattr(upload, "name", "") or _("上传的文件"))


def check_workbook(upload) -> None:
    """Refuse, quickly and without parsing any XML, a file that is not an .xlsx workbook we are
    willing to read. Raises ImportRefused with a Chinese message."""
    name = _name_of(upload)
    size = _size_of(upload)
    if size == 0:
        raise ImportRefused(_("文件“%(name)s”是空文件，请选择填好的 Excel 模板。") % {"name": name}, code="import_empty")
    limit = max_bytes()
    if size > limit:
        raise ImportRefused(_("文件“%(name)s”超过 %(limit)s MB 的上限，请拆分后分批导入。")
                            % {"name": name, "limit": limit // (1024 * 1024)}, code="import_too_large")
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(OLE_MAGIC):
        raise ImportRefused(_("文件“%(name)s”是旧版 .xls 或设置了密码的工作簿，无法读取。请在 Excel 中取消密码并"
                              "另存为 .xlsx 后再导入。") % {"name": name}, code="import_ole")
    if not head.startswith(XLSX_MAGIC):
        raise ImportRefused(_("文件“%(name)s”不是 Excel 工作簿（.xlsx），不论扩展名如何。请使用下载的导入模板。")
                            % {"name": name}, code="import_not_xlsx")
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ImportRefused(_("文件“%(name)s”已损坏，无法打开，请在 Excel 中重新保存后导入。") % {"name": name},
                            code="import_broken") from None
    finally:
        upload.seek(0)
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ImportRefused(_("文件“%(name)s”是压缩包或其他 Office 文件，不是 Excel 工作簿（.xlsx）。")
                            % {"name": name}, code="import_not_xlsx")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise ImportRefused(_("文件“%(name)s”含有宏，出于安全考虑不予读取。请另存为不含宏的 .xlsx 后导入。")
                            % {"name": name}, code="import_macro")
    bomb = ImportRefused(_("文件“%(name)s”解压后的大小异常（疑似“压缩炸弹”），已拒绝读取。") % {"name": name},
                         code="import_bomb")
    if len(members) > MAX_MEMBERS:
        raise bomb
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > MAX_PART_BYTES or total > MAX_UNCOMPRESSED_BYTES:
            raise bomb
        if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise bomb


@dataclass
class XlsxRows:
    """The rows of one sheet, read once, as `(row number, {header: value})`; problems collect in
    `errors`. Use `rows()` once; call `error()` for problems the importer finds in a row."""

    upload: object
    columns: Sequence[str]
    required: Sequence[str] = ()
    sheet: str | None = None
    max_rows: int | None = None
    errors: list[RowError] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    sheet_title: str = ""
    row_count: int = 0
    _workbook: object = None

    def error(self, row: int | None, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, str(message)))

    @property
    def ok(self) -> bool:
        return not self.errors

    def _choose_sheet(self, workbook):
        if self.sheet and self.sheet in workbook.sheetnames:
            return workbook[self.sheet]
        wanted = set(self.required or self.columns)
        for ws in workbook.worksheets:
            first = next(ws.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS, values_only=True), ())
            if wanted <= {str(v).strip() for v in first if v is not None}:
                return ws
        return workbook.worksheets[0]

    def rows(self) -> Iterator[tuple[int, dict]]:
        from openpyxl import load_workbook

        check_workbook(self.upload)
        limit = self.max_rows or max_rows_default()
        try:
            workbook = load_workbook(self.upload, read_only=True, data_only=True, keep_links=False)
        except Exception:  # noqa: BLE001 — whatever openpyxl raises on a malformed package
            raise ImportRefused(_("文件“%(name)s”已损坏，无法读取，请在 Excel 中重新保存后导入。")
                                % {"name": _name_of(self.upload)}, code="import_broken") from None
        self._workbook = workbook
        try:
            if not workbook.worksheets:
                raise ImportRefused(_("工作簿中没有工作表。"), code="import_no_sheet")
            ws = self._choose_sheet(workbook)
            self.sheet_title = ws.title
            rows = ws.iter_rows(max_col=MAX_COLUMNS, values_only=True)
            header = next(rows, None)
            self.headers = [str(v).strip() if v is not None else "" for v in (header or ())]
            while self.headers and not self.headers[-1]:
                self.headers.pop()
            missing = [c for c in self.required if c not in self.headers]
            if header is None or missing:
                raise ImportRefused(_("工作表“%(sheet)s”第 1 行缺少列：%(columns)s。请使用下载的导入模板，不要改动表头。")
                                    % {"sheet": ws.title, "columns": "、".join(missing or self.required)},
                                    code="import_headers")
            seen = set()
            for h in self.headers:
                if h and h in seen:
                    raise ImportRefused(_("表头“%(column)s”出现了两次。") % {"column": h}, code="import_headers")
                seen.add(h)
            known = set(self.columns)
            for number, values in enumerate(rows, start=2):
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue
                self.row_count += 1
                if self.row_count > limit:
                    raise ImportRefused(_("工作表超过 %(limit)s 行的上限，请拆分后分批导入。") % {"limit": limit},
                                        code="import_too_many_rows")
                record = {}
                for index, value in enumerate(values):
                    column = self.headers[index] if index < len(self.headers) else ""
                    if column not in known:
                        continue
                    if isinstance(value, str):
                        try:
                            value = clean_text(value.strip(), multiline=True)
                        except ValidationError as exc:
                            self.error(number, column, " ".join(exc.messages))
                            value = None
                        value = value or None
                    record[column] = value
                yield number, record
        finally:
            workbook.close()
            self.upload.seek(0)


def text(value) -> str:
    """A cell as text: numbers typed into a text column (a code `6-29-01-05` is text, `4011` may
    arrive as a number) become the digits they show."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return str(value).strip()


def apply_all_or_nothing(rows: Iterable[tuple[int, dict]], apply: Callable[[int, dict], object],
                         errors: list[RowError], *, dry_run: bool = False) -> list:
    """Apply each row inside one transaction; a `ValidationError` raised for a row is collected
    against that row (with its column when the error is a dict keyed by header). When any row has an
    error — or on a dry run (the preview) — everything is rolled back, so the database is exactly as
    before. Returns what `apply` returned for each row."""
    results = []
    with transaction.atomic():
        for number, record in rows:
            try:
                with transaction.atomic():
                    results.append(apply(number, record))
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for column, messages in exc.message_dict.items():
                        for message in messages:
                            errors.append(RowError(number, "" if column == "__all__" else column, message))
                else:
                    for message in exc.messages:
                        errors.append(RowError(number, "", message))
        if errors or dry_run:
            transaction.set_rollback(True)
    return results
