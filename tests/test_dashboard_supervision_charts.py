"""Supervision's dashboard charts [issue #15 §5]: inspections by state, findings by severity,
complaints by category and timeliness, star ratings of the latest confirmed year — each scoped to what
the viewer's lists show, each a table linked to its list, each downloadable, each at a fixed number
of queries whatever the data."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from portal import dashboard_charts
from portal.models import AuditEntry
from supervision import dashboard_charts as charts
from supervision.models import Inspection
from supervision.models.complaints import Complaint
from supervision.services import complaints as complaint_services
from supervision.services import inspections as inspection_services
from tests._complaints_helpers import _complaint_limits  # noqa: F401  (autouse: generous rate limits)
from tests._inspections_helpers import open_one, submitted
from tests._ratings_helpers import rating_of, round_in

NAMES = ("inspections_by_state", "findings_by_severity", "complaints_by_category", "ratings_by_stars")
TODAY = datetime.date(2026, 12, 3)


def _complaint(w, agency, n, *, category="fees", today=None):
    complaint, _code = complaint_services.file_complaint(
        category=category, agency=agency, description=f"报名时被要求另交加急费{n}00元，没有发票，第{n}次。",
        contact_name="张三", contact_phone=f"1380000{n:04d}", today=today or TODAY)
    return complaint


def _queries(provider, user):
    with CaptureQueriesContext(connection) as ctx:
        provider(user, TODAY)
    return len(ctx.captured_queries)


def test_the_supervision_charts_are_registered_and_on_the_dashboards(client, world):
    """The city and a district see the four charts, each with its download link."""
    for user in (world.city, world.pudong_reviewer):
        client.force_login(user)
        html = client.get(reverse("portal:dashboard")).content.decode()
        for name in NAMES:
            assert name in dashboard_charts.CHARTS
            assert f'id="chart-{name}"' in html
            assert reverse("portal:dashboard_chart_xlsx", kwargs={"chart": name}) in html


def test_inspections_by_state_link_to_the_list_filtered_by_state(client, world):
    """[003 §17] Each state's figure opens the inspection list filtered by that state, and the list
    shows that many."""
    open_one(world)
    submitted(world, world.school)
    chart = charts.inspections_by_state(world.pudong_reviewer, TODAY)
    by_label = {r["label"]: r for r in chart.rows}
    assert by_label["检查中"]["values"] == [1] and by_label["已反馈检查结果"]["values"] == [1]
    url = by_label["检查中"]["url"]
    assert url == reverse("supervision:inspection_list") + "?state=open"
    client.force_login(world.pudong_reviewer)
    page = client.get(url).content.decode()
    assert page.count(reverse("supervision:inspection_detail", args=[Inspection.objects.get(state="open").pk])) >= 1


def test_a_district_sees_only_its_own_inspections_and_findings(world):
    """[SPEC §1] 徐汇's reviewer never counts 浦东's inspections or their findings."""
    submitted(world, world.pudong_enterprise)
    submitted(world, world.xuhui_social)
    assert charts.inspections_by_state(world.pudong_reviewer, TODAY).total == 1
    assert charts.inspections_by_state(world.city, TODAY).total == 2
    assert charts.findings_by_severity(world.xuhui_reviewer, TODAY).total == 1
    assert charts.findings_by_severity(world.city, TODAY).total == 2
    (row,) = charts.findings_by_severity(world.city, TODAY).rows
    assert row["label"] == "一般" and row["url"] == reverse("supervision:inspection_list")  # no severity filter


def test_findings_are_counted_by_severity(world):
    inspection = open_one(world)
    for severity in ("minor", "grave", "grave"):
        inspection_services.add_finding(inspection_id=inspection.pk, severity=severity, description=f"问题{severity}",
                                        actor=world.inspector)
    rows = {r["label"]: r["values"][0] for r in charts.findings_by_severity(world.city, TODAY).rows}
    assert rows == {"一般": 1, "严重": 2}


def test_complaints_are_counted_by_category_on_time_and_overdue(world):
    """[002 §27, 003 §19] A complaint not acknowledged within its limit is overdue; one just filed is
    on time; a district counts only the complaints it handles."""
    _complaint(world, world.pudong_enterprise, 1, category="fees")
    late = _complaint(world, world.school, 2, category="fees", today=TODAY - datetime.timedelta(days=60))
    Complaint.objects.filter(pk=late.pk).update(escalated=False)  # whether or not the sweep has run
    _complaint(world, world.pudong_enterprise, 3, category="cheating")
    _complaint(world, world.xuhui_social, 4, category="cheating")
    rows = {r["label"]: r["values"] for r in charts.complaints_by_category(world.pudong_reviewer, TODAY).rows}
    assert rows == {"违规收费": [1, 1], "考试舞弊": [1, 0]}
    city = charts.complaints_by_category(world.city, TODAY)
    assert city.series == ["按时办理", "逾期"] and city.total == 4
    assert all(r["url"] == reverse("supervision:complaint_list") for r in city.rows)


def test_a_complaint_concluded_after_its_limit_is_overdue(world):
    c = _complaint(world, world.pudong_enterprise, 5)
    Complaint.objects.filter(pk=c.pk).update(state=Complaint.State.REPLIED, accepted_on=TODAY,
                                             conclude_due=datetime.date(2026, 6, 1),
                                             concluded_on=datetime.date(2026, 6, 15))
    (row,) = charts.complaints_by_category(world.city, TODAY).rows
    assert row["values"] == [0, 1]


def test_star_ratings_of_the_latest_confirmed_year_link_to_its_round(client, world):
    """[003 §21] The chart counts the confirmed ratings of the latest confirmed year by stars, and
    opens that year's round; a round not yet confirmed is not counted."""
    rnd = round_in(world, "confirmed")
    chart = charts.ratings_by_stars(world.city, TODAY)
    assert "2025" in chart.title and [r["label"] for r in chart.rows] == ["5 星", "4 星", "3 星", "2 星", "1 星"]
    assert chart.total == 2
    stars = rating_of(rnd, world.pudong_enterprise).stars
    assert chart.rows[5 - stars]["values"][0] >= 1
    assert {r["url"] for r in chart.rows} == {reverse("supervision:ratings_round", args=[rnd.pk])}
    assert charts.ratings_by_stars(world.pudong_reviewer, TODAY).total == 1  # its own region only
    client.force_login(world.pudong_reviewer)
    assert client.get(chart.rows[0]["url"]).status_code == 200


def test_no_confirmed_year_gives_an_empty_ratings_chart(world):
    round_in(world, "published")
    chart = charts.ratings_by_stars(world.city, TODAY)
    assert chart.rows == []


@pytest.mark.parametrize("who", ["industry_reviewer"])
def test_a_role_without_the_lists_gets_no_inspection_or_rating_chart(world, who):
    user = getattr(world, who)
    assert charts.inspections_by_state(user, TODAY) is None
    assert charts.findings_by_severity(user, TODAY) is None
    assert charts.ratings_by_stars(user, TODAY) is None
    assert charts.complaints_by_category(user, TODAY) is not None  # industry departments handle complaints


def test_each_chart_downloads_as_xlsx_and_is_audited(client, world):
    submitted(world)
    _complaint(world, world.pudong_enterprise, 6)
    client.force_login(world.pudong_reviewer)
    for name in NAMES:
        response = client.get(reverse("portal:dashboard_chart_xlsx", kwargs={"chart": name}))
        assert response.status_code == 200
        wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        header = [c.value for c in next(wb["数据"].iter_rows())]
        assert header[0] in ("状态", "严重程度", "投诉类别", "星级")
    assert AuditEntry.objects.filter(action="dashboard.chart_export", actor=world.pudong_reviewer).count() == 4
    client.force_login(world.industry_reviewer)
    assert client.get(reverse("portal:dashboard_chart_xlsx", kwargs={"chart": "inspections_by_state"})).status_code == 404


def test_each_chart_costs_the_same_queries_for_n_and_2n_rows(world):
    """One grouped query a chart, whatever the data."""
    submitted(world, world.pudong_enterprise)
    open_one(world, world.school)
    _complaint(world, world.pudong_enterprise, 7)
    _complaint(world, world.school, 8, category="cheating", today=TODAY - datetime.timedelta(days=60))
    round_in(world, "confirmed")
    providers = [dashboard_charts.CHARTS[name] for name in NAMES]
    n = {(p, u.pk): _queries(p, u) for p in providers for u in (world.city, world.pudong_reviewer)}
    submitted(world, world.association)
    submitted(world, world.xuhui_social)
    _complaint(world, world.association, 9, category="other")
    _complaint(world, world.xuhui_social, 10, today=TODAY - datetime.timedelta(days=60))
    two_n = {(p, u.pk): _queries(p, u) for p in providers for u in (world.city, world.pudong_reviewer)}
    assert two_n == n
    assert set(n.values()) == {1}
