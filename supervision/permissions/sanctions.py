"""Who may act on a sanction or a voluntary termination: the one place these rules live [003 §20,
003 §22, 002 §31]. Who may *see* them is `supervision.selectors.sanctions`' job."""

from __future__ import annotations

from filings.choices import Route
from portal.models import Role


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _within(user, region) -> bool:
    return user.region_id is not None and region is not None and region.path.startswith(user.region.path)


def route_of(agency, filing) -> str:
    """The filing's route (district, industry department or city), or the agency's by its kind and
    ownership when no filing is named [000 §4(1), 002 §6]."""
    if filing is not None and filing.route:
        return filing.route
    from filings.models.agency import managing_level_for, route_for
    return route_for(agency, managing_level_for(agency, ""))


def may_propose(agency, filing, user) -> bool:
    """The district or industry department the filing is routed through proposes; the city may
    propose for any agency of its jurisdiction (city-routed agencies have no one else) [003 §20]."""
    if not _active(user):
        return False
    if user.role == Role.CITY:
        return _within(user, agency.region)
    route = route_of(agency, filing)
    if user.role == Role.DISTRICT:
        return route == Route.DISTRICT and _within(user, filing.region if filing is not None else agency.region)
    if user.role == Role.INDUSTRY:
        department = filing.industry_department_id if filing is not None else agency.industry_department_id
        return route == Route.INDUSTRY and user.industry_department_id is not None and \
            user.industry_department_id == department
    return False


def is_deciding_city(sanction, user) -> bool:
    """The city of the agency's jurisdiction reviews and decides [003 §20: 经复核认可后，由市人力资源社会
    保障部门…作出相应处理]."""
    return _active(user) and user.role == Role.CITY and _within(user, sanction.agency.region)


def is_deciding_city_of_review(review, user) -> bool:
    """The city that decided enters the review of its decision and its outcome [003 §20]."""
    return is_deciding_city(review.sanction, user)


def is_proposer_side(sanction, user) -> bool:
    """Whoever may propose for this agency may withdraw a proposal not yet decided."""
    return may_propose(sanction.agency, sanction.filing, user)


def is_agency_member(obj, user) -> bool:
    return (_active(user) and user.role == Role.AGENCY and user.agency_id is not None
            and user.agency_id == obj.agency_id)


def is_confirming_city(request, user) -> bool:
    """The city of the filing's jurisdiction confirms a voluntary termination [002 §31]."""
    return _active(user) and user.role == Role.CITY and _within(user, request.filing.region)
