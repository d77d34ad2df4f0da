"""Usable on a phone: no page of the main journeys is wider than a 390-pixel screen (wide tables
scroll inside their own frame) [issue 2: usable at 1366×768 and on a phone]."""

import pytest

from filings.choices import FilingState as S
from tests.browser.conftest import login


def page_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


@pytest.mark.parametrize("who, path", [
    (None, "/accounts/login/"),
    (None, "/directory/"),
    (None, "/notices/"),
    ("city", "/dashboard/"),
    ("city", "/review/?tab=all"),
    ("city", "/filings/{pk}/"),
    ("pudong", "/review/"),
    ("pd_clerk", "/my/"),
    ("pd_clerk", "/renewals/"),
])
def test_no_page_is_wider_than_a_phone(world, new_page, who, path):
    filing = world.filing(state=S.ACTIVE)
    world.filing(agency=world.soe, state=S.SUBMITTED)
    page = new_page(viewport=(390, 844))
    if who:
        login(page, who)
    page.goto(path.format(pk=filing.pk))
    assert page.locator("h1").first.is_visible()
    assert page_width(page) <= 390, f"{path} is {page_width(page)}px wide on a 390px screen"
