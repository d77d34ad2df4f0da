"""What the batches area registers when the app is ready: audit actions, the sweep flagging late
reports, the demo seeder, dashboard panels [003 §15]."""
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import audit_actions, dashboards, deadlines, demo, schedule
from portal.models import Role
from supervision.services import batches as services

services.MACHINE.register_audit_actions({"flag_overdue": "认定结果报备逾期（系统）"})
audit_actions.register({
    "batch.create": "新建认定批次计划",
    "batch.edit": "修改认定批次计划",
    "batch.import_candidates": "导入参加认定人员名单",
    "batch.import_results": "导入认定结果及证书信息",
    "batch.export": "导出认定结果",
    "batch.document": "上传批次档案",
    "batch.spot_draw": "抽取（或选派）批次督查员",
    "batch.objection": "对认定结果公示提出异议",
    "batch.objection_answer": "书面答复认定结果公示异议",
    "batch.objection_evidence_download": "下载异议证明材料",
})
deadlines.register("supervision.batches.overdue_reports", services.sweep_overdue_reports)
schedule.register("supervision.batches", services.running_deadlines)


def _seed():
    from supervision.demo_batches import seed

    return seed()


demo.register("supervision.batches", _seed)


def agency_panel(user):
    from supervision.selectors.batches import batches_visible_to
    from supervision.models.batches import BatchState as S

    open_states = [S.DRAFT, S.RETURNED, S.SUBMITTED, S.CITY_REVIEW, S.APPROVED, S.PUBLICITY, S.REPORT_OVERDUE]
    from supervision.selectors.batches import with_objection_marks

    items = list(with_objection_marks(batches_visible_to(user).filter(state__in=open_states))
                 .order_by("first_exam_on")[:20])
    return {"title": _("认定批次待办"), "template": "supervision/batches/panel.html", "items": items,
            "today": timezone.localdate(), "agency": True}


def staff_panel(user):
    from supervision.selectors import batches as sel

    today = timezone.localdate()
    review, week, overdue = (list(sel.to_review(user)[:20]), list(sel.this_week(user, today)[:20]),
                             list(sel.overdue_reports(user)[:20]))
    if not (review or week or overdue):
        return None
    return {"title": _("认定批次督导"), "template": "supervision/batches/panel.html", "review": review,
            "week": week, "overdue": overdue, "today": today}


dashboards.register(Role.AGENCY, agency_panel)
for _role in (Role.DISTRICT, Role.CITY):
    dashboards.register(_role, staff_panel)


# The renewal form's certificate counts and item 3.5 come from the reported batches [004 Annex 1].
LEVEL_FIELDS = {1: "certs_apprentice", 2: "certs_level5", 3: "certs_level4", 4: "certs_level3", 5: "certs_level2",
                6: "certs_level1", 7: "certs_principal", 8: "certs_chief"}


def renewal_certificate_counts(filing, since, until):
    from supervision.selectors.batches import batch_counts

    counts = batch_counts([filing.pk], since, until)[filing.pk]
    if not counts["batches"]:
        return None  # no batch in the portal for the period: the typed figures stand
    by_level = counts["certificates_by_level"]
    return {**{name: by_level.get(level, 0) for level, name in LEVEL_FIELDS.items()},
            "certs_uploaded": counts["uploaded"]}


try:
    from assessments import certificate_counts as _certificate_counts
except ImportError:  # pragma: no cover - the hook is the lead's to keep
    _certificate_counts = None
if _certificate_counts is not None:
    _certificate_counts.register(renewal_certificate_counts)
