"""The public directory [SPEC §7]: who is listed, every filter, the agency page, downloads,
cache headers and rate limits."""

import csv
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from filings.choices import FilingState as S
from filings.services import perform
from portal.models import AuditEntry, SkillLevel
from tests.conftest import city


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _end(filing, action):
    return perform(filing_id=filing.pk, action=action, actor=city(), comment="测试")


@pytest.fixture
def listed(world):
    """An active electrician filing in Pudong, a suspended carer filing in Xuhui, a rectifying school."""
    w = world
    w.active = w.filing(state=S.ACTIVE, occupations=[w.electrician, w.lathe])
    w.suspended = _end(w.filing(agency=w.xuhui_social, state=S.ACTIVE, occupations=[w.carer],
                                level_from=SkillLevel.LEVEL_5, level_to=SkillLevel.LEVEL_4), "suspend")
    w.rectifying = _end(w.filing(agency=w.school, state=S.ACTIVE, occupations=[w.electrician],
                                 level_from=SkillLevel.LEVEL_4, level_to=SkillLevel.LEVEL_2), "order_rectification")
    return w


def names(response):
    return [entry["name"] for entry in response.context["entries"]]


def test_filings_in_force_are_listed_and_suspended_ones_are_marked(client, listed):
    """[SPEC §7]: active filings are published, suspended and rectifying ones too, marked so."""
    response = client.get("/directory/")
    assert set(names(response)) == {"上海浦江电气有限公司", "上海徐汇养老职业培训学校", "上海市浦东新区技工学校"}
    html = response.content.decode()
    assert "暂停评价" in html and "限期整改" in html and "备案有效" in html
    assert listed.active.number in html
    assert "电工" in html and "五级/初级工—三级/高级工" in html


def test_filings_not_yet_in_force_are_not_listed(client, world):
    """[SPEC §7]: only filings in force; an application under review or refused is not published."""
    world.filing(state=S.PUBLIC_NOTICE)
    world.filing(agency=world.soe, state=S.REFUSED)
    response = client.get("/directory/")
    assert names(response) == []
    assert "目录中暂无机构" in response.content.decode()


@pytest.mark.parametrize("action", ["cancel", "expire", "terminate"])
def test_an_ended_filing_leaves_the_directory_with_the_transition(client, listed, action):
    """[001 §3(4), 003 §7]: cancelled and expired filings leave the directory at once, and their
    number says plainly that they left."""
    _end(listed.active, action)
    assert "上海浦江电气有限公司" not in names(client.get("/directory/"))
    response = client.get(f"/directory/{listed.active.number}/")
    assert response.status_code == 410
    assert "已移出评价机构目录" in response.content.decode()


def test_search_by_a_two_character_fragment_of_the_name(client, listed):
    """[SPEC §7]: by part of the name in Chinese."""
    assert names(client.get("/directory/", {"q": "浦江"})) == ["上海浦江电气有限公司"]
    assert names(client.get("/directory/", {"q": "养"})) == ["上海徐汇养老职业培训学校"]
    assert names(client.get("/directory/", {"q": "浦东新区技工"})) == ["上海市浦东新区技工学校"]
    assert names(client.get("/directory/", {"q": "不存在的名字"})) == []


def test_search_by_occupation_name_or_code(client, listed):
    """[SPEC §7]: by occupation, name or code (a leading part of the code covers the group)."""
    electricians = {"上海浦江电气有限公司", "上海市浦东新区技工学校"}
    assert set(names(client.get("/directory/", {"occupation": "电工"}))) == electricians
    assert set(names(client.get("/directory/", {"occupation": "6-31-01-03"}))) == electricians
    assert set(names(client.get("/directory/", {"occupation": "6-18"}))) == {"上海浦江电气有限公司"}
    assert names(client.get("/directory/", {"occupation": "养老护理"})) == ["上海徐汇养老职业培训学校"]


def test_search_by_level_matches_the_range_of_one_scope_row(client, listed):
    """[SPEC §7]: by level; 电工 at 技师 is the school's range, not the company's."""
    assert set(names(client.get("/directory/", {"level": SkillLevel.LEVEL_2}))) == {"上海市浦东新区技工学校"}
    both = client.get("/directory/", {"occupation": "电工", "level": SkillLevel.LEVEL_5})
    assert names(both) == ["上海浦江电气有限公司"]


def test_search_by_region_kind_and_status(client, listed):
    """[SPEC §7]: by region (a city includes its districts), kind and status."""
    assert set(names(client.get("/directory/", {"region": "310115"}))) == {"上海浦江电气有限公司",
                                                                            "上海市浦东新区技工学校"}
    assert len(names(client.get("/directory/", {"region": "310000"}))) == 3
    assert names(client.get("/directory/", {"kind": "social"})) == ["上海徐汇养老职业培训学校"]
    assert names(client.get("/directory/", {"status": "rectifying"})) == ["上海市浦东新区技工学校"]
    combined = client.get("/directory/", {"q": "上海", "occupation": "电工", "region": "310115", "kind": "school"})
    assert names(combined) == ["上海市浦东新区技工学校"]


def test_sorting_by_name_and_validity(client, listed):
    ascending = names(client.get("/directory/", {"sort": "name"}))
    assert ascending == sorted(ascending)
    assert names(client.get("/directory/", {"sort": "-name"})) == list(reversed(ascending))


def test_bad_filters_are_explained_beside_the_field_and_ignored(client, listed):
    response = client.get("/directory/", {"level": "99", "status": "cancelled", "region": "999999"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "等级无效" in html and "目录只收录已备案、暂停评价和限期整改的机构" in html and "没有这个行政区划代码" in html
    assert len(names(response)) == 3


def test_the_search_page_does_not_query_per_row(client, listed, world):
    """No N+1: the query count does not grow with the number of agencies listed."""
    with CaptureQueriesContext(connection) as three:
        client.get("/directory/")
    world.filing(agency=world.soe, state=S.ACTIVE, occupations=[world.carer, world.lathe])
    cache.clear()
    with CaptureQueriesContext(connection) as four:
        response = client.get("/directory/")
    assert len(names(response)) == 4
    assert len(four) == len(three)


def test_the_agency_page_shows_the_entry_and_links_to_verification(client, listed):
    """[SPEC §7, 002 §12]: the agency's entry, with its scope, and a way to verify the receipt."""
    response = client.get(f"/directory/{listed.active.number}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "上海浦江电气有限公司" in html and listed.active.agency.uscc in html and "车工" in html
    assert "浦东新区" in html
    assert f'href="/verify/{listed.active.number}/"' in html and "核验备案回执" in html
    suspended = client.get(f"/directory/{listed.suspended.number}/").content.decode()
    assert "暂停期间不得开展技能等级认定" in suspended
    assert client.get("/directory/3100009999X9999/").status_code == 404


def test_public_pages_are_cacheable_for_a_minute(client, listed):
    response = client.get("/directory/")
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]


def test_a_signed_in_users_page_is_not_cached_publicly(client, listed):
    client.force_login(listed.city)
    assert "private" in client.get("/directory/")["Cache-Control"]


def test_a_client_over_the_limit_is_refused_and_others_are_served(client, listed, settings):
    settings.DIRECTORY_RATE_LIMITS = {"directory": (2, 60)}
    for _ in range(2):
        assert client.get("/directory/", REMOTE_ADDR="203.0.113.7").status_code == 200
    refused = client.get("/directory/", REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 429
    assert "访问过于频繁" in refused.content.decode()
    assert int(refused["Retry-After"]) >= 1
    assert client.get("/directory/", REMOTE_ADDR="203.0.113.8").status_code == 200


def test_a_crawler_cannot_escape_its_limit_by_inventing_forwarded_addresses(client, listed, settings):
    """The limit counts the address our proxy saw, not what the client claims to forward for."""
    settings.DIRECTORY_RATE_LIMITS = {"directory": (2, 60)}
    statuses = [client.get("/directory/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
                for n in range(4)]
    assert statuses == [200, 200, 429, 429]
    behind_nginx = [client.get("/directory/", REMOTE_ADDR="127.0.0.1",
                               HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.10").status_code for n in range(3)]
    assert behind_nginx == [200, 200, 429]


def test_csv_download_of_a_search_is_audited_with_its_filters(client, listed):
    """[001 §4(1), 003 §18]: every export writes an audit entry."""
    response = client.get("/directory/export/csv/", {"region": "310115", "occupation": "电工"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "机构名称"
    assert {r[0] for r in rows[1:]} == {"上海浦江电气有限公司", "上海市浦东新区技工学校"}
    entry = AuditEntry.objects.filter(action="directory.export").latest("id")
    assert entry.data["filters"] == {"occupation": "电工", "region": "310115", "sort": "name"}
    assert entry.actor is None


def test_xlsx_download_has_chinese_headers_and_every_listed_agency(client, listed):
    response = client.get("/directory/export/xlsx/", {"status": "suspended"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("机构名称", "统一社会信用代码", "机构类别", "备案编号")
    assert [r[0] for r in rows[1:]] == ["上海徐汇养老职业培训学校"]
    assert rows[1][6] == "暂停评价"
    assert AuditEntry.objects.filter(action="directory.export", data__format="xlsx").exists()


def test_a_long_directory_links_a_few_pages_around_the_current_one():
    """[SPEC §7]: 900 pages of results give the first, the last and two either side, not 900 links."""
    from django.core.paginator import Paginator

    from portal.templatetags.pages import page_links

    paginator = Paginator(range(18003), 20)
    assert page_links(paginator.page(400)) == [1, None, 398, 399, 400, 401, 402, None, 901]
    assert page_links(paginator.page(5)) == [1, 2, 3, 4, 5, 6, 7, None, 901]
