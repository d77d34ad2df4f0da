"""Rectification orders: working-day deadline, the agency's report, the issuer's verification,
reminders and the overdue sweep [002 §30, 003 §20]."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from filings.directory_marks import marks_for
from portal.models import AuditEntry, Notification, PolicyProfile
from portal.transitions import TransitionRefused
from portal.workdays import add_workdays
from supervision.models import RectificationOrder
from supervision.selectors.inspections import agencies_rectifying
from supervision.services import inspections as svc

from ._inspections_helpers import MONDAY, concluded, order_for

pytestmark = pytest.mark.django_db
O = RectificationOrder.State


def test_deadline_in_working_days_by_default(world):
    """20 working days by default (policy decision), counted by portal.workdays [002 §30]."""
    order = order_for(world)
    assert order.state == O.ISSUED and order.working_days == 20
    assert order.due_on == add_workdays(MONDAY, 20)
    assert order.number.startswith("ZG2026")
    assert AuditEntry.objects.filter(action="rectification.issue").count() == 1
    assert Notification.objects.filter(recipient=world.pudong_clerk, subject__contains="责令限期整改").exists()


def test_bad_working_days_and_wrong_region_are_refused(world):
    with pytest.raises(TransitionRefused):
        order_for(world, working_days=0)
    with pytest.raises(PermissionDenied):
        svc.issue_rectification_order(agency=world.pudong_enterprise, origin="inspection", findings="x",
                                      actor=world.xuhui_reviewer, today=MONDAY)
    with pytest.raises(TransitionRefused):
        svc.issue_rectification_order(agency=world.pudong_enterprise, origin="inspection", findings="a\u202eb",
                                      actor=world.city, today=MONDAY)
    assert not RectificationOrder.objects.exists()


def test_one_order_per_inspection(world):
    inspection = concluded(world)
    svc.issue_rectification_order(agency=inspection.agency, inspection=inspection, origin="inspection",
                                  findings="整改", actor=world.inspector, today=MONDAY)
    with pytest.raises(TransitionRefused):
        svc.issue_rectification_order(agency=inspection.agency, inspection=inspection, origin="inspection",
                                      findings="整改", actor=world.city, today=MONDAY)
    assert RectificationOrder.objects.count() == 1


def test_respond_accept_closes_and_clears_the_mark(world):
    """While open the agency is 整改中; verified closed, the mark goes [002 §30]."""
    order = order_for(world)
    assert world.pudong_enterprise.pk in set(agencies_rectifying())
    assert marks_for([world.pudong_enterprise.pk])[world.pudong_enterprise.pk] == [("rectifying", "整改中")]
    svc.respond_order(order_id=order.pk, response="已整改", actor=world.pudong_clerk, today=MONDAY)
    assert world.pudong_enterprise.pk in set(agencies_rectifying())
    svc.perform_order(order_id=order.pk, action="accept", actor=world.city, today=MONDAY)
    order.refresh_from_db()
    assert order.state == O.CLOSED and order.verified_on == MONDAY
    assert world.pudong_enterprise.pk not in set(agencies_rectifying())
    assert marks_for([world.pudong_enterprise.pk])[world.pudong_enterprise.pk] == []


def test_reject_needs_a_reason_and_goes_back(world):
    order = order_for(world)
    svc.respond_order(order_id=order.pk, response="已整改", actor=world.pudong_clerk, today=MONDAY)
    with pytest.raises(TransitionRefused):
        svc.perform_order(order_id=order.pk, action="reject", actor=world.city, comment="", today=MONDAY)
    order.refresh_from_db()
    assert order.state == O.RESPONDED
    svc.perform_order(order_id=order.pk, action="reject", actor=world.city, comment="视频资料仍不全", today=MONDAY)
    order.refresh_from_db()
    assert order.state == O.ISSUED and order.rejections == 1 and order.last_comment == "视频资料仍不全"


@pytest.mark.parametrize("who", ["pudong_clerk", "xuhui_clerk", "inspector", "xuhui_reviewer"])
def test_only_the_verifier_verifies(world, who):
    """The issuer (or the city) verifies; the agency, another district, an inspector cannot."""
    order = order_for(world)
    svc.respond_order(order_id=order.pk, response="已整改", actor=world.pudong_clerk, today=MONDAY)
    with pytest.raises(PermissionDenied):
        svc.perform_order(order_id=order.pk, action="accept", actor=getattr(world, who), today=MONDAY)
    order.refresh_from_db()
    assert order.state == O.RESPONDED


def test_only_the_agency_responds_and_a_report_is_needed(world):
    order = order_for(world)
    with pytest.raises(PermissionDenied):
        svc.respond_order(order_id=order.pk, response="已整改", actor=world.xuhui_clerk, today=MONDAY)
    with pytest.raises(TransitionRefused):
        svc.respond_order(order_id=order.pk, response="  ", actor=world.pudong_clerk, today=MONDAY)
    order.refresh_from_db()
    assert order.state == O.ISSUED and order.response == ""


def test_deadline_holds_when_the_agency_acts(world):
    """A report after the deadline is refused; the order is overdue at that moment, sweep or not
    [002 §30: 整改期满]."""
    order = order_for(world)
    late = order.due_on + datetime.timedelta(days=1)
    with pytest.raises(TransitionRefused):
        svc.respond_order(order_id=order.pk, response="迟交", actor=world.pudong_clerk, today=late)
    order.refresh_from_db()
    assert order.state == O.OVERDUE and order.response == "" and order.overdue_on == late


def test_sweep_marks_overdue_tells_the_city_and_is_idempotent(world):
    order = order_for(world)
    on_time = order_for(world, agency=world.xuhui_social)
    RectificationOrder.objects.filter(pk=on_time.pk).update(due_on=MONDAY + datetime.timedelta(days=90))
    day = order.due_on + datetime.timedelta(days=1)
    assert svc.sweep_orders(day) == 1
    assert svc.sweep_orders(day) == 0
    order.refresh_from_db()
    assert order.state == O.OVERDUE
    assert Notification.objects.filter(recipient=world.city, subject__contains="整改逾期").count() == 1
    assert AuditEntry.objects.filter(action="rectification.mark_overdue").count() == 1
    on_time.refresh_from_db()
    assert on_time.state == O.ISSUED


def test_extend_after_overdue(world):
    order = order_for(world)
    day = order.due_on + datetime.timedelta(days=1)
    svc.sweep_orders(day)
    svc.perform_order(order_id=order.pk, action="extend", actor=world.city, comment="准予延期", today=day)
    order.refresh_from_db()
    extension = PolicyProfile.active().rectification_extension_workdays
    assert extension == 10  # every preset keeps the portal's value
    assert order.state == O.ISSUED and order.due_on == add_workdays(day, extension)


def test_extension_follows_the_bureaus_policy_setting(world):
    """The further period after an overdue order is the bureau's setting [002 §30: 限期整改]."""
    PolicyProfile.objects.filter(is_active=True).update(rectification_extension_workdays=15)
    order = order_for(world)
    day = order.due_on + datetime.timedelta(days=1)
    svc.sweep_orders(day)
    svc.perform_order(order_id=order.pk, action="extend", actor=world.city, comment="准予延期", today=day)
    order.refresh_from_db()
    assert order.due_on == add_workdays(day, 15)


def test_default_rectification_period_follows_the_policy(world):
    """A new order without a number of days runs the bureau's default period [002 §30, 003 §20]."""
    PolicyProfile.objects.filter(is_active=True).update(rectification_workdays=30)
    order = order_for(world)
    assert order.due_on == add_workdays(order.issued_on, 30)


def test_reminder_once_before_the_deadline(world):
    order = order_for(world)
    before = order.due_on - datetime.timedelta(days=2)
    assert svc.remind_orders(before) == 1
    assert svc.remind_orders(before) == 0
    assert Notification.objects.filter(recipient=world.pudong_clerk, subject__contains="整改提醒").count() == 1


def test_registered_with_the_daily_sweep_and_schedule(world):
    from portal import deadlines, schedule
    assert {"supervision.rectification_overdue", "supervision.rectification_remind",
            "supervision.inspections"} <= {n for n, _ in deadlines._sweeps}
    assert "supervision.inspections" in {n for n, _ in schedule._collectors}
    order = order_for(world, today=datetime.date.today())
    found = schedule_rows = [d for _, c in schedule._collectors if _ == "supervision.inspections"
                             for d in c(order.issued_on, order.due_on)]
    assert any(d.due == order.due_on for d in found) and schedule_rows


def test_the_policy_admin_shows_and_bounds_the_supervision_periods(admin_client, world):
    """The periods are the bureau's settings, on the policy screen, within bounds [002 §30, 003 §19]."""
    from django.urls import reverse

    profile = PolicyProfile.active()
    page = admin_client.get(reverse("admin:portal_policyprofile_change", args=[profile.pk])).content.decode()
    for label in ("限期整改默认期限（工作日）", "整改逾期后延期（工作日）", "整改到期前提醒（工作日）",
                  "检查发现申辩期限（工作日）", "投诉举报受理时限（工作日）", "投诉举报办结时限（工作日）"):
        assert label in page
    profile.rectification_workdays = 0
    with pytest.raises(ValidationError) as exc:
        profile.full_clean()
    assert "限期整改默认期限（工作日）不得少于 1" in str(exc.value)
