"""Role × object over the filing detail page [SPEC §1 object-level rule]: everything outside the
viewer's role and jurisdiction answers 404, never another agency's or district's data."""

import pytest
from django.urls import reverse

from filings.choices import FilingState as S


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def filings(world):
    return {
        # 浦东新区 district enterprise, in expert review with experts 1-3 on its panel.
        "pudong": world.filing(state=S.EXPERT_REVIEW),
        # 徐汇区 social organisation, routed through 徐汇区.
        "xuhui": world.filing(agency=world.xuhui_social, state=S.SUBMITTED, occupations=[world.carer]),
        # 徐汇区 municipal SOE, straight to the city.
        "soe": world.filing(agency=world.soe, state=S.SUBMITTED),
        # City association in 浦东新区, routed through the economy commission.
        "association": world.filing(agency=world.association, state=S.PRE_REVIEW),
    }


# Who sees which filing: 200 for the listed ones, 404 for all the others.
MATRIX = {
    "city": {"pudong", "xuhui", "soe", "association"},           # everything in its jurisdiction
    "pudong_reviewer": {"pudong", "association"},                 # its district only
    "xuhui_reviewer": {"xuhui", "soe"},
    "industry_reviewer": {"association"},                         # only what is routed through it
    "commerce_reviewer": set(),                                   # another department
    "expert1": {"pudong"},                                        # only what is assigned
    "expert4": set(),
    "pudong_clerk": {"pudong"},                                   # its own agency only
    "xuhui_clerk": {"xuhui"},
    "soe_clerk": {"soe"},
    "association_clerk": {"association"},
    "school_clerk": set(),
    "inspector": {"pudong", "xuhui", "soe", "association"},
    "admin": {"pudong", "xuhui", "soe", "association"},
}


def _user(world, key):
    if key.startswith("expert"):
        return world.experts[int(key[-1]) - 1]
    return getattr(world, key)


@pytest.mark.parametrize("who", list(MATRIX))
def test_each_role_sees_only_the_filings_in_its_scope(world, filings, client, who):
    """[SPEC §1] A 浦东新区 reviewer gets 404 for a 徐汇区 filing; experts see only assigned ones;
    agency users only their own; industry reviewers only their department's; the city everything."""
    client.force_login(_user(world, who))
    for key, filing in filings.items():
        response = client.get(reverse("filings:detail", args=[filing.pk]))
        if key in MATRIX[who]:
            assert response.status_code == 200, key
            assert filing.agency.name in response.content.decode()
        else:
            assert response.status_code == 404, key
            assert filing.agency.name not in response.content.decode()


@pytest.mark.parametrize("who", ["xuhui_reviewer", "industry_reviewer", "expert4", "xuhui_clerk"])
def test_acting_on_a_filing_out_of_scope_is_not_found_and_changes_nothing(world, filings, client, who):
    filing = filings["pudong"]
    client.force_login(_user(world, who))
    response = client.post(reverse("filings:act", args=[filing.pk]),
                           {"action": "conclude_expert_review", "expected_state": filing.state})
    assert response.status_code == 404
    filing.refresh_from_db()
    assert filing.state == S.EXPERT_REVIEW


def test_anonymous_visitors_are_sent_to_log_in(world, filings, client):
    response = client.get(reverse("filings:detail", args=[filings["pudong"].pk]))
    assert response.status_code == 302 and reverse("login") in response.url


@pytest.mark.parametrize("who,status", [("pudong_reviewer", 403), ("expert1", 403), ("xuhui_reviewer", 404),
                                        ("city", 200)])
def test_only_the_city_names_the_panel_and_runs_the_selection(world, filings, client, who, status):
    """[002 §11] The city assigns the panel and decides."""
    client.force_login(_user(world, who))
    for name in ("filings:assign_panel", "filings:selection"):
        assert client.get(reverse(name, args=[filings["pudong"].pk])).status_code == status


def test_the_panel_summary_is_for_the_city_only(world, filings, client):
    """Individual experts' scores are not shown to the agency or the other roles."""
    filing = filings["pudong"]
    for who, sees in (("city", True), ("pudong_clerk", False), ("pudong_reviewer", False), ("expert1", False)):
        client.force_login(_user(world, who))
        page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
        assert ("专家评审汇总" in page) is sees, who


@pytest.mark.parametrize("who", list(MATRIX))
def test_each_role_downloads_only_the_materials_of_filings_in_its_scope(world, filings, client, who):
    """[SPEC §1, 003 §18] The same matrix over confidential downloads: a material of a filing out of
    scope answers 404; every download that is served is written to the audit trail."""
    from portal.models import AuditEntry

    user = _user(world, who)
    client.force_login(user)
    for key, filing in filings.items():
        material = filing.materials.first()
        before = AuditEntry.objects.filter(action="material.download", actor=user).count()
        response = client.get(reverse("filings:material_download", args=[material.pk]))
        if key in MATRIX[who]:
            assert response.status_code == 200, key
            assert b"".join(response.streaming_content).startswith(b"%PDF"), key
            assert AuditEntry.objects.filter(action="material.download", actor=user).count() == before + 1
        else:
            assert response.status_code == 404, key
            assert AuditEntry.objects.filter(action="material.download", actor=user).count() == before


@pytest.mark.parametrize("who, allowed", [("city", True), ("pudong_reviewer", True), ("pudong_clerk", True),
                                          ("xuhui_reviewer", False), ("xuhui_clerk", False), ("expert4", False),
                                          ("commerce_reviewer", False)])
def test_each_role_downloads_only_the_receipts_of_filings_in_its_scope(world, client, who, allowed):
    """[SPEC §1] The receipt download follows the same scoping as the filing."""
    active = world.filing(state=S.ACTIVE)
    client.force_login(_user(world, who))
    response = client.get(reverse("filings:receipt_download", args=[active.pk]))
    assert response.status_code == (200 if allowed else 404)
    if allowed:
        assert b"".join(response.streaming_content).startswith(b"%PDF")
