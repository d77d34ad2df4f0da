"""Who sees which complaint: the only way the complaint views get objects [002 §27, 003 §19, SPEC §9].
Out of scope → the view answers 404. An agency sees the complaints about it from acceptance on, never
who made them (the templates and `agency_view` leave the complainant out)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet

from portal.models import Role
from supervision.models.complaints import Complaint, ComplaintQuestion

__all__ = ["agency_answer_timeliness", "complaints_visible_to", "figures", "handled_by", "inspections_opened_from",
           "upheld_counts", "is_staff_reader"]


def is_staff_reader(user) -> bool:
    return user.is_authenticated and user.is_active and (
        user.is_superuser or user.role in (Role.ADMIN, Role.CITY, Role.DISTRICT, Role.INDUSTRY))


def complaints_visible_to(user) -> QuerySet[Complaint]:
    qs = Complaint.objects.select_related("agency", "region", "industry_department", "handler")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser or user.role == Role.ADMIN:
        return qs
    if user.role == Role.AGENCY:
        if not user.agency_id:
            return qs.none()
        return qs.filter(agency_id=user.agency_id, state__in=Complaint.AGENCY_STATES)
    if user.role == Role.CITY:
        return qs.filter(region__path__startswith=user.region.path) if user.region_id else qs.none()
    if user.role == Role.DISTRICT:
        if not user.region_id:
            return qs.none()
        return qs.filter(route=Complaint.Route.DISTRICT, region__path__startswith=user.region.path)
    if user.role == Role.INDUSTRY:
        if not user.industry_department_id:
            return qs.none()
        return qs.filter(route=Complaint.Route.INDUSTRY, industry_department_id=user.industry_department_id)
    return qs.none()


def handled_by(user) -> QuerySet[Complaint]:
    """The work list: open complaints in the user's scope, the oldest limit first."""
    return complaints_visible_to(user).filter(state__in=Complaint.OPEN_STATES).order_by("acknowledge_due", "pk")


def upheld_counts(agency_ids, since: datetime.date, until: datetime.date) -> dict[int, int]:
    """Complaints concluded upheld or partly upheld per agency, concluded within [since, until]
    (renewal rubric item 4.3, star rating) — one query; agencies without any are 0."""
    ids = list(agency_ids)
    out = dict.fromkeys(ids, 0)
    rows = (Complaint.objects.filter(agency_id__in=ids, outcome__in=(Complaint.Outcome.UPHELD, Complaint.Outcome.PARTLY),
                                     concluded_on__gte=since, concluded_on__lte=until,
                                     state__in=(Complaint.State.CONCLUDED, Complaint.State.REPLIED))
            .values("agency_id").annotate(n=Count("pk")))
    for row in rows:
        out[row["agency_id"]] = row["n"]
    return out


def timeliness(agency_ids, since: datetime.date, until: datetime.date) -> dict[int, dict]:
    """Per agency: complaints concerning it and how many were concluded within the limit."""
    ids = list(agency_ids)
    out = {i: {"complaints": 0, "upheld": 0} for i in ids}
    rows = (Complaint.objects.filter(agency_id__in=ids, submitted_on__gte=since, submitted_on__lte=until)
            .values("agency_id").annotate(n=Count("pk"), upheld=Count("pk", filter=Q(
                outcome__in=(Complaint.Outcome.UPHELD, Complaint.Outcome.PARTLY)))))
    for row in rows:
        out[row["agency_id"]] = {"complaints": row["n"], "upheld": row["upheld"]}
    return out


def figures(user) -> dict:
    """Counts by state, category and outcome, and the average working days to conclude, for the
    complaints in the user's scope."""
    from portal.workdays import workdays_between
    qs = complaints_visible_to(user)
    by = lambda field: list(qs.values(field).annotate(n=Count("pk")).order_by(field))  # noqa: E731
    state_labels, cat_labels, out_labels = (dict(Complaint.State.choices), dict(Complaint.Category.choices),
                                            dict(Complaint.Outcome.choices))
    concluded = list(qs.filter(accepted_on__isnull=False, concluded_on__isnull=False)
                     .values_list("accepted_on", "concluded_on", "conclude_due"))
    days = [workdays_between(a, c) for a, c, _d in concluded]
    late = sum(1 for _a, c, d in concluded if d and c > d)
    return {
        "total": qs.count(),
        "by_state": [(state_labels.get(r["state"], r["state"]), r["n"]) for r in by("state")],
        "by_category": [(cat_labels.get(r["category"], r["category"]), r["n"]) for r in by("category")],
        "by_outcome": [(out_labels.get(r["outcome"], r["outcome"]), r["n"]) for r in by("outcome") if r["outcome"]],
        "concluded": len(days),
        "average_days": round(sum(days) / len(days), 1) if days else None,
        "late": late,
    }


def agency_answer_timeliness(agency_ids, since: datetime.date, until: datetime.date,
                             today: datetime.date | None = None) -> dict[int, bool | None]:
    """Rubric item 4.3 (投诉处理及时并反馈 [004 Annex 2 4.3]) and the star rating read from the records,
    in one query for any number of agencies: per agency, True when every question the bureau put to
    it about a complaint (every `ComplaintQuestion`, not only the latest), due within [since, until],
    was answered by its due date; False when one
    was answered late, or is unanswered and past its due date; None when no question was put (or
    the only ones are still within their time): nothing to judge from, a person judges.
    "Past its due date" is judged as of the end of the period or today, whichever is earlier."""
    from django.utils import timezone

    as_of = min(until, today or timezone.localdate())
    ids = list(agency_ids)
    out: dict[int, bool | None] = dict.fromkeys(ids)
    rows = (ComplaintQuestion.objects.filter(agency_id__in=ids, due_on__gte=since, due_on__lte=until)
            .values_list("agency_id", "due_on", "answered_on"))
    for agency_id, due, answered in rows:
        if answered is None and due >= as_of:
            continue  # still within its time: neither in time nor late yet
        timely = answered is not None and answered <= due
        out[agency_id] = timely and out[agency_id] is not False
    return out


def inspections_opened_from(complaint) -> QuerySet:
    """The inspections opened from this complaint's investigation (Inspection.Origin.COMPLAINT)."""
    from supervision.models.inspections import Inspection

    return Inspection.objects.filter(origin=Inspection.Origin.COMPLAINT, origin_id=complaint.pk).order_by("pk")
