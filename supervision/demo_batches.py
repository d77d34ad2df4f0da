"""Demo evaluation batches in every state [SPEC §6], with a realistic candidate list and results,
built through the real services (the rules hold for the demo too). `build_batch` and the sheet
builders are shared with the tests and the benchmark."""

from __future__ import annotations

import datetime
import io
import random

from django.utils import timezone

from filings.choices import FilingState
from filings.models import Filing
from portal.models import Role, SkillLevel, User
from portal.workdays import add_workdays
from supervision import idcard
from supervision.batch_import import CANDIDATE_COLUMNS, RESULT_COLUMNS
from supervision.models.batches import BatchModule, BatchStaff, BatchState, EvaluationBatch
from supervision.selectors.inspections import agencies_rectifying
from supervision.services import batches as services

S = BatchState
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌"


def id_number(rng: random.Random, area: str = "310115") -> str:
    born = datetime.date(1970, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 35))
    return idcard.make(f"{area}{born:%Y%m%d}{rng.randrange(0, 1000):03d}")


def people(n: int, seed: int = 7) -> list[tuple[str, str]]:
    rng, out, seen = random.Random(seed), [], set()
    while len(out) < n:
        number = id_number(rng)
        if number in seen:
            continue
        seen.add(number)
        out.append((rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", *GIVEN)), number))
    return out


def xlsx(columns, rows) -> bytes:
    """A workbook as an agency would fill the template (plain openpyxl, no neutralising)."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("名单")
    sheet.append(list(columns))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


LEVEL_TEXT = {1: "学徒工", 2: "五级/初级工", 3: "四级/中级工", 4: "三级/高级工", 5: "二级/技师", 6: "一级/高级技师"}


def candidate_sheet(occupation_code: str, level: int, persons, relation: str = "本单位在岗职工") -> bytes:
    return xlsx(CANDIDATE_COLUMNS, [(name, number, occupation_code, LEVEL_TEXT[level], "从事本职业工作满 4 年", relation)
                                    for name, number in persons])


def result_sheet(persons, *, prefix: str, fail_every: int = 8) -> bytes:
    rows = []
    for i, (name, number) in enumerate(persons, start=1):
        passed = i % fail_every != 0
        rows.append((name, number, 60 + (i * 7) % 40 if passed else 45, 62 + (i * 5) % 38 if passed else 52,
                     "合格" if passed else "不合格", f"{prefix}{i:05d}" if passed else "", "是" if passed and i % 10 else "否"))
    return xlsx(RESULT_COLUMNS, rows)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def build_batch(filing: Filing, clerk: User, *, exam_on: datetime.date, title: str = "2026年第一批次",
                level: int | None = None, occupation=None, persons=None, with_staff: bool = True,
                relation: str = "本单位在岗职工", today: datetime.date | None = None) -> EvaluationBatch:
    """A complete draft plan: one group with a theory and a practical module on `exam_on`, the
    filing's five examiners, a proctor and a quality supervisor, and the candidate list."""
    today = today or timezone.localdate()
    scope = filing.scope.select_related("occupation").first()
    occupation = occupation or scope.occupation
    level = level or scope.level_to
    batch = services.create_plan(filing=filing, title=title, venue=f"{filing.agency.address or '本单位'}实训楼",
                                 venue_region=filing.region, actor=clerk)
    services.add_group(batch_id=batch.pk, occupation=occupation, level=level, actor=clerk, modules=[
        (BatchModule.Kind.THEORY, _at(exam_on, 9), _at(exam_on, 11), "实训楼 301 理论考场"),
        (BatchModule.Kind.PRACTICAL, _at(exam_on, 13), _at(exam_on, 17), "实训车间一号工位区")])
    if with_staff:
        for e in filing.examiners.filter(occupation=occupation):
            services.add_staff(batch_id=batch.pk, role=BatchStaff.Role.EXAMINER, name=e.name, examiner_id=e.pk,
                               actor=clerk, certificate_valid_until=exam_on + datetime.timedelta(days=365))
        services.add_staff(batch_id=batch.pk, role=BatchStaff.Role.PROCTOR, name="监考员周敏", actor=clerk)
        services.add_staff(batch_id=batch.pk, role=BatchStaff.Role.SUPERVISOR, name="督导员钱亮", actor=clerk)
    persons = persons if persons is not None else people(24, seed=batch.pk)
    if persons:
        services.import_candidates(batch_id=batch.pk, data=candidate_sheet(occupation.code, level, persons, relation),
                                   actor=clerk, today=today)
    batch.refresh_from_db()
    return batch


def reviewer_for(batch: EvaluationBatch, *, city: bool = False) -> User:
    if city or batch.filing.managing_level == "city":
        return User.objects.filter(role=Role.CITY, is_active=True).order_by("pk").first()
    users = User.objects.filter(role=Role.DISTRICT, is_active=True, region__isnull=False).select_related("region")
    return next(u for u in users if batch.filing.region.path.startswith(u.region.path))


def drive_batch(batch: EvaluationBatch, clerk: User, to_state: str, *, submit_on: datetime.date) -> EvaluationBatch:
    """Take a draft along the path to `to_state`, each step dated as it would have happened."""
    exam = batch.first_exam_on
    services.perform(batch_id=batch.pk, action="submit", actor=clerk, today=submit_on)
    if to_state == S.SUBMITTED:
        return _fresh(batch)
    if to_state == S.RETURNED:
        services.perform(batch_id=batch.pk, action="return_plan", actor=reviewer_for(batch), today=submit_on,
                         comment="考核模块时间安排过紧，请调整后重新报备。")
        return _fresh(batch)
    if to_state == S.CANCELLED:
        services.perform(batch_id=batch.pk, action="cancel", actor=clerk, today=submit_on)
        return _fresh(batch)
    batch = services.perform(batch_id=batch.pk, action="approve", actor=reviewer_for(batch), today=submit_on)
    if batch.state == S.CITY_REVIEW:
        if to_state == S.CITY_REVIEW:
            return _fresh(batch)
        services.perform(batch_id=batch.pk, action="city_approve", actor=reviewer_for(batch, city=True),
                         today=submit_on)
    if to_state == S.APPROVED:
        return _fresh(batch)
    persons = [(c.name, c.id_number) for c in batch.candidates.order_by("row_no")]
    services.import_results(batch_id=batch.pk, data=result_sheet(persons, prefix=f"Y{batch.pk:05d}"), actor=clerk)
    batch = services.perform(batch_id=batch.pk, action="publish_results", actor=clerk,
                             today=add_workdays(exam, 2))
    if to_state == S.PUBLICITY:
        return _fresh(batch)
    if to_state == S.REPORT_OVERDUE:
        services.sweep_overdue_reports(batch.report_due + datetime.timedelta(days=1))
        return _fresh(batch)
    services.perform(batch_id=batch.pk, action="report", actor=clerk,
                     today=add_workdays(batch.publicity_ends_on, 3))
    return _fresh(batch)


def _fresh(batch):
    batch.refresh_from_db()
    return batch


TECHNICIAN_AGENCY = "上海浦东精工机床有限公司"


def seed() -> list[str]:
    """Batches in every state for the demo's agencies in force (idempotent by title)."""
    out: list[str] = []
    today = timezone.localdate()
    # Agencies that may hold a batch on every date below: not rectifying [002 §30], in force up to
    # the latest exam [002 §14] (the other seeders leave some agencies under orders).
    latest = add_workdays(today, 20)
    filings = list(Filing.objects.filter(state=FilingState.ACTIVE, number__isnull=False, valid_until__gte=latest)
                   .exclude(agency__name=TECHNICIAN_AGENCY).exclude(agency_id__in=agencies_rectifying())
                   .select_related("agency", "region").order_by("pk"))
    if not filings:
        return out
    plans = [  # (state, exam day, submit day, title)
        (S.DRAFT, add_workdays(today, 15), today, "2027年第一批次（草稿）"),
        (S.SUBMITTED, add_workdays(today, 14), today, "2027年第一批次"),
        (S.RETURNED, add_workdays(today, 16), today, "2027年第二批次"),
        (S.CANCELLED, add_workdays(today, 18), today, "2027年第三批次（已撤销）"),
        (S.APPROVED, add_workdays(today, 12), today, "2026年第四批次"),
        (S.PUBLICITY, today - datetime.timedelta(days=4), today - datetime.timedelta(days=40), "2026年第三批次"),
        (S.REPORT_OVERDUE, today - datetime.timedelta(days=50), today - datetime.timedelta(days=90), "2026年第二批次"),
        (S.REPORTED, today - datetime.timedelta(days=120), today - datetime.timedelta(days=160), "2026年第一批次"),
    ]
    for i, (state, exam, submit_on, title) in enumerate(plans):
        filing = filings[i % len(filings)]
        if EvaluationBatch.objects.filter(title=title).exists():
            continue
        clerk = User.objects.filter(role=Role.AGENCY, agency_id=filing.agency_id, is_active=True).first()
        if clerk is None or not filing.scope.exists():
            continue
        try:
            batch = build_batch(filing, clerk, exam_on=exam, title=title, today=submit_on)
            if state != S.DRAFT:
                batch = drive_batch(batch, clerk, state, submit_on=submit_on)
        except Exception as exc:  # noqa: BLE001 - a demo filing that cannot hold a batch is reported, not fatal
            out.append(f"认定批次“{title}”未生成：{exc}")
            continue
        out.append(f"认定批次 {batch.number or batch.pk}：{filing.agency.name} {batch.get_state_display()}")
    # A technician batch waiting at the city [003 §15(1)]: an enterprise whose filing covers 二级/技师.
    filings.append(_technician_filing())
    for filing in filings:
        item = filing.scope.filter(level_from__lte=SkillLevel.LEVEL_2, level_to__gte=SkillLevel.LEVEL_2).first()
        if item and filing.managing_level != "city" and not EvaluationBatch.objects.filter(
                title="2027年技师批次").exists():
            clerk = User.objects.filter(role=Role.AGENCY, agency_id=filing.agency_id).first()
            try:
                batch = build_batch(filing, clerk, exam_on=add_workdays(today, 13), title="2027年技师批次",
                                    level=SkillLevel.LEVEL_2, occupation=item.occupation)
                drive_batch(batch, clerk, S.CITY_REVIEW, submit_on=today)
                out.append(f"认定批次（技师）待市级备案：{filing.agency.name}")
            except Exception as exc:  # noqa: BLE001
                out.append(f"技师批次未生成：{exc}")
            break
    return out


def _technician_filing() -> Filing:
    """A district enterprise filed up to 二级/技师, made through the filings' own demo path."""
    from filings.choices import AgencyKind, Ownership
    from filings.demo import agency_user, demo_actors, draft_filing, drive, get_agency, make_uscc
    from portal.models import Occupation

    agency = get_agency(name=TECHNICIAN_AGENCY, uscc=make_uscc(1901), kind=AgencyKind.ENTERPRISE,
                        ownership=Ownership.DISTRICT_ENTERPRISE, region_code="310115")
    user = agency_user(agency, "pd_jinggong")
    filing = agency.filings.filter(state=FilingState.ACTIVE).first()
    if filing is None:
        lathe = Occupation.objects.filter(code="6-18-01-01").first()
        filing = draft_filing(agency, user, occupations=[lathe], level_to=SkillLevel.LEVEL_2)
        actors = demo_actors()
        experts = list(User.objects.filter(role=Role.EXPERT).order_by("username")[:3])
        today = timezone.localdate()
        drive(filing, FilingState.PUBLIC_NOTICE, actors=actors, experts=experts, today=today - datetime.timedelta(days=20))
        drive(filing, FilingState.ACTIVE, actors=actors, today=today)
    return filing
