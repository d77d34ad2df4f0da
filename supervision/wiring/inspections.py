"""What the inspections area registers when the app is ready: audit actions, sweeps, schedule
providers, demo seeders, dashboard panels, scopes."""

from django.utils.translation import gettext_lazy as _

from filings import directory_marks
from filings.selectors import register_inspection_scope
from portal import audit_actions, dashboards, deadlines, demo, schedule
from portal.models import Role
from supervision import demo_inspections
from supervision.selectors.inspections import open_inspection_agency_ids, rectifying_marks
from supervision.services.inspections import (INSPECTION_MACHINE, ORDER_MACHINE, remind_orders, running_deadlines,
                                              sweep_inspections, sweep_orders)
from supervision.views.inspections import agency_panel, inspector_panel, supervisor_panel

INSPECTION_MACHINE.register_audit_actions({"deem_acknowledged": _("逾期未回复，视为确认检查结果")})
ORDER_MACHINE.register_audit_actions({"mark_overdue": _("整改逾期"),
                                      "set_aside": _("处理决定经复议或诉讼撤销、变更，整改通知撤销")})
audit_actions.register({
    "inspection.open": _("发起监督检查"),
    "inspection.checklist": _("填写检查清单"),
    "inspection.finding": _("记录检查发现的问题"),
    "inspection.notes": _("填写检查情况和结论"),
    "inspection.evidence_upload": _("上传检查证据"),
    "inspection.evidence_download": _("下载检查证据"),
    "rectification.issue": _("下达整改通知"),
    "rectification.remind": _("整改到期提醒"),
    "rectification.evidence_upload": _("上传整改证明材料"),
    "rectification.evidence_download": _("下载整改证明材料"),
})

register_inspection_scope(open_inspection_agency_ids)
directory_marks.register_mark(rectifying_marks)
deadlines.register("supervision.inspections", sweep_inspections)
deadlines.register("supervision.rectification_overdue", sweep_orders)
deadlines.register("supervision.rectification_remind", remind_orders)
schedule.register("supervision.inspections", running_deadlines)
demo.register("supervision.inspections", demo_inspections.seed)
dashboards.register(Role.INSPECTOR, inspector_panel)
dashboards.register(Role.AGENCY, agency_panel)
for _role in (Role.DISTRICT, Role.CITY):
    dashboards.register(_role, supervisor_panel)
