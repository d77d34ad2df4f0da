"""Role-scoped reads: the only way views get filings and agencies [SPEC §1 object-level rule].
Lists, detail pages and downloads all read through these, so they agree."""

from collections.abc import Callable, Iterable

from django.db import connection
from django.db.models import BooleanField, Count, F, Func, Q, QuerySet, Subquery

from filings.choices import Route
from filings.models import Agency, ChangeRequest, ChangeReviewer, Filing
from portal import page_reads
from portal.models import Region, Role, User

# Who is drawn to inspect which agency is the supervision app's to say [002 §25, 003 §21]. It
# registers a provider here (`register_inspection_scope`) rather than filings importing it.
_inspection_scopes: list[Callable[[User], QuerySet | Iterable[int]]] = []


def register_inspection_scope(provider: Callable[[User], QuerySet | Iterable[int]]) -> None:
    """`provider(inspector)` returns the ids of the agencies the inspector is drawn to inspect (a
    queryset of ids or an iterable): those with an open inspection whose team includes them."""
    if provider not in _inspection_scopes:
        _inspection_scopes.append(provider)


class _EqualsAnyOf(Func):
    """`field = ANY(ARRAY(subquery))` on PostgreSQL: unlike `field IN (subquery)`, which it plans as a
    hash join reading every row, the array is computed once and the condition goes into an index
    scan (an index-only scan of `filing_staff_scope` for the counts: 30 → 17 ms at 100,000 filings)
    [issue #15 §6]."""

    arg_joiner = " = ANY(ARRAY"
    template = "%(expressions)s)"
    output_field = BooleanField()


def in_regions(field: str, regions: QuerySet) -> Q | Func:
    """The rows whose `field` is one of `regions` (a queryset of region ids)."""
    if connection.vendor == "postgresql":
        return _EqualsAnyOf(F(field), Subquery(regions))
    return Q(**{f"{field}__in": regions})


def counts_by_state(user) -> dict[str, int]:
    """How many filings `user` sees in each state, in one grouped query, shared by the parts of a
    page (`portal.page_reads`): the work list's 全部 count and the dashboard's chart [issue #15 §6]."""
    def count() -> dict[str, int]:
        qs = filings_visible_to(user).order_by()
        return dict(qs.values_list("state").annotate(n=Count("pk", distinct=qs.query.distinct)))

    return page_reads.shared(("filings.counts_by_state", user.pk), count)


def inspected_agencies(user, field: str = "agency_id") -> Q:
    """What an inspector may read: the agencies they are drawn to inspect, and nothing else [SPEC §1:
    an inspector is "drawn for random inspections"]. Until supervision registers a provider, an
    inspector is on no inspection team, so this matches nothing (fails closed)."""
    condition = Q(pk__in=[])
    for provider in _inspection_scopes:
        condition |= Q(**{f"{field}__in": provider(user)})
    return condition


def scoped_to(qs: QuerySet, user, *, submitted_field: str) -> QuerySet:
    """Narrow a queryset of filings — or of anything shaped like one (agency, route, industry
    department, region, panel of experts), such as renewal assessments — to what `user` may see.

    `submitted_field` names the model's "submitted at/on" field: what was never submitted is a draft,
    the agency's alone until it submits [SPEC §1, §3 prepare]; no reviewer, expert, inspector or
    administrator sees it. A returned application was submitted once and stays with its reviewers.
    """
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role == Role.AGENCY and not user.is_superuser:
        return qs.filter(agency_id=user.agency_id) if user.agency_id else qs.none()
    qs = qs.filter(**{f"{submitted_field}__isnull": False})
    if user.is_superuser or user.role == Role.ADMIN:
        return qs
    if user.role == Role.EXPERT:
        return qs.filter(panel__expert=user).distinct()
    if user.role == Role.INDUSTRY:
        if not user.industry_department_id:
            return qs.none()
        return qs.filter(route=Route.INDUSTRY, industry_department_id=user.industry_department_id)
    if user.role in (Role.CITY, Role.DISTRICT):
        if not user.region_id:
            return qs.none()
        # The regions in scope as an uncorrelated subquery rather than a join on their paths: the
        # planner then knows how many rows match and can walk an index in the page's order [issue #15 §6].
        return qs.filter(in_regions("region", Region.objects.filter(path__startswith=user.region.path).values("pk")))
    if user.role == Role.INSPECTOR:
        return qs.filter(inspected_agencies(user))
    return qs.none()


def filings_visible_to(user) -> QuerySet[Filing]:
    return scoped_to(Filing.objects.select_related("agency", "region"), user, submitted_field="submitted_at")


def changes_visible_to(user) -> QuerySet[ChangeRequest]:
    """Change requests of the filings `user` sees; a change request never submitted is the agency's
    alone, like a draft filing [002 §13, SPEC §1]."""
    scope = Q(filing__in=filings_visible_to(user))
    if user.is_authenticated and user.role == Role.EXPERT:  # an expert on the change's own panel [002 §11]
        scope |= Q(pk__in=ChangeReviewer.objects.filter(expert=user).values("change_id"))
    qs = ChangeRequest.objects.filter(scope).select_related("filing__agency", "created_by")
    if user.is_authenticated and (user.role != Role.AGENCY or user.is_superuser):
        qs = qs.filter(submitted_at__isnull=False)
    return qs


def agencies_visible_to(user) -> QuerySet[Agency]:
    qs = Agency.objects.select_related("region")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser or user.role == Role.ADMIN:
        return qs
    if user.role == Role.AGENCY:
        return qs.filter(pk=user.agency_id) if user.agency_id else qs.none()
    if user.role == Role.INDUSTRY:
        return qs.filter(industry_department_id=user.industry_department_id) if user.industry_department_id else qs.none()
    if user.role in (Role.CITY, Role.DISTRICT):
        return qs.filter(region__path__startswith=user.region.path) if user.region_id else qs.none()
    if user.role == Role.INSPECTOR:
        return qs.filter(inspected_agencies(user, field="pk"))
    return qs.none()


def recipients_for_many(filings: list[Filing]) -> dict[int, list[User]]:
    """Who hears of a change to each filing (or anything shaped like one, such as a renewal): the
    agency's staff, its pre-reviewers (district or industry department, by route) and the city
    reviewers of its jurisdiction. Four queries, however many filings."""
    agencies = {f.agency_id for f in filings}
    regions = {f.region_id for f in filings}
    departments = {f.industry_department_id for f in filings if f.industry_department_id}
    ancestor_paths = {p for f in filings for p in f.region.ancestor_paths()}
    users = User.objects.filter(is_active=True).select_related("region")
    staff = list(users.filter(role=Role.AGENCY, agency_id__in=agencies))
    district = list(users.filter(role=Role.DISTRICT, region_id__in=regions))
    industry = list(users.filter(role=Role.INDUSTRY, industry_department_id__in=departments)) if departments else []
    city = list(users.filter(role=Role.CITY, region__path__in=ancestor_paths))
    out = {}
    for f in filings:
        paths = set(f.region.ancestor_paths())
        pre = ([u for u in district if u.region_id == f.region_id] if f.route == Route.DISTRICT else
               [u for u in industry if u.industry_department_id == f.industry_department_id]
               if f.route == Route.INDUSTRY else [])
        out[f.pk] = ([u for u in staff if u.agency_id == f.agency_id] + pre
                     + [u for u in city if u.region.path in paths])
    return out


def parties(obj) -> list[User]:
    """`recipients_for_many` of one filing (or renewal)."""
    return recipients_for_many([obj])[obj.pk]
