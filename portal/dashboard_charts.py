"""The charts of the city's and the districts' dashboards (issue #15 §5): each chart is a small
table of figures computed in one grouped query (so a dashboard costs a fixed number of queries
whatever the data), shown as an accessible table with, for each figure, the link to the filtered
list; the vendored ECharts (portal/static/vendor/echarts/) draws the picture from that very table
(portal/static/dashboards/charts.js, no inline script), and each table downloads as .xlsx.

The domain apps' data are read through their selectors; a chart of an area whose selectors do not
exist yet is simply absent.
"""

from __future__ import annotations

import datetime
import tempfile
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import audit, audit_actions
from portal.models import Role
from portal.spreadsheets import INTEGER, TEXT, Column, Sheet, XLSX_CONTENT_TYPE, write_ledger

CHART_ROLES = (Role.CITY, Role.DISTRICT, Role.INDUSTRY, Role.ADMIN)

audit_actions.register({"dashboard.chart_export": gettext_lazy("下载工作台图表数据")})


@dataclass
class Chart:
    """One chart: rows of (label, figures per series, link to the filtered list)."""

    name: str
    title: str
    kind: str  # "bar", "stacked", "line", "pie"
    label_header: str
    series: list[str]
    rows: list[dict] = field(default_factory=list)  # {"label", "values": [...], "url"}

    @property
    def total(self) -> int:
        return sum(sum(v or 0 for v in r["values"]) for r in self.rows)


def _url(name: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name) + (f"?{query}" if query else "")


def filings_by_state(user, today) -> Chart:
    from filings.choices import FilingState
    from filings.selectors import counts_by_state

    counts = counts_by_state(user)  # the work-list panel's 全部 count reads the same, once a page
    chart = Chart("filings_by_state", _("备案按状态"), "bar", _("状态"), [_("备案数")])
    for value, label in FilingState.choices:
        if counts.get(value):
            chart.rows.append({"label": str(label), "values": [counts[value]],
                               "url": _url("filings:worklist", tab="all", state=value)})
    return chart


def deadlines_by_authority(user, today) -> Chart:
    """Due within 7 days and overdue, by who must act (the route) [002 §10-11]."""
    from filings import worklist
    from filings.choices import FilingState, Route
    from filings.selectors import filings_visible_to

    base = filings_visible_to(user).order_by()
    week = today + datetime.timedelta(days=7)
    this_week = (Q(state=FilingState.SUBMITTED, acceptance_due__range=(today, week))
                 | Q(state__in=worklist.DECIDING, decision_due__range=(today, week)))
    late = worklist.overdue_q(today)
    # Both figures in one grouped query; DISTINCT only where the scope itself joins a many-valued
    # relation (an expert's panels), which a reviewer's never does [issue #15 §6].
    distinct = base.query.distinct
    due, overdue = {}, {}
    for route, n_due, n_late in (base.filter(this_week | late).values_list("route")
                                 .annotate(due=Count("pk", filter=this_week, distinct=distinct),
                                           late=Count("pk", filter=late, distinct=distinct))
                                 .values_list("route", "due", "late")):
        due[route], overdue[route] = n_due, n_late
    chart = Chart("deadlines", _("本周到期和已逾期的办理时限（按办理机关）"), "stacked", _("办理机关"),
                  [_("本周到期"), _("已逾期")])
    for value, label in Route.choices:
        if due.get(value) or overdue.get(value):
            chart.rows.append({"label": str(label), "values": [due.get(value, 0), overdue.get(value, 0)],
                               "url": _url("filings:worklist", tab="overdue") if overdue.get(value)
                               else _url("filings:worklist", tab="due_soon")})
    return chart


def _month_add(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return datetime.date(day.year + month // 12, month % 12 + 1, 1)


def expiring_by_month(user, today) -> Chart:
    """Filings in force whose validity ends in each of the next 12 months [000 §3]."""
    from filings.choices import IN_FORCE
    from filings.selectors import filings_visible_to

    start = today.replace(day=1)
    end = _month_add(start, 12)
    counts = {}
    for month, n in (filings_visible_to(user).order_by().filter(state__in=IN_FORCE, valid_until__gte=today,
                                                                 valid_until__lt=end)
                     .annotate(month=TruncMonth("valid_until")).values_list("month").annotate(n=Count("pk"))):
        key = month.date() if isinstance(month, datetime.datetime) else month
        counts[key] = n
    chart = Chart("expiring", _("未来 12 个月到期的备案（按月）"), "line", _("月份"), [_("到期备案数")])
    for i in range(12):
        month = _month_add(start, i)
        chart.rows.append({"label": f"{month:%Y-%m}", "values": [counts.get(month, 0)],
                           "url": _url("assessments:board")})
    return chart


def renewals_by_outcome(user, today) -> Chart:
    from assessments.choices import AssessmentState
    from assessments.selectors import assessments_visible_to

    counts = dict(assessments_visible_to(user).order_by().values_list("state").annotate(n=Count("pk")))
    chart = Chart("renewals", _("期满评估按状态和结果"), "pie", _("状态"), [_("评估数")])
    for value, label in AssessmentState.choices:
        if counts.get(value):
            chart.rows.append({"label": str(label), "values": [counts[value]],
                               "url": _url("assessments:board", state=value)})
    return chart


CHARTS = {
    "filings_by_state": filings_by_state,
    "deadlines": deadlines_by_authority,
    "expiring": expiring_by_month,
    "renewals": renewals_by_outcome,
}


def register(name: str, provider) -> None:
    """Another area adds a chart: `provider(user, today) -> Chart | None` (fixed queries)."""
    CHARTS.setdefault(name, provider)


def allowed(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in CHART_ROLES))


def charts_for(user, today: datetime.date | None = None) -> list[Chart]:
    if not allowed(user):
        return []
    today = today or timezone.localdate()
    return [c for c in (provider(user, today) for provider in CHARTS.values()) if c is not None]


@login_required
def download(request, chart):
    """A chart's figures as .xlsx (the table the chart shows), audited."""
    provider = CHARTS.get(chart)
    if provider is None or not allowed(request.user):
        raise Http404
    data = provider(request.user, timezone.localdate())
    if data is None:
        raise Http404
    columns = [Column(str(data.label_header), TEXT, width=24)] + [Column(str(s), INTEGER) for s in data.series]
    spool = tempfile.TemporaryFile()
    write_ledger(spool, title=str(data.title),
                 about=[(_("图表"), str(data.title)), (_("导出人"), request.user.username),
                        (_("导出时间"), timezone.localtime().replace(tzinfo=None, microsecond=0))],
                 sheets=[Sheet(_("数据"), columns, [[r["label"], *r["values"]] for r in data.rows])])
    audit.record("dashboard.chart_export", None, actor=request.user, comment=str(data.title),
                 data={"chart": chart})
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=f"chart-{chart}-{timezone.localdate():%Y%m%d}.xlsx",
                        content_type=XLSX_CONTENT_TYPE)


def urls():
    from django.urls import path

    return [path(f"dashboard/charts/{name}.xlsx", download, {"chart": name}, name="dashboard_chart_xlsx")
            for name in CHARTS]
