"""Dashboard panels for reviewers and experts [issue 3 §12]: how much waits, how much is due soon
or overdue, and the most urgent items; for experts, their open assignments."""

from __future__ import annotations

from django.db.models import F, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from filings import worklist
from filings.models import ExpertAssignment, Filing, ScopeItem
from portal import dashboards
from portal.models import Role

TOP = 5


def reviewer_panel(user) -> dict:
    today = timezone.localdate()
    counts = worklist.tab_counts(user, today)
    order = (F("acceptance_due").asc(nulls_last=True), F("decision_due").asc(nulls_last=True), "pk")
    # The most urgent ids first (sorted from an index), then only those rows read whole [issue #15 §6].
    urgent_ids = worklist.for_tab(user, "todo", today).order_by(*order).values("pk")[:TOP]
    urgent = (Filing.objects.filter(pk__in=urgent_ids).select_related("agency", "region")
              .prefetch_related(Prefetch("scope", queryset=ScopeItem.objects.select_related("occupation")))
              .order_by(*order))
    clock = worklist.Clock(today)
    return {"title": _("备案审核"), "template": "filings/review/_dashboard_panel.html", "counts": counts,
            "rows": [{"filing": f, "countdown": clock.current(f)} for f in urgent]}


def expert_panel(user) -> dict:
    open_assignments = list(ExpertAssignment.objects.filter(expert=user, submitted_at__isnull=True)
                            .select_related("filing__agency", "filing__region").order_by("assigned_at"))
    return {"title": _("待完成的评审任务"), "template": "filings/expert/_dashboard_panel.html",
            "assignments": open_assignments}


for _role in (Role.DISTRICT, Role.INDUSTRY, Role.CITY):
    dashboards.register(_role, reviewer_panel)
dashboards.register(Role.EXPERT, expert_panel)
