"""Every write of the renewal [SPEC §4]. State changes go through the shared transition machinery
(`portal.transitions`, with the renewal's `MACHINE` below): lock, check the actor on the object,
call the transition, save, audit, notify.
What a result does to the filing lives in `assessments/outcomes.py`."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from assessments import certificate_counts
from assessments import timeline
from assessments.choices import OPEN, AssessmentState, AttachmentType, Outcome
from assessments.models import Attachment, ItemScore, PanelMember, RenewalAssessment, Rubric
from assessments.models.rubric import fmt
from filings import notices
from filings import permissions as filing_perm
from filings.choices import IN_FORCE, FilingState
from filings.models import Filing, PublicNotice
from filings.selectors import parties
from filings.uploads import check_upload
from portal import transitions
from portal.audit import record
from portal.models import PolicyProfile, Role
from portal.notifications import notify
from portal.transitions import AlreadyDecided, TransitionRefused  # noqa: F401  (re-exported for the views)

S = AssessmentState
F = FilingState

ACTIONS = {
    "submit": gettext_lazy("提交续期申请"),
    "withdraw": gettext_lazy("撤回申请（放弃续期）"),
    "forward": gettext_lazy("初评通过，报送市级"),
    "return_to_agency": gettext_lazy("退回修改"),
    "start_expert_review": gettext_lazy("组织专家评审"),
    "conclude_expert_review": gettext_lazy("专家评审完成"),
    "decide_pass": gettext_lazy("审定：评估通过"),
    "decide_fail": gettext_lazy("审定：评估不通过"),
    "reopen_review": gettext_lazy("异议成立，退回评审"),
}
COMMENT_REQUIRED = {"forward", "return_to_agency", "decide_pass", "decide_fail", "withdraw", "reopen_review"}
APPLICATION_FIELDS = (
    "contact_name", "contact_phone", "address", "entity_changed", "entity_change_items", "credit_good",
    "credit_problems", "evaluations_carried_out", "no_evaluation_reason", "commissioned_evaluations",
    "commissioned_details", *RenewalAssessment.CERT_FIELDS, "certs_uploaded", "certified_holders", "employees",
    "wants_to_continue")


def _label(state: str) -> str:
    return str(AssessmentState(state).label)


def _url(assessment: RenewalAssessment) -> str:
    return f"/renewals/{assessment.pk}/"


def notify_assessment_parties(assessment: RenewalAssessment, subject: str, body: str = "") -> None:
    """The agency's staff and the reviewers who act on the renewal (pre-reviewer, city)."""
    notify(parties(assessment), subject=subject, body=body, url=_url(assessment))


def lock(assessment_id: int) -> RenewalAssessment:
    """The renewal, locked for this transaction (the shared machinery's lock, with its timeout)."""
    return transitions.lock(MACHINE, assessment_id)


def _require_agency_editing(assessment: RenewalAssessment, actor) -> None:
    if not filing_perm.is_agency_member(assessment, actor):
        raise PermissionDenied
    if not assessment.is_editable:
        raise TransitionRefused(_("续期申请已提交（当前状态为“%(state)s”），不能再修改。") % {"state": _label(assessment.state)})


# ----- the agency opens its renewal ---------------------------------------------------------
def renewal_blockers(filing: Filing, today: datetime.date) -> list[str]:
    """Why `filing` cannot open a renewal today; empty when it can [SPEC §4.1]."""
    profile = PolicyProfile.active()
    late = filing.ended_at_expiry()  # left the directory at expiry; may still apply late [004 §4(3)]
    if (filing.state not in IN_FORCE and not late) or filing.valid_until is None:
        return [_("该备案不在有效期内，不能申请期满评估。")]
    if filing.renewals.filter(expires_on=filing.valid_until, state=S.WITHDRAWN).exists():
        # 中途退出评估的，视为放弃续期: one withdrawal settles the period, re-assessment included [000 §5].
        return [_("本期期满评估已撤回，视为放弃续期，有效期届满后不再延续 [000 §5]。")]
    previous = _failed_round(filing)
    if previous is not None:
        if previous.round > 1:
            return [_("复评未通过，不能再次申请。")]
        if profile.failed_renewal != PolicyProfile.FailedRenewal.RECTIFY:
            return [_("评估未通过，按本地政策不予续期。")]
        if previous.rectification_due and today > previous.rectification_due:
            return [_("整改期限（%(date)s）已过。") % {"date": f"{previous.rectification_due:%Y-%m-%d}"}]
        return []
    if filing.renewals.filter(expires_on=filing.valid_until, state__in=[*OPEN, S.PASSED]).exists():
        return [_("本期已有续期申请。")]
    opens = timeline.window_opens_on(filing.valid_until, profile)
    if opens and today < opens:
        return [_("期满评估申请自 %(date)s 起开放。") % {"date": f"{opens:%Y年%-m月%-d日}"}]
    latest = timeline.latest_application_on(filing.valid_until, profile)
    if today > latest:
        return [_("最迟申请日（%(date)s）已过，视为放弃续期 [000 §5, 004 §4(3)]。") % {"date": f"{latest:%Y年%-m月%-d日}"}]
    return []


def _failed_round(filing: Filing) -> RenewalAssessment | None:
    """The failed assessment of the current period that a re-assessment would follow."""
    failed = (filing.renewals.filter(expires_on=filing.valid_until, state=S.FAILED).order_by("-round").first())
    if failed is None or RenewalAssessment.objects.filter(previous=failed).exists():
        return None
    return failed


@transaction.atomic
def open_renewal(*, filing_id: int, actor, today: datetime.date | None = None) -> RenewalAssessment:
    """Start the renewal application (or, after a failed assessment under a rectification policy, the
    re-assessment [000 §5]) on the latest published rubric; the form is prefilled from the agency."""
    today = today or timezone.localdate()
    filing = Filing.objects.select_for_update().select_related("agency").get(pk=filing_id)
    if not filing_perm.is_agency_member(filing, actor):
        raise PermissionDenied
    blockers = renewal_blockers(filing, today)
    if blockers:
        raise TransitionRefused("；".join(blockers))
    rubric = Rubric.current()
    if rubric is None:
        raise TransitionRefused(_("尚未发布评估表，请联系管理员。"))
    previous = _failed_round(filing)
    agency = filing.agency
    assessment = RenewalAssessment.objects.create(
        filing=filing, agency=agency, rubric=rubric, expires_on=filing.valid_until, region_id=filing.region_id,
        industry_department_id=filing.industry_department_id, round=previous.round + 1 if previous else 1,
        previous=previous, contact_name=agency.contact_name, contact_phone=agency.contact_phone,
        address=agency.address)
    if certificate_counts.apply(assessment, today):  # from the reported batches [004 Annex 1]
        assessment.recompute_totals()
        assessment.save()
    record("renewal.open", assessment, actor=actor, data={"filing": filing.pk, "round": assessment.round})
    return assessment


@transaction.atomic
def update_application(*, assessment_id: int, actor, data: dict) -> RenewalAssessment:
    """Save the Annex 1 form; the certified share and item 3.5 follow from the counts."""
    assessment = lock(assessment_id)
    _require_agency_editing(assessment, actor)
    for field in APPLICATION_FIELDS:
        if field in data:
            setattr(assessment, field, data[field])
    certificate_counts.apply(assessment)  # the batches' counts win over typed ones [004 Annex 1]
    assessment.full_clean(exclude=["filing", "agency", "rubric", "region", "state"])
    assessment.recompute_totals()
    assessment.save()
    record("renewal.application", assessment, actor=actor)
    return assessment


@transaction.atomic
def sign_pledge(*, assessment_id: int, actor) -> RenewalAssessment:
    """本单位承诺填写内容、申请材料真实有效，如有虚假，愿承担相应责任 [004 Annex 1]."""
    assessment = lock(assessment_id)
    _require_agency_editing(assessment, actor)
    assessment.pledge_signed_at, assessment.pledge_signed_by = timezone.now(), actor
    assessment.save(update_fields=["pledge_signed_at", "pledge_signed_by", "updated_at"])
    record("renewal.pledge", assessment, actor=actor)
    return assessment


def _save_values(assessment: RenewalAssessment, values: dict, *, side: str, actor) -> None:
    """Check every value first; store nothing if any is out of bounds (errors keyed by item code)."""
    items = {i.pk: i for i in assessment.rubric.items.all()}
    errors, checked = {}, {}
    values = {k: (raw, transitions.person_text(note)) for k, (raw, note) in values.items()}
    for item_id, (raw, note) in values.items():
        item = items.get(int(item_id))
        if item is None or not assessment.judged_by_hand(item):
            continue
        if raw in (None, ""):
            checked[item.pk] = (None, note)
            continue
        judged = not item.entered_by_hand  # 3.5 with nothing issued, 4.3 with no complaint [004 Annex 2]
        try:
            checked[item.pk] = (item.check_value(raw, judged=judged), note)
        except ValidationError as exc:
            errors[item.code] = exc.messages
            continue
        if judged and not (note or "").strip():
            if item.kind == item.Kind.COMPLAINT_RECORDS:
                errors[item.code] = [_("本期没有投诉要求机构说明情况，%(code)s 无法按投诉记录判定：请在“说明”中写明评定理由。")
                                     % {"code": item.code}]
            else:
                errors[item.code] = [_("本期未发证，%(code)s 无法按上国网比例计分：请在“说明”中写明评定理由。")
                                     % {"code": item.code}]
    if errors:
        raise ValidationError(errors)
    existing = {s.item_id: s for s in assessment.scores.all()}
    for item_id, (value, note) in checked.items():
        score = existing.get(item_id) or ItemScore(assessment=assessment, item_id=item_id)
        setattr(score, f"{side}_value", value)
        setattr(score, f"{side}_note", note or "")
        if side == "review":
            score.reviewed_by = actor
        score.save()
    assessment.recompute_totals()
    assessment.save(update_fields=["self_total", "self_vetoed", "review_total", "review_vetoed", "updated_at"])


@transaction.atomic
def save_self_scores(*, assessment_id: int, actor, values: dict) -> RenewalAssessment:
    """自查自评: one value per item within its bounds [SPEC §4.3]; totals computed, never typed.
    `values` maps item id → (value, note)."""
    assessment = lock(assessment_id)
    _require_agency_editing(assessment, actor)
    _save_values(assessment, values, side="self", actor=actor)
    record("renewal.self_assessment", assessment, actor=actor, data={"total": str(assessment.self_total),
                                                                      "veto": assessment.self_vetoed})
    return assessment


def is_panel_expert(assessment: RenewalAssessment, user) -> bool:
    return filing_perm.is_assigned_expert(assessment, user)


@transaction.atomic
def save_review_scores(*, assessment_id: int, actor, values: dict) -> RenewalAssessment:
    """The reviewers' score per item beside the self score [000 §4(2), 004 §3(4)]."""
    assessment = lock(assessment_id)
    if not is_panel_expert(assessment, actor):
        raise PermissionDenied
    if assessment.state != S.EXPERT_REVIEW:
        raise TransitionRefused(_("当前不在专家评审阶段，不能评分。"))
    _save_values(assessment, values, side="review", actor=actor)
    record("renewal.review_scores", assessment, actor=actor, data={"total": str(assessment.review_total),
                                                                    "veto": assessment.review_vetoed})
    return assessment


@transaction.atomic
def submit_opinion(*, assessment_id: int, actor, document_reviewed: bool, report_heard: bool, site_checked: bool,
                   opinion: str) -> PanelMember:
    """Each expert records the methods used (资料审阅, 听取汇报, 现场核查) and an opinion [000 §4(2)]."""
    assessment = lock(assessment_id)
    seat = assessment.panel.filter(expert=actor).first()
    if seat is None:
        raise PermissionDenied
    if assessment.state != S.EXPERT_REVIEW:
        raise TransitionRefused(_("当前不在专家评审阶段。"))
    opinion = transitions.person_text(opinion)
    if not opinion.strip():
        raise ValidationError({"opinion": _("请填写专家意见。")})
    if not (document_reviewed or report_heard or site_checked):
        raise ValidationError({"document_reviewed": _("请至少勾选一种评审方式。")})
    seat.document_reviewed, seat.report_heard, seat.site_checked = document_reviewed, report_heard, site_checked
    seat.opinion, seat.submitted_at = opinion.strip(), timezone.now()
    seat.save()
    record("renewal.expert_opinion", assessment, actor=actor, comment=seat.opinion)
    return seat


@transaction.atomic
def assign_panel(*, assessment_id: int, actor, experts: list) -> list[PanelMember]:
    """The city forms the panel; an expert working for the agency may not sit on it."""
    assessment = lock(assessment_id)
    if not filing_perm.is_city_reviewer(assessment, actor):
        raise PermissionDenied
    if assessment.state not in (S.ACCEPTED, S.EXPERT_REVIEW):
        raise TransitionRefused(_("当前状态不能调整专家组。"))
    seats = []
    for expert in experts:
        if expert.role != Role.EXPERT or expert.agency_id == assessment.agency_id:
            raise ValidationError(_("%(expert)s 不能担任本机构的评估专家。") % {"expert": expert})
        seat, _created = PanelMember.objects.get_or_create(assessment=assessment, expert=expert,
                                                    defaults={"assigned_by": actor})
        seats.append(seat)
    record("renewal.panel", assessment, actor=actor, data={"experts": [e.pk for e in experts]})
    notify(experts, subject=f"期满评估评审任务：{assessment.agency.name}", url=_url(assessment))
    return seats


@transaction.atomic
def add_attachment(*, assessment_id: int, actor, type: str, upload, item_id: int | None = None) -> Attachment:
    """A renewal material [004 §3(2)] or an item's evidence, content-checked and size-limited."""
    assessment = lock(assessment_id)
    _require_agency_editing(assessment, actor)
    if type not in AttachmentType.values:
        raise ValidationError(_("材料类型不正确。"))
    if item_id is not None and not assessment.rubric.items.filter(pk=item_id).exists():
        raise ValidationError(_("评估项不正确。"))
    checked = check_upload(upload)
    attachment = Attachment(assessment=assessment, type=type, item_id=item_id, original_name=checked.original_name,
                            content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
                            uploaded_by=actor)
    attachment.file.save(f"{checked.sha256[:16]}.{checked.extension}", checked.file, save=False)
    attachment.save()
    record("renewal.upload", assessment, actor=actor, data={"attachment": attachment.pk, "type": type,
                                                             "sha256": checked.sha256})
    return attachment


# ----- transitions ------------------------------------------------------------------------------
def _refusal(assessment: RenewalAssessment, action: str, today: datetime.date) -> str:
    if action == "submit":
        return _("申请尚不完整，请补齐后再提交：") + "；".join(assessment.completeness_problems())
    if action == "start_expert_review":
        return _("专家组不少于 %(n)s 人，请先指派专家。") % {"n": PolicyProfile.active().min_experts}
    if action == "conclude_expert_review":
        return _("专家评审尚未完成：") + "；".join(assessment.review_problems())
    if action == "decide_pass":
        if assessment.review_vetoed:
            return _("存在一票否决项，不能评定为通过 [004 附件2 六]。")
        return (_("评审总分 %(total)s 分，未达到合格分 %(mark)s 分。")
                % {"total": fmt(assessment.review_total or 0), "mark": fmt(PolicyProfile.active().pass_mark)})
    return _("当前条件下不能进行此操作。")


def _check(assessment: RenewalAssessment, action: str, actor, today: datetime.date) -> None:
    """The latest application day holds when the agency submits, whether or not the sweep has run
    [000 §5, 004 §4(3)]."""
    if action == "submit" and assessment.round == 1 and today > timeline.latest_application_on(assessment.expires_on):
        raise TransitionRefused(_("最迟申请日已过，不能再提交续期申请 [000 §5, 004 §4(3)]。"))


def _effects(assessment: RenewalAssessment, action: str, before: str, actor, comment: str,
             today: datetime.date) -> None:
    if action in ("forward", "return_to_agency"):
        assessment.pre_review_opinion = comment
    if action in ("decide_pass", "decide_fail"):
        assessment.decision_reasons, assessment.decided_by = comment, actor
        _publish_result(assessment, actor=actor, today=today)


def _after_save(assessment: RenewalAssessment, action: str, before: str, actor, today: datetime.date) -> None:
    if assessment.state in (S.PASSED, S.FAILED) and OUTCOME_HOOK:
        OUTCOME_HOOK[0](assessment, today=today)


def _notify(assessment: RenewalAssessment, before: str, comment: str) -> None:
    notify_assessment_parties(assessment, f"期满评估：{assessment.agency.name} {_label(before)} → "
                                          f"{_label(assessment.state)}", comment)


# What a result does to the filing lives in `assessments.outcomes`, which builds on these services
# and plugs itself in here when it is imported (assessments/apps.py), so neither imports the other.
OUTCOME_HOOK: list = []

MACHINE = transitions.Machine(
    model=RenewalAssessment,
    audit_prefix="renewal",
    noun=gettext_lazy("该评估"),
    actions=ACTIONS,
    system_actions=frozenset({"close_notice"}),
    comment_required=frozenset(COMMENT_REQUIRED),
    select_related=("agency", "region", "filing", "rubric"),
    refusal=_refusal,
    check=_check,
    effects=_effects,
    after_save=_after_save,
    notify=_notify,
)
SYSTEM_LABELS = {"close_notice": gettext_lazy("结果公示期满，结果生效")}


def may(method, user) -> bool:
    return transitions.may(method, user)


def available_actions(assessment: RenewalAssessment, user) -> list[tuple[str, str]]:
    """The buttons `user` may press now; conditions are checked on submit so the refusal says why —
    except a pass over a recorded one-vote veto, which no explanation can make possible: that button
    is not offered at all [004 Annex 2 六]."""
    actions = transitions.available_actions(MACHINE, assessment, user)
    if assessment.review_vetoed:
        actions = [(name, label) for name, label in actions if name != "decide_pass"]
    return actions


def perform(*, assessment_id: int, action: str, actor=None, comment: str = "",
            today: datetime.date | None = None, expected_state: str | None = None) -> RenewalAssessment:
    """Carry out one transition of a renewal (`portal.transitions.perform`); `actor=None` is the
    system (the deadline sweep), which may only close the notice of results."""
    return transitions.perform(MACHINE, pk=assessment_id, action=action, actor=actor, comment=comment, today=today,
                               expected_state=expected_state)


def _publish_result(assessment: RenewalAssessment, *, actor, today: datetime.date) -> None:
    """结果公示 [000 §4(3)]: the result goes into today's notice of renewal results."""
    total = assessment.review_total
    with override(settings.LANGUAGE_CODE):  # published text: in the portal's language
        outcome = str(Outcome(assessment.outcome).label)
    summary = f"期满评估结果：{outcome}" + (f"（评审得分 {fmt(total)} 分）" if total is not None else "")
    item = notices.add_to_notice(assessment.filing, actor=actor, today=today,
                                 purpose=PublicNotice.Purpose.RENEWAL, summary=summary)
    assessment.notice_ends_on = item.notice.ends_on


def close_notice(*, assessment_id: int, today: datetime.date | None = None) -> RenewalAssessment:
    """The notice of results ended: the result takes effect (system, from the sweep)."""
    return perform(assessment_id=assessment_id, action="close_notice", actor=None, today=today)
