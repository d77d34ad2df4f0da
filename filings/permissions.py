"""Who may act on a filing: the one place these rules live [SPEC §1].

Transition methods name these functions in `permission=`; services check them before calling a
transition. Who may *see* what is the selectors' job (`filings.selectors.scoped_to`): lists, details
and downloads all read through them, so an object out of scope is simply not found.
"""

from portal.models import Role

from .choices import Route


def _within(user, region) -> bool:
    return user.region_id is not None and region is not None and region.path.startswith(user.region.path)


def is_agency_member(filing, user) -> bool:
    return user.role == Role.AGENCY and user.agency_id is not None and user.agency_id == filing.agency_id


def is_city_reviewer(filing, user) -> bool:
    return user.role == Role.CITY and _within(user, filing.region)


def is_pre_reviewer(filing, user) -> bool:
    """The district or industry department the filing is routed through [000 §4(1), 003 §7]."""
    if filing.route == Route.DISTRICT:
        return user.role == Role.DISTRICT and _within(user, filing.region)
    if filing.route == Route.INDUSTRY:
        return (user.role == Role.INDUSTRY and user.industry_department_id is not None
                and user.industry_department_id == filing.industry_department_id)
    return False


def is_receiving_authority(filing, user) -> bool:
    """Whoever the submission was routed to does the completeness check [002 §10]."""
    return is_city_reviewer(filing, user) if filing.route == Route.CITY else is_pre_reviewer(filing, user)


def is_assigned_expert(filing, user) -> bool:
    return user.role == Role.EXPERT and filing.panel.filter(expert=user).exists()
