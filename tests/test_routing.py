"""Where a submission goes follows the agency's ownership and kind, not its own choice [000 §4(1),
002 §6, 003 §7]; only a social training evaluation organisation chooses, by the area it serves."""

from __future__ import annotations

import pytest

from filings.choices import FilingState as S
from filings.choices import ManagingLevel, Route
from filings.demo import draft_filing
from filings.models import Filing
from filings.services import perform
from portal.models import PolicyProfile
from portal.policy_presets import PRESETS


def submitted(world, agency, clerk, ticked):
    filing = draft_filing(agency, clerk, occupations=[world.carer], managing_level=ticked)
    return perform(filing_id=filing.pk, action="submit", actor=clerk, expected_state=S.DRAFT)


@pytest.mark.parametrize("ticked", [ManagingLevel.CITY, ManagingLevel.DISTRICT])
def test_a_district_enterprise_goes_through_its_district_whatever_it_ticked(world, ticked):
    """[000 §4(1)] 区属企业等按隶属关系或属地原则……向所在区人社部门提出申请，经初评通过后向市……推报."""
    filing = submitted(world, world.pudong_enterprise, world.pudong_clerk, ticked)
    assert (filing.route, filing.managing_level) == (Route.DISTRICT, ManagingLevel.DISTRICT)
    filing = perform(filing_id=filing.pk, action="accept", actor=world.pudong_reviewer, expected_state=S.SUBMITTED)
    assert filing.state == S.PRE_REVIEW  # the district pre-reviews before the city sees it


def test_an_other_enterprise_goes_through_its_district_too(world):
    """[000 §4(1), 002 §6] 区县属企业开展用人单位自主评价由区县人社部门负责备案."""
    world.pudong_enterprise.ownership = "other_enterprise"
    world.pudong_enterprise.save()
    assert submitted(world, world.pudong_enterprise, world.pudong_clerk, ManagingLevel.CITY).route == Route.DISTRICT


@pytest.mark.parametrize("ticked", [ManagingLevel.CITY, ManagingLevel.DISTRICT])
def test_a_municipal_soe_goes_straight_to_the_city_whatever_it_ticked(world, ticked):
    """[000 §4(1), 002 §6] 在沪央企、市属国企直接向市职业技能鉴定中心提出申请."""
    filing = submitted(world, world.soe, world.soe_clerk, ticked)
    assert (filing.route, filing.managing_level) == (Route.CITY, ManagingLevel.CITY)


def test_a_city_association_goes_through_its_industry_department(world):
    """[000 §4(1)] 市级行业协会……向行业主管部门提出申请."""
    filing = submitted(world, world.association, world.association_clerk, ManagingLevel.DISTRICT)
    assert (filing.route, filing.managing_level) == (Route.INDUSTRY, ManagingLevel.CITY)


@pytest.mark.parametrize(("ticked", "route"), [(ManagingLevel.CITY, Route.CITY),
                                                (ManagingLevel.DISTRICT, Route.DISTRICT)])
def test_a_social_organisation_is_routed_by_the_area_it_serves(world, ticked, route):
    """[002 §6] 社会培训评价组织在全市范围内……由市职业技能鉴定指导中心负责备案；在区县范围内……由区县负责."""
    assert submitted(world, world.xuhui_social, world.xuhui_clerk, ticked).route == route


def test_a_technical_school_goes_through_its_district_where_the_notice_is_silent(world):
    """[000 §4(1)] Shanghai's notices do not route schools to the city: the district, by 属地原则."""
    assert not PolicyProfile.active().schools_to_city
    assert submitted(world, world.school, world.school_clerk, ManagingLevel.CITY).route == Route.DISTRICT


def test_chongqing_routes_technical_schools_to_the_city(world):
    """[002 §6] 技工院校开展学生职业技能等级认定……由市职业技能鉴定指导中心负责备案和管理."""
    assert PRESETS["chongqing"]["schools_to_city"] is True
    assert not any(p.get("schools_to_city") for k, p in PRESETS.items() if k != "chongqing")
    PolicyProfile.ensure_presets("chongqing")
    assert PolicyProfile.active().schools_to_city
    filing = submitted(world, world.school, world.school_clerk, ManagingLevel.DISTRICT)
    assert (filing.route, filing.managing_level) == (Route.CITY, ManagingLevel.CITY)
    # An enterprise in Chongqing still follows its ownership.
    assert submitted(world, world.pudong_enterprise, world.pudong_clerk, ManagingLevel.CITY).route == Route.DISTRICT


def test_the_details_step_shows_a_district_enterprise_its_level_and_ignores_a_posted_city(client, world):
    """[000 §4(1)] the choice is not offered; a crafted POST of "city" changes nothing."""
    client.force_login(world.pudong_clerk)
    filing = Filing.objects.get(pk=client.post("/my/filings/new/").url.rstrip("/").split("/")[-1])
    page = client.get(f"/my/filings/{filing.pk}/details/").content.decode()
    assert "disabled" in page and "经区县人社部门初审" in page
    client.post(f"/my/filings/{filing.pk}/details/", {"managing_level": "city"})
    filing.refresh_from_db()
    assert filing.managing_level == ManagingLevel.DISTRICT


def test_the_details_step_lets_a_social_organisation_choose_its_area(client, world):
    """[002 §6] a social organisation says whether it serves the whole city or its district."""
    client.force_login(world.xuhui_clerk)
    filing = Filing.objects.get(pk=client.post("/my/filings/new/").url.rstrip("/").split("/")[-1])
    client.post(f"/my/filings/{filing.pk}/details/", {"managing_level": "city"})
    filing.refresh_from_db()
    assert filing.managing_level == ManagingLevel.CITY
