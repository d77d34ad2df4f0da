"""Candidate lists and results from .xlsx, all-or-nothing [003 §15].

`read_sheet` is a safe reader of an uploaded workbook (portal/imports.py, helper H's shared reader,
did not exist when this was written): the file must be an xlsx by its bytes (a zip holding
`xl/workbook.xml`), small enough, not a zip bomb (the uncompressed parts are bounded, and so is the
compression ratio), and is read by openpyxl in read-only, values-only mode, stopping at a row limit.
`parse_candidates` and `parse_results` then check every row and return either the clean rows or
every problem, each naming its row and column in Chinese; nothing is written until all is clean
(the services write in one transaction).
"""

from __future__ import annotations

import datetime
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from supervision import idcard

MAX_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED = 80 * 1024 * 1024
MAX_RATIO = 100
MAX_ROWS = 10_000  # a batch larger than this is split into batches

CANDIDATE_COLUMNS = ("姓名", "身份证号码", "职业编码", "申报等级", "申报条件", "人员类别")
RESULT_COLUMNS = ("姓名", "身份证号码", "理论成绩", "技能成绩", "是否合格", "证书编号", "已上传国网")


class ImportRefused(Exception):
    """The whole file is refused; `problems` lists every reason (row and column named)."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems[:5]))
        self.problems = problems


def _column_letter(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def read_sheet(data: bytes, *, columns: tuple[str, ...], max_rows: int = MAX_ROWS) -> list[tuple[int, dict]]:
    """The rows of the first sheet as (row number, {column: value}), headers checked. Refuses what
    is not an xlsx by content, a zip bomb, or more than `max_rows` rows, before reading cells."""
    if len(data) > MAX_BYTES:
        raise ImportRefused([f"文件超过 {MAX_BYTES // 1024 // 1024} MB"])
    if not data.startswith(b"PK\x03\x04"):
        raise ImportRefused(["文件不是 Excel（.xlsx）工作簿，请使用平台提供的模板"])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportRefused(["文件已损坏或不是 Excel（.xlsx）工作簿"]) from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise ImportRefused(["文件不是 Excel（.xlsx）工作簿，请使用平台提供的模板"])
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO and total > 5 * 1024 * 1024:
        raise ImportRefused(["文件解压后过大（疑似压缩炸弹），已拒绝"])
    import openpyxl  # late: only the import pages need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a broken file
        raise ImportRefused(["文件已损坏，无法读取"]) from None
    try:
        sheet = book.worksheets[0]
        if sheet.max_row and sheet.max_row > max_rows + 1:
            raise ImportRefused([f"表格有 {sheet.max_row - 1} 行，超过每次导入上限 {max_rows} 行"])
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        header = [str(h).strip() if h is not None else "" for h in (header or ())]
        missing = [c for c in columns if c not in header]
        if missing:
            raise ImportRefused([f"第 1 行表头缺少列：{'、'.join(missing)}（请使用平台提供的模板）"])
        index = {c: header.index(c) for c in columns}
        out = []
        for number, values in enumerate(rows, start=2):
            if number > max_rows + 1:
                raise ImportRefused([f"表格超过每次导入上限 {max_rows} 行"])
            if not values or all(v is None or str(v).strip() == "" for v in values):
                continue
            out.append((number, {c: (values[i] if i < len(values) else None) for c, i in index.items()}))
        return out
    finally:
        book.close()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def where(number: int, column: str, columns: tuple[str, ...]) -> str:
    return f"第 {number} 行 {_column_letter(columns.index(column))} 列（{column}）"


LEVEL_WORDS = {
    1: ("学徒工",), 2: ("五级", "初级工", "五级/初级工"), 3: ("四级", "中级工", "四级/中级工"),
    4: ("三级", "高级工", "三级/高级工"), 5: ("二级", "技师", "二级/技师"),
    6: ("一级", "高级技师", "一级/高级技师"), 7: ("特级技师",), 8: ("首席技师",),
}
_LEVEL_LOOKUP = {w: n for n, words in LEVEL_WORDS.items() for w in words}
RELATION_WORDS = {"本单位在岗职工": "staff", "在岗职工": "staff", "劳务派遣人员": "dispatched",
                  "业务外包人员": "outsourced", "校企合作院校学生": "school_student", "本校学生": "school_student",
                  "院校学生": "school_student", "受委托评价人员": "entrusted", "社会人员": "public", "": "public"}


@dataclass
class CandidateRow:
    row_no: int
    name: str
    id_number: str
    group_id: int
    eligibility: str
    relation: str


@dataclass
class ResultRow:
    row_no: int
    id_number: str
    theory: Decimal
    practical: Decimal
    passed: bool
    certificate_no: str | None
    uploaded: bool
    extra: dict = field(default_factory=dict)


def parse_candidates(rows: list[tuple[int, dict]], *, groups: dict[tuple[str, int], int],
                     today: datetime.date) -> list[CandidateRow]:
    """`groups` maps (occupation code, level) to the batch's group: a level or occupation outside
    the batch is an error of its row. Raises ImportRefused with every problem."""
    from portal.text import clean_text
    from django.core.exceptions import ValidationError

    cols, problems, out, seen = CANDIDATE_COLUMNS, [], [], {}
    if not rows:
        raise ImportRefused(["名单中没有人员"])
    for number, cells in rows:
        name = _text(cells["姓名"])
        try:
            name = clean_text(name)
        except ValidationError as exc:
            problems.append(f"{where(number, '姓名', cols)}：{'；'.join(exc.messages)}")
        if not name:
            problems.append(f"{where(number, '姓名', cols)}：不能为空")
        elif len(name) > 50:
            problems.append(f"{where(number, '姓名', cols)}：过长")
        id_number = idcard.normalise(_text(cells["身份证号码"]))
        if (why := idcard.problem(id_number, today=today)):
            problems.append(f"{where(number, '身份证号码', cols)}：{why}")
        elif id_number in seen:
            problems.append(f"{where(number, '身份证号码', cols)}：与第 {seen[id_number]} 行重复（同一人不得重复报名）")
        else:
            seen[id_number] = number
        level_text = _text(cells["申报等级"])
        level = int(level_text) if level_text.isdigit() else _LEVEL_LOOKUP.get(level_text)
        code = _text(cells["职业编码"])
        group = None
        if level is None:
            problems.append(f"{where(number, '申报等级', cols)}：无法识别“{level_text}”（如：四级/中级工）")
        elif (group := groups.get((code, level))) is None:
            problems.append(f"{where(number, '申报等级', cols)}：职业 {code} 的该等级不在本批次（备案范围）内")
        relation = RELATION_WORDS.get(_text(cells["人员类别"]))
        if relation is None:
            problems.append(f"{where(number, '人员类别', cols)}：无法识别“{_text(cells['人员类别'])}”")
        eligibility = _text(cells["申报条件"])[:200]
        if group is not None and relation is not None:
            out.append(CandidateRow(number, name, id_number, group, eligibility, relation))
    if problems:
        raise ImportRefused(problems)
    return out


def _score(value, where_: str, problems: list[str]) -> Decimal | None:
    text = _text(value)
    if text == "":
        problems.append(f"{where_}：缺少成绩")
        return None
    try:
        score = Decimal(text).quantize(Decimal("0.1"))
    except InvalidOperation:
        problems.append(f"{where_}：“{text}”不是数字")
        return None
    if not Decimal(0) <= score <= Decimal(100):
        problems.append(f"{where_}：成绩应在 0–100 之间")
        return None
    return score


def parse_results(rows: list[tuple[int, dict]], *, candidates: dict[str, int],
                  taken_certificates: set[str]) -> list[ResultRow]:
    """`candidates` maps the batch's ID numbers to their list rows; `taken_certificates` are the
    certificate numbers used by other batches. Every row is checked; ImportRefused lists them all."""
    cols, problems, out, seen, certs = RESULT_COLUMNS, [], [], {}, {}
    if not rows:
        raise ImportRefused(["结果表中没有人员"])
    for number, cells in rows:
        id_number = idcard.normalise(_text(cells["身份证号码"]))
        if (why := idcard.problem(id_number)):
            problems.append(f"{where(number, '身份证号码', cols)}：{why}")
        elif id_number not in candidates:
            problems.append(f"{where(number, '身份证号码', cols)}：不在本批次参加认定人员名单中")
        elif id_number in seen:
            problems.append(f"{where(number, '身份证号码', cols)}：与第 {seen[id_number]} 行重复")
        else:
            seen[id_number] = number
        theory = _score(cells["理论成绩"], where(number, "理论成绩", cols), problems)
        practical = _score(cells["技能成绩"], where(number, "技能成绩", cols), problems)
        verdict = _text(cells["是否合格"])
        if verdict not in ("合格", "不合格"):
            problems.append(f"{where(number, '是否合格', cols)}：应填“合格”或“不合格”")
        passed = verdict == "合格"
        cert = _text(cells["证书编号"]) or None
        if cert and len(cert) > 40:
            problems.append(f"{where(number, '证书编号', cols)}：过长")
        if passed and not cert:
            problems.append(f"{where(number, '证书编号', cols)}：合格人员须填写证书编号")
        if cert and not passed:
            problems.append(f"{where(number, '证书编号', cols)}：不合格人员不应有证书编号")
        if cert and cert in certs:
            problems.append(f"{where(number, '证书编号', cols)}：与第 {certs[cert]} 行证书编号重复")
        elif cert and cert in taken_certificates:
            problems.append(f"{where(number, '证书编号', cols)}：证书编号 {cert} 已在其他批次使用")
        elif cert:
            certs[cert] = number
        uploaded = _text(cells["已上传国网"]) in ("是", "已上传", "1", "Y", "y")
        if theory is not None and practical is not None and verdict in ("合格", "不合格"):
            out.append(ResultRow(number, id_number, theory, practical, passed, cert, uploaded))
    missing = set(candidates) - set(seen)
    if missing and not problems:
        rows_missing = sorted(candidates[i] for i in missing)
        problems.append(f"名单中第 {'、'.join(map(str, rows_missing[:20]))} 行人员没有结果（每人须有成绩）")
    if problems:
        raise ImportRefused(problems)
    return out


def template(columns: tuple[str, ...], rows=()) -> bytes:
    """The template the portal provides (and the same columns exported back), formulas neutralised."""
    from portal.spreadsheets import write_xlsx

    return write_xlsx([("名单", list(columns), rows)])
