"""Evaluation batches' actions [SPEC §6, 003 §15-17]: the machine (every state change goes through
`portal.transitions.perform`), the plan's rows, the all-or-nothing imports, the spot check, the
archive and the sweep flagging late reports."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.models import Examiner, Filing
from portal import transitions
from portal.audit import Event, record, record_many
from portal.models import Occupation, Region, Role
from portal.notifications import notify, notify_many
from portal.text import clean_text
from portal.transitions import TransitionRefused
from supervision import batch_import
from supervision.models.batches import (BatchDocument, BatchGroup, BatchModule, BatchStaff, BatchState,
                                        Candidate, EvaluationBatch)
from supervision.permissions import batches as perm

S = BatchState

ACTIONS = {
    "submit": gettext_lazy("报备批次计划"),
    "approve": gettext_lazy("审核通过（备案）"),
    "city_approve": gettext_lazy("市级备案"),
    "return_plan": gettext_lazy("退回修改"),
    "cancel": gettext_lazy("撤销批次"),
    "publish_results": gettext_lazy("公示认定结果"),
    "report": gettext_lazy("报备认定结果"),
}
SYSTEM_ACTIONS = frozenset({"flag_overdue"})


def _refusal(batch: EvaluationBatch, action: str, today: datetime.date) -> str:
    if action == "submit":
        return _("请先填写职业（工种）、等级及考核模块安排")
    if action == "publish_results":
        return _("请先导入全部参加认定人员的成绩（认定结果）")
    return ""


def _staff_users(batch):
    from portal.models import User

    return list(User.objects.filter(role=Role.AGENCY, agency_id=batch.agency_id, is_active=True))


def _reviewers(batch):
    from portal.models import User

    region = batch.filing.region
    roles = [Role.DISTRICT, Role.CITY] if batch.state != S.CITY_REVIEW else [Role.CITY]
    users = User.objects.filter(role__in=roles, is_active=True, region__isnull=False).select_related("region")
    return [u for u in users if region.path.startswith(u.region.path)]


def _notify(batch: EvaluationBatch, before: str, comment: str) -> None:
    people = _staff_users(batch)
    if batch.state in (S.SUBMITTED, S.CITY_REVIEW, S.REPORTED, S.REPORT_OVERDUE):
        people += _reviewers(batch)
    notify(people, subject=f"认定批次 {batch.number or batch.title}：{MACHINE.state_label(before)} → "
                           f"{MACHINE.state_label(batch.state)}", body=comment, url=f"/supervision/batches/{batch.pk}/")


MACHINE = transitions.Machine(
    model=EvaluationBatch,
    audit_prefix="batch",
    noun=gettext_lazy("该认定批次"),
    actions=ACTIONS,
    system_actions=SYSTEM_ACTIONS,
    comment_required=frozenset({"return_plan"}),
    select_related=("agency", "filing__region"),
    refusal=_refusal,
    notify=_notify,
)


def perform(*, batch_id: int, action: str, actor=None, comment: str = "", today: datetime.date | None = None,
            expected_state: str | None = None) -> EvaluationBatch:
    return transitions.perform(MACHINE, pk=batch_id, action=action, actor=actor, comment=comment, today=today,
                               expected_state=expected_state)


def available_actions(batch, user):
    return transitions.available_actions(MACHINE, batch, user)


# ----- the plan ---------------------------------------------------------------------------
def _text(value: str, what: str, *, required: bool = True, multiline: bool = False) -> str:
    try:
        value = clean_text((value or "").strip(), multiline=multiline)
    except Exception as exc:  # ValidationError
        raise TransitionRefused(f"{what}：" + "；".join(getattr(exc, "messages", [str(exc)]))) from exc
    if required and not value:
        raise TransitionRefused(_("请填写%(what)s") % {"what": what})
    return value


def _require_editable(batch: EvaluationBatch, actor) -> None:
    if actor is None or not perm.is_agency_member(batch, actor):
        raise PermissionDenied
    if batch.state not in (S.DRAFT, S.RETURNED):
        raise TransitionRefused(_("批次计划已报备，不能再修改（如需修改请由审核部门退回）"))


def _locked(batch_id: int) -> EvaluationBatch:
    return transitions.lock(MACHINE, batch_id)


@transaction.atomic
def create_plan(*, filing: Filing, title: str, venue: str, venue_region: Region, actor) -> EvaluationBatch:
    """A draft batch under one of the agency's filings; the rules are checked when it is filed."""
    if actor is None or actor.role != Role.AGENCY or actor.agency_id != filing.agency_id:
        raise PermissionDenied
    batch = EvaluationBatch.objects.create(agency_id=filing.agency_id, filing=filing, title=_text(title, "批次名称"),
                                           venue=_text(venue, "考核地点"), venue_region=venue_region, created_by=actor)
    record("batch.create", batch, actor=actor, data={"filing": filing.pk})
    return batch


@transaction.atomic
def add_group(*, batch_id: int, occupation: Occupation, level: int, modules: list[tuple[str, datetime.datetime,
              datetime.datetime, str]], actor) -> BatchGroup:
    """One occupation × level with its modules (kind, start, end, place) [003 §15(1)]."""
    batch = _locked(batch_id)
    _require_editable(batch, actor)
    if BatchGroup.objects.filter(batch=batch, occupation=occupation, level=level).exists():
        raise TransitionRefused(_("本批次已有该职业（工种）及等级"))
    if not modules:
        raise TransitionRefused(_("请至少填写一个考核模块的时间地点"))
    group = BatchGroup.objects.create(batch=batch, occupation=occupation, level=level)
    for kind, starts, ends, place in modules:
        if kind not in BatchModule.Kind.values:
            raise TransitionRefused(_("考核模块不正确"))
        if ends <= starts:
            raise TransitionRefused(_("考核模块的结束时间须晚于开始时间"))
        BatchModule.objects.create(group=group, kind=kind, starts_at=starts, ends_at=ends,
                                   place=_text(place, "考核地点"))
    batch.refresh_exam_dates()
    batch.save(update_fields=["first_exam_on", "last_exam_on"])
    record("batch.edit", batch, actor=actor, data={"group": str(group)})
    return group


@transaction.atomic
def add_staff(*, batch_id: int, role: str, name: str, actor, examiner_id: int | None = None,
              id_number: str = "", certificate_valid_until: datetime.date | None = None) -> BatchStaff:
    """A proctor, examiner or quality supervisor by name; an examiner is one of the filing's own
    examiners (occupation and level from the filing) [003 §15(1), §8(4)]."""
    from supervision import idcard

    batch = _locked(batch_id)
    _require_editable(batch, actor)
    if role not in BatchStaff.Role.values:
        raise TransitionRefused(_("岗位不正确"))
    id_number = idcard.normalise(id_number)
    if id_number and (why := idcard.problem(id_number)):
        raise TransitionRefused(why)
    staff = BatchStaff(batch=batch, role=role, name=_text(name, "姓名", required=role != BatchStaff.Role.EXAMINER),
                       id_number=id_number,
                       certificate_valid_until=certificate_valid_until)
    if role == BatchStaff.Role.EXAMINER:
        examiner = Examiner.objects.filter(pk=examiner_id, filing_id=batch.filing_id).first()
        if examiner is None:
            raise TransitionRefused(_("考评员须从本机构备案的考评人员中选择 [003 §8(4)]"))
        staff.examiner, staff.name = examiner, examiner.name
        staff.occupation_id, staff.level, staff.certificate_no = examiner.occupation_id, examiner.level, \
            examiner.certificate_no
    staff.save()
    record("batch.edit", batch, actor=actor, data={"staff": staff.role})
    return staff


def group_keys(batch: EvaluationBatch) -> dict[tuple[str, int], int]:
    return {(g.occupation.code, g.level): g.pk for g in batch.groups.select_related("occupation")}


@transaction.atomic
def import_candidates(*, batch_id: int, data: bytes, actor, filename: str = "", today=None) -> int:
    """Replace the candidate list with the uploaded sheet, all or nothing [003 §15(1)]."""
    today = today or timezone.localdate()
    batch = _locked(batch_id)
    _require_editable(batch, actor)
    rows = batch_import.parse_candidates(batch_import.read_sheet(data, columns=batch_import.CANDIDATE_COLUMNS),
                                         groups=group_keys(batch), today=today)
    examiner_ids = set(batch.staff.exclude(id_number="").values_list("id_number", flat=True))
    clash = [r for r in rows if r.id_number in examiner_ids]
    if clash:
        raise batch_import.ImportRefused([f"第 {r.row_no} 行：{r.name} 是本批次考评员，不得同时参加认定" for r in clash])
    batch.candidates.all().delete()
    Candidate.objects.bulk_create([Candidate(batch=batch, group_id=r.group_id, row_no=r.row_no, name=r.name,
                                             id_number=r.id_number, eligibility=r.eligibility, relation=r.relation)
                                   for r in rows], batch_size=1000)
    record("batch.import_candidates", batch, actor=actor, data={"rows": len(rows), "file": filename[:100]})
    return len(rows)


@transaction.atomic
def import_results(*, batch_id: int, data: bytes, actor, filename: str = "") -> int:
    """Scores, verdicts and certificate numbers from the result sheet, all or nothing [003 §15(3)].
    Before the publicity everything may change; during it, only certificate numbers and the upload
    mark (the publicised verdicts stand)."""
    batch = _locked(batch_id)
    if actor is None or not perm.is_agency_member(batch, actor):
        raise PermissionDenied
    if batch.state not in (S.APPROVED, S.PUBLICITY, S.REPORT_OVERDUE):
        raise TransitionRefused(_("只有计划已备案的批次才能导入认定结果"))
    if batch.state == S.APPROVED and (batch.last_exam_on is None or batch.last_exam_on > timezone.localdate()):
        raise TransitionRefused(_("考核结束后才能导入认定结果"))
    existing = {c.id_number: c for c in batch.candidates.all()}
    sheet = batch_import.read_sheet(data, columns=batch_import.RESULT_COLUMNS)
    numbers = {batch_import._text(cells["证书编号"]) for _, cells in sheet} - {""}
    taken = set(Candidate.objects.filter(certificate_no__in=numbers).exclude(batch=batch)
                .values_list("certificate_no", flat=True))
    rows = batch_import.parse_results(sheet, candidates={k: c.row_no for k, c in existing.items()},
                                      taken_certificates=taken)
    if batch.state != S.APPROVED:
        changed = [r for r in rows if existing[r.id_number].passed != r.passed]
        if changed:
            raise batch_import.ImportRefused([f"第 {r.row_no} 行：公示期间不得更改是否合格" for r in changed])
    updates = []
    for r in rows:
        c = existing[r.id_number]
        c.theory_score, c.practical_score, c.passed = r.theory, r.practical, r.passed
        c.certificate_no, c.uploaded_national = r.certificate_no, r.uploaded
        updates.append(c)
    # Every row of the list changes: rewrite the rows with their own keys (one DELETE, a few INSERTs),
    # far cheaper than bulk_update's CASE per column, and certificate numbers may move between rows.
    Candidate.objects.filter(batch=batch).delete()
    Candidate.objects.bulk_create(updates, batch_size=1000)
    record("batch.import_results", batch, actor=actor, data={"rows": len(rows), "file": filename[:100]})
    return len(rows)


def export_rows(batch: EvaluationBatch) -> list[list]:
    """The result sheet's columns, ID numbers masked (exports show no whole ID number)."""
    out = []
    for c in batch.candidates.select_related("group__occupation").order_by("row_no"):
        out.append([c.name, c.id_masked, c.theory_score, c.practical_score,
                    "" if c.passed is None else ("合格" if c.passed else "不合格"), c.certificate_no or "",
                    "是" if c.uploaded_national else "否"])
    return out


# ----- supervision of a batch [003 §15(2), §17] -------------------------------------------------
def _spot_pool(batch: EvaluationBatch) -> tuple[dict[int, object], list[list]]:
    """The active inspectors who may spot-check this batch, and those left out with the reason:
    an inspector of the agency itself, or one recorded as recused from it in a plan [003 §21]."""
    from portal.models import User
    from supervision.models.plans import DrawRecusal

    recused = {}
    for r in DrawRecusal.objects.filter(agency_id=batch.agency_id).order_by("pk"):
        recused.setdefault(r.inspector_id, r.reason)
    pool, excluded = {}, []
    for u in User.objects.filter(role=Role.INSPECTOR, is_active=True).order_by("pk"):
        if u.agency_id == batch.agency_id:
            excluded.append([u.pk, "所属该评价机构"])
        elif u.pk in recused:
            excluded.append([u.pk, f"已登记回避：{recused[u.pk]}"])
        else:
            pool[u.pk] = u
    return pool, excluded


def spot_pool(batch: EvaluationBatch) -> tuple[list, list[list]]:
    pool, excluded = _spot_pool(batch)
    return list(pool.values()), excluded


def send_supervisors(*, batch_id: int, actor, team: list | None = None, team_size: int = 2, reason: str = "",
                     seed: str | None = None, today=None):
    """A spot check during the exam [003 §15(2), §17]: helper C's inspection with origin BATCH,
    phase 考中. The team is drawn from the inspector pool by the supervision draw's hash stream
    (subject ``batch:<pk>``, conflicts left out and recorded), or chosen by hand (`team`) with a
    reason; either way a `BatchSpotDraw` keeps what `manage.py verify_draw` needs, and it is audited."""
    from supervision import draw as algo
    from supervision.models.batch_oversight import BatchSpotDraw
    from supervision.models.inspections import Inspection
    from supervision.services.inspections import open_inspection

    today = today or timezone.localdate()
    batch = EvaluationBatch.objects.select_related("agency", "filing__region").get(pk=batch_id)
    if actor is None or not perm.is_supervising_authority(batch, actor):
        raise PermissionDenied
    if batch.state != S.APPROVED:
        raise TransitionRefused(_("只有计划已备案、待实施的批次可以督导抽查"))
    pool, excluded = _spot_pool(batch)
    subject = f"batch:{batch.pk}"
    spot = BatchSpotDraw(batch=batch, subject=subject, pool=sorted(pool), excluded=excluded, created_by=actor)
    if team is not None:
        spot.manual = True
        spot.reason = _text(reason, "人工选派督查员的理由")
        chosen = sorted({u.pk for u in team})
        barred = {i: why for i, why in excluded}
        if bad := [i for i in chosen if i in barred]:
            raise TransitionRefused(_("所选督查员须回避：%(who)s") % {"who": "；".join(barred[i] for i in bad)})
        if any(i not in pool for i in chosen):
            raise TransitionRefused(_("督查员须为在岗的检查人员"))
        spot.team_size = len(chosen)
    else:
        seed = seed or algo.new_seed()
        try:
            chosen = algo.draw_team(seed=seed, inspectors=list(pool), n=team_size, subject=subject)
        except algo.DrawError as exc:
            raise TransitionRefused(str(exc)) from exc
        spot.reason = _text(reason, "督导事由", required=False)
        spot.seed, spot.commitment = seed, algo.commit(seed)
        spot.algorithm, spot.algorithm_version, spot.team_size = algo.ALGORITHM, algo.VERSION, team_size
    spot.team = chosen
    with transaction.atomic():
        inspection = open_inspection(agency=batch.agency, filing=batch.filing, team=[pool[i] for i in chosen],
                                     origin=Inspection.Origin.BATCH, origin_id=batch.pk, phase=Inspection.Phase.DURING,
                                     reason=spot.reason or f"认定批次 {batch.number} 现场督导", actor=actor, today=today)
        spot.inspection = inspection
        spot.save()
        spot.number = f"BD{today:%Y}{spot.pk:06d}"
        spot.save(update_fields=["number"])
        record("batch.spot_draw", batch, actor=actor, comment=spot.reason,
               data={"draw": spot.number, "inspection": inspection.number, "manual": spot.manual,
                     "subject": subject, "commitment": spot.commitment, "seed": spot.seed, "pool": spot.pool,
                     "excluded": excluded, "team": chosen})
    return inspection


def verify_spot_draw(spot) -> list[str]:
    """Re-run a batch's spot-check draw from what it kept; [] when it agrees, else the differences."""
    from supervision import draw as algo

    if spot.manual:
        return [_("%(n)s 为人工选派（理由：%(r)s），不是随机抽取") % {"n": spot.number, "r": spot.reason}]
    if not algo.seed_matches(spot.seed, spot.commitment):
        return [_("种子与承诺值不符")]
    if barred := {i for i, _why in spot.excluded} & set(spot.pool):
        return [_("回避人员出现在可抽取名单中：%(ids)s") % {"ids": sorted(barred)}]
    try:
        expected = algo.draw_team(seed=spot.seed, inspectors=spot.pool, n=spot.team_size, subject=spot.subject)
    except algo.DrawError as exc:
        return [str(exc)]
    if expected != list(spot.team):
        return [_("重算结果 %(e)s 与记录 %(r)s 不同") % {"e": expected, "r": spot.team}]
    if spot.inspection_id and sorted(spot.inspection.team.values_list("pk", flat=True)) != sorted(expected):
        return [_("检查组成员与抽取结果不同")]
    return []


def supervision_of(batch: EvaluationBatch):
    from supervision.models.inspections import Inspection

    return Inspection.objects.filter(origin=Inspection.Origin.BATCH, origin_id=batch.pk).order_by("-pk")


# ----- the archive [002 §19, 003 §16] -----------------------------------------------------------
@transaction.atomic
def add_document(*, batch_id: int, type: str, actor, upload=None, reference: str = "") -> BatchDocument:
    from filings.uploads import check_upload

    batch = _locked(batch_id)
    if actor is None or not perm.is_agency_member(batch, actor):
        raise PermissionDenied
    if type not in BatchDocument.Type.values:
        raise TransitionRefused(_("档案类型不正确"))
    reference = _text(reference, "存放位置/说明", required=upload is None)
    doc = BatchDocument(batch=batch, type=type, reference=reference, uploaded_by=actor)
    if upload is not None:
        checked = check_upload(upload)
        doc.original_name, doc.content_type, doc.size, doc.sha256 = (checked.original_name, checked.content_type,
                                                                    checked.size, checked.sha256)
        doc.file.save(f"doc.{checked.extension}", upload, save=False)
    else:
        doc.original_name, doc.content_type, doc.size, doc.sha256 = reference[:200], "text/plain", 0, ""
    doc.save()
    record("batch.document", batch, actor=actor, data={"type": type, "document": doc.pk})
    return doc


# ----- the sweep [003 §15(3)] -------------------------------------------------------------------
def sweep_overdue_reports(today: datetime.date) -> int:
    """Set-based and idempotent: every batch whose report is past due is flagged overdue in one
    update, audited and reminded in one insert each."""
    transitions.require_system_action(MACHINE, "flag_overdue")
    with transaction.atomic():
        due = list(EvaluationBatch.objects.select_for_update()
                   .filter(**EvaluationBatch.overdue_filter("flag_overdue", today)).select_related("agency"))
        if not due:
            return 0
        EvaluationBatch.objects.filter(pk__in=[b.pk for b in due]).update(state=S.REPORT_OVERDUE)
        record_many([Event("batch.flag_overdue", b, None, _("结果报备已逾期（截止 %(d)s）") % {"d": b.report_due},
                           {"from": S.PUBLICITY, "to": S.REPORT_OVERDUE}, ) for b in due])
        from portal.models import User

        users: dict[int, list] = {}
        for u in User.objects.filter(role=Role.AGENCY, is_active=True, agency_id__in={b.agency_id for b in due}):
            users.setdefault(u.agency_id, []).append(u)
        notify_many([(users.get(b.agency_id, []), f"认定结果报备已逾期：{b.number}",
                      f"请尽快报送认定结果汇总表和合格人员证书信息表（截止 {b.report_due}）[003 §15(3)]",
                      f"/supervision/batches/{b.pk}/") for b in due])
    return len(due)


# ----- the holiday schedule (portal/schedule.py) ------------------------------------------------------
def running_deadlines(first: datetime.date, last: datetime.date):
    """Dates computed in working days still running through first..last, moved when a year's
    holiday schedule is loaded: the result report, 10 working days after the publicity ends
    [003 §15(3)]. The plan's lead time is not stored (it is checked against the calendar of the
    day the plan is filed), so there is nothing of it to move."""
    from portal.schedule import Deadline

    today = timezone.localdate()
    out = []
    for batch in (EvaluationBatch.objects.filter(state=S.PUBLICITY, report_due__gte=max(first, today),
                                                 publicity_ends_on__lte=last).select_related("agency")):
        out.append(Deadline(
            label=f"认定结果报备截止（{batch.agency.name}，{batch.number}）", start=batch.publicity_ends_on,
            due=batch.report_due,
            save=lambda new, pk=batch.pk: EvaluationBatch.objects.filter(pk=pk).update(report_due=new),
            recipients=_staff_users(batch), url=f"/supervision/batches/{batch.pk}/"))
    return out
