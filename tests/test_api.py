"""Open data API [SPEC §7]: read-only, no login, the same filters as the search page."""

import pytest
from django.core.cache import cache

from filings.choices import FilingState as S
from filings.services import perform
from portal.models import SkillLevel

FIELDS = {"name", "uscc", "kind", "filing_number", "valid_from", "valid_until", "status", "region_code",
          "region_name", "scope"}


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def listed(world):
    w = world
    w.active = w.filing(state=S.ACTIVE, occupations=[w.electrician, w.lathe])
    w.suspended = w.filing(agency=w.xuhui_social, state=S.ACTIVE, occupations=[w.carer],
                           level_from=SkillLevel.LEVEL_5, level_to=SkillLevel.LEVEL_4)
    perform(filing_id=w.suspended.pk, action="suspend", actor=w.city, comment="暂停")
    w.filing(agency=w.soe, state=S.EXPERT_REVIEW)
    return w


def test_each_item_carries_the_published_fields(client, listed):
    """[SPEC §7]: name, kind, filing number, validity, region, status, occupations and levels."""
    data = client.get("/api/v1/directory/", {"q": "浦江"}).json()
    assert data["count"] == 1
    item = data["results"][0]
    assert FIELDS <= set(item)
    assert item["name"] == "上海浦江电气有限公司"
    assert item["uscc"] == listed.pudong_enterprise.uscc
    assert item["kind"] == "enterprise"
    assert item["filing_number"] == listed.active.number
    assert item["valid_from"] == listed.active.valid_from.isoformat()
    assert item["valid_until"] == listed.active.valid_until.isoformat()
    assert item["status"] == "active"
    assert (item["region_code"], item["region_name"]) == ("310115", "浦东新区")
    electrician = next(s for s in item["scope"] if s["occupation_code"] == "6-31-01-03")
    assert electrician["occupation_name"] == "电工"
    assert electrician["levels"] == [2, 3, 4]


def test_only_filings_in_force_are_published(client, listed):
    """[SPEC §7]: the filing still under expert review is not there; the suspended one is, marked."""
    data = client.get("/api/v1/directory/").json()
    assert sorted(i["name"] for i in data["results"]) == ["上海徐汇养老职业培训学校", "上海浦江电气有限公司"]
    assert {i["name"]: i["status"] for i in data["results"]}["上海徐汇养老职业培训学校"] == "suspended"


def test_the_same_filters_as_the_search_page(client, listed):
    get = lambda **p: [i["name"] for i in client.get("/api/v1/directory/", p).json()["results"]]  # noqa: E731
    assert get(occupation="6-31-01-03") == ["上海浦江电气有限公司"]
    assert get(occupation="养老") == ["上海徐汇养老职业培训学校"]
    assert get(level=SkillLevel.LEVEL_3) == ["上海浦江电气有限公司"]
    assert get(region="310104") == ["上海徐汇养老职业培训学校"]
    assert get(kind="social", status="suspended") == ["上海徐汇养老职业培训学校"]
    assert get(sort="-name") == ["上海浦江电气有限公司", "上海徐汇养老职业培训学校"]


def test_pagination_links_keep_the_filters(client, listed):
    first = client.get("/api/v1/directory/", {"page_size": 1, "region": "310000"}).json()
    assert (first["count"], first["num_pages"], first["page"], first["previous"]) == (2, 2, 1, None)
    assert "region=310000" in first["next"] and "page=2" in first["next"]
    second = client.get(first["next"]).json()
    assert second["next"] is None and second["page"] == 2
    assert first["results"][0]["name"] != second["results"][0]["name"]
    beyond = client.get("/api/v1/directory/", {"page": 3, "page_size": 1})
    assert beyond.status_code == 404 and "页码超出范围" in beyond.json()["detail"]


def test_bad_parameters_are_refused_with_reasons(client, listed):
    response = client.get("/api/v1/directory/", {"level": "九", "page_size": "1000", "kind": "x"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"level", "page_size", "kind"}
    assert "每页条数" in errors["page_size"]


def test_detail_by_filing_number(client, listed):
    item = client.get(f"/api/v1/directory/{listed.active.number}/").json()
    assert item["name"] == "上海浦江电气有限公司"
    missing = client.get("/api/v1/directory/3100009999X9999/")
    assert missing.status_code == 404 and missing.json()["detail"] == "没有这个备案编号。"


def test_a_cancelled_filing_answers_gone(client, listed):
    """[003 §7, 001 §3(4)]: cancelled filings leave the directory; the number says so."""
    perform(filing_id=listed.active.pk, action="cancel", actor=listed.city, comment="自愿注销")
    response = client.get(f"/api/v1/directory/{listed.active.number}/")
    assert response.status_code == 410
    assert response.json()["status"] == "cancelled" and "已移出机构目录" in response.json()["detail"]
    assert client.get("/api/v1/directory/").json()["count"] == 1


def test_api_is_cacheable_and_open_to_other_sites(client, listed):
    response = client.get("/api/v1/directory/")
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_crawler_over_the_limit_gets_429_in_chinese(client, listed, settings):
    settings.DIRECTORY_RATE_LIMITS = {"api": (3, 60)}
    for _ in range(3):
        assert client.get("/api/v1/directory/", REMOTE_ADDR="198.51.100.1").status_code == 200
    refused = client.get("/api/v1/directory/", REMOTE_ADDR="198.51.100.1")
    assert refused.status_code == 429
    assert "访问过于频繁" in refused.json()["detail"]
    assert refused["Retry-After"].isdigit()
    assert client.get("/api/v1/directory/", REMOTE_ADDR="198.51.100.2").status_code == 200


def test_the_api_is_read_only(client, listed):
    assert client.post("/api/v1/directory/", {}).status_code == 405


def test_a_page_far_past_the_end_is_not_found_rather_than_an_error(client, listed):
    """[SPEC §7]: a crawler's absurd page number gets 404 (API) or the last page (search page)."""
    response = client.get("/api/v1/directory/", {"page": "9" * 30})
    assert response.status_code == 404 and "页码超出范围" in response.json()["detail"]
    assert client.get("/directory/", {"page": "9" * 30}).status_code == 200
