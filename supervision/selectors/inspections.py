"""Role-scoped reads of inspections and rectification orders: the only way the views get them
[SPEC §1 object-level rule]. Out of scope → not found (404)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from portal.models import Role, User
from supervision.models.inspections import Inspection, RectificationOrder

OPEN_INSPECTION_STATES = (Inspection.State.OPEN, Inspection.State.FINDINGS_SUBMITTED, Inspection.State.ACKNOWLEDGED,
                          Inspection.State.ANSWERED)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _region_q(user, prefix: str = "agency__region__path") -> Q:
    return Q(**{f"{prefix}__startswith": user.region.path})


def inspections_visible_to(user) -> QuerySet[Inspection]:
    """Inspectors: their own team's inspections only. Agencies: their own, once the findings were
    submitted (an open inspection's working papers are the team's). City and district: their region.
    Administrators: all."""
    qs = Inspection.objects.select_related("agency", "agency__region", "filing")
    if not _active(user):
        return qs.none()
    if user.is_superuser or user.role == Role.ADMIN:
        return qs
    if user.role == Role.INSPECTOR:
        return qs.filter(pk__in=Inspection.team.through.objects.filter(user_id=user.pk).values("inspection_id"))
    if user.role == Role.AGENCY:
        if not user.agency_id:
            return qs.none()
        return qs.filter(agency_id=user.agency_id).exclude(state=Inspection.State.OPEN)
    if user.role in (Role.CITY, Role.DISTRICT):
        return qs.filter(_region_q(user)) if user.region_id else qs.none()
    return qs.none()


def orders_visible_to(user) -> QuerySet[RectificationOrder]:
    """Agencies: their own orders. Inspectors: orders from their team's inspections. City and
    district: their region. Administrators: all."""
    qs = RectificationOrder.objects.select_related("agency", "agency__region", "inspection", "filing", "issued_by")
    if not _active(user):
        return qs.none()
    if user.is_superuser or user.role == Role.ADMIN:
        return qs
    if user.role == Role.AGENCY:
        return qs.filter(agency_id=user.agency_id) if user.agency_id else qs.none()
    if user.role == Role.INSPECTOR:
        return qs.filter(inspection__in=inspections_visible_to(user).values("pk"))
    if user.role in (Role.CITY, Role.DISTRICT):
        return qs.filter(_region_q(user)) if user.region_id else qs.none()
    return qs.none()


def open_inspection_agency_ids(user: User) -> QuerySet:
    """The agencies an inspector may read while inspecting them: an inspection not yet concluded
    whose team includes them (`filings.selectors.register_inspection_scope`)."""
    if not _active(user) or user.role != Role.INSPECTOR:
        return Inspection.objects.none().values("agency_id")
    return (Inspection.objects.filter(team=user, state__in=OPEN_INSPECTION_STATES)
            .values("agency_id"))


def agencies_rectifying() -> QuerySet:
    """Ids of agencies with an order not yet verified closed: "整改中" in the directory, a bar to
    evaluation batches [002 §30: 整改期内不得开展评价活动]."""
    return (RectificationOrder.objects.filter(state__in=RectificationOrder.OPEN_STATES)
            .values_list("agency_id", flat=True).distinct())


def rectifying_marks(agency_ids) -> dict[int, list[tuple[str, str]]]:
    """The directory mark (filings.directory_marks): one query for the page."""
    ids = set(agencies_rectifying().filter(agency_id__in=list(agency_ids)))
    return {pk: [("rectifying", "整改中")] for pk in ids}


def public_results() -> QuerySet[Inspection]:
    """结果公告: concluded inspections, with whether an order was issued; nothing internal."""
    from django.db.models import Exists, OuterRef
    return (Inspection.objects.filter(state=Inspection.State.CONCLUDED)
            .select_related("agency", "agency__region")
            .annotate(order_issued=Exists(RectificationOrder.objects.filter(inspection=OuterRef("pk"))))
            .only("number", "phase", "conclusion", "concluded_on", "opened_on", "origin", "agency__name",
                  "agency__region__name", "agency__uscc")
            .order_by("-concluded_on", "-pk"))
