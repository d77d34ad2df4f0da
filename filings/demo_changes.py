"""Demo change requests (变更备案) for `seed_demo`: one in every state, on in-force filings of
different agencies, each got there through `change_services` as a person's clicks would
[002 §13, 001 §5(3), 003 §7]. Runs after the filings seeder, which puts those filings in force."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from filings import change_panel_services, change_services
from django.utils import timezone

from filings.choices import AgencyKind, FilingState, ManagingLevel, Ownership
from filings.demo import MINIMAL_PDF, _actor, agency_user, demo_actors, draft_filing, drive, get_agency, make_uscc
from filings.models import ChangeRequest, Filing
from filings.models.changes import CHANGE_MATERIALS
from filings.uploads import check_upload
from portal import transitions
from portal.models import Occupation, PolicyProfile, Role, SkillLevel, User

CR = ChangeRequest.State

# The way to each state, as (action, who, comment) after the agency creates the draft.
STEPS = {
    CR.DRAFT: [],
    CR.PRE_REVIEW: [("submit", "agency", "")],
    CR.SUBMITTED: [("submit", "agency", ""), ("forward", "pre", "经初审，变更事项属实，材料齐全，同意报送。")],
    CR.APPROVED: [("submit", "agency", ""), ("forward", "pre", "经初审，新增工种考评人员配备符合要求，同意报送。"),
                  ("approve", "city", "经审核，同意新增焊工（五级至三级）评价范围，备案回执重新出具。")],
    # Added scope is published where the policy publishes filings [003 §7]: approval puts it in notice.
    CR.NOTICE: [("submit", "agency", ""), ("forward", "pre", "经初审，新增工种考评人员配备符合要求，同意报送。"),
                ("approve", "city", "经审核，同意新增焊工（五级至三级）评价范围，予以公示。")],
    CR.REFUSED: [("submit", "agency", ""), ("forward", "pre", "机构正在限期整改，建议暂缓扩大评价范围。"),
                 ("refuse", "city", "机构处于限期整改期间，整改验收合格前不予扩大评价范围 [002 §30]。")],
    CR.EXPERT_REVIEW: [("submit", "agency", ""), ("forward", "pre", "经初审，新增工种材料齐全，同意报送。"),
                       ("start_expert_review", "city", "")],
    CR.WITHDRAWN: [("withdraw", "agency", "经核实，法定代表人变更登记尚未完成，先行撤回，待登记后再申请。")],
}


def attach_materials(change: ChangeRequest, clerk: User) -> None:
    """The materials added scope carries [002 §8, 003 §10], uploaded as the agency would."""
    for material_type in CHANGE_MATERIALS:
        upload = check_upload(SimpleUploadedFile(f"{material_type.label}.pdf", MINIMAL_PDF,
                                                 content_type="application/pdf"))
        change_services.upload_change_material(change_id=change.pk, actor=clerk, material_type=material_type,
                                               upload=upload)


def form_panel(change: ChangeRequest, city: User, experts: list[User] | None = None) -> list[User]:
    experts = experts or list(User.objects.filter(role=Role.EXPERT, is_active=True)
                              .exclude(agency_id=change.filing.agency_id)
                              .order_by("username")[:PolicyProfile.active().min_experts])
    change_panel_services.assign_change_panel(change_id=change.pk, experts=experts, actor=city)
    return experts


def review_by_panel(change: ChangeRequest, city: User, experts: list[User] | None = None,
                    opinion: str = "新增工种考评人员配备、实施方案符合要求，建议同意变更。") -> ChangeRequest:
    """Added scope before a panel [002 §11]: the city names the experts, the review starts, each
    expert submits an opinion and a score."""
    experts = form_panel(change, city, experts)
    change = change_services.act(change_id=change.pk, action="start_expert_review", actor=city)
    for expert in experts:
        change_panel_services.record_change_review(change_id=change.pk, expert=expert, opinion=opinion,
                                                   score=85, recommendation="approve")
    return change


def _welders(prefix: str) -> list[dict]:
    return [{"name": f"{prefix}考评员{i}", "certificate_no": f"{prefix[:2].upper()}HG{i:03d}",
             "level": SkillLevel.LEVEL_3} for i in range(1, 6)]


def _plan() -> list[tuple[str, list[tuple[str, str, dict]]]]:
    """Per agency user, its change requests in the order they were made: closed ones first, since an
    agency has at most one change request open at a time."""
    welder = Occupation.objects.get(code="6-18-02-04", work_type="")

    def add_welding(prefix):
        return {"add": [{"occupation": welder.pk, "level_from": SkillLevel.LEVEL_5, "level_to": SkillLevel.LEVEL_3,
                         "examiners": _welders(prefix)}]}

    return [
        ("ag_active", [
            (CR.APPROVED, "公司新建焊接实训基地，已配备焊工考评人员 5 名，申请新增焊工评价范围。", add_welding("pj")),
            (CR.DRAFT, "联系人岗位调整，更新联系人及联系电话。",
             {"details": {"contact_name": "王芳", "contact_phone": "021-58880002"}}),
        ]),
        ("ag_rectify", [
            (CR.REFUSED, "为满足园区企业用工需求，申请新增焊工评价范围。", add_welding("js")),
            (CR.PRE_REVIEW, "办公场所搬迁，变更机构地址。", {"details": {"address": "上海市金山区龙胜路 88 号"}}),
        ]),
        ("ag_expand", [
            (CR.EXPERT_REVIEW, "新建焊接实训车间，已配备焊工考评人员 5 名，申请新增焊工评价范围。", add_welding("wg")),
        ]),
        ("ag_notice", [
            (CR.NOTICE, "新建焊接实训车间，已配备焊工考评人员 5 名，申请新增焊工评价范围。", add_welding("hz")),
        ]),
        ("ag_change", [
            (CR.WITHDRAWN, "法定代表人变更。", {"details": {"legal_representative": "陈晓东"}}),
            (CR.SUBMITTED, "考核场地迁入新厂区，变更机构地址。", {"details": {"address": "上海市浦东新区临港大道 1500 号"}}),
        ]),
    ]


def _end_notice(change: ChangeRequest) -> ChangeRequest:
    """The system ends the change's notice the day after its last day, as the sweep does."""
    day = change.notice_ends_on + datetime.timedelta(days=1)
    return transitions.perform(change_services.MACHINE, pk=change.pk, action="complete_notice", today=day,
                               comment=f"时限届满（{day:%Y-%m-%d}），系统自动处理")


def _notice_agency(actors: dict[str, User]) -> None:
    """A filing in force of its own for the change in its notice: every other agency in force already
    has a change open, and an agency has one at a time."""
    agency = get_agency(name="上海浦东焊接装备制造有限公司", uscc=make_uscc(1900), kind=AgencyKind.ENTERPRISE,
                        ownership=Ownership.DISTRICT_ENTERPRISE, region_code="310115")
    user = agency_user(agency, "ag_notice")
    if agency.filings.exists():
        return
    electrician = Occupation.objects.filter(code="6-31-01-03").order_by("work_type").first()
    filing = draft_filing(agency, user, occupations=[electrician], managing_level=ManagingLevel.DISTRICT)
    experts = list(User.objects.filter(role=Role.EXPERT).order_by("username")[:PolicyProfile.active().min_experts])
    today = timezone.localdate()
    drive(filing, FilingState.PUBLIC_NOTICE, actors=actors, experts=experts, today=today - datetime.timedelta(days=20))
    drive(filing, FilingState.ACTIVE, actors=actors, today=today)


def seed() -> list[str]:
    actors = demo_actors()
    _notice_agency(actors)
    lines = []
    for username, requests in _plan():
        clerk = User.objects.filter(username=username).first()
        filing = clerk and Filing.objects.in_force().filter(agency_id=clerk.agency_id).first()
        if filing is None or filing.change_requests.exists():
            continue
        for state, reason, proposal in requests:
            change = change_services.create_change_request(filing_id=filing.pk, actor=clerk, reason=reason, **proposal)
            if change.adds_scope:
                attach_materials(change, clerk)
            for action, who, comment in STEPS[state]:
                if change.state == state:  # a filing routed to the city skips the pre-review
                    break
                actor = clerk if who == "agency" else _actor(filing, who, actors)
                if action == "approve" and change.adds_scope:
                    change = review_by_panel(change, actor)
                if action == "start_expert_review":
                    form_panel(change, actor)
                if action == "approve" and change.notice_required():
                    change = change_services.act(change_id=change.pk, action="approve_for_notice", actor=actor,
                                                 comment=comment)
                    if state == CR.NOTICE:
                        break
                    change = _end_notice(change)  # the notice ran out with no objection [003 §7]
                    continue
                change = change_services.act(change_id=change.pk, action=action, actor=actor, comment=comment)
            lines.append(f"{username:<12} 变更备案：{CR(state).label}")
    return lines
