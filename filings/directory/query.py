"""What a directory search asks for, parsed and validated from the request's parameters [SPEC §7];
nothing here touches the database's search statement."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.choices import IN_FORCE, AgencyKind
from portal.models import Region, SkillLevel
from portal.text import strip_invisible

SORTS = {
    "name": ("agency__name", "id"),
    "-name": ("-agency__name", "-id"),
    "valid_until": ("valid_until", "id"),
    "-valid_until": ("-valid_until", "-id"),
    "number": ("number",),
    "-number": ("-number",),
}
SORT_LABELS = {
    "name": gettext_lazy("机构名称（升序）"),
    "-name": gettext_lazy("机构名称（降序）"),
    "valid_until": gettext_lazy("有效期至（最早在前）"),
    "-valid_until": gettext_lazy("有效期至（最晚在前）"),
    "number": gettext_lazy("备案编号（升序）"),
    "-number": gettext_lazy("备案编号（降序）"),
}
DEFAULT_SORT = "name"
STATUS_CHOICES = [(s.value, s.label) for s in IN_FORCE]
OCCUPATION_CODE = re.compile(r"^\d[\d-]*$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_QUERY_LENGTH = 50


@dataclass
class DirectoryQuery:
    """Validated search parameters; `errors` holds a Chinese message per bad field, and a bad field
    is ignored rather than guessed at."""

    q: str = ""
    occupation: str = ""
    level: int | None = None
    region: Region | None = None
    kind: str = ""
    status: str = ""
    sort: str = DEFAULT_SORT
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_params(cls, params) -> "DirectoryQuery":
        def get(name: str) -> str:
            # Control characters (NUL above all, which PostgreSQL refuses) never belong in a query, nor
            # do zero-width or direction-control ones: a name pasted with a ZWSP must still be found.
            return strip_invisible(CONTROL.sub("", params.get(name) or "")).strip()[:MAX_QUERY_LENGTH]

        query = cls()
        query.q = get("q")
        query.occupation = get("occupation")
        level = get("level")
        if level:
            if level.isdigit() and int(level) in SkillLevel.values:
                query.level = int(level)
            else:
                query.errors["level"] = _("等级无效，请从列表中选择。")
        region = get("region")
        if region:
            query.region = Region.objects.filter(code=region).first()
            if query.region is None:
                query.errors["region"] = _("没有这个行政区划代码。")
        kind = get("kind")
        if kind:
            if kind in AgencyKind.values:
                query.kind = kind
            else:
                query.errors["kind"] = _("机构类别无效，请从列表中选择。")
        status = get("status")
        if status:
            if status in IN_FORCE:
                query.status = status
            else:
                query.errors["status"] = _("目录只收录已备案、暂停评价和限期整改的机构。")
        sort = get("sort")
        if sort:
            if sort in SORTS:
                query.sort = sort
            else:
                query.errors["sort"] = _("排序方式无效。")
        return query

    def as_filters(self) -> dict[str, str]:
        """The filters in effect, as plain values (for the export's audit entry)."""
        out = {"q": self.q, "occupation": self.occupation, "level": self.level or "",
               "region": self.region.code if self.region else "", "kind": self.kind, "status": self.status,
               "sort": self.sort}
        return {k: str(v) for k, v in out.items() if v}
