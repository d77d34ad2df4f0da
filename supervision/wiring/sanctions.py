"""What the sanctions area registers when the app is ready: audit actions, the cancellation sweep,
the demo seeder, dashboard panels and the directory mark [003 §20, §22, 002 §31]."""

from django.utils.translation import gettext_lazy as _

from filings import directory_marks
from portal import audit_actions, dashboards, deadlines, demo
from portal.models import Role
from supervision.selectors.sanctions import sanction_marks
from supervision.services.sanction_reviews import REVIEW_MACHINE
from supervision.services.sanctions import SANCTION_MACHINE, TERMINATION_MACHINE, propose_cancellations

SANCTION_MACHINE.register_audit_actions()
REVIEW_MACHINE.register_audit_actions()
TERMINATION_MACHINE.register_audit_actions()
audit_actions.register({
    "sanction.propose": _("提出处理建议"),
    "sanction_review.lodge": _("登记处理决定的行政复议或行政诉讼"),
    "termination.apply": _("申请自愿终止备案"),
    "termination.task": _("完成自愿终止收尾事项"),
})

directory_marks.register_mark(sanction_marks)
deadlines.register("supervision.cancellation_grounds", propose_cancellations)


def _seed():
    from supervision.demo_sanctions import seed

    return seed()


demo.register("supervision.sanctions", _seed)


def city_panel(user):
    from supervision.selectors import sanctions as sel

    pending = list(sel.pending_for_city(user)[:20])
    terminations = list(sel.terminations_visible_to(user).filter(state="submitted")[:20])
    if not (pending or terminations):
        return None
    return {"title": _("处理建议与自愿终止待复核"), "template": "supervision/sanctions/panel.html",
            "pending": pending, "terminations": terminations, "city": True}


def proposer_panel(user):
    from supervision.selectors import sanctions as sel

    proposed = list(sel.sanctions_visible_to(user).filter(proposed_by=user).order_by("-proposed_on")[:10])
    return {"title": _("处理措施"), "template": "supervision/sanctions/panel.html", "proposed": proposed,
            "proposer": True}


def agency_panel(user):
    from supervision.selectors import sanctions as sel

    decided = list(sel.sanctions_visible_to(user)[:10])
    terminations = list(sel.terminations_visible_to(user).exclude(state="closed")[:5])
    return {"title": _("处理措施与自愿终止"), "template": "supervision/sanctions/panel.html", "decided": decided,
            "terminations": terminations, "agency": True}


dashboards.register(Role.CITY, city_panel)
for _role in (Role.DISTRICT, Role.INDUSTRY):
    dashboards.register(_role, proposer_panel)
dashboards.register(Role.AGENCY, agency_panel)
