"""Demo plans and draws, every state of both machines, and an expert pool (idempotent: each demo plan
is found again by its title and not made twice). Runs after the filings demo."""

from __future__ import annotations

from django.utils import timezone

from filings.choices import IN_FORCE
from filings.models import Filing
from portal import transitions
from portal.demo import demo_user
from portal.models import Region, Role, User
from supervision.models.plans import Draw, ExpertProfile, InspectionItem, InspectionPlan
from supervision.services import plans as svc

TAG = "【演示】"

ITEMS = (
    ("备案手续履行情况", "[002 §26(一)]", "查阅备案材料、现场核查"),
    ("备案信息真实性", "[002 §26(二)]", "比对备案信息与实际情况"),
    ("认定范围与标准执行情况", "[002 §26(四)]", "抽查认定档案"),
    ("评价过程与质量管理", "[002 §26(五)] [003 §17]", "现场检查、视频监控调阅"),
)


def _plan(key, city, pool, today, **kw) -> InspectionPlan:
    title = f"{TAG}{key}"
    found = InspectionPlan.objects.filter(title=title).first()
    if found:
        return found
    kw.setdefault("sample_count", 1)
    return svc.create_plan(region=Region.objects.get(code="310000"), year=today.year, title=title,
                           items=InspectionItem.objects.filter(published=True)[:3], inspectors=pool,
                           in_force_only=True, actor=city, today=today, **kw)


def _publish(plan, city, today):
    if plan.state == InspectionPlan.State.DRAFT:
        transitions.perform(svc.PLAN_MACHINE, pk=plan.pk, action="publish", actor=city, today=today)
    return InspectionPlan.objects.get(pk=plan.pk)


def _draw(plan, city, today, *, upto: str) -> None:
    """Bring the plan's (latest) draw to `upto`: committed, revealed, confirmed, superseded."""
    if plan.draws.exists():
        return
    d = svc.commit_draw(plan_id=plan.pk, actor=city, today=today)
    if upto == "committed":
        return
    d = svc.reveal_draw(draw_id=d.pk, actor=city, today=today)
    if upto == "superseded":
        d = svc.redraw(draw_id=d.pk, reason="演示：候选名单遗漏新备案机构，重新抽取", actor=city, today=today)
        svc.reveal_draw(draw_id=d.pk, actor=city, today=today)
        return
    if upto in ("confirmed", "closed"):
        svc.confirm_draw(draw_id=d.pk, actor=city, today=today)
    if upto == "closed":
        transitions.perform(svc.PLAN_MACHINE, pk=plan.pk, action="close", actor=city, today=today)


def seed() -> list[str]:
    city = User.objects.filter(username="city").first()
    inspector = User.objects.filter(username="inspector").first()
    if city is None or inspector is None or not Filing.objects.filter(state__in=IN_FORCE).exists():
        return []
    shanghai = Region.objects.get(code="310000")
    pool = [inspector] + [demo_user(f"inspector{i}", role=Role.INSPECTOR, full_name=f"督导员{i}", region=shanghai)
                          for i in (2, 3, 4)]
    today = timezone.localdate()
    for name, basis, method in ITEMS:
        if not InspectionItem.objects.filter(name=name).exists():
            svc.create_item(name=name, basis=basis, method=method, actor=city)
    _plan("草稿计划", city, pool, today)
    _draw(_publish(_plan("已公布计划（种子承诺已公布）", city, pool, today), city, today), city, today, upto="committed")
    _draw(_publish(_plan("已揭示待确认", city, pool, today), city, today), city, today, upto="revealed")
    _draw(_publish(_plan("重新抽取", city, pool, today), city, today), city, today, upto="superseded")
    _draw(_publish(_plan("已抽取", city, pool, today), city, today), city, today, upto="confirmed")
    _draw(_publish(_plan("已结束", city, pool, today), city, today), city, today, upto="closed")
    # the expert pool: the demo experts, their specialties the occupations of the filings in force
    from filings.models import ScopeItem
    occupations = list(ScopeItem.objects.filter(filing__state__in=IN_FORCE).values_list("occupation_id", flat=True)
                       .distinct()[:10])
    experts = 0
    for user in User.objects.filter(role=Role.EXPERT, is_active=True).order_by("pk")[:8]:
        profile, created = ExpertProfile.objects.get_or_create(user=user)
        if created:
            profile.specialties.set(occupations)
            experts += 1
    return [f"抽查计划 {InspectionPlan.objects.filter(title__startswith=TAG).count()} 个，"
            f"抽取 {Draw.objects.filter(plan__title__startswith=TAG).count()} 次，新增专家库 {experts} 人"]
