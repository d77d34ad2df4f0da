"""Who may act on an inspection or a rectification order: the one place these rules live [SPEC §1, §5].
Who may *see* them is `supervision.selectors.inspections`' job."""

from __future__ import annotations

from portal.models import Role


def _within(user, region) -> bool:
    return user.region_id is not None and region is not None and region.path.startswith(user.region.path)


def is_supervisor(agency, user) -> bool:
    """The city or the district of the agency's region: opens inspections, issues orders [003 §18-20]."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.role in (Role.CITY, Role.DISTRICT) and _within(user, agency.region)


def is_team_member(inspection, user) -> bool:
    """An inspector on the inspection's team."""
    return (user.role == Role.INSPECTOR and user.is_active
            and inspection.team.filter(pk=user.pk).exists())


def is_agency_member(inspection, user) -> bool:
    return user.role == Role.AGENCY and user.agency_id is not None and user.agency_id == inspection.agency_id


def may_issue_order(inspection, user) -> bool:
    """From a concluded inspection: its team or the supervising authority."""
    return is_team_member(inspection, user) or is_supervisor(inspection.agency, user)


def is_order_agency(order, user) -> bool:
    return user.role == Role.AGENCY and user.agency_id is not None and user.agency_id == order.agency_id


def is_order_verifier(order, user) -> bool:
    """The issuer verifies [002 §30]: the person who issued it, or the city of the agency's region
    (for orders the system or another area issued, and when the issuer has moved on)."""
    if not user.is_active:
        return False
    if order.issued_by_id is not None and order.issued_by_id == user.pk and user.role != Role.AGENCY:
        return True
    return user.role == Role.CITY and _within(user, order.agency.region)
