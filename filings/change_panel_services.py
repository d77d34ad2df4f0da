"""The expert panel of a change request that adds scope [002 §11, 003 §7, 002 §13]: the city names
at least the policy's number of experts, none from the agency (the filing's own rule,
`panel_services.panel_problems`); each expert submits an opinion, a score (0–100) and a
recommendation; the city decides on them. One transaction per write, audited and notified."""

from __future__ import annotations

import decimal
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from filings import permissions as perm
from filings.models import ChangeRequest, ChangeReviewer
from filings.panel_services import seat_panel
from filings.selectors import parties
from portal.audit import record
from portal.models import Role, User
from portal.notifications import notify
from portal.transitions import AlreadyDecided, TransitionRefused, person_text

CR = ChangeRequest.State


@transaction.atomic
def assign_change_panel(*, change_id: int, experts: Iterable[User], actor: User) -> list[ChangeReviewer]:
    """Before the review starts the panel may be changed freely; once it runs, experts may only be
    added, and a submitted opinion is never removed."""
    change = ChangeRequest.objects.select_for_update().select_related("filing__agency", "filing__region").get(
        pk=change_id)
    if not perm.is_city_reviewer(change.filing, actor):
        raise PermissionDenied
    if change.state not in (CR.SUBMITTED, CR.EXPERT_REVIEW) or not change.adds_scope:
        raise AlreadyDecided(_("该变更申请当前状态为“%(state)s”，不能调整专家组。")
                             % {"state": change.get_state_display()})
    added = seat_panel(change.panel, experts, filing=change.filing, actor=actor,
                       running=change.state != CR.SUBMITTED, audit=("change.assign_panel", change))
    if added:
        notify([r.expert for r in added], subject=f"评审任务：{change.filing.agency.name}变更备案",
               body="您已被指派为该变更申请（新增评价范围）的评审专家，请在评审开始后提交意见和评分。",
               url=f"/changes/{change.pk}/")
    return list(change.panel.select_related("expert"))


@transaction.atomic
def record_change_review(*, change_id: int, expert: User, opinion: str, score: decimal.Decimal | None,
                         recommendation: str) -> ChangeReviewer:
    """An expert's opinion, score and recommendation on the added scope, submitted once."""
    reviewer = (ChangeReviewer.objects.select_for_update().select_related("change__filing__agency")
                .filter(change_id=change_id, expert=expert).first())
    if reviewer is None:
        raise PermissionDenied
    change = reviewer.change
    if reviewer.submitted_at:
        raise AlreadyDecided(_("您已提交评审意见，提交后不能修改。"))
    if change.state != CR.EXPERT_REVIEW:
        raise TransitionRefused(_("该变更申请当前状态为“%(state)s”，不在专家评审阶段。")
                                % {"state": change.get_state_display()})
    opinion = person_text(opinion).strip()
    missing = [label for label, ok in ((_("专家意见"), opinion), (_("评分"), score is not None),
                                       (_("结论"), recommendation in ChangeReviewer.Recommendation.values)) if not ok]
    if missing:
        raise TransitionRefused(_("提交前请完成：%(items)s。") % {"items": "、".join(missing)})
    if not (0 <= score <= 100):
        raise TransitionRefused(_("评分应在 0 至 100 之间。"))
    reviewer.opinion, reviewer.score, reviewer.recommendation = opinion, score, recommendation
    reviewer.submitted_at = timezone.now()
    reviewer.full_clean()
    reviewer.save()
    record("change.expert_review", change, actor=expert, comment=opinion,
           data={"reviewer": reviewer.pk, "score": str(score), "recommendation": recommendation})
    if change.panel_complete():
        city = [u for u in parties(change.filing) if u.role == Role.CITY]
        notify(city, subject=f"变更备案专家评审已全部提交：{change.filing.agency.name}",
               body="专家组全部成员已提交意见和评分，请查看汇总并作出决定。", url=f"/changes/{change.pk}/")
    return reviewer


def change_panel_summary(change: ChangeRequest) -> dict:
    members = list(change.panel.select_related("expert"))
    scores = [r.score for r in members if r.submitted_at and r.score is not None]
    average = (sum(scores) / len(scores)).quantize(decimal.Decimal("0.1")) if scores else None
    return {"members": members, "average": average, "submitted": sum(1 for r in members if r.submitted_at),
            "total": len(members)}
