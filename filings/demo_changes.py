"""Demo change requests (变更备案) for `seed_demo`: one in every state, on in-force filings of
different agencies, each got there through `change_services` as a person's clicks would
[002 §13, 001 §5(3), 003 §7]. Runs after the filings seeder, which puts those filings in force."""

from __future__ import annotations

from filings import change_services
from filings.demo import _actor, demo_actors
from filings.models import ChangeRequest, Filing
from portal.models import Occupation, SkillLevel, User

CR = ChangeRequest.State

# The way to each state, as (action, who, comment) after the agency creates the draft.
STEPS = {
    CR.DRAFT: [],
    CR.PRE_REVIEW: [("submit", "agency", "")],
    CR.SUBMITTED: [("submit", "agency", ""), ("forward", "pre", "经初审，变更事项属实，材料齐全，同意报送。")],
    CR.APPROVED: [("submit", "agency", ""), ("forward", "pre", "经初审，新增工种考评人员配备符合要求，同意报送。"),
                  ("approve", "city", "经审核，同意新增焊工（五级至三级）评价范围，备案回执重新出具。")],
    CR.REFUSED: [("submit", "agency", ""), ("forward", "pre", "机构正在限期整改，建议暂缓扩大评价范围。"),
                 ("refuse", "city", "机构处于限期整改期间，整改验收合格前不予扩大评价范围 [002 §30]。")],
    CR.WITHDRAWN: [("withdraw", "agency", "经核实，法定代表人变更登记尚未完成，先行撤回，待登记后再申请。")],
}


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
        ("ag_change", [
            (CR.WITHDRAWN, "法定代表人变更。", {"details": {"legal_representative": "陈晓东"}}),
            (CR.SUBMITTED, "考核场地迁入新厂区，变更机构地址。", {"details": {"address": "上海市浦东新区临港大道 1500 号"}}),
        ]),
    ]


def seed() -> list[str]:
    actors = demo_actors()
    lines = []
    for username, requests in _plan():
        clerk = User.objects.filter(username=username).first()
        filing = clerk and Filing.objects.in_force().filter(agency_id=clerk.agency_id).first()
        if filing is None or filing.change_requests.exists():
            continue
        for state, reason, proposal in requests:
            change = change_services.create_change_request(filing_id=filing.pk, actor=clerk, reason=reason, **proposal)
            for action, who, comment in STEPS[state]:
                if change.state == state:  # a filing routed to the city skips the pre-review
                    break
                actor = clerk if who == "agency" else _actor(filing, who, actors)
                change = change_services.act(change_id=change.pk, action=action, actor=actor, comment=comment)
            lines.append(f"{username:<12} 变更备案：{CR(state).label}")
    return lines
