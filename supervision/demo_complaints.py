"""Demo complaints: one in every state, an upheld one that ordered rectification, an anonymous one
declined with reasons (idempotent: looked up by the description) [002 §27, 003 §19]."""

from __future__ import annotations

from django.utils import timezone

from filings.models import Agency
from portal.models import Role, User
from supervision.models.complaints import Complaint
from supervision.permissions.complaints import is_handler_for
from supervision.services import complaints as svc

S = Complaint.State

# (final state, category, description, anonymous, conclude extra)
CASES = [
    (S.SUBMITTED, "fees", "【演示】报名时被要求另交“加急费”300元，未开具发票。", False, {}),
    (S.ACCEPTED, "false_advertising", "【演示】机构宣传“包过、不用考试即可拿证”。", False, {}),
    (S.DECLINED, "other", "【演示】听说有人不太规范，具体不清楚。", True, {}),
    (S.INVESTIGATING, "cheating", "【演示】考场内考评员向考生提示答案，多名考生可作证。", False, {}),
    (S.CONCLUDED, "out_of_scope", "【演示】机构为未备案的职业（工种）开展认定并发证。", False,
     {"outcome": "partly", "findings": "【演示】部分属实：一个工种超出备案范围。"}),
    (S.REPLIED, "fees", "【演示】机构收取的评价费用高于公示标准，每人多收200元。", False,
     {"outcome": "upheld", "findings": "【演示】查实多收费用，责令限期整改并退费。", "follow_up": "rectify"}),
    (S.ABUSIVE, "other", "【演示】同一内容一天内重复提交二十余次的投诉。", False, {}),
]
ORDER = [S.SUBMITTED, S.ACCEPTED, S.INVESTIGATING, S.CONCLUDED, S.REPLIED]


def _handler(complaint) -> User | None:
    for u in User.objects.filter(is_active=True, role__in=(Role.DISTRICT, Role.INDUSTRY, Role.CITY)).order_by(
            "role", "pk"):
        if is_handler_for(complaint, u):
            return u
    return None


def seed() -> list[str]:
    out: list[str] = []
    today = timezone.localdate()
    agencies = list(Agency.objects.filter(filings__state="active").distinct().order_by("pk")[:4])
    if not agencies:
        return out
    for i, (state, category, text, anonymous, extra) in enumerate(CASES):
        if Complaint.objects.filter(description=text).exists():
            continue
        agency = agencies[i % len(agencies)]
        c, code = svc.file_complaint(category=category, description=text, agency=agency, anonymous=anonymous,
                                     contact_name="" if anonymous else "演示投诉人",
                                     contact_phone="" if anonymous else f"1380000{i:04d}", today=today)
        actor = _handler(c)
        do = lambda action, **kw: svc.perform_complaint(complaint_id=c.pk, action=action, actor=actor,  # noqa: E731
                                                        today=today, **kw)
        if state == S.DECLINED:
            do("decline", decline_reason="insufficient", comment="投诉内容不具体，无法核查，欢迎补充具体事实后重新投诉。")
        elif state == S.ABUSIVE:
            do("mark_abusive", comment="同一内容短时间内大量重复提交。")
        elif state != S.SUBMITTED:
            target = ORDER.index(state)
            do("accept")
            if target >= 2:
                do("investigate", handler_id=actor.pk)
            if target >= 3:
                do("conclude", **extra)
            if target >= 4:
                do("send_reply", reply="经核查，投诉属实，已责令机构限期整改并退还多收费用。")
        out.append(f"投诉举报 {c.number}（{Complaint.State(state).label}） 查询码 {code}")
    return out
