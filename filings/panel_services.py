"""Writes around the expert panel and the public notice's objections [002 §11, 001 §3(2), 003 §7].
Each function is one transaction that checks the actor on the object, changes the data, writes the
audit entry and notifies — the same shape as `services.perform`, which it calls for state changes."""

from __future__ import annotations

import decimal
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from filings import change_services
from filings import permissions as perm
from filings.choices import FilingState
from filings.models import ChangeRequest, ExpertAssignment, Filing, Objection, PublicNotice
from filings.selectors import parties
from filings.services import AlreadyDecided, TransitionRefused, perform
from portal.audit import record
from portal.transitions import person_text
from portal.models import PolicyProfile, Role, User
from portal.notifications import notify

S = FilingState
# While these hold, the city may still change who sits on the panel.
PANEL_OPEN = (S.ACCEPTED, S.EXPERT_REVIEW)
UPHELD_ACTIONS = ("reopen_review", "refuse")


def panel_problems(filing: Filing, experts: Iterable[User]) -> list[str]:
    """Why this set of experts cannot form the filing's panel; empty when it can [002 §11]."""
    experts = list(experts)
    problems = []
    minimum = PolicyProfile.active().min_experts
    if len({e.pk for e in experts}) < minimum:
        problems.append(_("专家组至少需要 %(n)s 名专家。") % {"n": minimum})
    for expert in experts:
        if expert.role != Role.EXPERT or not expert.is_active:
            problems.append(_("%(expert)s不是在册的评审专家。") % {"expert": expert})
        elif expert.agency_id and expert.agency_id == filing.agency_id:
            problems.append(_("%(expert)s来自申请机构，应当回避。") % {"expert": expert})
    return problems


def seat_panel(seats, experts: Iterable[User], *, filing: Filing, actor: User, running: bool, audit: tuple) -> list:
    """Make a panel (`seats`: the related manager of a filing's or a change's panel) the experts named [002 §11]:
    before the review runs it may change freely; once it runs experts may only be added, and a
    submitted opinion is never removed. The panel's rules (`panel_problems`) hold for the result.
    Returns the seats added; writes the audit entry `audit` = (action, object)."""
    experts = list(experts)
    wanted = {e.pk for e in experts}
    current = {seat.expert_id: seat for seat in seats.select_related("expert")}
    keep = [seat for pk, seat in current.items() if pk not in wanted and (seat.submitted_at or running)]
    problems = panel_problems(filing, experts + [seat.expert for seat in keep])
    if problems:
        raise TransitionRefused("".join(problems))
    removed = [pk for pk, seat in current.items() if pk not in wanted and seat not in keep]
    seats.filter(expert_id__in=removed).delete()
    added = [seats.create(expert=e, assigned_by=actor) for e in experts if e.pk not in current]
    action, obj = audit
    record(action, obj, actor=actor, data={"experts": sorted(wanted | {s.expert_id for s in keep}),
                                           "added": [s.expert_id for s in added], "removed": removed})
    return added


@transaction.atomic
def assign_panel(*, filing_id: int, experts: Iterable[User], actor: User) -> list[ExpertAssignment]:
    """The city names the panel [002 §11]: at least the policy's number of experts, none from the
    applying agency. Before the review starts the panel may be changed freely; once it runs, experts
    may only be added and a submitted opinion is never removed."""
    filing = Filing.objects.select_for_update().select_related("agency", "region").get(pk=filing_id)
    if not perm.is_city_reviewer(filing, actor):
        raise PermissionDenied
    if filing.state not in PANEL_OPEN:
        raise AlreadyDecided(_("该备案当前状态为“%(state)s”，不能再调整专家组。") % {"state": filing.get_state_display()})
    added = seat_panel(filing.panel, experts, filing=filing, actor=actor,
                       running=filing.state != S.ACCEPTED, audit=("filing.assign_panel", filing))
    if added:
        notify([a.expert for a in added], subject=f"评审任务：{filing.agency.name}备案申请",
               body="您已被指派为该备案申请的评审专家，请在评审开始后完成材料验核、现场考察并提交意见和评分。",
               url="/expert/")
    return list(filing.panel.select_related("expert"))


@transaction.atomic
def record_expert_review(*, assignment_id: int, expert: User, materials_verified: bool, materials_notes: str,
                         site_visited: bool, site_visit_notes: str, opinion: str,
                         score: decimal.Decimal | None, recommendation: str, submit: bool) -> ExpertAssignment:
    """An expert records material verification, site visit, opinion, score (0–100) and a
    recommendation [002 §11, 001 §3(2)]; `submit=True` locks the record for good."""
    assignment = (ExpertAssignment.objects.select_for_update().select_related("filing__agency", "filing__region")
                  .get(pk=assignment_id))
    if assignment.expert_id != expert.pk:
        raise PermissionDenied
    filing = assignment.filing
    if assignment.submitted_at:
        raise AlreadyDecided(_("您已提交评审意见，提交后不能修改。"))
    if filing.state != S.EXPERT_REVIEW:
        raise TransitionRefused(_("该备案当前状态为“%(state)s”，不在专家评审阶段。") % {"state": filing.get_state_display()})
    if score is not None and not (0 <= score <= 100):
        raise TransitionRefused(_("评分应在 0 至 100 之间。"))
    materials_notes, site_visit_notes, opinion = (person_text(t) for t in (materials_notes, site_visit_notes, opinion))
    assignment.materials_verified, assignment.materials_notes = materials_verified, materials_notes.strip()
    assignment.site_visited, assignment.site_visit_notes = site_visited, site_visit_notes.strip()
    assignment.opinion, assignment.score, assignment.recommendation = opinion.strip(), score, recommendation
    if submit:
        missing = [label for label, ok in ((_("材料验核"), materials_verified), (_("现场考察"), site_visited),
                                           (_("专家意见"), assignment.opinion), (_("评分"), score is not None),
                                           (_("结论"), recommendation)) if not ok]
        if missing:
            raise TransitionRefused(_("提交前请完成：%(items)s。") % {"items": "、".join(missing)})
        assignment.submitted_at = timezone.now()
    assignment.full_clean()
    assignment.save()
    record("filing.expert_review.submit" if submit else "filing.expert_review.save", filing, actor=expert,
           comment=assignment.opinion if submit else "",
           data={"assignment": assignment.pk, "score": str(score) if score is not None else None,
                 "recommendation": recommendation})
    if submit and filing.panel_complete():
        city = [u for u in parties(filing) if u.role == Role.CITY]
        notify(city, subject=f"专家评审已全部提交：{filing.agency.name}",
               body="专家组全部成员已提交意见和评分，请查看汇总并作出决定。", url=f"/filings/{filing.pk}/")
    return assignment


def panel_summary(filing: Filing) -> dict:
    """What the city sees of the panel: each member, the average of submitted scores, and the
    recommendations counted [002 §11]."""
    members = list(filing.panel.select_related("expert"))
    scores = [a.score for a in members if a.submitted_at and a.score is not None]
    counts = {label: sum(1 for a in members if a.submitted_at and a.recommendation == value)
              for value, label in ExpertAssignment.Recommendation.choices}
    average = (sum(scores) / len(scores)).quantize(decimal.Decimal("0.1")) if scores else None
    return {"members": members, "average": average, "recommendations": counts,
            "submitted": sum(1 for a in members if a.submitted_at), "total": len(members)}


@transaction.atomic
def resolve_objection(*, objection_id: int, actor: User, upheld: bool, resolution: str,
                      then: str | None = None) -> Objection:
    """The city verifies an objection [003 §7, 001 §3(3)]: upheld → the filing returns to review
    (`reopen_review`) or is refused (`refuse`); dismissed → the notice runs on. An objection to a
    change's added scope is handled the same way on the change [002 §13]. On a renewal result's
    notice [000 §4(3)] only the verdict is recorded here; the assessment workflow acts on it."""
    objection = (Objection.objects.select_for_update()
                 .select_related("item__notice", "item__filing__region", "item__filing__agency")
                 .get(pk=objection_id))  # not the nullable item__change: FOR UPDATE refuses an outer join
    filing = objection.item.filing
    if not perm.is_city_reviewer(filing, actor):
        raise PermissionDenied
    if objection.state != Objection.State.PENDING:
        raise AlreadyDecided(_("该异议已由他人核实（%(state)s），您的操作未执行。") % {"state": objection.get_state_display()})
    resolution = (resolution or "").strip()
    if not resolution:
        raise TransitionRefused(_("请填写核实意见。"))
    on_change_notice = objection.item.notice.purpose == PublicNotice.Purpose.CHANGE
    on_filing_notice = objection.item.notice.purpose == PublicNotice.Purpose.FILING
    if upheld and (on_filing_notice or on_change_notice) and then not in UPHELD_ACTIONS:
        raise TransitionRefused(_("异议成立时请选择：退回评审或不予备案。"))
    objection.state = Objection.State.UPHELD if upheld else Objection.State.DISMISSED
    objection.resolution, objection.resolved_by, objection.resolved_at = resolution, actor, timezone.now()
    objection.save()
    record("notice.objection_resolve", filing, actor=actor, comment=resolution,
           data={"objection": objection.pk, "result": objection.state, "then": then if upheld else None,
                 "change": objection.item.change_id})
    if upheld and on_change_notice:  # back to review, or refused: the filing stays as it was
        change_services.act(change_id=objection.item.change_id, action=then, actor=actor,
                            comment=f"异议成立：{resolution}", expected_state=ChangeRequest.State.NOTICE)
    if upheld and on_filing_notice:  # a renewal result's objection is taken up by the assessment
        perform(filing_id=filing.pk, action=then, actor=actor, comment=f"异议成立：{resolution}",
                expected_state=S.PUBLIC_NOTICE)
    return objection
