"""Who may act on a complaint: the one place these rules live [002 §27, 003 §19, SPEC §9].
Who may *see* one is `supervision.selectors.complaints`' job."""

from __future__ import annotations

from portal.models import Role


def _within(user, region) -> bool:
    return user.region_id is not None and region is not None and region.path.startswith(user.region.path)


def is_handler_for(complaint, user) -> bool:
    """The department the complaint is routed to: the district of its region, the industry
    department, or the city; the city of the region may always take a complaint in hand (it
    supervises the districts and receives what they leave overdue)."""
    if user is None or not user.is_authenticated or not user.is_active or user.is_superuser:
        return False
    if user.role == Role.CITY:
        return _within(user, complaint.region)
    if user.role == Role.DISTRICT:
        return complaint.route == "district" and _within(user, complaint.region)
    if user.role == Role.INDUSTRY:
        return (complaint.route == "industry" and user.industry_department_id is not None
                and user.industry_department_id == complaint.industry_department_id)
    return False


def may_handle(complaint, user) -> bool:
    return is_handler_for(complaint, user)


def is_agency_of(complaint, user) -> bool:
    """A clerk of the agency complained about: reads (never who complained) and answers."""
    return (user is not None and user.is_authenticated and user.role == Role.AGENCY
            and user.agency_id is not None and user.agency_id == complaint.agency_id)


def may_open_inspection(complaint, user) -> bool:
    """An inspection opened from a complaint's investigation [002 §27, 003 §17-19]: by someone who
    handles the complaint AND supervises the agency's region (the city or the district: an industry
    department handles complaints but opens no inspection), for a named agency only."""
    from supervision.permissions.inspections import is_supervisor

    return (complaint.agency_id is not None and may_handle(complaint, user)
            and is_supervisor(complaint.agency, user))
