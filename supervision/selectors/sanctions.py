"""Role-scoped reads of sanctions and voluntary terminations: the only way the views get them
[SPEC §1 object-level rule]. Out of scope → not found (404)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from portal.models import Role
from supervision.models.sanctions import Sanction, SanctionReview, TerminationRequest


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _scoped(qs: QuerySet, user, *, agency: str = "agency", published: Q | None = None) -> QuerySet:
    if not _active(user):
        return qs.none()
    if user.is_superuser or user.role == Role.ADMIN:
        return qs
    if user.role == Role.AGENCY:
        if not user.agency_id:
            return qs.none()
        qs = qs.filter(**{f"{agency}_id": user.agency_id})
        return qs.filter(published) if published is not None else qs
    if user.role in (Role.CITY, Role.DISTRICT):
        return qs.filter(**{f"{agency}__region__path__startswith": user.region.path}) if user.region_id else qs.none()
    if user.role == Role.INDUSTRY:
        if not user.industry_department_id:
            return qs.none()
        return qs.filter(**{f"{agency}__industry_department_id": user.industry_department_id})
    return qs.none()


def sanctions_visible_to(user) -> QuerySet[Sanction]:
    """City and district: their region; an industry department: the agencies it supervises;
    the agency: the decisions concerning it (a proposal under review is the authorities' own
    until the city decides [003 §20]); administrators: all; nobody else."""
    qs = (Sanction.objects.select_related("agency", "agency__region", "filing", "proposed_by", "decided_by")
          .prefetch_related("reviews"))
    return _scoped(qs, user, published=Q(state__in=Sanction.PUBLISHED_STATES))


def terminations_visible_to(user) -> QuerySet[TerminationRequest]:
    qs = TerminationRequest.objects.select_related("agency", "agency__region", "filing", "filing__region")
    return _scoped(qs, user)


def pending_for_city(user) -> QuerySet[Sanction]:
    return sanctions_visible_to(user).filter(state=Sanction.State.PROPOSED)


def public_sanctions() -> QuerySet[Sanction]:
    """处理结果公告: every decided sanction (including lifted ones, marked so), with nothing internal:
    agency, measure, grounds, date of effect, whether the city's review varied the proposal, and
    whether the decision is under reconsideration or litigation, upheld, varied or revoked [003 §20;
    《行政处罚法》§48 practice] (one query more for the page: the reviews, prefetched)."""
    return (Sanction.objects.filter(state__in=Sanction.PUBLISHED_STATES)
            .select_related("agency", "agency__region").prefetch_related("reviews")
            .only("number", "measure", "proposed_measure", "grounds", "cancellation_grounds", "state", "decided_on",
                  "lifted_on", "altered", "agency__name", "agency__uscc", "agency__region__name")
            .order_by("-decided_on", "-pk"))


def sanctions_since(agency_ids: Iterable[int], since: datetime.date) -> dict[int, list]:
    """{agency_id: [decided sanctions since `since`, newest first]} (ratings' factor, one query).
    A decision revoked on reconsideration or by a court does not count [003 §20]."""
    ids = list(agency_ids)
    out: dict[int, list] = {pk: [] for pk in ids}
    for s in (Sanction.objects.filter(agency_id__in=ids, state__in=Sanction.PUBLISHED_STATES, decided_on__gte=since)
              .exclude(reviews__state=SanctionReview.State.REVOKED).order_by("-decided_on", "-pk")):
        out.setdefault(s.agency_id, []).append(s)
    return out


# Measures shown next to an agency in the directory (a suspension shows already as the filing's state).
_MARKED = {Sanction.Measure.CIRCULATE: ("sanction", "通报批评")}


def sanction_marks(agency_ids) -> dict[int, list[tuple[str, str]]]:
    """The directory mark (filings.directory_marks): a public criticism decided within the last
    year and not since revoked or varied on review. One query for the page."""
    from django.utils import timezone

    since = timezone.localdate() - datetime.timedelta(days=365)
    out: dict[int, list[tuple[str, str]]] = {}
    rows = (Sanction.objects.filter(agency_id__in=list(agency_ids), state=Sanction.State.DECIDED,
                                    measure__in=list(_MARKED), decided_on__gte=since)
            .exclude(reviews__state__in=(SanctionReview.State.REVOKED, SanctionReview.State.VARIED))
            .values_list("agency_id", "measure").distinct())
    for agency_id, measure in rows:
        mark = _MARKED[measure]
        if mark not in out.setdefault(agency_id, []):
            out[agency_id].append(mark)
    return out
