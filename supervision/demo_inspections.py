"""Demo inspections and rectification orders, one in every state (idempotent: each demo item is
found again by its reason and not made twice). Runs after the filings demo, which makes the agencies
and filings in force; inspections are opened as 专项检查 (AD_HOC) since the draws come later."""

from __future__ import annotations

import datetime

from django.utils import timezone

from filings.choices import IN_FORCE
from filings.models import Filing
from portal.demo import demo_user
from portal.models import Region, Role, User
from supervision.models.inspections import Inspection, InspectionCheck, RectificationOrder
from supervision.services import inspections as svc

TAG = "【演示】"


def _inspection(key, filing, team, city, phase, today) -> tuple[Inspection, bool]:
    found = Inspection.objects.filter(reason__startswith=f"{TAG}{key}").first()
    if found:
        return found, False
    return svc.open_inspection(agency=filing.agency, filing=filing, team=team, origin=Inspection.Origin.AD_HOC,
                               phase=phase, reason=f"{TAG}{key}：专项检查", actor=city, today=today), True


def _submit(inspection, inspector, today, *, problem: bool):
    rows = list(inspection.checks.all())
    results = {r.pk: (InspectionCheck.Result.COMPLIANT, "") for r in rows}
    if problem:
        results[rows[-1].pk] = (InspectionCheck.Result.NON_COMPLIANT, "抽查发现问题")
    svc.fill_checklist(inspection_id=inspection.pk, results=results, actor=inspector)
    if problem:
        svc.add_finding(inspection_id=inspection.pk, severity="serious", check_id=rows[-1].pk, actor=inspector,
                        description="考评人员未按规定回避，视频监控资料保存不全")
    svc.save_notes(inspection_id=inspection.pk, summary="现场查看考场、调阅考务资料。", internal_notes="内部：建议列入下一轮重点抽查",
                   actor=inspector)
    return svc.perform_inspection(inspection_id=inspection.pk, action="submit_findings", actor=inspector, today=today)


def seed() -> list[str]:
    filings = list(Filing.objects.filter(state__in=IN_FORCE).select_related("agency").order_by("pk"))
    city = User.objects.filter(username="city").first()
    inspector = User.objects.filter(username="inspector").first()
    if not filings or city is None or inspector is None:
        return []
    shanghai = Region.objects.get(code="310000")
    inspector2 = demo_user("inspector2", role=Role.INSPECTOR, full_name="钱芳（督导员）", region=shanghai)
    team = [inspector, inspector2]
    today = timezone.localdate()
    past = today - datetime.timedelta(days=60)
    pick = lambda i: filings[i % len(filings)]  # noqa: E731
    made = 0

    # open: the team is filling the checklist
    _i, new = _inspection("open", pick(0), team, city, Inspection.Phase.DURING, today)
    made += new
    # findings submitted: waiting for the agency's acknowledgement or answer
    i, new = _inspection("submitted", pick(1), team, city, Inspection.Phase.BEFORE, today)
    if new:
        _submit(i, inspector, today, problem=True)
    made += new
    # answered by the agency
    i, new = _inspection("answered", pick(2), team, city, Inspection.Phase.AFTER, today)
    if new:
        _submit(i, inspector, today, problem=True)
        clerk = i.agency.staff.first()
        svc.perform_inspection(inspection_id=i.pk, action="answer", actor=clerk, today=today,
                               comment="视频资料已补齐，附说明")
    made += new
    # acknowledged, and concluded without a problem / with an order, for the results page
    i, new = _inspection("acknowledged", pick(3), team, city, Inspection.Phase.DURING, today)
    if new:
        _submit(i, inspector, today, problem=False)
        svc.perform_inspection(inspection_id=i.pk, action="acknowledge", actor=i.agency.staff.first(), today=today)
    made += new
    concluded = []
    for key, idx, problem in (("concluded-ok", 4, False), ("concluded-order", 5, True), ("concluded-late", 6, True),
                              ("concluded-responded", 7, True), ("concluded-closed", 8, True)):
        i, new = _inspection(key, pick(idx), team, city, Inspection.Phase.AFTER, past)
        if new:
            i = _submit(i, inspector, past, problem=problem)
            svc.perform_inspection(inspection_id=i.pk, action="acknowledge", actor=i.agency.staff.first(), today=past)
            svc.save_notes(inspection_id=i.pk, summary=i.summary, internal_notes=i.internal_notes, actor=inspector,
                           conclusion=Inspection.Conclusion.RECTIFY if problem else Inspection.Conclusion.COMPLIANT)
            svc.perform_inspection(inspection_id=i.pk, action="conclude", actor=inspector, today=past)
        made += new
        concluded.append((key, i))

    # rectification orders: issued (running), overdue, responded, closed
    def order(inspection, issued_on):
        existing = RectificationOrder.objects.filter(inspection=inspection).first()
        if existing:
            return existing, False
        return svc.issue_rectification_order(agency=inspection.agency, filing=inspection.filing, inspection=inspection,
                                             origin=RectificationOrder.Origin.INSPECTION, findings=(
                                                 "1. 考评人员未按规定回避；2. 视频监控资料保存不全。请限期整改并报送整改报告。"),
                                             actor=city, today=issued_on), True

    by_key = dict(concluded)
    order(by_key["concluded-order"], today)
    late, new = order(by_key["concluded-late"], past)
    if new:
        svc.sweep_orders(today)
    responded, new = order(by_key["concluded-responded"], today)
    if new:
        svc.respond_order(order_id=responded.pk, response="已调整考评人员安排，补齐视频资料。", today=today,
                          actor=responded.agency.staff.first())
    closed, new = order(by_key["concluded-closed"], past)
    if new:
        clerk = closed.agency.staff.first()
        svc.respond_order(order_id=closed.pk, response="已完成整改。", actor=clerk, today=past + datetime.timedelta(days=7))
        svc.perform_order(order_id=closed.pk, action="accept", actor=city, comment="整改到位，予以销号",
                          today=past + datetime.timedelta(days=10))
    return [f"监督检查 {Inspection.objects.count()} 项、整改通知 {RectificationOrder.objects.count()} 份"
            f"（新增检查 {made} 项）"]
