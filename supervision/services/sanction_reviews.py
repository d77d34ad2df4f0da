"""Administrative reconsideration and litigation of a sanction decision [003 §20].

The notices say decisions are made and published, not what becomes of them on review; the portal
publishes a decision with its review status as 《行政处罚法》§48 publication practice does (a
published decision that is varied or revoked is published again as such). The city that decided
enters the review (`lodge_review`) and its outcome (`record_review_outcome`, through
`REVIEW_MACHINE`); a revoked or varied decision undoes what it did through the sanction's, the
order's and the filing's own transitions."""

from __future__ import annotations

import contextvars
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.choices import FilingState
from filings.services import apply_lifecycle
from portal import transitions
from portal.audit import record
from portal.models import User
from portal.notifications import notify
from portal.transitions import TransitionRefused
from supervision.models.sanctions import Sanction, SanctionReview
from supervision.permissions import sanctions as perm
from supervision.services.sanctions import SANCTION_MACHINE, M, S, _agency_users, _city_of, _prepare, _text

__all__ = ["REVIEW_ACTIONS", "REVIEW_MACHINE", "available_review_actions", "lodge_review", "may_lodge_review",
           "record_review_outcome"]


R = SanctionReview.State
REVIEW_ACTIONS = {
    "uphold_decision": gettext_lazy("登记结论：维持原处理决定"),
    "vary": gettext_lazy("登记结论：变更处理措施"),
    "revoke": gettext_lazy("登记结论：撤销原处理决定"),
}
# The milder measure a review varied the decision to (set by `record_review_outcome` for `vary`).
_varied_to: contextvars.ContextVar[str | None] = contextvars.ContextVar("varied_to", default=None)


def _parties(sanction: Sanction) -> list[User]:
    recipients = _city_of(sanction.agency) + _agency_users(sanction.agency_id)
    if sanction.proposed_by_id:
        recipients.append(sanction.proposed_by)
    return recipients


def lodge_review(*, sanction_id: int, kind: str, lodged_on: datetime.date, body: str, reference: str = "",
                 actor, today: datetime.date | None = None) -> SanctionReview:
    """登记行政复议或行政诉讼: the agency has lodged a review of a published decision with the
    reconsideration body or a court; the city that decided enters it [003 §20], and the public page
    then shows the decision as under review. One review at a time; none after a revocation."""
    today = today or timezone.localdate()
    if kind not in SanctionReview.Kind.values:
        raise TransitionRefused(_("请选择行政复议或行政诉讼。"))
    body = _text(body, required=True, what=_("复议机关或受理法院"))
    reference = _text(reference)
    if lodged_on is None or lodged_on > today:
        raise TransitionRefused(_("申请（起诉）日期不能晚于今天。"))
    with transaction.atomic():
        sanction = (Sanction.objects.select_for_update(of=("self",)).select_related("agency", "agency__region")
                    .get(pk=sanction_id))
        if not perm.is_deciding_city(sanction, actor):
            raise PermissionDenied
        if sanction.state not in Sanction.PUBLISHED_STATES:
            raise TransitionRefused(_("只有已作出并公布的处理决定才能登记行政复议或行政诉讼。"))
        if lodged_on < sanction.decided_on:
            raise TransitionRefused(_("申请（起诉）日期不能早于处理决定日期。"))
        latest = sanction.latest_review()
        if latest is not None and latest.state == R.LODGED:
            raise TransitionRefused(_("该处理决定已有行政复议或行政诉讼在办理中，请先登记其结论。"))
        if latest is not None and latest.state == R.REVOKED:
            raise TransitionRefused(_("该处理决定已被撤销。"))
        review = SanctionReview(sanction=sanction, kind=kind, lodged_on=lodged_on, body=body, reference=reference,
                                entered_by=actor)
        try:
            review.full_clean(exclude=["state"])
        except ValidationError as exc:
            raise TransitionRefused("；".join(exc.messages)) from exc
        review.save()
        record("sanction_review.lodge", review, actor=actor, comment=f"{body} {reference}".strip(),
               data={"sanction": sanction.pk, "kind": kind, "lodged_on": lodged_on.isoformat(), "body": body,
                     "reference": reference})
        notify(_parties(sanction), subject=f"处理决定{review.get_kind_display()}：{sanction.agency.name}（{sanction.number}）",
               body=f"{body} {reference}".strip(), url=f"/supervision/sanctions/{sanction.pk}/")
    return review


def _review_prepare(review: SanctionReview) -> None:
    """Lock the sanction and its filing (a revocation may lift a suspension), and let the outcome
    see the measure it varies to."""
    sanction = Sanction.objects.select_for_update(of=("self",)).select_related("agency", "agency__region").get(
        pk=review.sanction_id)
    _prepare(sanction)
    review.sanction = sanction
    review.varied_measure = _varied_to.get() or ""


def _review_check(review: SanctionReview, action: str, actor, today: datetime.date) -> None:
    if action == "vary" and not review.varied_measure:
        raise TransitionRefused(_("请选择变更后的处理措施。"))


def _review_refusal(review: SanctionReview, action: str, today: datetime.date) -> str:
    if action == "vary":
        return _("变更后的处理措施须轻于原处理措施（《行政复议法》第六十三条、《行政诉讼法》第七十七条）。")
    return ""


def _review_effects(review: SanctionReview, action: str, before: str, actor, comment: str,
                    today: datetime.date) -> None:
    review.outcome_reason = comment


def _review_after_save(review: SanctionReview, action: str, before: str, actor, today: datetime.date) -> None:
    """A suspension revoked, or varied to a milder measure, no longer holds: it is lifted through the
    sanction's own `lift`, which resumes the filing exactly as a lift by the city does [003 §20]."""
    sanction = review.sanction
    note = f"{review.get_kind_display()}（{review.body} {review.reference}）{review.status_label()}：{review.outcome_reason}"
    if action in ("revoke", "vary") and sanction.state == S.DECIDED and sanction.is_suspension() \
            and sanction.filing_suspended():
        transitions.apply(SANCTION_MACHINE, sanction, "lift", actor=actor, today=today, comment=note)
    if action in ("revoke", "vary") and sanction.measure == M.RECTIFY and sanction.order_id:
        # The order the decision issued no longer binds the agency [003 §20, 002 §30].
        from supervision.models.inspections import RectificationOrder
        from supervision.services.inspections import ORDER_MACHINE

        order = RectificationOrder.objects.select_for_update().filter(
            pk=sanction.order_id, state__in=RectificationOrder.OPEN_STATES).first()
        if order is not None:
            transitions.apply(ORDER_MACHINE, order, "set_aside", actor=actor, today=today, comment=note)
    if action in ("revoke", "vary") and sanction.measure == M.REMOVE and cancelled_by(sanction):
        # The cancellation no longer stands: the filing is back in force [003 §22]; a variation to a
        # suspension suspends it at once, as a decided suspension would [003 §20].
        filing = apply_lifecycle(sanction.filing, "restore", today=today, actor=actor, comment=note)
        if action == "vary" and review.varied_measure == M.SUSPEND:
            apply_lifecycle(filing, "suspend", today=today, actor=actor, comment=note)


def cancelled_by(sanction: Sanction) -> bool:
    """The filing is cancelled, and by this decision (not by a later voluntary termination)."""
    filing = sanction.filing
    return filing.state == FilingState.CANCELLED and filing.ended_on == sanction.decided_on


def _review_notify(review: SanctionReview, before: str, comment: str) -> None:
    sanction = review.sanction
    notify(_parties(sanction), subject=f"处理决定{review.get_kind_display()}结论：{sanction.agency.name}"
                                       f"（{sanction.number}）{review.status_label()}",
           body=comment, url=f"/supervision/sanctions/{sanction.pk}/")


def _review_audit_data(review: SanctionReview, action: str, before: str) -> dict:
    return {"sanction": review.sanction_id, "kind": review.kind, "reference": review.reference,
            "varied_measure": review.varied_measure}


REVIEW_MACHINE = transitions.Machine(
    model=SanctionReview,
    audit_prefix="sanction_review",
    noun=gettext_lazy("该复议（诉讼）登记"),
    actions=REVIEW_ACTIONS,
    comment_required=frozenset(REVIEW_ACTIONS),
    select_related=(),  # lock the row alone: the sanction and its filing are locked next (`prepare`)
    refusal=_review_refusal,
    prepare=_review_prepare,
    check=_review_check,
    effects=_review_effects,
    after_save=_review_after_save,
    notify=_review_notify,
    audit_data=_review_audit_data,
)


def record_review_outcome(*, review_id: int, action: str, actor, comment: str = "", varied_measure: str = "",
                          today: datetime.date | None = None, expected_state: str | None = None) -> SanctionReview:
    """The outcome of a reconsideration or a lawsuit, entered by the city [003 §20]: `uphold_decision`
    (维持), `vary` (变更, to the milder `varied_measure`), `revoke` (撤销). Reasons are required; a
    revoked or varied suspension lifts (the filing resumes)."""
    if action == "vary" and varied_measure not in M.values:
        raise TransitionRefused(_("请选择变更后的处理措施。"))
    token = _varied_to.set(varied_measure if action == "vary" else None)
    try:
        return transitions.perform(REVIEW_MACHINE, pk=review_id, action=action, actor=actor, comment=comment,
                                   today=today, expected_state=expected_state)
    finally:
        _varied_to.reset(token)


def available_review_actions(review: SanctionReview | None, user) -> list[tuple[str, str]]:
    return transitions.available_actions(REVIEW_MACHINE, review, user) if review is not None else []


def may_lodge_review(sanction: Sanction, user) -> bool:
    """Whether the page offers the city the form to enter a review (the service decides)."""
    latest = sanction.latest_review()
    return (perm.is_deciding_city(sanction, user) and sanction.state in Sanction.PUBLISHED_STATES
            and (latest is None or latest.state not in (R.LODGED, R.REVOKED)))
