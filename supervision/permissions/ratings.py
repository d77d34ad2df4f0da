"""Who may act on ratings: the one place these rules live [SPEC §1, §5]. The city runs the rating
(formulas, rounds, confirmation); an agency replies to its own rating; districts only read."""

from portal.models import Role


def _within(user, region) -> bool:
    return bool(user.region_id and region is not None and region.path.startswith(user.region.path))


def is_city(obj, user) -> bool:
    """A city reviewer (the rating is the city's [003 §21]; rounds and formulas are city-wide)."""
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.CITY and user.region_id)


def is_rating_city(rating, user) -> bool:
    return is_city(rating, user) and _within(user, rating.region)


def is_rating_agency(rating, user) -> bool:
    return bool(user and user.is_authenticated and user.role == Role.AGENCY and user.agency_id
                and user.agency_id == rating.agency_id)
