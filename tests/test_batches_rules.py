"""Evaluation batches: the plan's rules and the machine [003 §15, §13, §7, §8, 002 §30, 003 §16]."""

import datetime

import pytest
from django.utils import timezone

from filings.choices import FilingState
from filings.models import Filing
from portal.models import SkillLevel
from portal.transitions import TransitionRefused
from supervision import idcard
from supervision.demo_batches import build_batch, drive_batch, people
from supervision.models.batches import BatchDocument, BatchState, EvaluationBatch
from supervision.selectors.batches import batch_counts, last_batch_on
from supervision.services import batches as services

S = BatchState
# 2025's National Day: 1–8 October off, Sunday 28 September and Saturday 11 October worked (调休).
FRIDAY = datetime.date(2025, 9, 26)


@pytest.fixture
def filing(world):
    return world.filing(state=FilingState.ACTIVE, today=datetime.date(2025, 8, 1))


def _submit(batch, world, today):
    return services.perform(batch_id=batch.pk, action="submit", actor=world.pudong_clerk, today=today)


def test_gb11643_check_digit():
    """GB 11643: the check character is ISO 7064 MOD 11-2 (the standard's own example 11010519491231002X)."""
    assert idcard.is_valid("11010519491231002X")
    assert idcard.is_valid("11010519491231002x")  # typed lower-case
    assert idcard.problem("110105194912310021") == "身份证号码校验位错误（GB 11643）"
    assert "出生日期" in idcard.problem(idcard.make("11010519491331002"))
    assert "18位" in idcard.problem("1101051949123100")
    assert idcard.mask("11010519491231002X") == "110105********002X"


def test_lead_time_counts_working_days_across_national_day(world, filing):
    """[003 §15(1)] 提前 10 个工作日: filed Friday 26 September 2025, the 10th working day after
    is 16 October (the Golden Week is off, the two make-up Saturdays/Sundays count)."""
    early = build_batch(filing, world.pudong_clerk, exam_on=datetime.date(2025, 10, 15), today=FRIDAY)
    with pytest.raises(TransitionRefused, match="2025-10-16"):
        _submit(early, world, FRIDAY)
    assert EvaluationBatch.objects.get(pk=early.pk).state == S.DRAFT
    ok = build_batch(filing, world.pudong_clerk, exam_on=datetime.date(2025, 10, 16), title="第二批", today=FRIDAY)
    assert _submit(ok, world, FRIDAY).state == S.SUBMITTED


def test_district_files_the_plan_and_technician_batches_go_on_to_the_city(world):
    """[003 §15(1)] 属地人社部门备案；技师、高级技师等级由市人社部门备案."""
    f = world.filing(state=FilingState.ACTIVE, level_to=SkillLevel.LEVEL_2, today=datetime.date(2025, 8, 1))
    ordinary = build_batch(f, world.pudong_clerk, exam_on=datetime.date(2025, 11, 20), level=SkillLevel.LEVEL_4,
                           today=FRIDAY)
    _submit(ordinary, world, FRIDAY)
    with pytest.raises(Exception):
        services.perform(batch_id=ordinary.pk, action="approve", actor=world.xuhui_reviewer, today=FRIDAY)
    assert services.perform(batch_id=ordinary.pk, action="approve", actor=world.pudong_reviewer,
                            today=FRIDAY).state == S.APPROVED
    tech = build_batch(f, world.pudong_clerk, exam_on=datetime.date(2025, 11, 20), level=SkillLevel.LEVEL_2,
                       title="技师批", today=FRIDAY)
    _submit(tech, world, FRIDAY)
    assert services.perform(batch_id=tech.pk, action="approve", actor=world.pudong_reviewer,
                            today=FRIDAY).state == S.CITY_REVIEW
    assert services.perform(batch_id=tech.pk, action="city_approve", actor=world.city,
                            today=FRIDAY).state == S.APPROVED


def test_only_filed_scope_of_a_filing_in_force(world, filing):
    """[003 §15(1), 002 §30] a level outside the scope, and a suspended filing, are refused with the rule."""
    batch = build_batch(filing, world.pudong_clerk, exam_on=datetime.date(2025, 11, 20), level=SkillLevel.LEVEL_2,
                        persons=[], today=FRIDAY)
    problems = batch.plan_problems(FRIDAY)
    assert any("第 1 组" in p and "不在备案的职业（工种）及等级范围内" in p for p in problems)
    good = build_batch(filing, world.pudong_clerk, exam_on=datetime.date(2025, 11, 20), title="b", today=FRIDAY)
    Filing.objects.filter(pk=filing.pk).update(state=FilingState.SUSPENDED)
    with pytest.raises(TransitionRefused, match=r"002 §30"):
        _submit(good, world, FRIDAY)


def test_open_rectification_order_bars_a_batch(world, filing, monkeypatch):
    """[002 §30] 整改期间不得开展认定 (helper C's agencies_rectifying)."""
    batch = build_batch(filing, world.pudong_clerk, exam_on=datetime.date(2025, 11, 20), today=FRIDAY)
    monkeypatch.setattr("supervision.models.batches._rectifying_agencies", lambda: {filing.agency_id})
    assert any("整改" in p for p in batch.plan_problems(FRIDAY))


def test_five_own_examiners_with_valid_certificates_none_a_candidate(world, filing):
    """[003 §8(4), §15(1)] ≥5 own examiners per level, certificates valid on the exam day, no examiner a candidate."""
    exam = datetime.date(2025, 11, 20)
    batch = build_batch(filing, world.pudong_clerk, exam_on=exam, today=FRIDAY)
    assert batch.plan_problems(FRIDAY) == []
    one = batch.staff.filter(role="examiner").first()
    one.certificate_valid_until = exam - datetime.timedelta(days=1)
    one.save()
    problems = batch.plan_problems(FRIDAY)
    assert any("考评员不足 5 名" in p for p in problems)
    assert any(f"考评员 {one.name} 的证书在考核日已过期" in p for p in problems)
    one.certificate_valid_until = None
    one.id_number = batch.candidates.first().id_number
    one.save()
    assert any("须回避" in p for p in batch.plan_problems(FRIDAY))


def test_enterprise_evaluates_only_its_own_staff(world, filing):
    """[003 §13] 企业主要面向本企业在岗职工……: a 社会人员 row is refused, naming its row."""
    batch = build_batch(filing, world.pudong_clerk, exam_on=datetime.date(2025, 11, 20), relation="社会人员",
                        today=FRIDAY)
    with pytest.raises(TransitionRefused, match=r"名单第 2 行.*003 §13"):
        _submit(batch, world, FRIDAY)


def test_pilot_batches_stay_in_the_registration_area(world):
    """[003 §7] 试点期内在登记注册地开展认定."""
    f = world.filing(agency=world.xuhui_social, state=FilingState.ACTIVE, occupations=[world.carer],
                     today=datetime.date(2025, 8, 1))
    Filing.objects.filter(pk=f.pk).update(pilot=True, pilot_until=datetime.date(2026, 8, 1))
    f.refresh_from_db()
    batch = build_batch(f, world.xuhui_clerk, exam_on=datetime.date(2025, 11, 20), relation="社会人员", today=FRIDAY)
    EvaluationBatch.objects.filter(pk=batch.pk).update(venue_region=world.pudong)
    batch.refresh_from_db()
    assert any("003 §7" in p for p in batch.plan_problems(FRIDAY))


def test_publicity_seven_days_then_report_within_ten_working_days(world, filing):
    """[003 §15(3)] 公示期不少于 7 天；10 个工作日内报备; late reports flagged by the sweep, and when the agency acts."""
    batch = build_batch(filing, world.pudong_clerk, exam_on=datetime.date(2025, 9, 19),
                        today=datetime.date(2025, 9, 1))
    batch = drive_batch(batch, world.pudong_clerk, S.PUBLICITY, submit_on=datetime.date(2025, 9, 1))
    assert (batch.publicity_ends_on - batch.publicity_starts_on).days == 6  # 7 calendar days
    with pytest.raises(TransitionRefused, match="公示期"):
        services.perform(batch_id=batch.pk, action="report", actor=world.pudong_clerk, today=batch.publicity_ends_on)
    # Publicity 23–29 September 2025: ten working days after the 29th run over the Golden Week
    # (30 Sep, then 9, 10, 11 (Saturday worked), 13–17, 20 October) → 20 October.
    assert batch.publicity_starts_on == datetime.date(2025, 9, 23)
    assert batch.report_due == datetime.date(2025, 10, 20)
    assert services.sweep_overdue_reports(batch.report_due) == 0
    assert services.sweep_overdue_reports(batch.report_due + datetime.timedelta(days=1)) == 1
    assert services.sweep_overdue_reports(batch.report_due + datetime.timedelta(days=1)) == 0  # idempotent
    batch = services.perform(batch_id=batch.pk, action="report", actor=world.pudong_clerk,
                             today=datetime.date(2025, 10, 22))
    assert batch.state == S.REPORTED and batch.reported_late


def test_time_limit_holds_when_the_agency_acts_before_the_sweep(world, filing):
    """[003 §15(3)] a report after the due day is flagged late when the agency acts, even if the
    sweep never ran: the first attempt is told so, the late report then goes in marked late."""
    batch = build_batch(filing, world.pudong_clerk, exam_on=datetime.date(2025, 9, 19), today=datetime.date(2025, 9, 1))
    batch = drive_batch(batch, world.pudong_clerk, S.PUBLICITY, submit_on=datetime.date(2025, 9, 1))
    with pytest.raises(TransitionRefused, match="已超过办理时限"):
        services.perform(batch_id=batch.pk, action="report", actor=world.pudong_clerk, today=datetime.date(2025, 10, 21))
    assert EvaluationBatch.objects.get(pk=batch.pk).state == S.REPORT_OVERDUE
    batch = services.perform(batch_id=batch.pk, action="report", actor=world.pudong_clerk,
                             today=datetime.date(2025, 10, 21))
    assert batch.state == S.REPORTED and batch.reported_late


def test_counts_feed_renewal_cancellation_and_rating(world, filing):
    """[003 §22 ground 2, 004 Annex 2 3.5] the contracts' selectors read the reported batches."""
    batch = build_batch(filing, world.pudong_clerk, exam_on=datetime.date(2025, 9, 19), persons=people(16),
                        today=datetime.date(2025, 9, 1))
    assert last_batch_on([filing.agency_id]) == {filing.agency_id: None}
    batch = drive_batch(batch, world.pudong_clerk, S.REPORTED, submit_on=datetime.date(2025, 9, 1))
    assert last_batch_on([filing.agency_id, world.xuhui_social.pk]) == {filing.agency_id: datetime.date(2025, 9, 19),
                                                                         world.xuhui_social.pk: None}
    counts = batch_counts([filing.pk], datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))[filing.pk]
    assert counts["batches"] == 1 and counts["candidates"] == 16
    assert counts["certificates"] == 14  # every 8th failed (demo sheet)
    assert counts["certificates_by_level"] == {batch.groups.get().level: 14}
    assert counts["uploaded"] == 13 and counts["reported_on_time"] == 1
    assert batch_counts([filing.pk], datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))[filing.pk]["batches"] == 0


def test_archive_retention_shown_and_nothing_deleted_early(world, filing):
    """[002 §19, 003 §16] paper 3 years, electronic 5 years; no deletion before the period ends."""
    batch = build_batch(filing, world.pudong_clerk, exam_on=datetime.date(2025, 11, 20), today=FRIDAY)
    assert batch.paper_keep_until == datetime.date(2028, 11, 20)
    assert batch.electronic_keep_until == datetime.date(2030, 11, 20)
    doc = services.add_document(batch_id=batch.pk, type=BatchDocument.Type.VIDEO, actor=world.pudong_clerk,
                                reference="机房硬盘录像机 NVR-02，2025-11-20 全天")
    with pytest.raises(TransitionRefused, match="保存期"):
        doc.delete()
    assert BatchDocument.objects.filter(pk=doc.pk).exists()


def test_refusal_changes_nothing_and_is_audited(world, filing):
    """A refused submission leaves the draft as it was, with the refusal on the record."""
    from portal.models import AuditEntry

    batch = build_batch(filing, world.pudong_clerk, exam_on=datetime.date(2025, 10, 1), today=FRIDAY)
    with pytest.raises(TransitionRefused):
        _submit(batch, world, FRIDAY)
    batch.refresh_from_db()
    assert batch.state == S.DRAFT and batch.submitted_on is None and batch.number is None
    assert AuditEntry.objects.filter(action="batch.submit", outcome="refused").exists()
