"""Outcomes of the renewal and their effect on the filing and the directory [SPEC §4.4, 000 §5, 004 §4]."""

import datetime

import pytest

from assessments import deadlines, services
from assessments.demo import active_filing, complete_application, drive_renewal
from assessments.models import RenewalAssessment
from filings.models import Filing, NoticeItem
from filings.services import TransitionRefused
from portal.models import AuditEntry, PolicyProfile

DAY = datetime.timedelta(days=1)
EXPIRY = datetime.date(2027, 1, 31)
ACTING = datetime.date(2026, 12, 1)


@pytest.fixture
def filing(world):
    return active_filing(world.pudong_enterprise, world.pudong_clerk, expires_on=EXPIRY, actors=world.actors,
                         experts=world.experts[:3], occupations=[world.electrician])


def renew(world, filing, state, **kw):
    return drive_renewal(filing, state, actors=world.actors, experts=world.experts[:3], today=kw.pop("today", ACTING),
                         **kw)


def in_directory(filing) -> bool:
    return Filing.objects.in_force().filter(pk=filing.pk).exists()


def test_a_pass_extends_three_years_from_the_old_expiry_and_reissues_the_receipt(world, filing):
    """[000 §5, 004 §4(1)] continuing from the old expiry date, not from the decision date."""
    a = renew(world, filing, "passed")
    filing.refresh_from_db()
    assert a.state == "passed"
    assert filing.valid_until == datetime.date(2030, 1, 31)
    receipt = filing.receipts.get(superseded_at__isnull=True)
    assert receipt.reason == "期满评估通过" and receipt.version == 2
    assert NoticeItem.objects.filter(filing=filing, notice__purpose="renewal", summary__contains="评估通过").exists()


def test_a_pass_decided_after_expiry_still_extends_from_the_old_expiry(world, filing):
    """[000 §5] decided three weeks late: still 2030-01-31."""
    renew(world, filing, "deciding")
    renew(world, filing, "passed", today=EXPIRY + 21 * DAY)
    filing.refresh_from_db()
    assert filing.valid_until == datetime.date(2030, 1, 31) and filing.state == "active"


def test_running_the_sweeps_again_never_extends_twice(world, filing):
    renew(world, filing, "passed")
    deadlines.sweep(EXPIRY + 30 * DAY)
    deadlines.sweep(EXPIRY + 31 * DAY)
    filing.refresh_from_db()
    assert filing.valid_until == datetime.date(2030, 1, 31)


def test_a_pass_needs_the_pass_mark_and_no_veto(world, filing):
    """[004 §3(4), Annex 2 六]"""
    a = renew(world, filing, "deciding", veto="6.5")
    with pytest.raises(TransitionRefused, match="一票否决"):
        services.perform(assessment_id=a.pk, action="decide_pass", actor=world.city, comment="同意", today=ACTING)


def test_shanghai_fail_suspends_at_expiry_with_six_months_then_a_failed_reassessment_terminates(world, filing):
    """[000 §5] suspended at expiry, 6 months to rectify, re-evaluated: fail → terminated, out of the directory."""
    a = renew(world, filing, "failed", fraction=0.4)
    filing.refresh_from_db()
    assert a.state == "failed" and filing.state == "active"  # decided before expiry: effect at expiry
    deadlines.sweep(EXPIRY + DAY)
    filing.refresh_from_db()
    a.refresh_from_db()
    assert filing.state == "suspended" and in_directory(filing)
    assert a.rectification_due == datetime.date(2027, 8, 1)
    second = renew(world, filing, "failed", today=EXPIRY + 60 * DAY, fraction=0.4)
    filing.refresh_from_db()
    assert second.round == 2 and second.previous == a
    assert filing.state == "terminated" and not in_directory(filing)
    assert AuditEntry.objects.filter(action="filing.terminate", object_id=str(filing.pk)).exists()


def test_shanghai_rectified_and_passed_resumes_and_extends_from_the_old_expiry(world, filing):
    """[000 §5] re-evaluation passed → extended."""
    renew(world, filing, "failed", fraction=0.4)
    deadlines.sweep(EXPIRY + DAY)
    renew(world, filing, "passed", today=EXPIRY + 90 * DAY)
    filing.refresh_from_db()
    assert filing.state == "active" and filing.valid_until == datetime.date(2030, 1, 31)


def test_shanghai_no_reassessment_within_six_months_terminates(world, filing):
    """[000 §5] rectification period over with no re-assessment applied for."""
    renew(world, filing, "failed", fraction=0.4)
    deadlines.sweep(EXPIRY + DAY)
    deadlines.sweep(datetime.date(2027, 8, 1))
    filing.refresh_from_db()
    assert filing.state == "suspended"
    deadlines.sweep(datetime.date(2027, 8, 2))
    filing.refresh_from_db()
    assert filing.state == "terminated" and not in_directory(filing)


def test_shandong_fail_ends_the_filing_at_expiry_and_opens_the_wrap_up_checklist(world, filing):
    """[004 §4(2)] no renewal: leaves the directory; archive, certificates, data upload."""
    PolicyProfile.ensure_presets("shandong")
    a = renew(world, filing, "failed", fraction=0.4)
    assert in_directory(filing)
    deadlines.sweep(EXPIRY + DAY)
    filing.refresh_from_db()
    assert filing.state == "expired" and filing.ended_on == EXPIRY and not in_directory(filing)
    assert sorted(a.wrap_up.values_list("task", flat=True)) == ["archive", "certificates", "data_upload"]
    with pytest.raises(TransitionRefused):
        services.open_renewal(filing_id=filing.pk, actor=world.pudong_clerk, today=EXPIRY + 2 * DAY)


def test_shanghai_no_application_by_expiry_ends_the_filing_at_expiry(world, filing):
    """[000 §5] no application in time = giving up renewal; the filing ends at expiry."""
    deadlines.sweep(EXPIRY)
    assert in_directory(filing)
    deadlines.sweep(EXPIRY + DAY)
    filing.refresh_from_db()
    assert filing.state == "expired" and filing.ended_on == EXPIRY and not in_directory(filing)


def test_shandong_leaves_the_directory_at_expiry_but_accepts_an_application_for_two_months(world, filing):
    """[004 §4(3)] 企业备案期满后自动退出目录; 逾期 2 个月未申请视为自动放弃: gone from the directory the
    day after expiry; an application within the two months that passes brings the filing back, its
    validity continuing from the old expiry; after the two months no application is taken."""
    PolicyProfile.ensure_presets("shandong")
    deadlines.sweep(EXPIRY + DAY)
    filing.refresh_from_db()
    assert filing.state == "expired" and filing.ended_on == EXPIRY and not in_directory(filing)
    late = EXPIRY + 30 * DAY
    a = renew(world, filing, "passed", today=late)
    filing.refresh_from_db()
    assert a.state == "passed"
    assert filing.state == "active" and in_directory(filing) and filing.ended_on is None
    assert filing.valid_until == datetime.date(2030, 1, 31)
    assert filing.receipts.get(superseded_at__isnull=True).reason == "期满评估通过"


def test_shandong_takes_no_application_after_two_months_overdue(world, filing):
    """[004 §4(3)] 逾期 2 个月未提交续期备案申请的企业，视为自动放弃."""
    PolicyProfile.ensure_presets("shandong")
    deadlines.sweep(EXPIRY + DAY)
    with pytest.raises(TransitionRefused, match="最迟申请日"):
        services.open_renewal(filing_id=filing.pk, actor=world.pudong_clerk, today=datetime.date(2027, 4, 1))


def test_a_draft_never_submitted_is_no_application(world, filing):
    a = services.open_renewal(filing_id=filing.pk, actor=world.pudong_clerk, today=ACTING)
    complete_application(a, world.pudong_clerk)
    with pytest.raises(TransitionRefused, match="最迟申请日已过"):
        services.perform(assessment_id=a.pk, action="submit", actor=world.pudong_clerk, today=EXPIRY + DAY)
    deadlines.sweep(EXPIRY + DAY)
    filing.refresh_from_db()
    assert filing.state == "expired"


def test_withdrawing_during_evaluation_abandons_renewal_and_the_filing_ends_at_expiry(world, filing):
    """[000 §5] withdrew during evaluation = abandoned."""
    renew(world, filing, "accepted")
    renew(world, filing, "withdrawn")
    deadlines.sweep(EXPIRY)
    assert in_directory(filing)
    deadlines.sweep(EXPIRY + DAY)
    assert not in_directory(filing)


def test_an_agency_that_did_no_evaluations_may_apply_with_an_explanation_and_the_city_decides(world, filing):
    """[004 §4(4)] no self-assessment to score; the city decides on the explanation."""
    a = services.open_renewal(filing_id=filing.pk, actor=world.pudong_clerk, today=ACTING)
    services.update_application(assessment_id=a.pk, actor=world.pudong_clerk, data=dict(
        entity_changed=False, credit_good=True, evaluations_carried_out=False, commissioned_evaluations=False,
        wants_to_continue=True, certified_holders=10, employees=100))
    a.refresh_from_db()
    assert "未开展认定工作的，须说明原因 [004 §4(4)]" in a.completeness_problems()
    services.update_application(assessment_id=a.pk, actor=world.pudong_clerk,
                                data={"no_evaluation_reason": "受疫情影响，本期未组织认定。"})
    from assessments.demo import pdf

    services.add_attachment(assessment_id=a.pk, actor=world.pudong_clerk, type="licence", upload=pdf())
    services.sign_pledge(assessment_id=a.pk, actor=world.pudong_clerk)
    a = renew(world, filing, "passed")
    filing.refresh_from_db()
    assert a.state == "passed" and filing.valid_until == datetime.date(2030, 1, 31)


def test_an_upheld_objection_window_holds_the_result_until_the_notice_ends(world, filing):
    """[000 §4(3)] the result takes effect after the notice of results."""
    a = renew(world, filing, "notice")
    deadlines.sweep(a.notice_ends_on)
    a.refresh_from_db()
    assert a.state == "notice"
    deadlines.sweep(a.notice_ends_on + DAY)
    assert RenewalAssessment.objects.get(pk=a.pk).state == "passed"


def test_the_agency_is_offered_the_late_application_on_its_renewal_page(world, filing, client):
    """[004 §4(3)] after expiry, within the two months, the clerk still sees the filing and can apply."""
    PolicyProfile.ensure_presets("shandong")
    deadlines.sweep(EXPIRY + DAY)
    client.force_login(world.pudong_clerk)
    page = client.get("/renewals/").content.decode()
    assert filing.number in page


def test_an_upheld_objection_to_the_result_holds_it_until_the_city_reopens_the_review(world, filing):
    """[001 §3(3), 000 §4(3)] a published result does not take effect over an upheld objection; the
    city returns the assessment to review with its reasons."""
    from filings.notices import file_objection
    from filings.panel_services import resolve_objection

    a = renew(world, filing, "notice")
    item = NoticeItem.objects.filter(filing=filing, notice__purpose="renewal").latest("pk")
    objection = file_objection(item=item, name="李某", contact="13900000000", text="该企业证书数据上传比例不实。",
                               today=item.notice.starts_on)
    resolve_objection(objection_id=objection.pk, actor=world.city, upheld=True, resolution="经核实，上传比例有误。")
    deadlines.sweep(a.notice_ends_on + DAY)
    a.refresh_from_db()
    assert a.state == "notice"
    services.perform(assessment_id=a.pk, action="reopen_review", actor=world.city, comment="异议成立，重新评审。",
                     today=a.notice_ends_on + DAY)
    a.refresh_from_db()
    filing.refresh_from_db()
    assert a.state == "expert_review" and a.outcome == ""
    assert filing.valid_until == EXPIRY


def test_the_agency_records_its_wrap_up_tasks_and_no_one_else_can(world, filing, client):
    """[004 §4(2)] after a failed renewal under Shandong: archive, certificates, data upload — recorded
    by the agency itself, each with an audit entry; another agency's clerk is not let in."""
    PolicyProfile.ensure_presets("shandong")
    a = renew(world, filing, "failed", fraction=0.4)
    deadlines.sweep(EXPIRY + DAY)
    client.force_login(world.xuhui_clerk)
    assert client.post(f"/renewals/{a.pk}/wrap-up/archive/", {"note": "x"}).status_code == 404
    client.force_login(world.pudong_clerk)
    client.post(f"/renewals/{a.pk}/wrap-up/archive/", {"note": "纸质档案已移交区人社局"})
    row = a.wrap_up.get(task="archive")
    assert row.done_on is not None and row.done_by == world.pudong_clerk
    assert AuditEntry.objects.filter(action="renewal.wrap_up", comment="纸质档案已移交区人社局").exists()
    assert a.wrap_up.get(task="certificates").done_on is None
