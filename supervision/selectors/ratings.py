"""Role-scoped reads of star ratings [SPEC §1 object-level rule]: the only way the views get them
(out of scope → not found), and what the directory and the API read (`current_stars`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.db.models.expressions import BaseExpression

from portal.models import Role
from supervision.models.ratings import FormulaState, RatingFormula, RatingRound, RatingState, RoundState, StarRating

# What an agency, a district or the public sees: never a rating still being computed.
SHOWN_STATES = (RatingState.PUBLISHED, RatingState.REPLIED, RatingState.CONFIRMED)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def ratings_visible_to(user) -> QuerySet[StarRating]:
    """Agency: its own, once published. District: its region's, once published (read-only). City:
    its region's, every state. Administrators: all. Nobody else."""
    qs = StarRating.objects.select_related("agency", "region", "round", "round__formula")
    if not _active(user):
        return qs.none()
    if user.is_superuser or user.role == Role.ADMIN:
        return qs
    if user.role == Role.AGENCY:
        return qs.filter(agency_id=user.agency_id, state__in=SHOWN_STATES) if user.agency_id else qs.none()
    if user.role == Role.DISTRICT:
        return (qs.filter(region__path__startswith=user.region.path, state__in=SHOWN_STATES)
                if user.region_id else qs.none())
    if user.role == Role.CITY:
        return qs.filter(region__path__startswith=user.region.path) if user.region_id else qs.none()
    return qs.none()


def rounds_visible_to(user) -> QuerySet[RatingRound]:
    """The city and administrators run every round; a district reads those published or confirmed."""
    qs = RatingRound.objects.select_related("formula")
    if not _active(user):
        return qs.none()
    if user.is_superuser or user.role == Role.ADMIN or (user.role == Role.CITY and user.region_id):
        return qs
    if user.role == Role.DISTRICT and user.region_id:
        return qs.filter(state__in=[RoundState.PUBLISHED, RoundState.CONFIRMED])
    return qs.none()


def formulas_visible_to(user) -> QuerySet[RatingFormula]:
    """Drafts are the city's; published versions are public (`published_formulas`)."""
    if _active(user) and (user.is_superuser or user.role in (Role.ADMIN, Role.CITY)):
        return RatingFormula.objects.all()
    return published_formulas()


def published_formulas() -> QuerySet[RatingFormula]:
    return RatingFormula.objects.filter(state=FormulaState.PUBLISHED)


def public_rounds() -> QuerySet[RatingRound]:
    return RatingRound.objects.filter(state=RoundState.CONFIRMED).select_related("formula")


def public_ratings(rnd: RatingRound) -> QuerySet[StarRating]:
    """结果公布 [002 §29]: a confirmed round's ratings: agency, stars, score."""
    return (StarRating.objects.filter(round=rnd, state=RatingState.CONFIRMED)
            .select_related("agency", "region").order_by("-stars", "-score", "agency__name"))


def current_stars(agency_ids: Iterable[int]) -> dict[int, int]:
    """{agency_id: stars} of each agency's latest confirmed rating (the directory and the API [SPEC §5]).
    One query. `agency_ids`: ids, or a queryset of ids or an expression (`supervision.id_lists.id_array`)
    used as the `__in` right-hand side as it is."""
    ids = agency_ids if isinstance(agency_ids, (QuerySet, BaseExpression)) else list(agency_ids)
    out: dict[int, int] = {}
    rows = (StarRating.objects.filter(agency_id__in=ids, state=RatingState.CONFIRMED)
            .order_by("agency_id", "-round__year").values_list("agency_id", "stars"))
    for agency_id, stars in rows:
        out.setdefault(agency_id, stars)
    return out


def star_marks(agency_ids) -> dict[int, list[tuple[str, str]]]:
    """The directory mark (filings.directory_marks): ("stars", "★★★★☆ 2025年度") per agency, one query."""
    ids = list(agency_ids)
    out: dict[int, list[tuple[str, str]]] = {}
    rows = (StarRating.objects.filter(agency_id__in=ids, state=RatingState.CONFIRMED)
            .order_by("agency_id", "-round__year").values_list("agency_id", "stars", "round__year"))
    for agency_id, stars, year in rows:
        if agency_id not in out:
            out[agency_id] = [("stars", f"{'★' * stars}{'☆' * (5 - stars)} {year}年度")]
    return out
