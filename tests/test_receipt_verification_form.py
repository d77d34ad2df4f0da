"""The public verifies a receipt by typing its number, and finds an agency in the directory by its
USCC or filing number [002 §12, 001 §3(4), SPEC §7]."""

import pytest
from django.core.cache import cache

from filings.choices import FilingState as S


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def active(world):
    return world.filing(state=S.ACTIVE, occupations=[world.electrician])


def test_the_public_menu_links_the_verification_form(client, db):
    page = client.get("/directory/").content.decode()
    assert 'href="/verify/"' in page and "回执核验" in page
    form = client.get("/verify/")
    assert form.status_code == 200 and "备案编号" in form.content.decode()


def test_a_typed_number_leads_to_its_verification_page(client, active):
    """[002 §12] Typed in lower case with spaces, as people copy numbers, it still finds the receipt."""
    typed = " " + active.number.lower()[:6] + " " + active.number.lower()[6:] + "\u3000"
    response = client.get("/verify/", {"number": typed})
    assert response.status_code == 302 and response.url == f"/verify/{active.number}/"
    page = client.get(response.url).content.decode()
    assert "该回执为现行有效版本" in page
    versioned = client.get("/verify/", {"number": active.number, "v": "1"})
    assert versioned.url == f"/verify/{active.number}/?v=1"


def test_an_empty_number_is_asked_for_plainly(client, db):
    page = client.get("/verify/", {"number": "  "}).content.decode()
    assert "请输入回执上的备案编号" in page


def test_an_unknown_number_says_so(client, db):
    response = client.get("/verify/", {"number": "3100002026E9999"}, follow=True)
    assert response.status_code == 404 and "未查到备案编号为 3100002026E9999 的备案回执" in response.content.decode()


@pytest.mark.parametrize("by", ["uscc", "number"])
def test_the_directory_finds_an_agency_by_its_uscc_or_filing_number(client, active, world, by):
    """[SPEC §7] The name field also takes the 统一社会信用代码 or the 备案编号."""
    world.filing(agency=world.xuhui_social, state=S.ACTIVE, occupations=[world.carer])
    value = active.agency.uscc if by == "uscc" else active.number
    page = client.get("/directory/", {"q": value.lower()}).content.decode()
    assert active.agency.name in page and world.xuhui_social.name not in page
    api = client.get("/api/v1/directory/", {"q": value}).json()
    assert [e["filing_number"] for e in api["results"]] == [active.number]


def test_an_ended_filing_is_not_found_by_its_number_in_the_directory(client, active, world):
    """[003 §7] A cancelled filing leaves the directory; its number finds nothing there."""
    from filings.services import change_in_force

    change_in_force(filing_id=active.pk, action="cancel", actor=world.city, comment="自愿注销 [003 §22(1)]")
    page = client.get("/directory/", {"q": active.number}).content.decode()
    assert active.agency.name not in page
