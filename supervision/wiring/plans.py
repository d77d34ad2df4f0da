"""What the plans area registers when the app is ready: audit actions, sweeps, schedule
providers, demo seeders, dashboard panels, scopes."""

from django.utils.translation import gettext_lazy as _

from portal import audit_actions, dashboards, demo
from portal.models import Role
from supervision import demo_plans
from supervision.services.plans import DRAW_MACHINE, PLAN_MACHINE
from supervision.views.plans import supervisor_panel

PLAN_MACHINE.register_audit_actions({"mark_drawn": _("抽查计划已完成抽取")})
DRAW_MACHINE.register_audit_actions()
audit_actions.register({
    "plan.create": _("新建抽查计划"),
    "plan.item_create": _("新增抽查事项"),
    "plan.recusal": _("登记检查人员回避"),
    "draw.commit": _("公布抽取种子承诺"),
    "plan.expert_draw": _("从专家库抽取评审专家"),
})
demo.register("supervision.plans", demo_plans.seed)
for _role in (Role.DISTRICT, Role.CITY):
    dashboards.register(_role, supervisor_panel)
