"""Shared set-up for the inspections tests: a second inspector (a team is at least two [002 §25])
and shortcuts through the real services."""

import datetime

from portal.demo import demo_user
from portal.models import Role
from supervision.models import Inspection, InspectionCheck
from supervision.services import inspections as svc

MONDAY = datetime.date(2026, 3, 2)


def second_inspector(w):
    if not hasattr(w, "inspector2"):
        w.inspector2 = demo_user("inspector2", role=Role.INSPECTOR, full_name="督导员乙", region=w.shanghai)
    return w.inspector2


def outsider_inspector(w):
    return demo_user("inspector3", role=Role.INSPECTOR, full_name="督导员丙", region=w.shanghai)


def open_one(w, agency=None, *, filing=None, phase=Inspection.Phase.DURING, today=MONDAY):
    return svc.open_inspection(agency=agency or w.pudong_enterprise, filing=filing,
                               team=[w.inspector, second_inspector(w)], origin=Inspection.Origin.AD_HOC,
                               phase=phase, reason="专项检查考场秩序", actor=w.city, today=today)


def fill_all(inspection, actor, result=InspectionCheck.Result.COMPLIANT):
    svc.fill_checklist(inspection_id=inspection.pk, actor=actor,
                       results={c.pk: (result, "") for c in inspection.checks.all()})


def submitted(w, agency=None, today=MONDAY, **kw):
    inspection = open_one(w, agency, today=today, **kw)
    fill_all(inspection, w.inspector)
    row = inspection.checks.first()
    svc.fill_checklist(inspection_id=inspection.pk, actor=w.inspector,
                       results={row.pk: (InspectionCheck.Result.NON_COMPLIANT, "考场未张贴考场规则")})
    svc.add_finding(inspection_id=inspection.pk, severity="minor", description="考场未张贴考场规则",
                    check_id=row.pk, actor=w.inspector)
    return svc.perform_inspection(inspection_id=inspection.pk, action="submit_findings", actor=w.inspector,
                                  today=today)


def concluded(w, agency=None, today=MONDAY, conclusion=Inspection.Conclusion.RECTIFY):
    inspection = submitted(w, agency, today=today)
    svc.perform_inspection(inspection_id=inspection.pk, action="acknowledge",
                           actor=inspection.agency.staff.first(), today=today)
    svc.save_notes(inspection_id=inspection.pk, summary=inspection.summary, internal_notes="内部：复查重点",
                   conclusion=conclusion, actor=w.inspector)
    return svc.perform_inspection(inspection_id=inspection.pk, action="conclude", actor=w.inspector, today=today)


def order_for(w, agency=None, today=MONDAY, **kw):
    return svc.issue_rectification_order(agency=agency or w.pudong_enterprise, origin="inspection",
                                         findings="考场规则未张贴，须整改", actor=w.city, today=today, **kw)
