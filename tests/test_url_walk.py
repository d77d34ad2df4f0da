"""Scoping fails closed [SPEC §1 object-level rule, STYLE 16]: walk every URL pattern that takes an
object id, try it for objects of two agencies as every role, and prove that a role sees only what it
may — everything else answers 404 (never 403 for an object outside the viewer's scope, unless the
page refuses the role whatever the id) and shows none of the object's data.

A pattern the table below does not know fails `test_every_object_url_has_a_row`, so a new view —
or a new app's URLs, such as supervision's — cannot be forgotten."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from assessments import services as renewal_services
from assessments.demo import active_filing, complete_application, drive_renewal
from assessments.models import RenewalAssessment
from filings import change_services, supplements
from filings import services as filing_services
from filings.choices import FilingState as S
from filings.demo import MINIMAL_PDF
from filings.demo_changes import attach_materials
from filings.models import (
    Agency,
    ChangeRequest,
    Filing,
    Objection,
)
from filings.notices import file_objection
from portal.models import AuditEntry, Notification
from portal.notifications import notify

ACTING = datetime.date(2026, 12, 1)
EXPIRY = datetime.date(2027, 1, 31)
MISSING = 987654321

# ----- who sees which kind of object ------------------------------------------------------------------
# Objects are labelled by side (A: 浦东 enterprise, B: 徐汇 social organisation) and kind of visibility.
# The sets are written out, not computed from the selectors, so the test cannot agree with a bug.
ROLES = ["anonymous", "agency_a", "agency_b", "pudong", "xuhui", "industry", "city", "expert1", "expert4",
         "inspector", "admin"]
SEES = {
    # never submitted: the agency's alone [SPEC §1, §3 prepare]
    "A.draft": {"agency_a"},
    "B.draft": {"agency_b"},
    # submitted, not yet before experts: the agency, its district, the city, the administrator
    "A.submitted": {"agency_a", "pudong", "city", "admin"},
    "B.submitted": {"agency_b", "xuhui", "city", "admin"},
    # went through expert review with expert1 on the panel
    "A.reviewed": {"agency_a", "pudong", "city", "admin", "expert1"},
    "B.reviewed": {"agency_b", "xuhui", "city", "admin", "expert1"},
    "A.agency": {"agency_a", "pudong", "city", "admin"},
    "B.agency": {"agency_b", "xuhui", "city", "admin"},
    # an expert's own record: expert1's on A's panel, expert2's on B's
    "A.assignment": {"expert1"},
    "B.assignment": set(),
    # a notification is its recipient's
    "A.notification": {"agency_a"},
    "B.notification": {"agency_b"},
}
# Nobody outside supervision's draw — the inspector sees no label above [SPEC §1].
assert not any("inspector" in roles for roles in SEES.values())

AGENCY, CITY, EXPERT = {"agency_a", "agency_b"}, {"city"}, {"expert1", "expert4"}


@dataclass(frozen=True)
class Row:
    """How to try one URL pattern: which objects fill its kwargs, which roles the page serves at all
    (None: any role that sees the object), whether it only takes POST, and what a POST would do."""

    kind: str
    page_roles: frozenset | None = None
    post_only: bool = False
    post: dict = field(default_factory=dict)
    fixed: dict = field(default_factory=dict)  # kwargs that are not object ids (a step, an action …)


def row(kind, page_roles=None, post_only=False, post=None, **fixed):
    return Row(kind, frozenset(page_roles) if page_roles is not None else None, post_only, post or {}, fixed)


# URL name → how to try it. A new pattern with an id needs a row here (or in PUBLIC).
ROWS = {
    "portal:open_notification": row("notification", post_only=True),
    "filings:filing_edit": row("filing", AGENCY, step="details", post={"managing_level": "city"}),
    "filings:filing_submitted": row("filing", AGENCY),
    "filings:filing_submit": row("filing", AGENCY, post_only=True, post={"action": "submit"}),
    "filings:agency_correct": row("agency", CITY | {"admin"}, post={"name": "改名"}),
    "filings:material_download": row("material"),
    "filings:change_create": row("filing", AGENCY, post={"reason": "变更联系人"}),
    "filings:change_detail": row("change"),
    "filings:change_act": row("change", post_only=True, post={"action": "withdraw"}),
    "filings:change_material_upload": row("change", AGENCY, post_only=True, post={"type": "implementation_plan"}),
    "filings:change_material_download": row("change_attachment"),
    "filings:change_panel": row("change", CITY, post_only=True, post={"experts": []}),
    "filings:change_review": row("change", EXPERT, post_only=True, post={"opinion": "x", "score": "1",
                                                                          "recommendation": "refuse"}),
    "filings:expert_review": row("assignment", EXPERT, post={"opinion": "x", "submit": "1"}),
    "filings:detail": row("filing"),
    "filings:act": row("filing", post_only=True, post={"action": "withdraw", "comment": "撤回"}),
    "filings:assign_panel": row("filing", CITY, post={"experts": []}),
    "filings:selection": row("filing", CITY),
    "filings:receipt_download": row("filing_in_force"),
    "filings:decision_download": row("decision"),
    "filings:supplement_answer": row("supplement_item", AGENCY, post_only=True, post={"answer": "已更新"}),
    "filings:objection_resolve": row("objection", CITY, post={"result": "dismissed", "resolution": "不成立"}),
    "filings:objection_evidence": row("objection", CITY),
    "assessments:open": row("filing_in_force", AGENCY, post_only=True),
    "assessments:detail": row("renewal"),
    "assessments:application": row("renewal", AGENCY, post={"contact_name": "王五"}),
    "assessments:self_assessment": row("renewal", AGENCY, post={}),
    "assessments:materials": row("renewal", AGENCY, post={"type": "licence"}),
    "assessments:download": row("attachment"),
    "assessments:pledge": row("renewal", AGENCY, post_only=True),
    "assessments:review": row("renewal", EXPERT, post={}),
    "assessments:panel": row("renewal", post_only=True, post={"experts": []}),
    "assessments:act": row("renewal", post_only=True, action="withdraw", post={"comment": "撤回"}),
    "assessments:wrap_up": row("renewal", post_only=True, task="archive"),
}
# Public pages that take an id: anyone may open them, signed in or not [SPEC §1 public, §7].
PUBLIC = {
    "filings:receipt_verify": "number",
    "filings:notice_detail": "notice",
    "filings:objection_new": "notice_item",
    "directory:agency": "number",
    "api:directory_detail": "number",
}


# ----- the walk ----------------------------------------------------------------------------------------
@dataclass
class Pattern:
    name: str | None  # namespaced, e.g. "filings:detail"
    route: str  # the concatenated route, with <converter:name> or (?P<name>…) placeholders
    kwargs: list[str]

    def url(self, values: dict) -> str:
        def sub(match):
            return str(values[match.group("name")])
        out = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", sub, self.route)
        out = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", sub, out)
        return "/" + out.replace("^", "").replace("$", "").replace("\\", "")


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p.pattern, RoutePattern):
            route = str(p.pattern._route)
        elif isinstance(p.pattern, RegexPattern):
            route = p.pattern._regex
        else:
            route = str(p.pattern)
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + route, ns)
        elif isinstance(p, URLPattern):
            full = prefix + route
            names = re.findall(r"<(?:\w+:)?(\w+)>", full) + re.findall(r"\(\?P<(\w+)>", full)
            if names:
                yield Pattern(f"{namespace}{p.name}" if p.name else None, full, names)


def object_patterns() -> list[Pattern]:
    return list(_walk(get_resolver().url_patterns))


def _is_admin(p: Pattern) -> bool:
    return p.route.startswith("admin/")


def _is_supervision(p: Pattern) -> bool:
    """Supervision's pages are walked by its own role × object matrices (tests/test_matrix_*.py),
    one per area; `test_every_supervision_url_is_walked` holds them to every pattern."""
    return (p.name or "").startswith(("supervision:", "supervision_api:"))


def supervision_walked() -> set[str]:
    """The url names the supervision matrices say they try (each module's `WALKED`)."""
    import importlib
    import pathlib

    walked: set[str] = set()
    for path in sorted(pathlib.Path(__file__).parent.glob("test_matrix_*.py")):
        walked |= set(getattr(importlib.import_module(f"tests.{path.stem}"), "WALKED", ()))
    return walked


def test_every_supervision_url_is_walked():
    """Every supervision pattern with an id is tried by a role × object matrix [STYLE 16]."""
    walked = supervision_walked()
    patterns = [p for p in object_patterns() if _is_supervision(p)]
    missing = [f"walk {p.name} ({p.route}) in a tests/test_matrix_*.py WALKED" for p in patterns if p.name not in walked]
    assert not missing, "\n".join(missing)


def test_every_object_url_has_a_row():
    """Every pattern with an id is tried below: the site admin as a whole, the others row by row."""
    patterns = object_patterns()
    assert len(patterns) > 20
    missing = [f"add a row for {p.name or p.route!r} ({p.route})" for p in patterns
               if not _is_admin(p) and not _is_supervision(p) and p.name not in ROWS and p.name not in PUBLIC]
    assert not missing, "\n".join(missing)
    known = {p.name for p in patterns}
    assert not (set(ROWS) | set(PUBLIC)) - known, "a row names a pattern that no longer exists"


# ----- the world: two agencies, each with a draft, a submitted and an in-force filing and more ----------
def _side(world, agency, clerk, occupation, panel_expert):
    actors = world.actors
    experts = world.experts[:3]
    draft = world.filing(agency=agency, state=S.DRAFT, occupations=[occupation])
    submitted = world.filing(agency=agency, state=S.SUBMITTED, occupations=[occupation])
    noticed = world.filing(agency=agency, state=S.PUBLIC_NOTICE, occupations=[occupation])
    returned = world.filing(agency=agency, state=S.SUBMITTED, occupations=[occupation])
    filing_services.perform(filing_id=returned.pk, action="request_supplement", comment="请补正",
                            actor=world.actors[f"district:{returned.region.code}"],
                            supplement_items=[supplements.Requested("material", "credit_report", "已过期")])
    active = active_filing(agency, clerk, expires_on=EXPIRY, actors=actors, experts=experts, occupations=[occupation])
    other = active_filing(agency, clerk, expires_on=EXPIRY, actors=actors, experts=experts, occupations=[occupation])
    assert active.state == S.ACTIVE and active.receipts.exists() and active.materials.exists()
    renewal = drive_renewal(active, "pre_review", actors=actors, experts=experts, today=ACTING)
    renewal_draft = renewal_services.open_renewal(filing_id=other.pk, actor=clerk, today=ACTING)
    renewal_draft = complete_application(renewal_draft, clerk)  # every attachment uploaded, not submitted
    change = change_services.create_change_request(filing_id=active.pk, actor=clerk, reason="联系人变更",
                                                   details={"contact_name": "王五"})
    attach_materials(change, clerk)
    change_services.act(change_id=change.pk, action="submit", actor=clerk)
    change_draft = change_services.create_change_request(filing_id=other.pk, actor=clerk, reason="联系人变更",
                                                         details={"contact_name": "赵六"})
    attach_materials(change_draft, clerk)
    item = noticed.notice_items.get()
    objection = file_objection(item=item, name="王某", contact="13800000000", text="该机构场地不实。",
                               evidence=SimpleUploadedFile("证据.pdf", MINIMAL_PDF, content_type="application/pdf"),
                               today=item.notice.starts_on)
    note = Notification.objects.filter(recipient=clerk).first() or notify([clerk], subject="通知")[0]
    return {
        "draft": draft, "submitted": submitted, "noticed": noticed, "active": active, "renewal": renewal,
        "renewal_draft": renewal_draft, "change": change, "change_draft": change_draft, "objection": objection,
        "assignment": active.panel.get(expert=panel_expert), "notification": note, "agency": agency,
        "supplement_item": returned.supplement_items.get(),
    }


@pytest.fixture
def sides(world):
    return {"A": _side(world, world.pudong_enterprise, world.pudong_clerk, world.electrician, world.experts[0]),
            "B": _side(world, world.xuhui_social, world.xuhui_clerk, world.carer, world.experts[1])}


def _material(filing):
    return filing.materials.filter(superseded_at__isnull=True).first().pk


# kind → [(label suffix, kwargs)] for one side's objects
KINDS = {
    "filing": lambda o: [("draft", {"pk": o["draft"].pk}), ("submitted", {"pk": o["submitted"].pk}),
                         ("reviewed", {"pk": o["active"].pk})],
    "filing_in_force": lambda o: [("reviewed", {"pk": o["active"].pk, "filing_pk": o["active"].pk})],
    "material": lambda o: [("draft", {"pk": _material(o["draft"])}), ("submitted", {"pk": _material(o["submitted"])}),
                           ("reviewed", {"pk": _material(o["active"])})],
    "agency": lambda o: [("agency", {"pk": o["agency"].pk})],
    "change": lambda o: [("reviewed", {"pk": o["change"].pk}), ("draft", {"pk": o["change_draft"].pk})],
    "change_attachment": lambda o: [("reviewed", {"pk": o["change"].attachments.first().pk}),
                                    ("draft", {"pk": o["change_draft"].attachments.first().pk})],
    "assignment": lambda o: [("assignment", {"pk": o["assignment"].pk})],
    "objection": lambda o: [("reviewed", {"pk": o["objection"].pk})],
    "renewal": lambda o: [("submitted", {"pk": o["renewal"].pk}), ("draft", {"pk": o["renewal_draft"].pk})],
    "attachment": lambda o: [
        ("submitted", {"pk": o["renewal"].pk, "attachment_pk": o["renewal"].attachments.first().pk}),
        ("draft", {"pk": o["renewal_draft"].pk, "attachment_pk": o["renewal_draft"].attachments.first().pk})],
    "notification": lambda o: [("notification", {"pk": o["notification"].pk})],
    "decision": lambda o: [("reviewed", {"pk": o["active"].pk, "notice_pk": o["active"].written_notices.first().pk}),
                           ("submitted", {"pk": o["supplement_item"].filing_id,
                                          "notice_pk": o["supplement_item"].notice_id})],
    "supplement_item": lambda o: [("submitted", {"pk": o["supplement_item"].filing_id,
                                                 "item_pk": o["supplement_item"].pk})],
}
PUBLIC_KINDS = {
    "number": lambda o: {"number": o["active"].number, "filing_number": o["active"].number},
    "notice": lambda o: {"pk": o["noticed"].notice_items.get().notice_id},
    "notice_item": lambda o: {"item_pk": o["noticed"].notice_items.get().pk},
}


def _users(world):
    return {"anonymous": None, "agency_a": world.pudong_clerk, "agency_b": world.xuhui_clerk,
            "pudong": world.pudong_reviewer, "xuhui": world.xuhui_reviewer, "industry": world.industry_reviewer,
            "city": world.city, "expert1": world.experts[0], "expert4": world.experts[3],
            "inspector": world.inspector, "admin": world.admin}


def _cases(sides):
    """(pattern, row, label, kwargs, agency name) for every row and object of both sides."""
    by_name_all = {}
    for p in object_patterns():
        if p.name in ROWS:
            by_name_all.setdefault(p.name, []).append(p)
    for name, patterns in by_name_all.items():
        r = ROWS[name]
        for side, objects in sides.items():
            for suffix, kwargs in KINDS[r.kind](objects):
                for p in patterns:
                    yield p, r, f"{side}.{suffix}", {**kwargs, **r.fixed}, objects["agency"].name


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _login(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)


def _missing(p: Pattern, kwargs: dict) -> str:
    return p.url({k: (v if k in ("step", "action", "task") else MISSING) for k, v in kwargs.items()})


def _judge(role, r: Row, label, response, missing_status, name, method="GET") -> str | None:
    """None when the response is what `role` should get, else a line saying what went wrong."""
    status = response.status_code
    sees = role in SEES[label]
    serves = r.page_roles is None or role in r.page_roles
    if role == "anonymous":
        ok = status == 302 and "/accounts/login/" in response["Location"]
        return None if ok else f"{method} {role} {label}: {status}, expected a redirect to log in"
    if not sees:
        # Out of scope: 404; a 403 only when the page refuses this role whatever the id.
        ok = status == 404 or (status == 403 and missing_status == 403) or (
            status == 405 and missing_status == 405 and method == "GET")
        return None if ok else f"{method} {role} {label}: {status} (missing id: {missing_status}), expected 404"
    if method == "POST":
        return None
    if r.post_only:
        return None if status in (403, 404, 405) else f"GET {role} {label}: {status} on a POST-only URL"
    if not serves:
        return None if status in (403, 404) else f"GET {role} {label}: {status}, the page is not for {role}"
    ok = status == 200 or (status == 302 and "/accounts/login/" not in response["Location"])
    return None if ok else f"GET {role} {label}: {status}, expected to see it"


def test_every_role_sees_only_the_objects_in_its_scope(world, sides, client):
    """[SPEC §1] Each object URL × each role: visible only where the role may see the object; a
    draft only to its agency; the inspector nothing until drawn; otherwise 404 with no data."""
    users = _users(world)
    failures = []
    missing_cache = {}
    for p, r, label, kwargs, agency_name in _cases(sides):
        url = p.url(kwargs)
        for role in ROLES:
            _login(client, users[role])
            key = (p.route, role)
            if key not in missing_cache:
                missing_cache[key] = client.get(_missing(p, kwargs)).status_code
            response = client.get(url)
            problem = _judge(role, r, label, response, missing_cache[key], p.name)
            body = _body(response)
            own = role == f"agency_{label[0].lower()}"  # the clerk's own name carries the agency's
            if problem is None and role not in SEES[label] and not own and agency_name in body:
                problem = f"GET {role} {label}: the page names {agency_name}"
            if problem:
                failures.append(f"{p.name} {url}: {problem}")
    assert not failures, "\n".join(failures)


def _snapshot():
    return ([(f.pk, f.state, f.updated_at) for f in Filing.objects.order_by("pk")],
            [(a.pk, a.state, a.updated_at) for a in RenewalAssessment.objects.order_by("pk")],
            [(c.pk, c.state, c.proposal) for c in ChangeRequest.objects.order_by("pk")],
            [(o.pk, o.state) for o in Objection.objects.order_by("pk")],
            [(a.pk, a.name, a.contact_name) for a in Agency.objects.order_by("pk")],
            # no entry of success; the test's own sign-ins aside
            AuditEntry.objects.exclude(action="account.login").exclude(outcome="refused").count(),
            Notification.objects.count())


def test_posting_to_an_object_out_of_scope_is_not_found_and_changes_nothing(world, sides, client):
    """[STYLE 17] A refusal writes nothing: every object URL posted to by every role that may not
    see the object answers 404 (or the page's own 403 for the role) and changes no row, writes no
    audit entry and sends no notification."""
    users = _users(world)
    failures = []
    before = _snapshot()
    missing_cache = {}
    for p, r, label, kwargs, _name in _cases(sides):
        url = p.url(kwargs)
        for role in ROLES:
            if role in SEES[label]:
                continue
            _login(client, users[role])
            key = (p.route, role)
            if key not in missing_cache:
                missing_cache[key] = client.post(_missing(p, kwargs), r.post).status_code
            problem = _judge(role, r, label, client.post(url, r.post), missing_cache[key], p.name, method="POST")
            if problem:
                failures.append(f"{p.name} {url}: {problem}")
    assert not failures, "\n".join(failures)
    assert _snapshot() == before


def test_public_pages_with_an_id_open_for_everyone(world, sides, client):
    users = _users(world)
    by_name = {}
    for p in object_patterns():
        if p.name in PUBLIC:
            by_name.setdefault(p.name, []).append(p)
    for name, patterns in by_name.items():
        for p in patterns:
            for objects in sides.values():
                url = p.url(PUBLIC_KINDS[PUBLIC[name]](objects))
                for role in ROLES:
                    _login(client, users[role])
                    status = client.get(url).status_code
                    assert status in (200, 410), (name, url, role, status)  # 410: objections closed


def test_the_site_admin_is_for_staff_and_hides_drafts_there_too(world, sides, client):
    """Every admin URL with an id sends anyone but staff to the admin login; an administrator does
    not find a draft filing there either [SPEC §1]."""
    users = _users(world)
    values = {"object_id": sides["A"]["submitted"].pk, "id": 1, "content_type_id": 1, "app_label": "filings",
              "url": "x/"}
    patterns = [p for p in object_patterns() if _is_admin(p)]
    assert patterns
    for p in patterns:
        url = p.url(values)
        for role in ROLES:
            if role == "admin":
                continue
            _login(client, users[role])
            response = client.get(url)
            assert response.status_code in (302, 404), (url, role, response.status_code)
            if response.status_code == 302:
                assert "/admin/login/" in response["Location"], (url, role)
    _login(client, world.admin)
    for side in ("A", "B"):
        draft, submitted = sides[side]["draft"], sides[side]["submitted"]
        for view in ("change", "history"):
            assert client.get(f"/admin/filings/filing/{submitted.pk}/{view}/").status_code == 200
            assert client.get(f"/admin/filings/filing/{draft.pk}/{view}/").status_code != 200
        change, change_draft = sides[side]["change"], sides[side]["change_draft"]
        assert client.get(f"/admin/filings/changerequest/{change.pk}/change/").status_code == 200
        assert client.get(f"/admin/filings/changerequest/{change_draft.pk}/change/").status_code != 200
        listing = client.get("/admin/filings/filing/").content.decode()
        assert f"/admin/filings/filing/{submitted.pk}/change/" in listing
        assert f"/admin/filings/filing/{draft.pk}/change/" not in listing
