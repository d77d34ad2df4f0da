"""Dashboards with charts [issue #15 §5]: each chart a table for screen readers whose figures link
to the filtered list, drawn by the vendored ECharts (no CDN, no inline script), downloadable as
xlsx, at a fixed number of queries whatever the data."""

from __future__ import annotations

import io
import pathlib

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from filings.choices import FilingState as S
from portal import dashboard_charts
from portal.models import AuditEntry


def test_the_chart_library_is_vendored_with_its_licence():
    root = pathlib.Path(django_settings.BASE_DIR) / "portal" / "static" / "vendor" / "echarts"
    assert (root / "echarts.min.js").stat().st_size > 500_000
    assert "Apache License" in (root / "LICENSE").read_text()


def test_the_city_dashboard_shows_each_chart_as_a_table_linked_to_its_list(client, world):
    world.filing(agency=world.pudong_enterprise, state=S.SUBMITTED)
    client.force_login(world.city)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "vendor/echarts/echarts.min.js" in html and "dashboards/charts.js" in html
    assert "<script>" not in html and "cdn" not in html.lower()
    for name in dashboard_charts.CHARTS:
        assert f'id="chart-{name}"' in html
        assert reverse("portal:dashboard_chart_xlsx", kwargs={"chart": name}) in html
    assert reverse("filings:worklist") + "?tab=all&amp;state=submitted" in html


def test_a_district_sees_only_its_own_figures(world):
    world.filing(agency=world.pudong_enterprise, state=S.SUBMITTED)
    world.filing(agency=world.xuhui_social, state=S.SUBMITTED)
    pudong = dashboard_charts.filings_by_state(world.pudong_reviewer, None)
    city = dashboard_charts.filings_by_state(world.city, None)
    assert pudong.total == 1 and city.total == 2


def test_overdue_deadlines_are_counted_by_authority_and_link_to_the_overdue_list(world):
    import datetime

    from filings.models import Filing

    f = world.filing(agency=world.pudong_enterprise, state=S.SUBMITTED)
    Filing.objects.filter(pk=f.pk).update(acceptance_due=datetime.date(2020, 1, 2))
    chart = dashboard_charts.deadlines_by_authority(world.pudong_reviewer, datetime.date(2026, 12, 1))
    (row,) = chart.rows
    assert row["values"][1] == 1 and row["url"].endswith("?tab=overdue")


def _chart_queries(user):
    with CaptureQueriesContext(connection) as ctx:
        dashboard_charts.charts_for(user)
    return len(ctx.captured_queries)


def test_the_charts_cost_a_fixed_number_of_queries_at_n_and_2n_filings(client, world):
    world.filing(agency=world.pudong_enterprise, state=S.SUBMITTED)
    world.filing(agency=world.association, state=S.ACTIVE)
    charts_n = _chart_queries(world.city)
    world.filing(agency=world.school, state=S.SUBMITTED)
    world.filing(agency=world.xuhui_social, state=S.ACTIVE)
    # One grouped query a figure set: 4 for the filings' and renewals' charts, 1 for each of
    # supervision's four (tests/test_dashboard_supervision_charts.py).
    assert _chart_queries(world.city) == charts_n == 8
    assert _chart_queries(world.pudong_reviewer) == 8


def test_a_charts_figures_download_as_xlsx_and_are_audited(client, world):
    world.filing(agency=world.pudong_enterprise, state=S.SUBMITTED)
    client.force_login(world.pudong_reviewer)
    response = client.get(reverse("portal:dashboard_chart_xlsx", kwargs={"chart": "filings_by_state"}))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [[c.value for c in r] for r in wb["数据"].iter_rows()]
    assert rows[0] == ["状态", "备案数"] and rows[1][1] == 1
    assert AuditEntry.objects.filter(action="dashboard.chart_export", actor=world.pudong_reviewer).exists()


@pytest.mark.parametrize("who", ["pudong_clerk", "inspector"])
def test_roles_without_charts_get_none(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("portal:dashboard_chart_xlsx", kwargs={"chart": "deadlines"})).status_code == 404
    assert dashboard_charts.charts_for(getattr(world, who)) == []


def _state_count_queries(captured) -> int:
    return sum(1 for q in captured if 'AS "state", COUNT' in q["sql"] and '"filings_filing"' in q["sql"]
               and "GROUP BY" in q["sql"])


def test_the_dashboard_counts_the_filings_by_state_once_for_its_panel_and_its_chart(client, world):
    """The work-list panel's 全部 and the chart of filings by state agree, from one scan [issue #15 §6]."""
    world.filing(agency=world.pudong_enterprise, state=S.SUBMITTED)
    world.filing(agency=world.xuhui_social, state=S.ACTIVE)
    client.force_login(world.city)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("portal:dashboard"))
    assert _state_count_queries(ctx.captured_queries) == 1
    chart = next(c for c in response.context["charts"] if c.name == "filings_by_state")
    panel = next(p for p in response.context["panels"] if "counts" in p and "all" in p["counts"])
    assert panel["counts"]["all"] == chart.total == 2


def test_outside_a_page_the_counts_are_read_afresh(world):
    """Nothing shared is kept between pages: a filing submitted after one count is in the next."""
    import datetime

    from filings import worklist

    today = datetime.date(2026, 12, 1)
    world.filing(agency=world.pudong_enterprise, state=S.SUBMITTED)
    assert worklist.tab_counts(world.pudong_reviewer, today)["all"] == 1
    world.filing(agency=world.pudong_enterprise, state=S.SUBMITTED)
    assert worklist.tab_counts(world.pudong_reviewer, today)["all"] == 2
    assert dashboard_charts.filings_by_state(world.pudong_reviewer, None).total == 2
