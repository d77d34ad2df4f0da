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
    "inspector": set(),                                           # only what they are drawn to inspect
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


# ----- issue #11 item 7: who sees what --------------------------------------------------------------

def _everything_visible_to(user):
    from assessments.selectors import assessments_visible_to
    from filings.selectors import (
        agencies_visible_to,
        changes_visible_to,
        filings_visible_to,
    )

    return {"filings": set(filings_visible_to(user).values_list("pk", flat=True)),
            "agencies": set(agencies_visible_to(user).values_list("pk", flat=True)),
            "renewals": set(assessments_visible_to(user).values_list("pk", flat=True)),
            "changes": set(changes_visible_to(user).values_list("pk", flat=True))}


@pytest.fixture
def drawn(world):
    """Stands in for the supervision app: the inspector is drawn to inspect the Pudong enterprise."""
    from filings import selectors

    def provider(user):
        return [world.pudong_enterprise.pk] if user == world.inspector else []

    selectors.register_inspection_scope(provider)
    yield provider
    selectors._inspection_scopes.remove(provider)


def test_an_inspector_sees_only_what_they_are_drawn_to_inspect(world, filings, client):
    """[SPEC §1] An inspector is "drawn for random inspections": until supervision draws them they
    see no filing, material, renewal, change request or agency — empty lists, 404 on details."""
    assert _everything_visible_to(world.inspector) == {"filings": set(), "agencies": set(), "renewals": set(),
                                                      "changes": set()}
    client.force_login(world.inspector)
    for filing in filings.values():
        assert client.get(reverse("filings:detail", args=[filing.pk])).status_code == 404
        assert client.get(reverse("filings:material_download",
                                  args=[filing.materials.first().pk])).status_code == 404


def test_once_drawn_an_inspector_sees_that_agency_but_not_its_drafts(world, filings, drawn, client):
    """The hook supervision registers (`selectors.register_inspection_scope`) opens exactly the
    drawn agency's submitted filings; its drafts stay the agency's own."""
    draft = world.filing(state=S.DRAFT)
    seen = _everything_visible_to(world.inspector)
    assert seen["filings"] == {filings["pudong"].pk}
    assert seen["agencies"] == {world.pudong_enterprise.pk}
    client.force_login(world.inspector)
    assert client.get(reverse("filings:detail", args=[filings["pudong"].pk])).status_code == 200
    assert client.get(reverse("filings:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("filings:detail", args=[filings["xuhui"].pk])).status_code == 404


DRAFT_BLIND = ["city", "pudong_reviewer", "industry_reviewer", "expert1", "inspector", "admin"]


@pytest.fixture
def drafts(world):
    """A never-submitted filing, one withdrawn before it was ever submitted, a draft renewal and a
    draft change request — of the Pudong enterprise, with expert1 on the draft's panel even."""
    import datetime

    from assessments import services as renewal_services
    from assessments.demo import active_filing
    from filings import change_services
    from filings.models import ExpertAssignment

    draft = world.filing(state=S.DRAFT)
    ExpertAssignment.objects.create(filing=draft, expert=world.experts[0], assigned_by=world.city)
    withdrawn = world.filing(state=S.WITHDRAWN)
    active = active_filing(world.pudong_enterprise, world.pudong_clerk, expires_on=datetime.date(2027, 1, 31),
                           actors=world.actors, experts=world.experts[:3], occupations=[world.electrician])
    renewal = renewal_services.open_renewal(filing_id=active.pk, actor=world.pudong_clerk,
                                            today=datetime.date(2026, 12, 1))
    change = change_services.create_change_request(filing_id=active.pk, actor=world.pudong_clerk,
                                                   reason="联系人变更", details={"contact_name": "王五"})
    return {"draft": draft, "withdrawn": withdrawn, "renewal": renewal, "change": change, "active": active}


@pytest.mark.parametrize("who", DRAFT_BLIND)
def test_a_draft_is_the_agencys_alone_until_submitted(world, drafts, client, who):
    """[SPEC §1, §3 prepare] City, district, industry department, expert, inspector and administrator
    alike: a draft is in no list, its page, materials and renewal answer 404, the admin site hides it."""
    user = _user(world, who)
    seen = _everything_visible_to(user)
    assert not {drafts["draft"].pk, drafts["withdrawn"].pk} & seen["filings"]
    assert drafts["renewal"].pk not in seen["renewals"]
    assert drafts["change"].pk not in seen["changes"]
    client.force_login(user)
    for filing in (drafts["draft"], drafts["withdrawn"]):
        assert client.get(reverse("filings:detail", args=[filing.pk])).status_code == 404
        assert client.get(reverse("filings:material_download",
                                  args=[filing.materials.first().pk])).status_code == 404
    assert client.get(reverse("assessments:detail", args=[drafts["renewal"].pk])).status_code == 404
    assert client.get(reverse("filings:change_detail", args=[drafts["change"].pk])).status_code == 404
    if who == "admin":
        listing = client.get("/admin/filings/filing/").content.decode()
        assert f"/admin/filings/filing/{drafts['active'].pk}/change/" in listing
        assert f"/admin/filings/filing/{drafts['draft'].pk}/change/" not in listing


def test_the_agency_sees_its_own_drafts(world, drafts, client):
    seen = _everything_visible_to(world.pudong_clerk)
    assert {drafts["draft"].pk, drafts["withdrawn"].pk} <= seen["filings"]
    assert drafts["renewal"].pk in seen["renewals"] and drafts["change"].pk in seen["changes"]
    client.force_login(world.pudong_clerk)
    assert client.get(reverse("filings:detail", args=[drafts["draft"].pk])).status_code == 200


def test_a_returned_filing_was_submitted_and_stays_with_its_reviewers(world, client):
    """Returned for correction after pre-review: the district that returned it, and the city, still
    see it while the agency corrects it."""
    returned = world.filing(state=S.RETURNED)
    for who in ("pudong_reviewer", "city", "admin", "pudong_clerk"):
        client.force_login(_user(world, who))
        assert client.get(reverse("filings:detail", args=[returned.pk])).status_code == 200, who


@pytest.mark.parametrize("who", ["inspector", "pudong_reviewer", "industry_reviewer", "city", "expert1",
                                 "pudong_clerk", "admin"])
def test_no_role_is_shown_a_link_it_cannot_open(world, filings, client, who):
    """The navigation, the dashboard and a filing's breadcrumb lead only to pages the role may open
    (the issue: a district reviewer got 403 on its agency register, an inspector's breadcrumb 403)."""
    import re

    client.force_login(_user(world, who))
    pages = [reverse("portal:dashboard")]
    visible = [f for f in filings.values() if client.get(reverse("filings:detail", args=[f.pk])).status_code == 200]
    pages += [reverse("filings:detail", args=[f.pk]) for f in visible[:1]]
    for page in pages:
        html = client.get(page).content.decode()
        for href in sorted(set(re.findall(r'href="(/[^"#?]*)', html))):
            if href.startswith(("/static/", "/accounts/logout")):
                continue
            status = client.get(href).status_code
            assert status not in (403, 404), f"{who}: {page} links to {href} ({status})"


def test_a_drawn_inspectors_breadcrumb_leads_to_pages_they_may_open(world, filings, drawn, client):
    import re

    client.force_login(world.inspector)
    html = client.get(reverse("filings:detail", args=[filings["pudong"].pk])).content.decode()
    crumbs = html.split('class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    for href in re.findall(r'href="(/[^"#?]*)', crumbs):
        assert client.get(href).status_code == 200, href
