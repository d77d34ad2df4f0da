"""Administrative reconsideration (行政复议) and litigation (行政诉讼) of a sanction decision, entered by
the city with its outcome, and published with the decision [003 §20; 《行政处罚法》§48 practice]."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from filings.choices import FilingState
from filings.directory_marks import marks_for
from portal.models import AuditEntry, Notification
from portal.transitions import TransitionRefused
from supervision.models import Sanction, SanctionReview
from supervision.selectors.sanctions import sanctions_since
from supervision.services import sanction_reviews as reviews
from supervision.services import sanctions as svc

from ._sanctions_helpers import DAY, in_force, propose

pytestmark = pytest.mark.django_db
M, S, R = Sanction.Measure, Sanction.State, SanctionReview.State
LATER = DAY + datetime.timedelta(days=20)
OUTCOME = DAY + datetime.timedelta(days=60)


def decided(world, measure=M.SUSPEND):
    filing = in_force(world)
    s = propose(world, filing, measure)
    return svc.decide_sanction(sanction_id=s.pk, action="uphold", actor=world.city, comment="复核认可", today=DAY)


def lodge(world, sanction, *, actor=None, kind=SanctionReview.Kind.RECONSIDERATION, **kw):
    return reviews.lodge_review(sanction_id=sanction.pk, kind=kind, lodged_on=kw.pop("lodged_on", LATER),
                            body=kw.pop("body", "上海市人民政府"), reference=kw.pop("reference", "沪府复字〔2026〕第12号"),
                            actor=actor or world.city, today=kw.pop("today", LATER))


def outcome(world, review, action, *, actor=None, measure="", comment="复议决定书要点"):
    return reviews.record_review_outcome(review_id=review.pk, action=action, actor=actor or world.city, comment=comment,
                                     varied_measure=measure, today=OUTCOME)


def test_the_city_enters_a_reconsideration_and_the_agency_is_told(world):
    """The agency lodged 行政复议 of the decision; the city enters it, audited, the agency notified
    [003 §20]."""
    s = decided(world)
    review = lodge(world, s)
    assert review.state == R.LODGED and review.entered_by == world.city
    assert s.review_status() == "行政复议中"
    assert AuditEntry.objects.filter(action="sanction_review.lodge", object_id=str(review.pk)).count() == 1
    assert Notification.objects.filter(recipient=world.pudong_clerk, url=f"/supervision/sanctions/{s.pk}/",
                                       subject__contains="行政复议").exists()


def test_litigation_shows_as_under_litigation(world):
    s = decided(world, M.INTERVIEW)
    lodge(world, s, kind=SanctionReview.Kind.LITIGATION, body="上海市浦东新区人民法院", reference="(2026)沪0115行初1号")
    assert Sanction.objects.get(pk=s.pk).review_status() == "行政诉讼中"


@pytest.mark.parametrize("who", ["pudong_reviewer", "xuhui_reviewer", "pudong_clerk", "inspector", "industry_reviewer"])
def test_only_the_deciding_city_enters_a_review_and_a_refusal_writes_nothing(world, who):
    """Only the city that decided enters the review of its decision [003 §20]."""
    s = decided(world)
    with pytest.raises(PermissionDenied):
        lodge(world, s, actor=getattr(world, who))
    assert not SanctionReview.objects.exists()
    assert not AuditEntry.objects.filter(action="sanction_review.lodge").exists()


def test_a_proposal_not_decided_cannot_be_reviewed(world):
    """Only a decision made and published can be under review [003 §20]."""
    s = propose(world, in_force(world), M.INTERVIEW)
    with pytest.raises(TransitionRefused):
        lodge(world, s)
    assert not SanctionReview.objects.exists()


def test_one_review_at_a_time(world):
    s = decided(world)
    lodge(world, s)
    with pytest.raises(TransitionRefused):
        lodge(world, s, kind=SanctionReview.Kind.LITIGATION)
    assert SanctionReview.objects.count() == 1


def test_upheld_decision_stands(world):
    """维持: the suspension stays, and the decision is published as upheld [003 §20]."""
    s = decided(world)
    review = outcome(world, lodge(world, s), "uphold_decision")
    s.refresh_from_db()
    assert review.state == R.UPHELD and review.outcome_on == OUTCOME
    assert s.state == S.DECIDED and s.filing.state == FilingState.SUSPENDED
    assert s.review_status() == "已维持"
    assert AuditEntry.objects.filter(action="sanction_review.uphold_decision", outcome="succeeded").count() == 1


def test_revoked_suspension_resumes_the_filing_as_a_lift_does(world):
    """撤销: the suspension no longer holds; it is lifted and the filing resumes, audited as a lift
    [003 §20]; the agency is told."""
    s = decided(world)
    review = outcome(world, lodge(world, s), "revoke", comment="复议机关认定事实不清，撤销")
    s.refresh_from_db()
    assert review.state == R.REVOKED
    assert s.state == S.LIFTED and s.lifted_on == OUTCOME and s.filing.state == FilingState.ACTIVE
    assert AuditEntry.objects.filter(action="sanction.lift", object_id=str(s.pk), outcome="succeeded").count() == 1
    assert AuditEntry.objects.filter(action="filing.resume", object_id=str(s.filing_id)).count() == 1
    assert s.review_status() == "已撤销" and s.measure_in_effect() == ""
    assert Notification.objects.filter(recipient=world.pudong_clerk, subject__contains="已撤销").exists()
    with pytest.raises(TransitionRefused):
        lodge(world, s, kind=SanctionReview.Kind.LITIGATION, today=OUTCOME)  # nothing left to review


def test_varied_suspension_to_interview_lifts_it_and_shows_the_new_measure(world):
    """变更 to a milder measure: the suspension is lifted, the decision now stands at 约谈 [003 §20]."""
    s = decided(world)
    review = outcome(world, lodge(world, s), "vary", measure=M.INTERVIEW)
    s.refresh_from_db()
    assert review.state == R.VARIED and review.varied_measure == M.INTERVIEW
    assert s.filing.state == FilingState.ACTIVE and s.measure_in_effect() == M.INTERVIEW
    assert s.review_status() == "已变更为约谈"


def test_a_revoked_cancellation_restores_the_filing_to_the_directory(world):
    """撤销 of 移除备案: the cancellation no longer stands; the filing is back in force for the rest of
    its validity and in the directory again, audited on the filing [003 §20, §22]."""
    from filings.models import Filing

    s = decided(world, M.REMOVE)
    assert s.filing.state == FilingState.CANCELLED
    outcome(world, lodge(world, s), "revoke", comment="复议机关认定注销依据不足，撤销")
    filing = s.filing.__class__.objects.get(pk=s.filing_id)
    assert filing.state == FilingState.ACTIVE and filing.ended_on is None
    assert Filing.objects.in_force().filter(pk=filing.pk).exists()
    assert AuditEntry.objects.filter(action="filing.restore", object_id=str(filing.pk)).count() == 1


def test_a_cancellation_varied_to_suspension_restores_then_suspends(world):
    """变更 of 移除备案 to 暂停评价: the filing is restored and suspended at once [003 §20]."""
    s = decided(world, M.REMOVE)
    outcome(world, lodge(world, s), "vary", measure=M.SUSPEND)
    filing = s.filing.__class__.objects.get(pk=s.filing_id)
    assert filing.state == FilingState.SUSPENDED
    assert Sanction.objects.get(pk=s.pk).measure_in_effect() == M.SUSPEND


def test_a_revoked_rectification_decision_sets_its_order_aside(world):
    """撤销 of 限期整改: the order it issued no longer binds the agency, nor bars its batches
    [003 §20, 002 §30]; the order's page offers no such step to anyone."""
    from supervision.models import RectificationOrder
    from supervision.selectors.inspections import agencies_rectifying
    from portal import transitions
    from supervision.services.inspections import ORDER_MACHINE

    s = decided(world, M.RECTIFY)
    order = RectificationOrder.objects.get(pk=s.order_id)
    assert s.agency_id in set(agencies_rectifying())
    assert "set_aside" not in {name for name, _label in transitions.available_actions(ORDER_MACHINE, order, world.city)}
    outcome(world, lodge(world, s), "revoke", comment="复议机关撤销限期整改决定")
    order.refresh_from_db()
    assert order.state == RectificationOrder.State.SET_ASIDE
    assert s.agency_id not in set(agencies_rectifying())
    assert AuditEntry.objects.filter(action="rectification.set_aside", object_id=str(order.pk)).count() == 1


def test_the_city_cannot_restore_a_cancelled_filing_by_hand(world):
    """Restoring is the effect of a review only, not a lifecycle action the city may take [003 §22]."""
    from filings.services import change_in_force

    from filings.services import perform

    s = decided(world, M.REMOVE)
    with pytest.raises(PermissionDenied):
        change_in_force(filing_id=s.filing_id, action="restore", actor=world.city, comment="恢复", today=LATER)
    for actor in (world.city, None):
        with pytest.raises(PermissionDenied):
            perform(filing_id=s.filing_id, action="restore", actor=actor, comment="恢复", today=LATER)
    assert s.filing.__class__.objects.get(pk=s.filing_id).state == FilingState.CANCELLED


@pytest.mark.parametrize("measure", [M.SUSPEND, M.REMOVE, ""])
def test_a_variation_may_only_lighten_the_measure_and_a_refusal_writes_nothing(world, measure):
    """Reconsideration may not decide more harshly against the applicant (《行政复议法》§63), nor a
    court add to the plaintiff's burden (《行政诉讼法》§77)."""
    s = decided(world)
    review = lodge(world, s)
    with pytest.raises(TransitionRefused):
        outcome(world, review, "vary", measure=measure)
    review.refresh_from_db()
    s.refresh_from_db()
    assert review.state == R.LODGED and review.varied_measure == "" and s.filing.state == FilingState.SUSPENDED
    assert not AuditEntry.objects.filter(action="sanction_review.vary", outcome="succeeded").exists()


@pytest.mark.parametrize("action", ["uphold_decision", "vary", "revoke"])
@pytest.mark.parametrize("who", ["pudong_reviewer", "xuhui_reviewer", "pudong_clerk", "inspector", "industry_reviewer"])
def test_only_the_city_enters_the_outcome(world, action, who):
    """The outcome is entered by the city that decided [003 §20]; a refusal changes nothing and is
    recorded as refused."""
    s = decided(world)
    review = lodge(world, s)
    with pytest.raises(PermissionDenied):
        outcome(world, review, action, actor=getattr(world, who), measure=M.INTERVIEW)
    review.refresh_from_db()
    s.refresh_from_db()
    assert review.state == R.LODGED and s.state == S.DECIDED and s.filing.state == FilingState.SUSPENDED
    assert AuditEntry.objects.filter(action=f"sanction_review.{action}", outcome="refused").count() == 1
    assert not AuditEntry.objects.filter(action=f"sanction_review.{action}", outcome="succeeded").exists()


def test_an_outcome_needs_reasons(world):
    review = lodge(world, decided(world))
    with pytest.raises(TransitionRefused):
        outcome(world, review, "revoke", comment="")
    review.refresh_from_db()
    assert review.state == R.LODGED


def test_a_revoked_decision_no_longer_counts_nor_marks_the_directory(world):
    """A public criticism revoked on review leaves the directory entry and the rating's factors
    [003 §20, §21]."""
    s = decided(world, M.CIRCULATE)
    assert ("sanction", "通报批评") in marks_for([s.agency_id]).get(s.agency_id, [])
    outcome(world, lodge(world, s), "revoke")
    assert ("sanction", "通报批评") not in marks_for([s.agency_id]).get(s.agency_id, [])
    assert sanctions_since([s.agency_id], DAY)[s.agency_id] == []


# ----- pages ----------------------------------------------------------------------------------------------

def test_public_page_shows_review_status(client, world):
    """处理结果公告 shows whether a decision is under review, upheld, varied (with the measure) or
    revoked [003 §20; 《行政处罚法》§48 practice]."""
    s = decided(world)
    review = lodge(world, s)
    assert "行政复议中" in client.get("/supervision/sanctions/public/").content.decode()
    outcome(world, review, "vary", measure=M.CIRCULATE)
    page = client.get("/supervision/sanctions/public/").content.decode()
    assert "已变更为通报批评" in page and s.number in page


def test_public_page_shows_revoked(client, world):
    s = decided(world, M.INTERVIEW)
    outcome(world, lodge(world, s), "revoke")
    page = client.get("/supervision/sanctions/public/").content.decode()
    assert "已撤销" in page


def test_the_city_enters_review_and_outcome_through_the_page(client, world):
    s = decided(world)
    client.force_login(world.city)
    page = client.get(f"/supervision/sanctions/{s.pk}/").content.decode()
    assert 'id="review-lodge-form"' in page
    r = client.post(f"/supervision/sanctions/{s.pk}/review/",
                    {"do": "lodge", "kind": "litigation", "lodged_on": DAY.isoformat(), "body": "浦东新区人民法院",
                     "reference": "(2026)沪0115行初1号"})
    assert r.status_code == 302
    review = SanctionReview.objects.get(sanction=s)
    assert review.state == R.LODGED
    r = client.post(f"/supervision/sanctions/{s.pk}/review/", {"do": "revoke", "comment": "判决撤销", "state": "lodged"})
    assert r.status_code == 302
    review.refresh_from_db()
    s.refresh_from_db()
    assert review.state == R.REVOKED and s.filing.state == FilingState.ACTIVE
    assert "已撤销" in client.get(f"/supervision/sanctions/{s.pk}/").content.decode()


def test_agency_sees_the_status_but_no_form(client, world):
    s = decided(world)
    lodge(world, s)
    client.force_login(world.pudong_clerk)
    page = client.get(f"/supervision/sanctions/{s.pk}/").content.decode()
    assert "行政复议中" in page and 'id="review-outcome-form"' not in page and 'id="review-lodge-form"' not in page


@pytest.mark.parametrize("who", ["pudong_reviewer", "pudong_clerk"])
def test_a_post_by_who_may_not_enter_changes_nothing(client, world, who):
    s = decided(world)
    review = lodge(world, s)
    client.force_login(getattr(world, who))
    r = client.post(f"/supervision/sanctions/{s.pk}/review/", {"do": "revoke", "comment": "x", "state": "lodged"})
    assert r.status_code == 403
    r = client.post(f"/supervision/sanctions/{s.pk}/review/",
                    {"do": "lodge", "kind": "litigation", "lodged_on": DAY.isoformat(), "body": "法院"})
    assert r.status_code == 403
    review.refresh_from_db()
    assert review.state == R.LODGED and SanctionReview.objects.count() == 1


def test_the_sanctions_ledger_shows_each_decisions_latest_review(world):
    """The ledger carries what the public notice shows: the review and its outcome [003 §20; SPEC §9]."""
    import io

    from openpyxl import load_workbook

    from portal import ledgers

    s = decided(world)
    outcome(world, lodge(world, s), "vary", measure=M.INTERVIEW)
    ledger = ledgers.get("sanctions")
    buffer = io.BytesIO()
    ledgers.export(ledger, world.city, {}, buffer)
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(buffer.getvalue()))[str(ledger.sheet_title)]
            .iter_rows()]
    header, row = rows[0], next(r for r in rows[1:] if r[0] == s.number)
    assert row[header.index("复议诉讼")] == "行政复议"
    assert row[header.index("复议诉讼结论")] == str(R.VARIED.label)
    assert row[header.index("变更后措施")] == "约谈"


@pytest.mark.parametrize("body", ["上海市\u202e人民政府", "上海市\u200b人民政府", ""])
def test_a_body_with_hidden_characters_or_none_is_refused_and_nothing_written(world, body):
    """Hostile or missing input on the review's entry gets a clear error and writes nothing [003 §20]."""
    s = decided(world)
    with pytest.raises(TransitionRefused):
        lodge(world, s, body=body)
    assert not SanctionReview.objects.exists()
    assert not AuditEntry.objects.filter(action="sanction_review.lodge").exists()
