"""A district's work list costs the same queries for N and 2N rows [issue #15 §6, issue 3 §12].

A district reviewer's 待办 and 已逾期 tabs hold the applications waiting for its completeness check,
whose countdown is in working days [002 §10]. The countdown of an application overdue by years used
to read the working-day overrides once per row (34 queries for a page of 20 instead of 14).
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from filings.choices import FilingState as S
from filings.models import Filing
from portal.workdays import workdays_between


def _long_overdue(world, n, start):
    """`n` submitted applications of 浦东 whose completeness check fell due years ago, each on its own day."""
    for i in range(n):
        f = world.filing(agency=world.school if i % 2 else world.pudong_enterprise, state=S.SUBMITTED)
        Filing.objects.filter(pk=f.pk).update(acceptance_due=start + datetime.timedelta(days=37 * i))


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("tab", ["todo", "overdue", "all"])
def test_a_districts_tabs_cost_the_same_queries_for_n_and_2n_rows(world, client, tab):
    """[002 §10] Each row shows its countdown in working days; the page's queries don't grow with them."""
    client.force_login(world.pudong_reviewer)
    url = reverse("filings:worklist") + f"?tab={tab}"
    _long_overdue(world, 3, datetime.date(2019, 3, 1))
    client.get(url)  # warm the caches (content types, policy)
    n, page = _queries(client, url)
    assert page.count("is-overdue") == 3
    _long_overdue(world, 3, datetime.date(2020, 6, 1))
    two_n, page = _queries(client, url)
    assert page.count("is-overdue") == 6
    assert two_n == n


def test_the_district_and_the_city_pay_the_same_for_a_page(world, client):
    """The district's overdue tab costs what the city's does (the same page, scoped)."""
    _long_overdue(world, 4, datetime.date(2019, 3, 1))
    url = reverse("filings:worklist") + "?tab=all"
    counts = {}
    for user in (world.city, world.pudong_reviewer):
        client.force_login(user)
        client.get(url)
        counts[user.username], _page = _queries(client, url)
    assert counts["city"] == counts["pudong"]


def test_a_countdown_years_overdue_is_counted_in_working_days(world, client):
    """[002 §10] 5 working days to check completeness: an application years late shows how many
    working days late it is, as portal.workdays counts them (holidays and 调休 included)."""
    due = datetime.date(2020, 9, 30)
    f = world.filing(state=S.SUBMITTED)
    Filing.objects.filter(pk=f.pk).update(acceptance_due=due)
    client.force_login(world.pudong_reviewer)
    page = client.get(reverse("filings:worklist") + "?tab=overdue").content.decode()
    late = -workdays_between(timezone.localdate(), due)
    assert late > 400
    assert f"已逾期 {late} 个工作日" in page


def test_the_agency_register_counts_submitted_filings_at_a_fixed_cost(world, client):
    """[SPEC §1] The register counts each agency's submitted filings (a draft is the agency's alone),
    and costs the same queries for N and 2N filings [issue #15 §6]."""
    import re

    world.filing(agency=world.pudong_enterprise, state=S.SUBMITTED)
    world.filing(agency=world.pudong_enterprise, state=S.DRAFT)
    client.force_login(world.pudong_reviewer)
    url = reverse("filings:agency_list")
    client.get(url)
    n, page = _queries(client, url)
    row = re.search(r"上海浦江电气有限公司.*?</tr>", page, re.S).group(0)
    assert re.findall(r"<td>(\d+)</td>", row) == ["1"]
    world.filing(agency=world.pudong_enterprise, state=S.PRE_REVIEW)
    world.filing(agency=world.school, state=S.SUBMITTED)
    two_n, page = _queries(client, url)
    row = re.search(r"上海浦江电气有限公司.*?</tr>", page, re.S).group(0)
    assert re.findall(r"<td>(\d+)</td>", row) == ["2"] and two_n == n
