"""The filing clock and the one idempotent sweep that runs it [002 §10-11, 003 §7]."""

import datetime

from django.core.management import call_command

from filings.choices import FilingState as S
from filings.deadlines import sweep
from filings.models import Filing
from filings.notices import file_objection
from filings.services import perform
from portal.models import AuditEntry
from portal.workdays import add_workdays

D = datetime.date


def test_no_decision_within_five_working_days_is_deemed_acceptance(world):
    """[002 §10] 逾期未作出不予受理决定的，视为受理: submitted on 30 September 2026, the five working
    days run past the National Day holiday to 13 October; on the 14th the filing is accepted."""
    filing = world.filing(state=S.SUBMITTED, today=D(2026, 9, 30))
    assert filing.acceptance_due == D(2026, 10, 13)
    assert sweep(D(2026, 10, 13)) == 0
    assert Filing.objects.get(pk=filing.pk).state == S.SUBMITTED
    assert sweep(D(2026, 10, 14)) == 1
    filing.refresh_from_db()
    assert filing.state == S.PRE_REVIEW
    assert filing.accepted_on == D(2026, 10, 14)
    assert AuditEntry.for_object(filing).filter(action="filing.deem_accepted", actor=None).exists()


def test_acceptance_starts_the_ninety_day_decision_clock(world):
    """[002 §11] decision within 90 days of acceptance."""
    filing = world.filing(state=S.PRE_REVIEW, today=D(2026, 3, 2))
    assert filing.decision_due == D(2026, 5, 31)


def test_supplement_not_received_within_30_days_abandons_the_filing(world):
    """[002 §10] 逾期不补正的，视为放弃申请."""
    filing = world.filing(state=S.SUPPLEMENT_REQUESTED, today=D(2026, 6, 1))
    assert filing.supplement_due == D(2026, 7, 1)
    assert sweep(D(2026, 7, 1)) == 0
    assert sweep(D(2026, 7, 2)) == 1
    filing.refresh_from_db()
    assert filing.state == S.ABANDONED
    assert filing.ended_on == D(2026, 7, 2)


def test_the_day_the_supplement_is_complete_becomes_the_receipt_date(world):
    """[002 §10] 补正材料齐全之日为收到申请材料之日: the completeness clock restarts from it."""
    filing = world.filing(state=S.SUPPLEMENT_REQUESTED, today=D(2026, 6, 1))
    perform(filing_id=filing.pk, action="supplement", actor=world.pudong_clerk, today=D(2026, 6, 20))
    filing.refresh_from_db()
    assert filing.state == S.SUBMITTED
    assert filing.received_on == D(2026, 6, 20)
    assert filing.acceptance_due == add_workdays(D(2026, 6, 20), 5)
    assert filing.supplement_due is None


def test_the_notice_ends_and_the_filing_is_filed(world):
    """[003 §7] 公示不少于 5 个工作日, then filed with a number and a receipt."""
    filing = world.filing(state=S.PUBLIC_NOTICE, today=D(2026, 11, 2))
    assert filing.notice_ends_on == add_workdays(D(2026, 11, 2), 5) == D(2026, 11, 9)
    assert sweep(D(2026, 11, 9)) == 0
    assert sweep(D(2026, 11, 10)) == 1
    filing.refresh_from_db()
    assert filing.state == S.ACTIVE
    assert filing.number and filing.receipts.count() == 1


def test_a_pending_objection_holds_the_filing_in_notice(world, settings):
    """[003 §7, 001 §3(3)]: an objection must be examined before the filing is filed."""
    filing = world.filing(state=S.PUBLIC_NOTICE)
    item = filing.notice_items.get()
    file_objection(item=item, name="王某", contact="13800000000", text="该机构考评人员名单不实。")
    assert sweep(filing.notice_ends_on + datetime.timedelta(days=1)) == 0
    filing.refresh_from_db()
    assert filing.state == S.PUBLIC_NOTICE


def test_the_sweep_run_twice_changes_nothing_the_second_time(world):
    submitted = world.filing(state=S.SUBMITTED, today=D(2026, 9, 30))
    waiting = world.filing(agency=world.xuhui_social, occupations=[world.carer], state=S.SUPPLEMENT_REQUESTED,
                           today=D(2026, 9, 1))
    day = D(2026, 10, 20)
    assert sweep(day) == 2
    entries = AuditEntry.objects.count()
    states = dict(Filing.objects.values_list("pk", "state"))
    assert sweep(day) == 0
    assert AuditEntry.objects.count() == entries
    assert dict(Filing.objects.values_list("pk", "state")) == states
    assert states[submitted.pk] == S.PRE_REVIEW and states[waiting.pk] == S.ABANDONED


def test_run_deadlines_command_runs_the_same_sweep(world, capsys):
    filing = world.filing(state=S.SUBMITTED, today=D(2026, 9, 30))
    call_command("run_deadlines", "--today", "2026-10-14")
    assert "filings: 1" in capsys.readouterr().out
    filing.refresh_from_db()
    assert filing.state == S.PRE_REVIEW
