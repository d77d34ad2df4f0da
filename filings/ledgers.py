"""The filings app's ledgers [SPEC §9]: agencies, filings with scope and validity, expiring filings.

Each reads through `filings.selectors` (what the viewer may see) and applies the same filters as
the staff list it exports (the work list's `WorklistFilterForm` and tab), so "export" on a list gives
exactly the rows the list shows, on every page of it.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.choices import IN_FORCE, AgencyKind, FilingState, ManagingLevel, Ownership, Route
from filings.models import Agency, ScopeItem
from filings.selectors import agencies_visible_to, filings_visible_to
from portal.dates import add_months
from portal.ledgers import Field, Ledger, LedgerSheet, choice_labels, register
from portal.models import PolicyProfile, Region, SkillLevel

# ----- agencies (also the import template: keyed by USCC) ---------------------------------------

AGENCY_FIELDS = (
    Field("统一社会信用代码", "uscc", meaning="18 位统一社会信用代码，导入时据此识别机构", width=22),
    Field("机构名称", "name", meaning="法人或组织的全称", width=32),
    Field("机构类别", "kind", meaning="用人单位（企业）、社会培训评价组织、技工院校等",
          display=choice_labels(AgencyKind), width=16,
          format="取值：" + "、".join(str(label) for _v, label in AgencyKind.choices)),
    Field("隶属关系", "ownership", meaning="机构的隶属（市属国企、区属、行业等）", display=choice_labels(Ownership),
          width=16, format="取值：" + "、".join(str(label) for _v, label in Ownership.choices)),
    Field("区划代码", "region__code", meaning="所在区县的 6 位行政区划代码", width=10, format="6 位数字"),
    Field("所在区县", "region__name", meaning="所在区县名称", width=12),
    Field("行业主管部门", "industry_department__name", meaning="行业主管部门名称（如有）", width=20),
    Field("地址", "address", meaning="机构地址", width=36),
    Field("法定代表人", "legal_representative", meaning="法定代表人姓名"),
    Field("联系人", "contact_name", meaning="备案联系人姓名"),
    Field("联系电话", "contact_phone", meaning="联系人电话（手机或固定电话）", width=16),
    Field("联系邮箱", "contact_email", meaning="联系人电子邮箱", width=24),
    Field("法人主体状态", "entity_status", meaning="存续、注销等", display=choice_labels(Agency.EntityStatus),
          format="取值：" + "、".join(str(label) for _v, label in Agency.EntityStatus.choices)),
    Field("登记时间", "created_at", kind="datetime", meaning="机构在平台登记的时间"),
)


def _region(filters) -> Region | None:
    code = filters.get("district") or ""
    if not code:
        return None
    lookup = Q(code=code) | (Q(pk=int(code)) if str(code).isdigit() and len(str(code)) < 6 else Q(pk__in=[]))
    return Region.objects.filter(lookup).first()


def agencies_for(user, filters):
    qs = agencies_visible_to(user)
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("q"):
        qs = qs.filter(Q(name__icontains=filters["q"]) | Q(uscc__icontains=filters["q"].upper()))  # as the list
    region = _region(filters)
    if region is not None:
        qs = qs.filter(region__path__startswith=region.path)
    return qs.order_by("region__code", "name", "pk")


def _describe_common(filters) -> list[str]:
    lines = []
    if filters.get("state"):
        lines.append(_("状态：%(v)s") % {"v": choice_labels(FilingState).get(filters["state"], filters["state"])})
    if filters.get("kind"):
        lines.append(_("机构类别：%(v)s") % {"v": choice_labels(AgencyKind).get(filters["kind"], filters["kind"])})
    region = _region(filters)
    if region is not None:
        lines.append(_("区县：%(v)s") % {"v": region.name})
    if filters.get("q"):
        lines.append(_("机构名称包含：%(v)s") % {"v": filters["q"]})
    return lines


AGENCIES = register(Ledger(
    name="agencies", title=gettext_lazy("评价机构台账"), sheet_title=gettext_lazy("评价机构"),
    description=gettext_lazy("登记在平台上的技能人才评价机构，每行一家，按统一社会信用代码识别；可修改后作为机构导入模板导回。"),
    queryset=agencies_for, fields=AGENCY_FIELDS, describe_filters=_describe_common,
    filter_names=("q", "kind", "district"),
))


# ----- filings with scope and validity ------------------------------------------------------------

FILING_FIELDS = (
    Field("备案编号", "number", meaning="备案通过后的备案编号（未通过为空）", width=20),
    Field("机构名称", "agency__name", meaning="评价机构全称", width=32),
    Field("统一社会信用代码", "agency__uscc", meaning="机构的统一社会信用代码", width=22),
    Field("机构类别", "agency__kind", meaning="机构类别", display=choice_labels(AgencyKind), width=16),
    Field("所在区县", "region__name", meaning="备案所在区县", width=12),
    Field("管理层级", "managing_level", meaning="市级或区级管理", display=choice_labels(ManagingLevel)),
    Field("报送路径", "route", meaning="区县初审、行业主管部门初审或直报市级", display=choice_labels(Route)),
    Field("状态", "state", meaning="备案当前所处的办理状态", display=choice_labels(FilingState), width=14,
          format="取值：" + "、".join(str(label) for _v, label in FilingState.choices)),
    Field("提交时间", "submitted_at", kind="datetime", meaning="机构提交申请的时间"),
    Field("受理日期", "accepted_on", kind="date", meaning="受理（形式审查通过）的日期"),
    Field("形式审查截止", "acceptance_due", kind="date", meaning="形式审查的截止日（5 个工作日）[002 §10]"),
    Field("决定截止", "decision_due", kind="date", meaning="作出备案决定的截止日（90 日）[002 §11]"),
    Field("决定日期", "decided_on", kind="date", meaning="作出备案决定的日期"),
    Field("有效期自", "valid_from", kind="date", meaning="备案有效期起始日"),
    Field("有效期至", "valid_until", kind="date", meaning="备案有效期届满日（3 年）[000 §3]"),
    Field("试点", "pilot", kind="boolean", meaning="社会培训评价组织试点运行 [003 §7]"),
    Field("终止日期", "ended_on", kind="date", meaning="备案终止（注销、届满等）的日期"),
)

SCOPE_FIELDS = (
    Field("备案编号", "filing__number", meaning="所属备案的备案编号", width=20),
    Field("机构名称", "filing__agency__name", meaning="评价机构全称", width=32),
    Field("职业编码", "occupation__code", meaning="国家职业分类大典编码", width=14),
    Field("职业（工种）", "occupation__name", meaning="评价的职业（工种）名称", width=24),
    Field("最低等级", "level_from", meaning="可评价的最低技能等级", display=choice_labels(SkillLevel), width=14),
    Field("最高等级", "level_to", meaning="可评价的最高技能等级", display=choice_labels(SkillLevel), width=14),
)


def filings_for(user, filters):
    """The work list's rows: its tab (all when no tab is given, e.g. from the command line) and its
    filter form, through the very functions the list uses."""
    from filings import worklist
    from filings.forms.review import WorklistFilterForm

    tab = filters.get("tab") or "all"
    if tab not in dict(worklist.TABS):
        tab = "all"
    form_data = {k: filters[k] for k in ("state", "district", "kind", "q") if filters.get(k)}
    if "district" in form_data and not str(form_data["district"]).isdigit():
        region = _region(filters)
        form_data["district"] = str(region.pk) if region else ""
    qs = worklist.for_tab(user, tab, timezone.localdate())
    if form_data:
        qs = WorklistFilterForm(form_data, user=user).apply(qs)
    return qs.order_by("region__code", "agency__name", "pk")


def _describe_filings(filters) -> list[str]:
    from filings import worklist

    lines = []
    tab = filters.get("tab")
    if tab and tab in dict(worklist.TABS):
        lines.append(_("清单：%(v)s") % {"v": dict(worklist.TABS)[tab]})
    return lines + _describe_common(filters)


def scope_of(user, filters, main):
    return (ScopeItem.objects.filter(filing__in=main.order_by().values("pk"))
            .order_by("filing__region__code", "filing__agency__name", "filing_id", "occupation__code"))


FILINGS = register(Ledger(
    name="filings", title=gettext_lazy("备案台账"), sheet_title=gettext_lazy("备案"),
    description=gettext_lazy("备案申请及其有效期，每行一项备案；“备案范围”表列出每项备案的职业（工种）和等级。"),
    queryset=filings_for, fields=FILING_FIELDS, describe_filters=_describe_filings, list_url="filings:worklist",
    filter_names=("tab", "state", "district", "kind", "q"),
    extra_sheets=(LedgerSheet(gettext_lazy("备案范围"), SCOPE_FIELDS, scope_of),),
))


# ----- expiring filings --------------------------------------------------------------------------

BUCKETS = {"overdue": gettext_lazy("已届满未办结"), "within_30_days": gettext_lazy("30 日内届满"), "within_window": gettext_lazy("提示期内届满")}


def _days_left(valid_until):
    return None if valid_until is None else (valid_until - timezone.localdate()).days


EXPIRING_FIELDS = (
    Field("备案编号", "number", meaning="备案编号", width=20),
    Field("机构名称", "agency__name", meaning="评价机构全称", width=32),
    Field("统一社会信用代码", "agency__uscc", meaning="机构的统一社会信用代码", width=22),
    Field("所在区县", "region__name", meaning="备案所在区县", width=12),
    Field("状态", "state", meaning="备案状态（有效、暂停、整改中）", display=choice_labels(FilingState)),
    Field("有效期至", "valid_until", kind="date", meaning="备案有效期届满日"),
    Field("剩余天数", "valid_until", kind="integer", meaning="距届满的天数（负数为已届满）", display=_days_left),
    Field("联系人", "agency__contact_name", meaning="机构联系人"),
    Field("联系电话", "agency__contact_phone", meaning="机构联系电话", width=16),
)


def expiring_for(user, filters):
    """In force and expiring within the renewal window (3 months by default) or already past expiry,
    soonest first [000 §3]; `bucket` narrows to one of the renewal board's groups."""
    today = timezone.localdate()
    months = PolicyProfile.active().renewal_window_months or 3
    qs = filings_visible_to(user).filter(state__in=IN_FORCE, valid_until__isnull=False,
                                         valid_until__lte=add_months(today, months))
    bucket = filters.get("bucket")
    if bucket == "overdue":
        qs = qs.filter(valid_until__lt=today)
    elif bucket == "within_30_days":
        qs = qs.filter(valid_until__gte=today, valid_until__lte=today + datetime.timedelta(days=30))
    elif bucket == "within_window":
        qs = qs.filter(valid_until__gt=today + datetime.timedelta(days=30))
    region = _region(filters)
    if region is not None:
        qs = qs.filter(region__path__startswith=region.path)
    return qs.order_by("valid_until", "pk")


def _describe_expiring(filters) -> list[str]:
    lines = [_("分组：%(v)s") % {"v": BUCKETS[filters["bucket"]]}] if filters.get("bucket") in BUCKETS else []
    region = _region(filters)
    if region is not None:
        lines.append(_("区县：%(v)s") % {"v": region.name})
    return lines


EXPIRING = register(Ledger(
    name="expiring", title=gettext_lazy("即将届满备案台账"), sheet_title=gettext_lazy("即将届满"),
    description=gettext_lazy("有效期在提示期内届满或已届满的有效备案，按届满日排序 [000 §3]。"),
    queryset=expiring_for, fields=EXPIRING_FIELDS, describe_filters=_describe_expiring,
    list_url="assessments:board", filter_names=("bucket", "district"),
))
