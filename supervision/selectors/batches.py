"""Reads of evaluation batches: role-scoped lists for the screens (out of scope → not found), and
the counts the rest of the portal reads [SPEC §6]: the renewal form and rubric item 3.5, the
cancellation ground 2 (一年内未开展评价 [003 §22]) and the star rating."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from filings.selectors import inspected_agencies
from portal.models import Role
from supervision.models.batch_oversight import BatchObjection
from supervision.models.batches import CARRIED_OUT, BatchState, Candidate, EvaluationBatch

S = BatchState


def batches_visible_to(user) -> QuerySet[EvaluationBatch]:
    """An agency sees its own batches; the district and city the batches of agencies in their
    region once filed (a draft is the agency's alone); an inspector those of agencies they inspect."""
    qs = EvaluationBatch.objects.select_related("agency", "filing__region", "venue_region")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role == Role.AGENCY and not user.is_superuser:
        return qs.filter(agency_id=user.agency_id) if user.agency_id else qs.none()
    qs = qs.filter(submitted_at__isnull=False)
    if user.is_superuser or user.role == Role.ADMIN:
        return qs
    if user.role in (Role.CITY, Role.DISTRICT):
        return qs.filter(filing__region__path__startswith=user.region.path) if user.region_id else qs.none()
    if user.role == Role.INSPECTOR:
        return qs.filter(inspected_agencies(user))
    return qs.none()


def with_objection_marks(qs: QuerySet[EvaluationBatch]) -> QuerySet[EvaluationBatch]:
    """Mark each batch with an objection to its result notice still unanswered (`has_pending_objection`)
    [003 §15(3)], in the same query."""
    pending = BatchObjection.objects.filter(batch=OuterRef("pk"), state=BatchObjection.State.PENDING)
    return qs.annotate(has_pending_objection=Exists(pending))


def public_results() -> QuerySet[EvaluationBatch]:
    """Result notices in publicity, for the public page [003 §15(3)]."""
    return (EvaluationBatch.objects.filter(state=S.PUBLICITY).select_related("agency")
            .order_by("-publicity_starts_on", "-pk"))


def to_review(user) -> QuerySet[EvaluationBatch]:
    qs = batches_visible_to(user)
    if user.role == Role.CITY:
        return qs.filter(Q(state=S.CITY_REVIEW) | Q(state=S.SUBMITTED, filing__managing_level="city"))
    return qs.filter(state=S.SUBMITTED).exclude(filing__managing_level="city")


def this_week(user, today: datetime.date) -> QuerySet[EvaluationBatch]:
    """Approved batches with an exam day in the next 7 days, for spot checks [003 §15(2)]."""
    end = today + datetime.timedelta(days=7)
    return batches_visible_to(user).filter(state=S.APPROVED, first_exam_on__lte=end, last_exam_on__gte=today)


def overdue_reports(user) -> QuerySet[EvaluationBatch]:
    return batches_visible_to(user).filter(state=S.REPORT_OVERDUE)


# ----- the contracts (supervision/contracts.md) ---------------------------------------------
def last_batch_on(agency_ids: Iterable[int]) -> dict[int, datetime.date | None]:
    """The last exam day of a batch carried out (results publicised or reported) per agency, None
    for an agency with none: D's cancellation ground 2 "一年内未开展评价" [003 §22]. One query."""
    ids = list(agency_ids)
    out: dict[int, datetime.date | None] = dict.fromkeys(ids)
    rows = (EvaluationBatch.objects.filter(agency_id__in=ids, state__in=CARRIED_OUT)
            .values("agency_id").annotate(last=Max("last_exam_on")))
    out.update({r["agency_id"]: r["last"] for r in rows})
    return out


def batch_counts(filing_ids: Iterable[int], since: datetime.date, until: datetime.date) -> dict[int, dict]:
    """Per filing, for the batches carried out with the last exam day in [since, until]: `batches`,
    `candidates`, `certificates` (issued = certificate numbers reported), plus `uploaded` (uploaded
    to the national database), `reported_on_time` and `reported_late`, and `certificates_by_level`
    {level: n}: the renewal form [004 Annex 1], rubric item 3.5 and the star rating read these
    instead of typed figures. Reported batches only count their certificates. Three queries."""
    ids = list(filing_ids)
    empty = lambda: {"batches": 0, "candidates": 0, "certificates": 0, "uploaded": 0,  # noqa: E731
                     "reported_on_time": 0, "reported_late": 0, "certificates_by_level": {}}
    out = {i: empty() for i in ids}
    batches = EvaluationBatch.objects.filter(filing_id__in=ids, state__in=CARRIED_OUT,
                                             last_exam_on__gte=since, last_exam_on__lte=until)
    for r in batches.values("filing_id").annotate(
            n=Count("pk"), late=Count("pk", filter=Q(state=S.REPORTED, reported_late=True) | Q(state=S.REPORT_OVERDUE)),
            on_time=Count("pk", filter=Q(state=S.REPORTED, reported_late=False))):
        out[r["filing_id"]].update(batches=r["n"], reported_late=r["late"], reported_on_time=r["on_time"])
    candidates = Candidate.objects.filter(batch__in=batches)
    for r in candidates.values("batch__filing_id").annotate(n=Count("pk")):
        out[r["batch__filing_id"]]["candidates"] = r["n"]
    issued = candidates.filter(batch__state=S.REPORTED, passed=True, certificate_no__isnull=False)
    for r in issued.values("batch__filing_id", "group__level").annotate(
            n=Count("pk"), up=Count("pk", filter=Q(uploaded_national=True))):
        row = out[r["batch__filing_id"]]
        row["certificates"] += r["n"]
        row["uploaded"] += r["up"]
        row["certificates_by_level"][r["group__level"]] = r["n"]
    return out
