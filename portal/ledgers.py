"""The ledgers (台账) the portal exports [SPEC §9], one registry for the command line, the export
pages and the background jobs.

Each app declares its ledgers in `<app>/ledgers.py` (`register(Ledger(...))`), imported when the app
is ready: a name (`filings`), a Chinese title, its sheets — each a list of `Field`s (a Chinese
header, a type, the dictionary's wording, and the `values_list` lookup that fills it) and a queryset
function `(user, filters) -> QuerySet` that scopes to what the user may see (through the apps'
selectors, never a raw manager) and applies the same filters the matching staff list applies.

`export(ledger, user, filters, target)` writes the workbook with `portal.spreadsheets.write_ledger`:
one query per sheet, read with `iterator(chunk_size=…)` as plain tuples (no model instance per
row), and audits the export as `ledger.<name>.export` with the filters and the row counts.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import audit, audit_actions
from portal.models import Role
from portal.spreadsheets import Column, Sheet, write_ledger

CHUNK_SIZE = 2000
STAFF_ROLES = (Role.DISTRICT, Role.INDUSTRY, Role.CITY, Role.ADMIN)


def background_threshold() -> int:
    """Above this many rows an export from a page runs in the background (Celery)."""
    return int(getattr(settings, "LEDGER_BACKGROUND_ROWS", 20_000))


@dataclass(frozen=True)
class Field:
    """A column of a ledger sheet: `source` is the `values_list` lookup (`agency__name`);
    `display` turns the stored value into what a person reads (a choice's label), given once as a
    mapping or a function."""

    header: str
    source: str
    kind: str = "text"
    meaning: str = ""
    display: Mapping | Callable | None = None
    width: int | None = None
    format: str = ""

    @property
    def column(self) -> Column:
        return Column(self.header, self.kind, self.meaning, self.width, self.format)


@dataclass(frozen=True)
class LedgerSheet:
    """One data sheet; `queryset(user, filters, main)` gets the ledger's main queryset too, so a
    sheet of details (the scope of each filing) is a single query on the same rows."""

    title: str
    fields: Sequence[Field]
    queryset: Callable[..., QuerySet]


@dataclass(frozen=True)
class Ledger:
    name: str
    title: str
    description: str
    queryset: Callable[[object, Mapping], QuerySet]
    fields: Sequence[Field]
    sheet_title: str = ""
    extra_sheets: Sequence[LedgerSheet] = ()
    roles: Sequence[str] = STAFF_ROLES
    describe_filters: Callable[[Mapping], list[str]] | None = None
    list_url: str = ""  # the staff list this ledger exports ("filings:worklist")
    filter_names: Sequence[str] = ()  # the list's GET parameters the ledger understands

    @property
    def audit_code(self) -> str:
        return f"ledger.{self.name}.export"

    def allowed(self, user) -> bool:
        return bool(user.is_authenticated and user.is_active
                    and (user.is_superuser or user.role in self.roles))

    def main_queryset(self, user, filters: Mapping) -> QuerySet:
        return self.queryset(user, filters)

    def sheets(self, user, filters: Mapping) -> list[tuple[str, Sequence[Field], QuerySet]]:
        main = self.main_queryset(user, filters)
        out = [(str(self.sheet_title or self.title), self.fields, main)]
        for extra in self.extra_sheets:
            out.append((str(extra.title), extra.fields, extra.queryset(user, filters, main)))
        return out

    def count(self, user, filters: Mapping) -> int:
        return self.main_queryset(user, filters).order_by().count()

    def filter_lines(self, filters: Mapping) -> list[str]:
        if self.describe_filters is None:
            return []
        return self.describe_filters(filters)


_REGISTRY: dict[str, Ledger] = {}


def register(ledger: Ledger) -> Ledger:
    known = _REGISTRY.get(ledger.name)
    if known is not None and known is not ledger and known.title != ledger.title:
        raise ValueError(f"ledger {ledger.name!r} registered twice")
    _REGISTRY[ledger.name] = ledger
    audit_actions.register({ledger.audit_code: _("导出%(title)s") % {"title": ledger.title}})
    return ledger


_discovered = False


def discover() -> None:
    """Import every installed app's `ledgers` module once (they call `register`)."""
    global _discovered
    if not _discovered:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("ledgers")
        _discovered = True


ORDER = ("agencies", "filings", "expiring", "assessments", "inspections", "complaints", "sanctions", "batches")


def get(name: str) -> Ledger | None:
    discover()
    return _REGISTRY.get(name)


def all_ledgers() -> list[Ledger]:
    discover()
    rank = {n: i for i, n in enumerate(ORDER)}
    return sorted(_REGISTRY.values(), key=lambda ledger: (rank.get(ledger.name, len(ORDER)), ledger.name))


def visible_ledgers(user) -> list[Ledger]:
    return [ledger for ledger in all_ledgers() if ledger.allowed(user)]


def choice_labels(choices) -> dict:
    """A choices enum (or list of pairs) as {value: label} with the labels as text, once."""
    pairs = choices.choices if hasattr(choices, "choices") else choices
    return {value: str(label) for value, label in pairs}


def _row_function(fields: Sequence[Field]) -> Callable[[tuple], Sequence]:
    transforms = []
    for index, f in enumerate(fields):
        if f.display is None:
            continue
        if isinstance(f.display, Mapping):
            mapping = dict(f.display)
            transforms.append((index, lambda v, m=mapping: m.get(v, v)))
        else:
            transforms.append((index, f.display))
    if not transforms:
        return lambda row: row

    def convert(row: tuple) -> list:
        row = list(row)
        for index, fn in transforms:
            row[index] = fn(row[index])
        return row
    return convert


def rows_of(fields: Sequence[Field], qs: QuerySet, chunk_size: int = CHUNK_SIZE) -> Iterator[Sequence]:
    """The sheet's rows: one query, streamed in chunks (a server-side cursor on PostgreSQL)."""
    convert = _row_function(fields)
    for row in qs.values_list(*[f.source for f in fields]).iterator(chunk_size=chunk_size):
        yield convert(row)


def scope_label(user) -> str:
    if user.is_superuser or user.role == Role.ADMIN:
        return _("全部（系统管理员）")
    if user.role in (Role.CITY, Role.DISTRICT) and user.region_id:
        return _("%(region)s（%(role)s可见范围）") % {"region": user.region.name, "role": Role(user.role).label}
    if user.role == Role.INDUSTRY and user.industry_department_id:
        return _("%(dept)s主管的机构") % {"dept": user.industry_department.name}
    return Role(user.role).label


def about(ledger: Ledger, user, filters: Mapping, when: datetime.datetime) -> list[tuple[str, object]]:
    lines = ledger.filter_lines(filters)
    who = user.get_full_name() or getattr(user, "full_name", "") or user.username
    return [
        (_("台账"), str(ledger.title)),
        (_("说明"), str(ledger.description)),
        (_("数据范围"), scope_label(user)),
        (_("导出人"), f"{who}（{user.username}，{Role(user.role).label if not user.is_superuser else _('系统管理员')}）"),
        (_("导出时间"), timezone.localtime(when).replace(tzinfo=None, microsecond=0)),
        (_("筛选条件"), "；".join(lines) if lines else _("无（全部可见数据）")),
    ]


def export(ledger: Ledger, user, filters: Mapping, target, *, progress: Callable[[int], None] | None = None,
           via: str = "web") -> int:
    """Write the ledger for `user` with `filters` to `target` (path or binary file) and audit it.
    Returns the number of rows of the main sheet."""
    if not ledger.allowed(user):
        raise PermissionError(ledger.name)
    when = timezone.now()
    sheets = [Sheet(title, [f.column for f in fields], rows_of(fields, qs))
              for title, fields, qs in ledger.sheets(user, filters)]
    write_ledger(target, title=str(ledger.title), about=about(ledger, user, filters, when), sheets=sheets,
                 progress=progress)
    counts = {s.title: s.count for s in sheets}
    audit.record(ledger.audit_code, None, actor=user, comment=str(ledger.title),
                 data={"ledger": ledger.name, "filters": {k: v for k, v in filters.items() if v not in ("", None)},
                       "rows": counts, "via": via})
    return sheets[0].count


def clean_filters(query: Mapping, allowed: Sequence[str]) -> dict[str, str]:
    """The list page's GET parameters that the ledger understands (the rest, `page` above all, is
    dropped), as plain strings."""
    out = {}
    for key in allowed:
        value = query.get(key)
        if value not in (None, ""):
            out[key] = str(value)[:200]
    return out


# ----- background exports ----------------------------------------------------------------------
# The job's state lives in the cache (Redis in production, shared with the worker), the file under
# MEDIA_ROOT/ledgers/ (never a public path); only the user who started the job may read either.

JOB_TTL = 24 * 3600


def export_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "ledgers"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _job_key(token: str) -> str:
    return f"ledger-job:{token}"


def new_job(ledger: Ledger, user, filters: Mapping, total: int) -> str:
    token = secrets.token_urlsafe(18)
    cache.set(_job_key(token), {"ledger": ledger.name, "user": user.pk, "filters": dict(filters), "total": total,
                                "done": 0, "state": "queued", "error": ""}, JOB_TTL)
    return token


def job(token: str, user) -> dict | None:
    data = cache.get(_job_key(token))
    if not data or data.get("user") != user.pk:
        return None
    return data


def update_job(token: str, **changes) -> None:
    data = cache.get(_job_key(token)) or {}
    data.update(changes)
    cache.set(_job_key(token), data, JOB_TTL)


def job_path(token: str) -> Path:
    digest = hashlib.sha256(token.encode()).hexdigest()[:32]
    return export_dir() / f"{digest}.xlsx"


def run_job(token: str) -> None:
    """Body of the Celery task: write the file, reporting progress into the job."""
    from portal.models import User

    data = cache.get(_job_key(token))
    if not data:
        return
    ledger = get(data["ledger"])
    user = User.objects.select_related("region", "industry_department").get(pk=data["user"])
    update_job(token, state="running")
    path = job_path(token)
    partial = path.with_suffix(".part")
    try:
        rows = export(ledger, user, data["filters"], str(partial),
                      progress=lambda n: update_job(token, done=n), via="background")
        partial.replace(path)
    except Exception as exc:  # noqa: BLE001 — the page must say the job failed, not spin for ever
        partial.unlink(missing_ok=True)
        update_job(token, state="failed", error=str(exc)[:200])
        raise
    update_job(token, state="done", done=rows, total=rows)


# ----- the portal's own ledgers: occupations and users (the import templates' round trip) ------------

def _occupations(user, filters):
    from portal.models import Occupation

    qs = Occupation.objects.all()
    if filters.get("q"):
        qs = qs.filter(name__icontains=filters["q"])
    return qs.order_by("code", "work_type")


def _users(user, filters):
    from portal.models import User

    qs = User.objects.all()
    if filters.get("role"):
        qs = qs.filter(role=filters["role"])
    return qs.order_by("role", "username")


def _yes_no(value):
    return "是" if value else "否"


OCCUPATIONS = register(Ledger(
    name="occupations", title="职业（工种）台账", sheet_title="职业（工种）",
    description="国家职业分类大典中的职业（工种），按职业编码和工种识别；可修改后作为职业导入模板导回。",
    queryset=_occupations, roles=(Role.ADMIN,), filter_names=("q",),
    fields=(
        Field("职业编码", "code", meaning="国家职业分类大典编码，如 6-31-01-03", width=14),
        Field("职业名称", "name", meaning="职业名称", width=24),
        Field("工种", "work_type", meaning="工种（无工种的职业为空）", width=20),
        Field("准入类", "restricted", meaning="准入类职业不得备案 [003 §8(2)]", display=_yes_no, format="“是”或“否”"),
        Field("有国家职业技能标准", "has_standard", meaning="是否已颁布国家职业技能标准 [001 §2]", display=_yes_no,
              format="“是”或“否”"),
        Field("大典版本", "edition", kind="integer", meaning="职业分类大典的版本年份"),
    ),
))

USERS = register(Ledger(
    name="users", title="用户台账", sheet_title="用户",
    description="平台用户及其角色和数据范围，按用户名识别；可修改后作为用户导入模板导回（管理员账户除外）。",
    queryset=_users, roles=(Role.ADMIN,), filter_names=("role",),
    fields=(
        Field("用户名", "username", meaning="登录用户名", width=16),
        Field("姓名", "full_name", meaning="姓名"),
        Field("角色", "role", meaning="用户角色", display=choice_labels(Role), width=16,
              format="取值：" + "、".join(str(label) for _v, label in Role.choices)),
        Field("手机号码", "phone", meaning="手机号码", width=14),
        Field("电子邮箱", "email", meaning="电子邮箱（用于接收通知和设置密码）", width=24),
        Field("管辖区划代码", "region__code", meaning="区县或市级审核人员管辖区划的 6 位代码", width=12),
        Field("行业主管部门", "industry_department__name", meaning="行业主管部门人员所属部门", width=20),
        Field("所属机构统一社会信用代码", "agency__uscc", meaning="机构用户所属评价机构", width=22),
        Field("是否启用", "is_active", meaning="停用的账户不能登录", display=_yes_no, format="“是”或“否”"),
        Field("最后登录", "last_login", kind="datetime", meaning="最近一次登录时间（导入时忽略）"),
    ),
))


def write_template(ledger: Ledger, target) -> None:
    """The import template of a ledger: its very columns, no rows."""
    write_ledger(target, title=f"{ledger.title}（导入模板）",
                 about=[("说明", "在“%s”表中每行填写一条，表头不要改动；填好后在“数据导入”页面上传，先预览再确认导入。"
                         % (ledger.sheet_title or ledger.title)),
                        ("规则", "全部行无误才会导入；有任何一行出错，不导入任何数据，并逐行列出错误。")],
                 sheets=[Sheet(str(ledger.sheet_title or ledger.title), [f.column for f in ledger.fields], [])])
