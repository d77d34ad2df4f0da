"""Batches' pages × every role, for a batch on each side (浦东, 徐汇) [SPEC §1, STYLE 16]: who gets
200, who 404 (out of scope), anonymous → login; a POST out of scope changes nothing."""

import datetime

import pytest
from django.test import Client

from filings.choices import FilingState
from supervision.demo_batches import build_batch, drive_batch
from supervision.models.batches import BatchState, EvaluationBatch

WALKED = {
    "supervision:batch_detail", "supervision:batch_group", "supervision:batch_staff",
    "supervision:batch_candidates", "supervision:batch_results", "supervision:batch_export",
    "supervision:batch_document", "supervision:batch_supervise", "supervision:batch_action",
    "supervision:batch_public_detail", "supervision:batch_template",
    "supervision:batch_objection_answer", "supervision:batch_objection_evidence",
}
ROLES = ["anonymous", "pd_clerk", "xh_clerk", "pudong", "xuhui", "industry", "city", "expert1", "inspector", "admin"]
GET_PAGES = ["", "export/"]
POSTS = ["group/", "staff/", "candidates/", "results/", "document/", "supervise/", "do/report/", "do/cancel/"]


@pytest.fixture
def sides(world):
    out = {}
    for key, agency, clerk, occ in (("pudong", world.pudong_enterprise, world.pudong_clerk, world.electrician),
                                    ("xuhui", world.xuhui_social, world.xuhui_clerk, world.carer)):
        f = world.filing(agency=agency, state=FilingState.ACTIVE, occupations=[occ], today=datetime.date(2025, 8, 1))
        b = build_batch(f, clerk, exam_on=datetime.date(2025, 9, 19), today=datetime.date(2025, 9, 1))
        out[key] = drive_batch(b, clerk, BatchState.PUBLICITY, submit_on=datetime.date(2025, 9, 1))
    return out


def _client(world, role):
    from portal.models import User

    c = Client()
    if role != "anonymous":
        c.force_login(User.objects.get(username=role))
    return c


# Who sees each side's batch page (200); everyone else signed in gets 404.
SEES = {"pudong": {"pd_clerk", "pudong", "city", "admin"}, "xuhui": {"xh_clerk", "xuhui", "city", "admin"}}


def test_every_role_on_both_sides(world, sides):
    for role in ROLES:
        client = _client(world, role)
        for side, batch in sides.items():
            for page in GET_PAGES:
                response = client.get(f"/supervision/batches/{batch.pk}/{page}")
                if role == "anonymous":
                    assert response.status_code == 302 and "/login" in response.url, (role, side, page)
                else:
                    expected = 200 if role in SEES[side] else 404
                    assert response.status_code == expected, (role, side, page, response.status_code)
            # The public result notice: everyone, signed in or not.
            assert client.get(f"/supervision/results/{batch.pk}/").status_code == 200


def test_templates_for_signed_in_users(world):
    assert _client(world, "anonymous").get("/supervision/batches/template/candidates/").status_code == 302
    client = _client(world, "pd_clerk")
    assert client.get("/supervision/batches/template/candidates/").status_code == 200
    assert client.get("/supervision/batches/template/nothing/").status_code == 404


def test_post_out_of_scope_changes_nothing(world, sides):
    from portal.models import AuditEntry

    before = {b.pk: (b.state, b.candidates.count()) for b in EvaluationBatch.objects.all()}
    audits = AuditEntry.objects.filter(action__startswith="batch.").count()
    for role in ROLES:
        client = _client(world, role)
        for side, batch in sides.items():
            if role in SEES[side]:
                continue
            for action in POSTS:
                response = client.post(f"/supervision/batches/{batch.pk}/{action}", {"comment": "x"})
                if role == "anonymous":
                    assert response.status_code == 302, (role, side, action)
                else:
                    assert response.status_code == 404, (role, side, action, response.status_code)
    assert {b.pk: (b.state, b.candidates.count()) for b in EvaluationBatch.objects.all()} == before
    assert AuditEntry.objects.filter(action__startswith="batch.").count() == audits


def test_a_draft_is_the_agencys_alone(world):
    """A plan never filed is seen by its agency only [SPEC §1]."""
    f = world.filing(state=FilingState.ACTIVE, today=datetime.date(2025, 8, 1))
    draft = build_batch(f, world.pudong_clerk, exam_on=datetime.date(2025, 11, 20), today=datetime.date(2025, 9, 26))
    assert _client(world, "pd_clerk").get(f"/supervision/batches/{draft.pk}/").status_code == 200
    for role in ("pudong", "city", "admin"):
        assert _client(world, role).get(f"/supervision/batches/{draft.pk}/").status_code == 404
    assert _client(world, "anonymous").get(f"/supervision/results/{draft.pk}/").status_code == 404


# Who answers an objection to a side's result notice (and reads its evidence) [003 §15(3)]: the agency
# and the district that manages the filing; others who see the batch get 403, the rest 404.
ANSWERS = {"pudong": {"pd_clerk", "pudong"}, "xuhui": {"xh_clerk", "xuhui"}}


def test_objection_pages_every_role_on_both_sides(world, sides):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from supervision.models.batch_oversight import BatchObjection
    from supervision.services.batch_objections import file_objection
    from tests.test_batch_objections import PNG

    objections = {side: file_objection(batch_id=b.pk, name="张三", contact="13800000000", text="结果不实。",
                                       evidence=SimpleUploadedFile("e.png", PNG, "image/png"),
                                       today=b.publicity_starts_on)[0] for side, b in sides.items()}
    for role in ROLES:
        client = _client(world, role)
        for side, batch in sides.items():
            o = objections[side]
            base = f"/supervision/batches/{batch.pk}/objections/{o.pk}/"
            expected = (302 if role == "anonymous" else 200 if role in ANSWERS[side]
                        else 403 if role in SEES[side] else 404)
            assert client.get(base + "evidence/").status_code == expected, (role, side)
            if role not in ANSWERS[side]:
                response = client.post(base + "answer/", {"result": "upheld", "reply": "成立"})
                assert response.status_code == expected, (role, side, response.status_code)
    assert set(BatchObjection.objects.values_list("state", flat=True)) == {"pending"}
