"""Demo sanctions and voluntary terminations in every state [003 §20, §22, 002 §31], built through
the real services (the rules hold for the demo too). Idempotent: each demo agency is looked up by
its USCC, and an agency that already has sanctions or terminations is left as it is."""

from __future__ import annotations

import datetime

from django.utils import timezone

from filings.choices import AgencyKind, FilingState, ManagingLevel, Ownership
from filings.demo import agency_user, demo_actors, draft_filing, drive, get_agency, make_uscc
from portal.models import Occupation, User
from supervision.models.sanctions import Sanction, SanctionReview, TerminationRequest, TerminationTask
from supervision.services import sanction_reviews as reviews
from supervision.services import sanctions as svc

M = Sanction.Measure
# (username, name, district, what the demo does with it)
AGENCIES = [
    ("ag_sanction", "上海浦东安泰电工培训评价有限公司", "310115", "ladder"),
    ("ag_suspended", "上海徐汇汇成家政职业技能评价中心", "310104", "suspend"),
    ("ag_lifted", "上海浦东申港焊接技能评价有限公司", "310115", "lift"),
    ("ag_removed", "上海徐汇启明养老护理评价中心", "310104", "remove"),
    ("ag_quit_applied", "上海浦东海鸥电梯维修有限公司", "310115", "term_submitted"),
    ("ag_quit_wrapping", "上海徐汇康乐美容美发职业培训学校", "310104", "term_confirmed"),
    ("ag_quit_closed", "上海浦东东方数控机床有限公司", "310115", "term_closed"),
]
OCCUPATION = "6-31-01-03"


def _filing(agency, user, actors, experts, today):
    filing = agency.filings.first()
    if filing is None:
        occupation = Occupation.objects.filter(code=OCCUPATION).first()
        filing = draft_filing(agency, user, occupations=[occupation] if occupation else [],
                              managing_level=ManagingLevel.DISTRICT)
        drive(filing, FilingState.PUBLIC_NOTICE, actors=actors, experts=experts,
              today=today - datetime.timedelta(days=400))
        filing = drive(filing, FilingState.ACTIVE, actors=actors, today=today - datetime.timedelta(days=380))
    return filing


def _propose(filing, measure, district, today, grounds="违反 [002 §26(四)]：超出备案职业范围开展认定",
             reason="监督检查发现超出备案职业（工种）范围组织认定 12 人次。"):
    return svc.propose_sanction(agency=filing.agency, filing=filing, measure=measure,
                                grounds=grounds, reason=reason, origin=Sanction.Origin.INSPECTION,
                                evidence="检查记录及考生名单", actor=district, today=today)


def _decide(sanction, action, city, comment, today, **kw):
    return svc.decide_sanction(sanction_id=sanction.pk, action=action, actor=city, comment=comment, today=today, **kw)


def seed() -> list[str]:
    actors = demo_actors()
    city = User.objects.get(username="city")
    experts = list(User.objects.filter(role="expert").order_by("username")[:3])
    today = timezone.localdate()
    lines = []
    for i, (username, name, district_code, plan) in enumerate(AGENCIES, start=1):
        agency = get_agency(name=name, uscc=make_uscc(7200 + i), kind=AgencyKind.ENTERPRISE,
                            ownership=Ownership.OTHER_ENTERPRISE, region_code=district_code)
        user = agency_user(agency, username)
        district = actors[f"district:{district_code}"]
        lines.append(f"{username:<16} {user.get_role_display():<10} {agency.name}（处理措施演示：{plan}）")
        if agency.sanctions.exists() or agency.termination_requests.exists():
            continue
        filing = _filing(agency, user, actors, experts, today)
        if plan == "ladder":
            _decide(_propose(filing, M.INTERVIEW, district, today), "uphold", city, "情况属实，约谈主要负责人", today)
            _decide(_propose(filing, M.SUSPEND, district, today), "alter", city, "首次违规，情节较轻，改为通报批评",
                    today, measure=M.CIRCULATE)
            _decide(_propose(filing, M.RECTIFY, district, today), "uphold", city, "限期整改", today)
            _decide(_propose(filing, M.INTERVIEW, district, today, reason="投诉反映收费不规范。"), "reject", city,
                    "经核实收费已公示，证据不足", today)
            _decide(_propose(filing, M.INTERVIEW, district, today, reason="考场秩序不佳。"), "withdraw", district,
                    "已当场纠正", today)
            _propose(filing, M.REMOVE, district, today, grounds="7", reason="整改通知逾期未完成整改。")
            req = svc.apply_for_termination(filing=filing, reason="拟调整业务方向", intended_on=today, actor=user,
                                            today=today)
            svc.perform_termination(request_id=req.pk, action="withdraw", actor=user, today=today)
            req = svc.apply_for_termination(filing=filing, reason="拟停止评价业务", intended_on=today, actor=user,
                                            today=today)
            svc.perform_termination(request_id=req.pk, action="return_request", actor=city,
                                    comment="尚有处理建议待复核，复核后再申请", today=today)
        elif plan in ("suspend", "lift"):
            s = _decide(_propose(filing, M.SUSPEND, district, today), "uphold", city, "暂停评价，限期整改", today)
            if plan == "lift":
                _decide(s, "lift", city, "整改验收合格，恢复评价", today)
            else:  # the agency asked for reconsideration: the public list shows the decision as under review
                reviews.lodge_review(sanction_id=s.pk, kind=SanctionReview.Kind.RECONSIDERATION, lodged_on=today,
                                 body="上海市人民政府", reference=f"沪府复字〔{today.year}〕第8号", actor=city,
                                 today=today)
        elif plan == "remove":
            _decide(_propose(filing, M.REMOVE, district, today, grounds="4", reason="查实备案时提交虚假场地证明。"),
                    "uphold", city, "情况属实，移除备案", today)
        else:
            req = svc.apply_for_termination(filing=filing, reason="企业经营调整，停止开展职业技能等级认定",
                                            intended_on=today, actor=user, today=today)
            if plan in ("term_confirmed", "term_closed"):
                svc.perform_termination(request_id=req.pk, action="confirm", actor=city, comment="同意", today=today)
                for task in req.tasks.all():
                    if plan == "term_confirmed" and task.task != TerminationTask.Task.ARCHIVES:
                        continue
                    svc.complete_termination_task(task_id=task.pk, actor=city if task.side == "city" else user,
                                                  note="已办理", today=today)
                if plan == "term_closed":
                    svc.perform_termination(request_id=req.pk, action="close", actor=city, comment="收尾完成",
                                            today=today)
    lines.append(f"处理措施 {Sanction.objects.count()} 条，自愿终止申请 {TerminationRequest.objects.count()} 件")
    return lines
