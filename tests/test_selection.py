"""择优遴选 [003 §7, 002 §11]: at most N social training evaluation organisations per occupation in
the jurisdiction (policy, default 3); the N+1th is blocked with an explanation and the ranked list."""

import pytest
from django.urls import reverse

from filings.choices import AgencyKind, FilingState as S, Ownership
from filings.demo import agency_user, get_agency, make_uscc
from filings.models import Filing
from portal.models import PolicyProfile


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def social_org(world, n, region=None):
    region = region or world.xuhui
    agency = get_agency(name=f"上海第{n}养老护理职业培训中心", uscc=make_uscc(900 + n), kind=AgencyKind.SOCIAL,
                        ownership=Ownership.OTHER_SOCIAL, region_code=region.code)
    agency_user(agency, f"social{n}")
    return agency


def approve(client, world, filing):
    client.force_login(world.city)
    return client.post(reverse("filings:act", args=[filing.pk]),
                       {"action": "approve_for_notice", "expected_state": S.SELECTION})


def test_the_fourth_social_organisation_for_an_occupation_is_blocked_with_the_holders_and_ranking(world, client):
    """[003 §7] ≤ 3 per occupation: the 4th is refused, told who holds the places, and shown the ranking."""
    assert PolicyProfile.active().social_orgs_per_occupation == 3
    holders = [world.filing(agency=social_org(world, n), state=S.PUBLIC_NOTICE, occupations=[world.carer])
               for n in (1, 2, 3)]
    rival = world.filing(agency=social_org(world, 4, world.pudong), state=S.SELECTION, occupations=[world.carer])
    fourth = world.filing(agency=world.xuhui_social, state=S.SELECTION, occupations=[world.carer])

    client.force_login(world.city)
    page = client.get(reverse("filings:selection", args=[fourth.pk])).content.decode()
    assert "超出择优遴选名额" in page and "上限 3 家" in page
    for h in holders:
        assert h.agency.name in page
    # The ranking of the candidates still in review, this application marked.
    assert rival.agency.name in page and "（本申请）" in page

    response = approve(client, world, fourth)
    assert response.status_code == 400
    body = response.content.decode()
    assert "超出择优遴选名额" in body and holders[0].agency.name in body
    assert Filing.objects.get(pk=fourth.pk).state == S.SELECTION


def test_within_the_quota_the_city_approves_for_notice(world, client):
    """[003 §7] Places left: selected and published."""
    world.filing(agency=social_org(world, 1), state=S.PUBLIC_NOTICE, occupations=[world.carer])
    filing = world.filing(agency=world.xuhui_social, state=S.SELECTION, occupations=[world.carer])
    client.force_login(world.city)
    page = client.get(reverse("filings:selection", args=[filing.pk])).content.decode()
    assert "均未超出名额" in page and 'value="approve_for_notice"' in page
    approve(client, world, filing)
    assert Filing.objects.get(pk=filing.pk).state == S.PUBLIC_NOTICE


def test_the_quota_follows_the_policy(world, client):
    """The number is a policy setting [SPEC §8]."""
    profile = PolicyProfile.active()
    profile.social_orgs_per_occupation = 1
    profile.save()
    world.filing(agency=social_org(world, 1), state=S.PUBLIC_NOTICE, occupations=[world.carer])
    filing = world.filing(agency=world.xuhui_social, state=S.SELECTION, occupations=[world.carer])
    response = approve(client, world, filing)
    assert "上限 1 家" in response.content.decode()
    assert Filing.objects.get(pk=filing.pk).state == S.SELECTION


def test_enterprises_are_not_subject_to_the_quota(world, client):
    filing = world.filing(state=S.SELECTION)
    client.force_login(world.city)
    page = client.get(reverse("filings:selection", args=[filing.pk])).content.decode()
    assert "不受每职业名额限制" in page
