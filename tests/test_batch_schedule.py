"""Batch deadlines counted in working days follow the State Council's holiday schedule once it is
loaded (portal/schedule.py) [003 §15(1), §15(3)]."""

import datetime

from django.utils import timezone

from filings.choices import FilingState
from portal import schedule
from portal.models import Notification
from portal.workdays import add_workdays, is_workday
from supervision.demo_batches import build_batch, drive_batch
from supervision.models.batches import BatchState


def _in_publicity(world):
    today = timezone.localdate()
    exam = today - datetime.timedelta(days=5)
    while add_workdays(exam, 2) > today or exam.weekday() >= 5:
        exam -= datetime.timedelta(days=1)
    f = world.filing(state=FilingState.ACTIVE, today=exam - datetime.timedelta(days=120))
    submit = exam - datetime.timedelta(days=40)
    b = build_batch(f, world.pudong_clerk, exam_on=exam, today=submit)
    return drive_batch(b, world.pudong_clerk, BatchState.PUBLICITY, submit_on=submit)


def test_a_rest_day_added_by_the_schedule_moves_a_running_report_deadline(world):
    """[003 §15(3)] 10 working days after the publicity: a new rest day in between puts it one working
    day later, and the agency is told."""
    batch = _in_publicity(world)
    due = batch.report_due
    assert due == add_workdays(batch.publicity_ends_on, 10)
    rest = next(d for d in (batch.publicity_ends_on + datetime.timedelta(days=i) for i in range(1, 30))
                if is_workday(d) and d.year == due.year)
    schedule.load(schedule=schedule.parse(f"{rest:%Y-%m-%d} 休", rest.year), actor=world.admin)
    batch.refresh_from_db()
    assert batch.report_due > due and batch.report_due == add_workdays(batch.publicity_ends_on, 10)
    told = Notification.objects.filter(recipient=world.pudong_clerk, subject__contains="认定结果报备截止")
    assert told.exists()


def test_the_plan_lead_time_counts_working_days_of_the_loaded_schedule(world):
    """[003 §15(1)] 提前 10 个工作日: a rest day loaded before filing makes a just-in-time plan too late."""
    f = world.filing(state=FilingState.ACTIVE, today=datetime.date(2025, 8, 1))
    today = datetime.date(2025, 9, 1)  # a Monday
    exam = add_workdays(today, 10)
    batch = build_batch(f, world.pudong_clerk, exam_on=exam, today=today)
    assert batch.plan_problems(today) == []
    schedule.load(schedule=schedule.parse("2025-09-03 休", 2025), actor=world.admin)
    assert any("提前 10 个工作日" in p for p in batch.plan_problems(today))
