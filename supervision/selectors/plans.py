"""Role-scoped reads of plans and draws: the only way the screens get them (out of scope → 404)
[SPEC §1, §5]. The city sees every plan, a district the plans of its region, an inspector the plans
whose pool holds them; the public sees the published items, plans and draws."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.models import Role
from supervision.models.plans import Draw, InspectionItem, InspectionPlan

STAFF = (Role.CITY, Role.DISTRICT, Role.INSPECTOR, Role.ADMIN)


def may_see_plans(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in STAFF))


def plans_visible_to(user) -> QuerySet[InspectionPlan]:
    qs = InspectionPlan.objects.select_related("region")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.role == Role.ADMIN:
        return qs
    if user.role in (Role.CITY, Role.DISTRICT) and user.region_id:
        return qs.filter(region__path__startswith=user.region.path)
    if user.role == Role.INSPECTOR:
        return qs.filter(inspectors=user).exclude(state=InspectionPlan.State.DRAFT).distinct()
    return qs.none()


def draws_visible_to(user) -> QuerySet[Draw]:
    return Draw.objects.select_related("plan", "plan__region").filter(plan__in=plans_visible_to(user))


def public_items() -> QuerySet[InspectionItem]:
    return InspectionItem.objects.filter(published=True)


def public_plans() -> QuerySet[InspectionPlan]:
    return (InspectionPlan.objects.exclude(state=InspectionPlan.State.DRAFT).select_related("region")
            .prefetch_related("items"))


def public_draws() -> QuerySet[Draw]:
    return Draw.objects.select_related("plan", "plan__region", "replaces").exclude(
        plan__state=InspectionPlan.State.DRAFT)
