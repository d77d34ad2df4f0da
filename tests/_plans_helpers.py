"""Shared set-up for the plans and draw tests: a pool of inspectors, an item, a published plan."""

import datetime

from portal.demo import demo_user
from portal.models import Role
from supervision.services import plans as svc

MONDAY = datetime.date(2026, 3, 2)


def inspectors(w, n=4):
    if not hasattr(w, "pool"):
        w.pool = [w.inspector] + [demo_user(f"inspector{i}", role=Role.INSPECTOR, full_name=f"督导员{i}",
                                            region=w.shanghai) for i in range(2, n + 1)]
    return w.pool


def item(w):
    return svc.create_item(name="评价机构备案情况检查", basis="[002 §26]", method="现场检查", actor=w.city)


def plan(w, *, region=None, actor=None, publish=True, **kw):
    kw.setdefault("sample_count", 2)
    kw.setdefault("in_force_only", False)
    p = svc.create_plan(region=region or w.shanghai, year=2026, title="2026 年度双随机抽查", items=[item(w)],
                        inspectors=inspectors(w), actor=actor or w.city, today=MONDAY, **kw)
    if publish:
        p = svc.transitions.perform(svc.PLAN_MACHINE, pk=p.pk, action="publish", actor=actor or w.city, today=MONDAY)
    return p


def revealed(w, **kw):
    p = plan(w, **kw)
    d = svc.commit_draw(plan_id=p.pk, actor=w.city, today=MONDAY)
    return svc.reveal_draw(draw_id=d.pk, actor=w.city, today=MONDAY)
