"""Supervision's charts on the city's and the districts' dashboards [issue #15 §5]: inspections by
state, findings by severity, complaints by category and timeliness, and the star ratings of the
latest confirmed year. Registered with `portal.dashboard_charts` when the app is ready.

Each chart reads through the area's selector (so a district's chart holds only what its lists show),
in one grouped query whatever the data; a role that has no list of the area gets no chart (the
chart's links would lead nowhere). Each row links to the staff list, filtered where that list has the
filter: the inspection list filters by state, the rating round is one year's list; the inspection
list has no severity filter and the complaint list no category or timeliness filter, so those rows
link to the list as it opens.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.dashboard_charts import Chart, _url, register
from portal.models import Role

SUPERVISORS = (Role.CITY, Role.DISTRICT, Role.ADMIN)  # who reads inspections and ratings [003 §17, §21]


def _supervises(user) -> bool:
    return user.is_superuser or user.role in SUPERVISORS


def inspections_by_state(user, today) -> Chart | None:
    """检查按状态 [003 §17]: each state links to the inspection list filtered by it."""
    if not _supervises(user):
        return None
    from supervision.models.inspections import Inspection
    from supervision.selectors.inspections import inspections_visible_to

    counts = dict(inspections_visible_to(user).order_by().values_list("state").annotate(n=Count("pk")))
    chart = Chart("inspections_by_state", _("监督检查按状态"), "bar", _("状态"), [_("检查数")])
    for value, label in Inspection.State.choices:
        if counts.get(value):
            chart.rows.append({"label": str(label), "values": [counts[value]],
                               "url": _url("supervision:inspection_list", state=value)})
    return chart


def findings_by_severity(user, today) -> Chart | None:
    """检查发现的问题按严重程度 [003 §17]. The inspection list has no severity filter: each row links
    to the list as it opens."""
    if not _supervises(user):
        return None
    from supervision.models.inspections import Finding
    from supervision.selectors.inspections import inspections_visible_to

    counts = dict(Finding.objects.filter(inspection__in=inspections_visible_to(user).order_by().values("pk"))
                  .order_by().values_list("severity").annotate(n=Count("pk")))
    chart = Chart("findings_by_severity", _("检查发现问题按严重程度"), "bar", _("严重程度"), [_("问题数")])
    for value, label in Finding.Severity.choices:
        if counts.get(value):
            chart.rows.append({"label": str(label), "values": [counts[value]],
                               "url": _url("supervision:inspection_list")})
    return chart


def complaint_overdue_q(today: datetime.date) -> Q:
    """A complaint not handled within its limits [002 §27, 003 §19]: escalated for want of
    acknowledgement, still unacknowledged past its limit, still open past its limit to conclude, or
    concluded after that limit."""
    from supervision.models.complaints import Complaint

    S = Complaint.State
    return (Q(escalated=True)
            | Q(state=S.SUBMITTED, acknowledge_due__lt=today)
            | Q(state__in=(S.ACCEPTED, S.INVESTIGATING), conclude_due__lt=today)
            | Q(concluded_on__isnull=False, conclude_due__isnull=False, concluded_on__gt=F("conclude_due")))


def complaints_by_category(user, today) -> Chart | None:
    """投诉举报按类别和办理时效 (按时 / 逾期). The complaint list has no category or timeliness filter:
    each row links to the list as it opens (the open complaints, the most urgent first)."""
    from supervision.models.complaints import Complaint
    from supervision.selectors.complaints import complaints_visible_to, is_staff_reader

    if not is_staff_reader(user):
        return None
    rows = {category: (n, late) for category, n, late in (
        complaints_visible_to(user).order_by().values_list("category")
        .annotate(n=Count("pk"), late=Count("pk", filter=complaint_overdue_q(today))))}
    chart = Chart("complaints_by_category", _("投诉举报按类别和办理时效"), "stacked", _("投诉类别"),
                  [_("按时办理"), _("逾期")])
    for value, label in Complaint.Category.choices:
        if value in rows:
            n, late = rows[value]
            chart.rows.append({"label": str(label), "values": [n - late, late],
                               "url": _url("supervision:complaint_list")})
    return chart


def ratings_by_stars(user, today) -> Chart | None:
    """星级评定: the confirmed ratings of the latest confirmed year the viewer may read, by stars
    [003 §21]; each row links to that year's round (which lists its ratings, most stars first)."""
    if not _supervises(user):
        return None
    from supervision.models.ratings import MAX_STARS, RatingState, RoundState
    from supervision.selectors.ratings import ratings_visible_to, rounds_visible_to

    latest = rounds_visible_to(user).filter(state=RoundState.CONFIRMED).order_by("-year").values("year")[:1]
    rows = list(ratings_visible_to(user).filter(state=RatingState.CONFIRMED, round__state=RoundState.CONFIRMED,
                                                round__year=Subquery(latest))
                .order_by().values_list("round_id", "round__year", "stars").annotate(n=Count("pk")))
    if not rows:
        return Chart("ratings_by_stars", _("星级评定结果（最近确认的年度）"), "bar", _("星级"), [_("机构数")])
    round_id, year = rows[0][0], rows[0][1]
    counts = {stars: n for _r, _y, stars, n in rows}
    chart = Chart("ratings_by_stars", _("%(year)s 年度星级评定结果") % {"year": year}, "bar", _("星级"),
                  [_("机构数")])
    url = reverse("supervision:ratings_round", args=[round_id])
    for stars in range(MAX_STARS, 0, -1):
        chart.rows.append({"label": _("%(n)s 星") % {"n": stars}, "values": [counts.get(stars, 0)], "url": url})
    return chart


for _name, _provider in (("inspections_by_state", inspections_by_state),
                         ("findings_by_severity", findings_by_severity),
                         ("complaints_by_category", complaints_by_category),
                         ("ratings_by_stars", ratings_by_stars)):
    register(_name, _provider)
