"""Who may act on inspection plans and draws: the one place these rules live [002 §25, 003 §21].
The city runs plans for the whole city, a district for its own region."""

from __future__ import annotations

from portal.models import Role


def _within(user, region) -> bool:
    return (user is not None and user.is_authenticated and user.is_active and user.region_id is not None
            and region is not None and region.path.startswith(user.region.path))


def may_manage_region(region, user) -> bool:
    """City or district staff whose region contains the plan's region."""
    return bool(user is not None and getattr(user, "role", None) in (Role.CITY, Role.DISTRICT)
                and _within(user, region))


def may_manage_plan(plan, user) -> bool:
    return may_manage_region(plan.region, user)


def may_manage_draw(draw, user) -> bool:
    return may_manage_region(draw.plan.region, user)


def may_manage_items(user) -> bool:
    """The item list (抽查事项清单) is the city's."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.role == Role.CITY)
