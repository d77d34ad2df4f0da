"""Builds renewals through the real services, for `seed_demo` and the tests alike: a renewal "in state X"
got there by the same calls a person's clicks make."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessments import deadlines, services
from assessments.choices import AssessmentState
from assessments.models import RenewalAssessment
from filings.demo import MINIMAL_PDF, _actor, agency_user, demo_actors, draft_filing, drive, get_agency, make_uscc
from filings.choices import AgencyKind, FilingState, ManagingLevel, Ownership
from portal.dates import add_years
from portal.models import IndustryDepartment, Occupation, Role, User

S = AssessmentState
ONE_DAY = datetime.timedelta(days=1)


def active_filing(agency, clerk, *, expires_on: datetime.date, actors, experts, occupations, managing_level=None):
    """A filing put in force three years before `expires_on` (backdated) through the filing services."""
    start = add_years(expires_on + ONE_DAY, -3)
    level = managing_level or (ManagingLevel.CITY if agency.ownership in (Ownership.CENTRAL, Ownership.MUNICIPAL_SOE,
                                                                          Ownership.CITY_ASSOCIATION)
                               else ManagingLevel.DISTRICT)
    filing = draft_filing(agency, clerk, occupations=occupations, managing_level=level)
    return drive(filing, FilingState.ACTIVE, actors=actors, experts=experts, today=start)


def pdf(name="证明材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf")


def item_values(assessment, *, fraction=1.0, veto=None, deductions=0) -> dict:
    """One value per hand-entered item: scored items at `fraction` of their maximum."""
    values = {}
    for item in assessment.rubric.items.all():
        if item.kind == "score":
            values[item.pk] = (str(round(float(item.max_score) * fraction)), "")
        elif item.kind == "all_or_nothing":
            values[item.pk] = (str(item.max_score if fraction >= 0.5 else 0), "")
        elif item.kind == "complaint_records":  # used only when no complaint asked anything [004 Annex 2 4.3]
            values[item.pk] = (str(item.max_score if fraction >= 0.5 else 0), "本期无投诉要求机构说明情况")
        elif item.kind == "deduction":
            values[item.pk] = (str(deductions), "")
        elif item.kind == "veto":
            values[item.pk] = ("1" if item.code == veto else "0", "")
    return values


APPLICATION = dict(entity_changed=False, credit_good=True, evaluations_carried_out=True, commissioned_evaluations=False,
                   wants_to_continue=True, certified_holders=180, employees=200, certs_level5=60, certs_level4=30,
                   certs_level3=10, certs_uploaded=95)


def complete_application(assessment, clerk, *, fraction=1.0, **overrides) -> RenewalAssessment:
    services.update_application(assessment_id=assessment.pk, actor=clerk, data={**APPLICATION, **overrides})
    assessment.refresh_from_db()
    services.save_self_scores(assessment_id=assessment.pk, actor=clerk,
                              values=item_values(assessment, fraction=fraction))
    for t in assessment.required_attachments():
        services.add_attachment(assessment_id=assessment.pk, actor=clerk, type=t, upload=pdf())
    services.sign_pledge(assessment_id=assessment.pk, actor=clerk)
    assessment.refresh_from_db()
    return assessment


def drive_renewal(filing, to_state: str, *, actors, experts, today: datetime.date, fraction=1.0, veto=None,
                  passed: bool | None = None) -> RenewalAssessment:
    """Open (or continue) the current renewal of `filing` and take it to `to_state` through the services.
    For NOTICE/PASSED/FAILED the decision follows `passed` (default: the scores)."""
    order = [S.DRAFT, S.PRE_REVIEW, S.ACCEPTED, S.EXPERT_REVIEW, S.DECIDING, S.NOTICE]
    clerk = actors.get("agency") or User.objects.filter(role=Role.AGENCY, agency_id=filing.agency_id).first()
    assessment = filing.renewals.filter(state__in=[*order, S.RETURNED]).order_by("-pk").first() or \
        services.open_renewal(filing_id=filing.pk, actor=clerk, today=today)
    target = S.NOTICE if to_state in (S.PASSED, S.FAILED) else to_state
    if to_state == S.WITHDRAWN:
        services.perform(assessment_id=assessment.pk, action="withdraw", actor=clerk, comment="企业决定不再续期。",
                         today=today)
        return _fresh(assessment)
    if assessment.state == S.DRAFT and target != S.DRAFT:
        complete_application(assessment, clerk, fraction=fraction)
        services.perform(assessment_id=assessment.pk, action="submit", actor=clerk, today=today)
    assessment = _fresh(assessment)
    if to_state == S.RETURNED:
        services.perform(assessment_id=assessment.pk, action="return_to_agency", actor=_actor(filing, "pre", actors),
                         comment="发证数量与系统数据不一致，请核对。", today=today)
        return _fresh(assessment)
    if assessment.state == S.PRE_REVIEW and order.index(target) > order.index(S.PRE_REVIEW):
        services.perform(assessment_id=assessment.pk, action="forward", actor=_actor(filing, "pre", actors),
                         comment="初评：材料齐全，同意报送。", today=today)
    assessment = _fresh(assessment)
    if assessment.state == S.ACCEPTED and order.index(target) > order.index(S.ACCEPTED):
        services.assign_panel(assessment_id=assessment.pk, actor=actors["city"], experts=experts)
        services.perform(assessment_id=assessment.pk, action="start_expert_review", actor=actors["city"], today=today)
    assessment = _fresh(assessment)
    if assessment.state == S.EXPERT_REVIEW and order.index(target) > order.index(S.EXPERT_REVIEW):
        services.save_review_scores(assessment_id=assessment.pk, actor=experts[0],
                                    values=item_values(assessment, fraction=fraction, veto=veto))
        for expert in experts:
            services.submit_opinion(assessment_id=assessment.pk, actor=expert, document_reviewed=True,
                                    report_heard=True, site_checked=True, opinion="资料齐全，现场核查情况与自评基本一致。")
        services.perform(assessment_id=assessment.pk, action="conclude_expert_review", actor=actors["city"],
                         today=today)
    assessment = _fresh(assessment)
    if assessment.state == S.DECIDING and target == S.NOTICE:
        ok = assessment.meets_pass_mark() if passed is None else passed
        services.perform(assessment_id=assessment.pk, action="decide_pass" if ok else "decide_fail",
                         actor=actors["city"], today=today,
                         comment="评审得分达到合格分，无一票否决项，同意续期。" if ok else "评审得分未达合格分，评估不通过。")
    assessment = _fresh(assessment)
    if assessment.state == S.NOTICE and to_state in (S.PASSED, S.FAILED):
        services.close_notice(assessment_id=assessment.pk, today=max(today, assessment.notice_ends_on) + ONE_DAY)
    return _fresh(assessment)


def _fresh(assessment):
    return RenewalAssessment.objects.select_related("filing").get(pk=assessment.pk)


# ----- seed_demo ----------------------------------------------------------------------------------
DEMO = [
    # (username, agency name, ownership, district, expires in days, renewal state)
    ("rn_nextmonth", "上海外高桥造船技能评价中心", Ownership.DISTRICT_ENTERPRISE, "310115", 35, None),
    ("rn_overdue", "上海金山石化检修有限公司", Ownership.OTHER_ENTERPRISE, "310116", -5, S.PRE_REVIEW),
    ("rn_draft", "上海闵行机电设备有限公司", Ownership.DISTRICT_ENTERPRISE, "310112", 60, S.DRAFT),
    ("rn_returned", "上海普陀物流装备有限公司", Ownership.OTHER_ENTERPRISE, "310107", 50, S.RETURNED),
    ("rn_accepted", "上海电力建设集团有限公司", Ownership.MUNICIPAL_SOE, "310104", 45, S.ACCEPTED),
    ("rn_review", "中国商飞上海装配分公司", Ownership.CENTRAL, "310115", 40, S.EXPERT_REVIEW),
    ("rn_deciding", "上海光明食品加工有限公司", Ownership.MUNICIPAL_SOE, "310106", 30, S.DECIDING),
    ("rn_notice", "上海宝钢设备检修有限公司", Ownership.MUNICIPAL_SOE, "310113", 25, S.NOTICE),
    ("rn_passed", "上海隧道工程股份有限公司", Ownership.MUNICIPAL_SOE, "310104", 20, S.PASSED),
    ("rn_failed", "上海松江纺织机械有限公司", Ownership.DISTRICT_ENTERPRISE, "310117", -10, S.FAILED),
    ("rn_withdrawn", "上海青浦模具制造有限公司", Ownership.OTHER_ENTERPRISE, "310118", 70, S.WITHDRAWN),
]
OCCUPATION_CODES = ["6-31-01-03", "6-18-01-01"]


def seed() -> list[str]:
    actors = demo_actors()
    experts = list(User.objects.filter(role=Role.EXPERT).order_by("username")[:3])
    occupations = [o for o in (Occupation.objects.filter(code=c).first() for c in OCCUPATION_CODES) if o]
    today = timezone.localdate()
    lines = []
    for i, (username, name, ownership, district, days, state) in enumerate(DEMO, start=1):
        agency = get_agency(name=name, uscc=make_uscc(5000 + i), kind=AgencyKind.ENTERPRISE, ownership=ownership,
                            region_code=district, industry_department=IndustryDepartment.objects.first()
                            if ownership == Ownership.CITY_ASSOCIATION else None)
        clerk = agency_user(agency, username)
        label = AssessmentState(state).label if state else "已进入申请期，尚未申请"
        lines.append(f"{username:<12} {clerk.get_role_display():<10} {agency.name}（期满评估：{label}）")
        if agency.filings.exists():
            continue
        expires_on = today + datetime.timedelta(days=days)
        filing = active_filing(agency, clerk, expires_on=expires_on, actors=actors, experts=experts,
                               occupations=occupations)
        if state is None:
            continue
        # Renewals are applied for inside the window: act as of a date before expiry.
        acting_day = min(today, expires_on - datetime.timedelta(days=20))
        fraction = 0.5 if state == S.FAILED else 0.9
        drive_renewal(filing, state, actors={**actors, "agency": clerk}, experts=experts, today=acting_day,
                      fraction=fraction)
    deadlines.sweep(today)  # what the nightly run would have done: flags, consequences at expiry
    return lines
