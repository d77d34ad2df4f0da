"""Builds agencies and filings through the real services, for `seed_demo` and the tests alike:
a filing "in state X" got there by the same transitions a person would click."""

from __future__ import annotations

import datetime
import decimal
import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone
from django_fsm import can_proceed

from filings import panel_services, services
from filings.choices import AgencyKind, FilingState, ManagingLevel, MaterialType, Ownership
from filings.models import Agency, Examiner, ExpertAssignment, Filing, Material, ScopeItem, required_material_types
from portal.demo import demo_user
from portal.models import IndustryDepartment, Occupation, Region, Role, SkillLevel, User
from portal.uscc import check_character

S = FilingState
# One blank A4 page with a correct cross-reference table: uploads must open as a PDF (filings/uploads.py).
MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
               b"3 0 obj<</Type/Page/MediaBox[0 0 595 842]/Parent 2 0 R>>endobj\nxref\n0 4\n0000000000 65535 f \n"
               b"0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\n"
               b"startxref\n164\n%%EOF\n")


def make_uscc(seed: int, prefix: str = "91310000") -> str:
    """A valid USCC (correct check character) derived from a number, for demo and test data."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body, n = "", seed
    for _ in range(9):
        body = alphabet[n % 31] + body
        n //= 31
    first17 = (prefix + body)[:17]
    return first17 + check_character(first17)


def get_agency(*, name: str, uscc: str, kind: str, ownership: str, region_code: str,
               industry_department: IndustryDepartment | None = None) -> Agency:
    agency, _ = Agency.objects.get_or_create(uscc=uscc, defaults=dict(
        name=name, kind=kind, ownership=ownership, region=Region.objects.get(code=region_code),
        industry_department=industry_department, address=f"上海市{Region.objects.get(code=region_code).name}示范路 100 号",
        legal_representative="张三", contact_name="李四", contact_phone="021-60000000",
        contact_email="contact@example.com"))
    return agency


def agency_user(agency: Agency, username: str) -> User:
    return demo_user(username, role=Role.AGENCY, full_name=f"{agency.name}经办人", agency=agency)


def draft_filing(agency: Agency, user: User, *, occupations: list[Occupation], level_from=SkillLevel.LEVEL_5,
                 level_to=SkillLevel.LEVEL_3, managing_level=ManagingLevel.DISTRICT, complete=True) -> Filing:
    """A draft with scope, five examiners per occupation at the top level, facilities, every
    required material and the signed pledge (unless `complete=False`)."""
    filing = Filing.objects.create(agency=agency, region=agency.region, managing_level=managing_level,
                                   industry_department=agency.industry_department)
    for occ in occupations:
        ScopeItem.objects.create(filing=filing, occupation=occ, level_from=level_from, level_to=level_to)
        for i in range(5):
            Examiner.objects.create(filing=filing, occupation=occ, name=f"考评员{'甲乙丙丁戊'[i]}",
                                    certificate_no=f"KP{occ.pk:04d}{i:02d}", level=level_to)
    if complete:
        filing.facilities = "理论考试机房 1 间（40 机位），技能操作考核场地 2 处，全程视频监控并保存。"
        filing.pledge_signed_at, filing.pledge_signed_by = timezone.now(), user
        filing.save()
        for t in required_material_types(agency):
            add_material(filing, t, user)
    return filing


def add_material(filing: Filing, material_type: str, user: User, content: bytes = MINIMAL_PDF) -> Material:
    material = Material(filing=filing, type=material_type, original_name=f"{MaterialType(material_type).label}.pdf",
                        content_type="application/pdf", size=len(content),
                        sha256=hashlib.sha256(content).hexdigest(), uploaded_by=user)
    material.file.save("upload", ContentFile(content), save=False)
    material.save()
    return material


# The path each state is reached by, as (action, who) steps; "agency", "receiver", "pre", "city".
PATHS = {
    S.DRAFT: [],
    S.SUBMITTED: [("submit", "agency")],
    S.SUPPLEMENT_REQUESTED: [("submit", "agency"), ("request_supplement", "receiver")],
    S.WITHDRAWN: [("withdraw", "agency")],
    S.PRE_REVIEW: [("submit", "agency"), ("accept", "receiver")],
    S.RETURNED: [("submit", "agency"), ("accept", "receiver"), ("return_to_agency", "pre")],
    S.ACCEPTED: [("submit", "agency"), ("accept", "receiver"), ("forward", "pre")],
    S.EXPERT_REVIEW: [("submit", "agency"), ("accept", "receiver"), ("forward", "pre"), ("panel", "city"),
                      ("start_expert_review", "city")],
    S.SELECTION: [("submit", "agency"), ("accept", "receiver"), ("forward", "pre"), ("panel", "city"),
                  ("start_expert_review", "city"), ("scores", "experts"), ("conclude_expert_review", "city")],
    S.REFUSED: [("submit", "agency"), ("refuse_acceptance", "receiver")],
}
PATHS[S.PUBLIC_NOTICE] = PATHS[S.SELECTION] + [("approve_for_notice", "city")]
PATHS[S.ACTIVE] = PATHS[S.PUBLIC_NOTICE] + [("complete_notice", "system")]
PATHS[S.ABANDONED] = PATHS[S.SUPPLEMENT_REQUESTED] + [("abandon", "system")]

COMMENTS = {
    "request_supplement": "请补正：1. 信用报告已过有效期；2. 场地设备设施资产证明缺少租赁合同。",
    "refuse_acceptance": "申请事项不属于本机关职责范围。",
    "return_to_agency": "考评人员名单与证书不符，请核对后重新提交。",
    "forward": "经初审，材料齐全，符合条件，同意报送。",
    "withdraw": "机构决定暂缓申请。",
}


def drive(filing: Filing, to_state: str, *, actors: dict[str, User], experts: list[User] | None = None,
          today: datetime.date | None = None) -> Filing:
    """Take a draft (or a filing part way along its path) to `to_state` through the services."""
    path = PATHS[to_state]
    if to_state == S.ACTIVE and not filing.notice_required():
        path = PATHS[S.SELECTION] + [("approve", "city")]
    for action, who in path:
        filing.refresh_from_db()
        if action == "panel":
            if not filing.panel.exists() and experts:
                panel_services.assign_panel(filing_id=filing.pk, experts=experts, actor=actors["city"])
            continue
        if action == "scores":
            for i, assignment in enumerate(filing.panel.select_related("expert")):
                if assignment.submitted_at is None:
                    panel_services.record_expert_review(
                        assignment_id=assignment.pk, expert=assignment.expert, materials_verified=True,
                        materials_notes="", site_visited=True, site_visit_notes="",
                        opinion="材料真实完整，场地满足要求。", score=decimal.Decimal(85 + i),
                        recommendation=ExpertAssignment.Recommendation.APPROVE, submit=True)
            continue
        method = getattr(filing, action)
        if not can_proceed(method, check_conditions=False):
            continue  # already past this step
        actor = None if who == "system" else _actor(filing, who, actors)
        services.perform(filing_id=filing.pk, action=action, actor=actor, comment=COMMENTS.get(action, ""),
                         today=today)
    filing.refresh_from_db()
    return filing


def _actor(filing: Filing, who: str, actors: dict[str, User]) -> User:
    if who == "agency":
        return actors.get("agency") or User.objects.filter(role=Role.AGENCY, agency_id=filing.agency_id).first()
    if who == "receiver":
        who = "city" if filing.route == "city" else "pre"
    if who == "pre":
        return actors["industry"] if filing.route == "industry" else actors[f"district:{filing.region.code}"]
    return actors[who]


DEMO_AGENCIES = [
    # (username, name, kind, ownership, district code, managing level, occupations, target state)
    ("ag_active", "上海浦江电气技能评价有限公司", AgencyKind.ENTERPRISE, Ownership.DISTRICT_ENTERPRISE, "310115",
     ManagingLevel.DISTRICT, ["6-31-01-03", "6-18-01-01"], S.ACTIVE),
    ("ag_soe", "上海城建集团有限公司", AgencyKind.ENTERPRISE, Ownership.MUNICIPAL_SOE, "310104",
     ManagingLevel.CITY, ["6-18-01-01"], S.EXPERT_REVIEW),
    ("ag_central", "中国东方航空设备上海分公司", AgencyKind.ENTERPRISE, Ownership.CENTRAL, "310115",
     ManagingLevel.CITY, ["6-31-01-03"], S.SELECTION),
    ("ag_assoc", "上海市烹饪餐饮行业协会", AgencyKind.SOCIAL, Ownership.CITY_ASSOCIATION, "310106",
     ManagingLevel.CITY, ["4-03-02-01"], S.PUBLIC_NOTICE),
    ("ag_school", "上海市浦东新区技工学校", AgencyKind.SCHOOL, Ownership.SCHOOL, "310115",
     ManagingLevel.DISTRICT, ["4-10-01-03"], S.SUBMITTED),
    ("ag_care", "上海徐汇颐养职业培训学校", AgencyKind.SOCIAL, Ownership.OTHER_SOCIAL, "310104",
     ManagingLevel.DISTRICT, ["4-10-01-05"], S.SUPPLEMENT_REQUESTED),
    ("ag_beauty", "上海闵行家政职业技能培训中心", AgencyKind.SOCIAL, Ownership.OTHER_SOCIAL, "310112",
     ManagingLevel.DISTRICT, ["4-10-01-06"], S.PRE_REVIEW),
    ("ag_auto", "上海嘉定汽车服务有限公司", AgencyKind.ENTERPRISE, Ownership.OTHER_ENTERPRISE, "310114",
     ManagingLevel.DISTRICT, ["4-12-01-01"], S.DRAFT),
    ("ag_ecom", "上海长宁电子商务产业园有限公司", AgencyKind.ENTERPRISE, Ownership.OTHER_ENTERPRISE, "310105",
     ManagingLevel.DISTRICT, ["4-01-06-01"], S.RETURNED),
    ("ag_accepted", "上海宝山钢构焊接技术有限公司", AgencyKind.ENTERPRISE, Ownership.DISTRICT_ENTERPRISE, "310113",
     ManagingLevel.DISTRICT, ["6-18-01-01"], S.ACCEPTED),
    ("ag_refused", "上海某某咨询服务有限公司", AgencyKind.SOCIAL, Ownership.OTHER_SOCIAL, "310107",
     ManagingLevel.DISTRICT, ["4-10-01-05"], S.REFUSED),
    ("ag_withdrawn", "上海杨浦家政服务中心", AgencyKind.SOCIAL, Ownership.OTHER_SOCIAL, "310110",
     ManagingLevel.DISTRICT, ["4-10-01-03"], S.WITHDRAWN),
    ("ag_abandoned", "上海虹口茶艺培训学校", AgencyKind.SOCIAL, Ownership.OTHER_SOCIAL, "310109",
     ManagingLevel.DISTRICT, ["4-03-02-01"], S.ABANDONED),
    ("ag_rectify", "上海金山化工检修技能评价中心", AgencyKind.ENTERPRISE, Ownership.OTHER_ENTERPRISE, "310116",
     ManagingLevel.DISTRICT, ["6-31-01-03"], S.RECTIFYING),
    ("ag_cancelled", "上海奉贤家政职业培训学校", AgencyKind.SOCIAL, Ownership.OTHER_SOCIAL, "310120",
     ManagingLevel.DISTRICT, ["4-10-01-06"], S.CANCELLED),
    ("ag_terminated", "上海崇明农机维修有限公司", AgencyKind.ENTERPRISE, Ownership.OTHER_ENTERPRISE, "310151",
     ManagingLevel.DISTRICT, ["6-18-01-01"], S.TERMINATED),
    ("ag_expired", "上海松江电子装配有限公司", AgencyKind.ENTERPRISE, Ownership.OTHER_ENTERPRISE, "310117",
     ManagingLevel.DISTRICT, ["6-31-01-03"], S.EXPIRED),
    # In force, straight to the city: carries the demo's change request at the city (filings/demo_changes.py).
    ("ag_change", "上海临港智能装备集团有限公司", AgencyKind.ENTERPRISE, Ownership.MUNICIPAL_SOE, "310115",
     ManagingLevel.CITY, ["6-18-01-02"], S.ACTIVE),
    # In force: carries the demo's change request before its expert panel (filings/demo_changes.py).
    ("ag_expand", "上海闵行精工机械有限公司", AgencyKind.ENTERPRISE, Ownership.DISTRICT_ENTERPRISE, "310112",
     ManagingLevel.DISTRICT, ["6-31-01-03"], S.ACTIVE),
]
# The later lifecycle, reached from a filing in force by the city's decision (with its basis).
LIFECYCLE = {
    S.RECTIFYING: ("order_rectification", "资格审核不严，限期 30 日内整改，整改期间暂停开展认定 [002 §30, 003 §20]。"),
    S.CANCELLED: ("cancel", "机构自愿申请注销备案 [003 §22(1), 002 §31]。"),
    S.TERMINATED: ("terminate", "超范围开展认定且情节严重，终止备案 [000 §6(3), 003 §22(7)]。"),
}


def demo_actors() -> dict[str, User]:
    actors = {"city": User.objects.get(username="city"), "industry": User.objects.get(username="industry")}
    for user in User.objects.filter(role=Role.DISTRICT).select_related("region"):
        actors[f"district:{user.region.code}"] = user
    for region in Region.objects.filter(level=Region.Level.DISTRICT):
        key = f"district:{region.code}"
        if key not in actors:
            actors[key] = demo_user(f"district_{region.code}", role=Role.DISTRICT,
                                    full_name=f"{region.name}人社局审核员", region=region)
    return actors


def seed() -> list[str]:
    actors = demo_actors()
    experts = list(User.objects.filter(role=Role.EXPERT).order_by("username")[:3])
    economy = IndustryDepartment.objects.get(name="上海市经济和信息化委员会")
    lines = []
    for i, (username, name, kind, ownership, district, level, codes, state) in enumerate(DEMO_AGENCIES, start=1):
        agency = get_agency(name=name, uscc=make_uscc(1000 + i), kind=kind, ownership=ownership,
                            region_code=district,
                            industry_department=economy if ownership == Ownership.CITY_ASSOCIATION else None)
        user = agency_user(agency, username)
        lines.append(f"{username:<12} {user.get_role_display():<10} {agency.name}（备案：{FilingState(state).label}）")
        if agency.filings.exists():
            continue
        occupations = [Occupation.objects.filter(code=c).first() for c in codes]
        filing = draft_filing(agency, user, occupations=[o for o in occupations if o], managing_level=level,
                              complete=state != S.DRAFT)
        today = timezone.localdate()
        if state == S.ABANDONED:
            drive(filing, S.SUPPLEMENT_REQUESTED, actors=actors, today=today - datetime.timedelta(days=40))
            drive(filing, S.ABANDONED, actors=actors, today=today)
        elif state == S.ACTIVE or state in LIFECYCLE:
            drive(filing, S.PUBLIC_NOTICE, actors=actors, experts=experts, today=today - datetime.timedelta(days=20))
            drive(filing, S.ACTIVE, actors=actors, today=today)
            if state in LIFECYCLE:
                action, reason = LIFECYCLE[state]
                services.change_in_force(filing_id=filing.pk, action=action, actor=actors["city"], comment=reason,
                                         today=today)
        elif state == S.EXPIRED:
            # Filed three years ago and never renewed: it ran out ten days ago.
            start = today - datetime.timedelta(days=3 * 365 + 10)
            drive(filing, S.PUBLIC_NOTICE, actors=actors, experts=experts, today=start - datetime.timedelta(days=20))
            filing = drive(filing, S.ACTIVE, actors=actors, today=start)
            services.change_in_force(filing_id=filing.pk, action="expire", today=filing.valid_until,
                                     comment="备案有效期届满，未申请续期 [000 §5]。")
        else:
            drive(filing, state, actors=actors, experts=experts, today=today)
    return lines
