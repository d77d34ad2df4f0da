"""Dashboard panels: filings expiring within the window, within 30 days, and overdue [000 §3]; the
agency's renewal task; renewals waiting on each reviewer."""

from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.choices import OPEN, AssessmentState
from assessments.selectors import assessments_visible_to, expiring_counts, expiring_filings
from portal import dashboards
from portal.models import Role

S = AssessmentState
WAITING_ON = {
    Role.DISTRICT: [S.PRE_REVIEW],
    Role.INDUSTRY: [S.PRE_REVIEW],
    Role.CITY: [S.ACCEPTED, S.EXPERT_REVIEW, S.DECIDING],
    Role.EXPERT: [S.EXPERT_REVIEW],
}


def expiring_panel(user):
    today = timezone.localdate()
    counts = expiring_counts(user, today)  # the three in one query [issue #15 §6]
    if not any(counts.values()):
        return None
    rows = {key: list(qs[:20]) if counts[key] else [] for key, qs in expiring_filings(user, today).items()}
    return {"title": _("备案期满提醒"), "template": "assessments/panels/expiring.html", "rows": rows, "counts": counts,
            "today": today}


def renewal_work_panel(user):
    role = "admin" if user.is_superuser else user.role
    if role == Role.AGENCY:
        qs = assessments_visible_to(user).filter(state__in=OPEN)
    else:
        qs = assessments_visible_to(user).filter(state__in=WAITING_ON.get(role, []))
    items = list(qs.order_by("expires_on")[:20])
    if not items:
        return None
    return {"title": _("期满评估待办"), "template": "assessments/panels/work.html", "items": items}


for _role in (Role.AGENCY, Role.DISTRICT, Role.INDUSTRY, Role.CITY, Role.ADMIN):
    dashboards.register(_role, expiring_panel)
for _role in (Role.AGENCY, Role.DISTRICT, Role.INDUSTRY, Role.CITY, Role.EXPERT):
    dashboards.register(_role, renewal_work_panel)
