"""Role × object matrix over every complaint URL [002 §27, 003 §19]: an agency never sees the
complainant; another district gets 404; the tracking page without the right code gets 404; a POST
out of scope changes nothing."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from supervision.models import Complaint
from supervision.services import complaints as svc
from tests._complaints_helpers import _complaint_limits  # noqa: F401

WALKED = {"supervision:complaint_detail", "supervision:complaint_act", "supervision:complaint_note",
          "supervision:complaint_ask", "supervision:complaint_answer", "supervision:complaint_evidence",
          "supervision:complaint_track", "supervision_api:complaint_request_detail", "supervision:complaint_inspect"}
MONDAY = datetime.date(2026, 3, 2)
ROLES = ["anonymous", "pd_clerk", "xh_clerk", "pudong", "xuhui", "industry", "city", "expert1", "inspector", "admin"]


def _png():
    b = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(b, "PNG")
    return SimpleUploadedFile("photo.png", b.getvalue(), content_type="image/png")


def _side(world, agency, handler, name):
    c, code = svc.file_complaint(category="fees", description=f"{agency.name}收取加急费每人300元，没有发票。",
                                 agency=agency, contact_name=name, contact_phone="13800001111",
                                 uploads=[_png()], today=MONDAY)
    svc.perform_complaint(complaint_id=c.pk, action="accept", actor=handler, today=MONDAY)
    svc.perform_complaint(complaint_id=c.pk, action="investigate", actor=handler, handler_id=handler.pk, today=MONDAY)
    return Complaint.objects.get(pk=c.pk), code


@pytest.fixture
def sides(world):
    pd, pd_code = _side(world, world.pudong_enterprise, world.pudong_reviewer, "浦东投诉人")
    xh, xh_code = _side(world, world.xuhui_social, world.xuhui_reviewer, "徐汇投诉人")
    return {"pd": pd, "xh": xh, "codes": {"pd": pd_code, "xh": xh_code}}


def _client(client, world, role):
    users = {"pd_clerk": world.pudong_clerk, "xh_clerk": world.xuhui_clerk, "pudong": world.pudong_reviewer,
             "xuhui": world.xuhui_reviewer, "industry": world.industry_reviewer, "city": world.city,
             "expert1": world.experts[0], "inspector": world.inspector, "admin": world.admin}
    client.logout()
    if role != "anonymous":
        client.force_login(users[role])
    return client


DETAIL = {  # role: (status on the 浦东 complaint, on the 徐汇 complaint)
    "anonymous": (302, 302), "pd_clerk": (200, 404), "xh_clerk": (404, 200), "pudong": (200, 404),
    "xuhui": (404, 200), "industry": (404, 404), "city": (200, 200), "expert1": (403, 403),
    "inspector": (403, 403), "admin": (200, 200),
}


@pytest.mark.parametrize("role", ROLES)
def test_detail_matrix(client, world, sides, role):
    """Who reads a complaint; the agency never sees the complainant [002 §27]."""
    c = _client(client, world, role)
    for i, key in enumerate(("pd", "xh")):
        response = c.get(f"/supervision/complaints/{sides[key].pk}/")
        assert response.status_code == DETAIL[role][i], (role, key)
        if response.status_code == 200 and role in ("pd_clerk", "xh_clerk"):
            html = response.content.decode()
            assert "投诉人" not in html.replace("被投诉", "") and "13800001111" not in html


EVIDENCE = {"anonymous": (302, 302), "pd_clerk": (404, 404), "xh_clerk": (404, 404), "pudong": (200, 404),
            "xuhui": (404, 200), "industry": (404, 404), "city": (200, 200), "expert1": (404, 404),
            "inspector": (404, 404), "admin": (200, 200)}


@pytest.mark.parametrize("role", ROLES)
def test_evidence_matrix(client, world, sides, role):
    """Evidence is for the handlers only; the agency never downloads it [002 §27]."""
    c = _client(client, world, role)
    for i, key in enumerate(("pd", "xh")):
        e = sides[key].evidence.first()
        assert c.get(f"/supervision/complaints/evidence/{e.pk}/").status_code == EVIDENCE[role][i], (role, key)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url,data", [
    ("do", {"action": "conclude", "outcome": "upheld", "findings": "属实"}),
    ("note", {"text": "现场核查记录"}),
    ("ask", {"question": "请说明收费依据"}),
    ("answer", {"answer": "系资料费"}),
])
def test_posts_out_of_scope_change_nothing(client, world, sides, role, url, data):
    """A POST by anyone but the routed department (or the agency for its answer) changes nothing [003 §19]."""
    c = _client(client, world, role)
    allowed = {"do": {"pudong", "city"}, "note": {"pudong", "city"}, "ask": {"pudong", "city"},
               "answer": set()}[url]
    pd = sides["pd"]
    before = (pd.state, pd.notes.count(), pd.agency_question, pd.agency_answer)
    response = c.post(f"/supervision/complaints/{pd.pk}/{url}/", data)
    pd.refresh_from_db()
    after = (pd.state, pd.notes.count(), pd.agency_question, pd.agency_answer)
    if role in allowed:
        assert response.status_code == 302 and after != before
    else:
        assert response.status_code in (302, 403, 404) and after == before, role
        if role in ("xuhui", "industry", "xh_clerk"):
            assert response.status_code == 404


def test_tracking_page_needs_the_right_code(client, world, sides):
    """Without the right code, 404 — whoever is signed in [002 §27]."""
    pd = sides["pd"]
    for role in ROLES:
        c = _client(client, world, role)
        assert c.post("/supervision/complaints/track/", {"number": pd.number, "code": sides["codes"]["xh"]}
                      ).status_code == 404
        assert c.post("/supervision/complaints/track/", {"number": pd.number, "code": sides["codes"]["pd"]}
                      ).status_code == 200


def test_agency_answers_its_own(client, world, sides):
    """The agency answers the bureau's question about a complaint concerning it [002 §27]."""
    pd = sides["pd"]
    svc.ask_agency(complaint_id=pd.pk, question="请说明收费依据", actor=world.pudong_reviewer)
    c = _client(client, world, "xh_clerk")
    assert c.post(f"/supervision/complaints/{pd.pk}/answer/", {"answer": "x"}).status_code == 404
    c = _client(client, world, "pd_clerk")
    assert c.post(f"/supervision/complaints/{pd.pk}/answer/", {"answer": "系资料费"}).status_code == 302
    pd.refresh_from_db()
    assert pd.agency_answer == "系资料费"


@pytest.mark.parametrize("role", ROLES)
def test_list_and_figures(client, world, sides, role):
    """Lists and figures answer every role without a server error [SPEC §9]."""
    c = _client(client, world, role)
    assert c.get("/supervision/complaints/").status_code in (200, 302, 403)
    assert c.get("/supervision/complaints/figures/").status_code in (200, 302, 403)
    if role == "city":
        assert "按类别" in c.get("/supervision/complaints/figures/").content.decode()


def test_api_status_needs_the_right_code(client, world, sides):
    """The API's status read: another complaint's code or none → 404, as for every role [002 §27]."""
    pd = sides["pd"]
    for role in ROLES:
        c = _client(client, world, role)
        url = f"/api/v1/complaints/requests/{pd.number}.json"
        assert c.get(url, {"code": sides["codes"]["xh"]}).status_code == 404
        assert c.get(url).status_code == 404
        assert c.get(url, {"code": sides["codes"]["pd"]}).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_inspection_from_a_complaint_only_by_its_handler_who_supervises_the_region(client, world, sides, role):
    """Opening an inspection from a complaint: the district that handles it or the city; anyone
    else opens nothing — another district or the industry department gets 404 [002 §27, 003 §17]."""
    from supervision.models import Inspection
    from tests._inspections_helpers import second_inspector

    team = [world.inspector.pk, second_inspector(world).pk]
    c = _client(client, world, role)
    pd = sides["pd"]
    response = c.post(f"/supervision/complaints/{pd.pk}/inspect/",
                      {"phase": Inspection.Phase.DURING, "team": team, "reason": "核查投诉反映的违规收费"})
    opened = Inspection.objects.filter(origin=Inspection.Origin.COMPLAINT, origin_id=pd.pk).count()
    if role in ("pudong", "city"):
        assert response.status_code == 302 and opened == 1
    else:
        assert response.status_code in (302, 403, 404) and opened == 0, role
        if role in ("xuhui", "industry", "xh_clerk"):
            assert response.status_code == 404
