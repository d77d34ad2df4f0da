"""What the complaints area registers when the app is ready: audit actions, sweeps, schedule
providers, demo seeders, dashboard panels, scopes."""

from django.utils.translation import gettext_lazy as _

from portal import audit_actions, dashboards, deadlines, demo
from portal.models import Role
from supervision.services.complaints import COMPLAINT_MACHINE, sweep_complaints

COMPLAINT_MACHINE.register_audit_actions({"escalate": _("逾期未受理，提级市级办理"),
                                          "reopen": _("投诉人申请重新处理")})
audit_actions.register({
    "complaint.file": _("提交投诉举报"),
    "complaint.note": _("记录调查情况"),
    "complaint.ask_agency": _("要求机构说明情况"),
    "complaint.agency_answer": _("机构提交情况说明"),
    "complaint.inspection_open": _("就投诉发起监督检查"),
    "complaint.remind": _("投诉办结到期提醒"),
    "complaint.overdue": _("投诉逾期未办结，提请督办"),
    "complaint.evidence_download": _("下载投诉证据"),
    "complaint.status_view": _("投诉人查询办理进度"),
})
deadlines.register("supervision.complaints", sweep_complaints)


def _seed():
    from supervision.demo_complaints import seed

    return seed()


def staff_panel(user):
    from django.utils import timezone

    from supervision.selectors.complaints import handled_by

    items = list(handled_by(user)[:20])
    if not items:
        return None
    return {"title": _("投诉举报待办"), "template": "supervision/complaints/panel.html", "complaints": items,
            "today": timezone.localdate()}


def agency_panel(user):
    from django.utils import timezone

    from supervision.models.complaints import Complaint
    from supervision.selectors.complaints import complaints_visible_to

    items = list(complaints_visible_to(user).filter(state__in=(Complaint.State.ACCEPTED,
                                                               Complaint.State.INVESTIGATING))[:20])
    if not items:
        return None
    return {"title": _("涉及本机构的投诉"), "template": "supervision/complaints/panel.html", "complaints": items,
            "today": timezone.localdate(), "agency": True}


demo.register("supervision.complaints", _seed)
dashboards.register(Role.AGENCY, agency_panel)
for _role in (Role.DISTRICT, Role.INDUSTRY, Role.CITY):
    dashboards.register(_role, staff_panel)


def _openapi():
    from supervision.api import openapi_paths

    return openapi_paths()


from filings.api import register_openapi  # noqa: E402

register_openapi(_openapi)


from filings import notices as _notices  # noqa: E402
from supervision.services.complaints import track_objection  # noqa: E402

if track_objection not in _notices.OBJECTION_HOOKS:
    _notices.OBJECTION_HOOKS.append(track_objection)


def renewal_complaint_records(agency_ids, since, until):
    """Rubric item 4.3 read from the complaint records [004 Annex 2 4.3]."""
    from supervision.selectors.complaints import agency_answer_timeliness

    return agency_answer_timeliness(agency_ids, since, until)


from assessments import complaint_records as _complaint_records  # noqa: E402

_complaint_records.register(renewal_complaint_records)
