"""The supplement notice lists, item by item, what is missing [002 §10: 一次性告知]: the reviewer ticks
material types and scope rows with a note each; the agency sees the same checklist and cannot send
the supplement until every ticked item has been changed or answered."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from filings import agency_services, supplements
from filings.agency_services import ExaminerRow, ScopeRow
from filings.choices import FilingState as S
from filings.demo import MINIMAL_PDF
from filings.models import SupplementItem
from filings.services import TransitionRefused, perform
from filings.uploads import check_upload
from portal.models import AuditEntry


@pytest.fixture
def returned(world):
    """A filing returned for supplement with two ticked items: the credit report and the electrician row."""
    filing = world.filing(state=S.SUBMITTED)
    perform(filing_id=filing.pk, action="request_supplement", actor=world.pudong_reviewer, comment="请逐项补正。",
            supplement_items=[supplements.Requested("material", "credit_report", "信用报告已过有效期"),
                              supplements.Requested("scope", str(world.electrician.pk), "三级考评员不足")])
    filing.refresh_from_db()
    return filing


def upload(filing, clerk, material_type="credit_report"):
    checked = check_upload(SimpleUploadedFile("新信用报告.pdf", MINIMAL_PDF, content_type="application/pdf"))
    return agency_services.upload_material(filing=filing, actor=clerk, material_type=material_type, upload=checked)


def test_the_reviewer_ticks_items_on_the_detail_page_and_they_are_kept_with_the_notice(world, client):
    """[002 §10] The request's checklist: each ticked material type and scope row with its note."""
    filing = world.filing(state=S.SUBMITTED)
    client.force_login(world.pudong_reviewer)
    page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert 'name="item_material_credit_report"' in page and f'name="item_scope_{world.electrician.pk}"' in page
    response = client.post(reverse("filings:act", args=[filing.pk]), {
        "action": "request_supplement", "expected_state": S.SUBMITTED, "comment": "请按清单补正。",
        "item_material_credit_report": "on", "note_material_credit_report": "信用报告已过有效期",
        f"item_scope_{world.electrician.pk}": "on", f"note_scope_{world.electrician.pk}": "三级考评员不足",
        "note_material_licence": "未勾选的说明不算",
    })
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.state == S.SUPPLEMENT_REQUESTED
    items = list(filing.supplement_items.order_by("kind"))
    assert [(i.kind, i.label, i.note) for i in items] == [
        ("material", "信用报告", "信用报告已过有效期"),
        ("scope", "6-31-01-03 电工（五级/初级工—三级/高级工）", "三级考评员不足")]
    assert {i.notice.kind for i in items} == {"supplement"}


def test_the_supplement_cannot_be_sent_while_a_ticked_item_is_open_and_the_refusal_lists_it(world, returned):
    """[002 §10] Every ticked item must be changed or answered; the refusal names what is still open
    and changes nothing."""
    with pytest.raises(TransitionRefused) as refused:
        perform(filing_id=returned.pk, action="supplement", actor=world.pudong_clerk)
    assert "信用报告" in str(refused.value) and "电工" in str(refused.value)
    returned.refresh_from_db()
    assert returned.state == S.SUPPLEMENT_REQUESTED

    upload(returned, world.pudong_clerk)  # the credit report: changed
    with pytest.raises(TransitionRefused) as refused:
        perform(filing_id=returned.pk, action="supplement", actor=world.pudong_clerk)
    assert "电工" in str(refused.value) and "信用报告" not in str(refused.value)

    scope_item = returned.supplement_items.get(kind="scope")
    supplements.answer_item(item_id=scope_item.pk, actor=world.pudong_clerk, answer="已补充两名三级考评员证书。")
    perform(filing_id=returned.pk, action="supplement", actor=world.pudong_clerk)
    returned.refresh_from_db()
    assert returned.state == S.SUBMITTED
    statuses = {i.kind: i.status for i in returned.supplement_items.all()}
    assert statuses == {"material": "已修改", "scope": "已说明"}
    assert AuditEntry.objects.filter(action="filing.supplement_answer").count() == 1


def test_a_new_file_of_another_type_does_not_settle_a_material_item(world, returned):
    """[002 §10] Only the ticked type counts as changing that item."""
    upload(returned, world.pudong_clerk, material_type="licence")
    assert returned.supplement_items.get(kind="material").changed_at is None


def test_editing_the_scope_row_or_its_examiners_settles_the_scope_item_resaving_it_unchanged_does_not(world, returned):
    """[002 §10] A scope row is "changed" when its levels, its examiners or its presence change."""
    item = returned.supplement_items.get(kind="scope")
    same = [ScopeRow(s.occupation, s.level_from, s.level_to) for s in returned.scope.select_related("occupation")]
    agency_services.save_scope(filing=returned, actor=world.pudong_clerk, rows=same)
    item.refresh_from_db()
    assert item.changed_at is None
    current = [ExaminerRow(e.name, e.certificate_no, e.level) for e in returned.examiners.filter(occupation=world.electrician)]
    agency_services.add_examiners(filing=returned, actor=world.pudong_clerk, occupation=world.electrician,
                                  rows=current, replace=True)
    item.refresh_from_db()
    assert item.changed_at is None
    agency_services.add_examiners(filing=returned, actor=world.pudong_clerk, occupation=world.electrician,
                                  rows=current + [ExaminerRow("赵新", "KP2024000199", current[0].level)], replace=True)
    item.refresh_from_db()
    assert item.changed_at is not None


def test_only_the_filings_own_agency_answers_and_an_answer_must_say_something(world, returned):
    """[002 §10] The answer is the applicant's, in writing."""
    item = returned.supplement_items.get(kind="material")
    with pytest.raises(PermissionDenied):
        supplements.answer_item(item_id=item.pk, actor=world.xuhui_clerk, answer="不是我的申请")
    with pytest.raises(PermissionDenied):
        supplements.answer_item(item_id=item.pk, actor=world.pudong_reviewer, answer="审核员不能代答")
    with pytest.raises(ValidationError):
        supplements.answer_item(item_id=item.pk, actor=world.pudong_clerk, answer="   ")
    item.refresh_from_db()
    assert item.answered_at is None


def test_the_agency_sees_the_same_checklist_and_answers_from_its_application_pages(world, client, returned):
    """[002 §10] The agency's pages show each item, its note and its status; an answer settles it."""
    client.force_login(world.pudong_clerk)
    url = reverse("filings:filing_edit", args=[returned.pk, "pledge"])
    page = client.get(url).content.decode()
    assert "补正事项清单" in page and "信用报告已过有效期" in page and "三级考评员不足" in page
    item = returned.supplement_items.get(kind="material")
    response = client.post(reverse("filings:supplement_answer", args=[returned.pk, item.pk]),
                           {"answer": "已上传的信用报告为最新版本。", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    item.refresh_from_db()
    assert item.status == "已说明"
    client.force_login(world.xuhui_clerk)
    assert client.post(reverse("filings:supplement_answer", args=[returned.pk, item.pk]),
                       {"answer": "x"}).status_code == 404


def test_a_request_without_ticked_items_still_works_on_its_comment_alone(world):
    """[002 §10] What fits no material type or scope row (the facilities text, the pledge) goes in the
    comment; such a request has no checklist and the supplement needs only completeness."""
    filing = world.filing(state=S.SUPPLEMENT_REQUESTED)
    assert not SupplementItem.objects.filter(filing=filing).exists()
    perform(filing_id=filing.pk, action="supplement", actor=world.pudong_clerk)
    filing.refresh_from_db()
    assert filing.state == S.SUBMITTED
