"""The factors a star rating is computed from [003 §21, 002 §29; docs/supervision-ratings.md].

`register_factor(code, label, provider)`: `provider(agency_ids, year) -> {agency_id: value}`
answers for all the agencies at once in ONE query; `agency_ids` is a list of ids or a queryset of
agency ids (`.values("pk")`, used as a subquery: the rating round passes the population this way, so
no query carries a 20,000-id IN list); an agency missing from the answer has the value 0. A formula weighs the factors it
names; a factor of an area not yet in the portal is simply not registered, so no formula can name
it (never a made-up value).

Factors from the portal's own records (filings, renewals) are here; those of the other supervision
areas too, each written against that area's model: inspections and rectification orders (C),
evaluation batches (F), upheld complaints and late answers to them (E, through its selectors
`upheld_counts` and `agency_answer_timeliness`, the latter as renewal item 4.3 reads it),
sanctions (D, through `sanctions_since`), each registered only if its selector is in the tree.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

Provider = Callable[[Iterable[int], int], dict[int, float]]


@dataclass(frozen=True)
class Factor:
    code: str
    label: str
    provider: Provider
    source: str = ""  # where its records come from, for the public page


FACTORS: dict[str, Factor] = {}


def register_factor(code: str, label: str, provider: Provider, *, source: str = "") -> None:
    """Register (or re-register, idempotently) a factor under its stable code."""
    FACTORS[code] = Factor(code, str(label), provider, source)


def label(code: str) -> str:
    factor = FACTORS.get(code)
    return factor.label if factor else code


def values_for(codes: Iterable[str], agency_ids, year: int) -> dict[str, dict[int, float]]:
    """{code: {agency_id: value}}: one query per factor, whatever the number of agencies."""
    return {code: FACTORS[code].provider(agency_ids, year) for code in codes}


def _year(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _counts(qs, agency_field: str) -> dict[int, float]:
    return {row[agency_field]: float(row["n"]) for row in qs.values(agency_field).annotate(n=Count("pk"))}


def _with_rows(agency_ids, rows: QuerySet) -> Iterable[int]:
    """For a selector of another area that takes a list of ids (it calls `list()` on them): given a
    queryset of agency ids, only those of them that have any row in `rows` (one small query): a
    superset of the agencies the selector can count, the others are 0 anyway. A list passes as is."""
    if not isinstance(agency_ids, QuerySet):
        return agency_ids
    return list(rows.filter(agency_id__in=agency_ids).values_list("agency_id", flat=True).order_by().distinct())


# ----- the portal's own records (filings, renewals) ------------------------------------------
def supplement_notices(agency_ids, year: int) -> dict[int, float]:
    """One-time supplement notices issued to the agency's filings in the year [002 §10]."""
    from filings.models import WrittenNotice

    start, end = _year(year)
    return _counts(WrittenNotice.objects.filter(filing__agency_id__in=agency_ids, kind=WrittenNotice.Kind.SUPPLEMENT,
                                                issued_on__range=(start, end)), "filing__agency_id")


def objections_upheld(agency_ids, year: int) -> dict[int, float]:
    """Objections to the agency's public notices upheld in the year [003 §7, 001 §3(3)]."""
    from filings.models import Objection

    start, end = _year(year)
    return _counts(Objection.objects.filter(item__filing__agency_id__in=agency_ids, state=Objection.State.UPHELD,
                                            resolved_at__date__range=(start, end)), "item__filing__agency_id")


def renewals_failed(agency_ids, year: int) -> dict[int, float]:
    """Expiry evaluations decided as failed in the year [000 §5, 004 §4]."""
    from assessments.choices import Outcome
    from assessments.models import RenewalAssessment

    start, end = _year(year)
    return _counts(RenewalAssessment.objects.filter(agency_id__in=agency_ids, outcome=Outcome.FAIL,
                                                    decided_on__range=(start, end)), "agency_id")


def in_force_all_year(agency_ids, year: int) -> dict[int, float]:
    """1 when a filing of the agency was valid from 1 January to 31 December and did not end in the
    year (a bonus factor a formula may weigh; the default formula does not)."""
    from filings.models import Filing

    start, end = _year(year)
    rows = (Filing.objects.filter(agency_id__in=agency_ids, valid_from__lte=start, valid_until__gte=end)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=end)).values_list("agency_id", flat=True).order_by().distinct())
    return {pk: 1.0 for pk in rows}


register_factor("supplement_notices", "备案补正次数", supplement_notices, source="备案")
register_factor("objections_upheld", "公示异议成立次数", objections_upheld, source="备案公示")
register_factor("renewals_failed", "期满评估不通过次数", renewals_failed, source="期满评估")
register_factor("in_force_all_year", "全年备案有效", in_force_all_year, source="备案")


# ----- inspections and rectification orders (C) ----------------------------------------------
SEVERITY_POINTS = {"minor": 1, "serious": 3, "grave": 6}


def inspection_findings(agency_ids, year: int) -> dict[int, float]:
    """Findings of the inspections whose results were given to the agency in the year, weighted by
    severity: 一般 1, 较重 3, 严重 6 [002 §26, 003 §17]."""
    from supervision.models.inspections import Finding

    start, end = _year(year)
    qs = (Finding.objects.filter(inspection__agency_id__in=agency_ids,
                                 inspection__findings_submitted_on__range=(start, end))
          .values("inspection__agency_id")
          .annotate(**{s: Count("pk", filter=Q(severity=s)) for s in SEVERITY_POINTS}))
    return {row["inspection__agency_id"]: float(sum(row[s] * p for s, p in SEVERITY_POINTS.items())) for row in qs}


def rectification_overdue(agency_ids, year: int) -> dict[int, float]:
    """Rectification orders that went past their deadline without a report in the year [002 §30]."""
    from supervision.models.inspections import RectificationOrder

    start, end = _year(year)
    return _counts(RectificationOrder.objects.filter(agency_id__in=agency_ids, overdue_on__range=(start, end)),
                   "agency_id")


register_factor("inspection_findings", "检查发现问题（一般1、较重3、严重6）", inspection_findings, source="监督检查")
register_factor("rectification_overdue", "整改逾期次数", rectification_overdue, source="整改通知")


# ----- evaluation batches (F) -----------------------------------------------------------------
def late_reports(agency_ids, year: int) -> dict[int, float]:
    """Batches whose results were reported late, or are still overdue, with the report due in the
    year [003 §15(3): 10 个工作日内报备]."""
    from supervision.models.batches import BatchState, EvaluationBatch

    start, end = _year(year)
    return _counts(EvaluationBatch.objects.filter(agency_id__in=agency_ids, report_due__range=(start, end))
                   .filter(Q(state=BatchState.REPORTED, reported_late=True) | Q(state=BatchState.REPORT_OVERDUE)),
                   "agency_id")


register_factor("late_reports", "认定结果逾期报备批次", late_reports, source="认定批次")


# ----- complaints (E) and sanctions (D): only once their selectors exist ----------------------
try:
    from supervision.selectors.complaints import upheld_counts as _upheld_counts
except ImportError:  # the complaints area has not provided it yet: the factor does not exist
    _upheld_counts = None

if _upheld_counts is not None:
    def complaints_upheld(agency_ids, year: int) -> dict[int, float]:
        """Complaints concluded as upheld (or partly) in the year [002 §27, 003 §19]."""
        from supervision.models.complaints import Complaint

        start, end = _year(year)
        ids = _with_rows(agency_ids, Complaint.objects.all())
        return {pk: float(n) for pk, n in _upheld_counts(ids, start, end).items() if n}

    register_factor("complaints_upheld", "投诉举报属实件数", complaints_upheld, source="投诉举报")

try:
    from supervision.selectors.complaints import agency_answer_timeliness as _answer_timeliness
except ImportError:
    _answer_timeliness = None

if _answer_timeliness is not None:
    def complaint_answers_late(agency_ids, year: int) -> dict[int, float]:
        """1 for an agency that, in the year, did not answer in time a question the bureau put to it
        about a complaint — the same reading as renewal rubric item 4.3 [004 Annex 2 4.3, 002 §27].
        Not weighted by the first formula; a bureau may weigh it."""
        from supervision.models.complaints import Complaint

        start, end = _year(year)
        ids = _with_rows(agency_ids, Complaint.objects.exclude(agency_question=""))
        return {pk: 1.0 for pk, timely in _answer_timeliness(ids, start, end).items() if timely is False}

    register_factor("complaint_answers_late", "未按期说明投诉情况", complaint_answers_late, source="投诉举报")

try:
    from supervision.selectors.sanctions import sanctions_since as _sanctions_since
except ImportError:  # the sanctions area has not provided it yet
    _sanctions_since = None

if _sanctions_since is not None:
    def sanctions(agency_ids, year: int) -> dict[int, float]:
        """Sanctions decided against the agency in the year [003 §20, 002 §30]."""
        from supervision.models.sanctions import Sanction

        start, end = _year(year)
        out = {}
        for pk, items in _sanctions_since(_with_rows(agency_ids, Sanction.objects.all()), start).items():
            n = sum(1 for s in items if _in_year(s, end))
            if n:
                out[pk] = float(n)
        return out

    def _in_year(sanction, end: datetime.date) -> bool:
        return sanction.decided_on is not None and sanction.decided_on <= end

    register_factor("sanctions", "受到处理措施次数", sanctions, source="处理措施")


# The weights of the portal's first formula (version 1) [docs/supervision-ratings.md]: deductions
# from 100, for the factors that exist in this deployment.
DEFAULT_WEIGHTS = {
    "supplement_notices": -2,
    "objections_upheld": -10,
    "renewals_failed": -20,
    "inspection_findings": -2,
    "rectification_overdue": -10,
    "late_reports": -5,
    "complaints_upheld": -8,
    "sanctions": -10,
}
DEFAULT_THRESHOLDS = [60, 70, 80, 90]


def default_weights() -> dict[str, float]:
    return {code: w for code, w in DEFAULT_WEIGHTS.items() if code in FACTORS}
