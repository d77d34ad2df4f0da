"""The renewal's timed rules [SPEC §4.1, §4.4], run daily by Celery beat and `manage.py run_deadlines`
(registered in `AssessmentsConfig.ready`).

Flagging is set-based: one INSERT … SELECT per reminder kind writes the reminders due today, the unique
constraint (filing, kind, validity end) makes a second run insert nothing, and the notifications for
the reminders of this run are written by INSERT … SELECT too — agency staff one message per filing,
each reviewer one digest per run — so the number of queries does not grow with the filings.
The few filings whose renewal ends or takes effect today go one by one through the services."""

from __future__ import annotations

import datetime
import uuid

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from assessments import outcomes, services, timeline
from assessments.choices import APPLIED, AssessmentState
from assessments.models import RenewalAssessment, RenewalReminder
from filings.choices import IN_FORCE, Route
from filings.models import Filing, Objection, PublicNotice
from filings.selectors import parties
from filings.services import TransitionRefused, change_in_force, perform_batch
from portal.audit import record
from portal.schedule import Deadline
from portal.models import Notification, PolicyProfile, Region, Role, User

S = AssessmentState
Kind = RenewalReminder.Kind
BATCH = 1000

SUBJECTS = {
    Kind.WINDOW: ("备案有效期将于 ", " 届满：期满评估申请已开放，请按时提交续期申请。"),
    Kind.LATEST: ("今日为期满评估最迟申请日（备案有效期至 ", "），逾期未申请视为放弃续期。"),
}
DIGESTS = {
    Kind.WINDOW: ("期满提醒：本次新增 ", " 家机构的备案进入期满评估申请期。"),
    Kind.LATEST: ("期满提醒：", " 家机构今日到达期满评估最迟申请日。"),
}


def sweep(today: datetime.date) -> int:
    done = close_notices(today) + apply_consequences(today) + end_unrectified(today) + end_abandoned(today)
    return done + sum(flag_expiring(today).values())


def _one_by_one(ids, fn) -> int:
    done = 0
    for pk in ids:
        try:
            fn(pk)
        except TransitionRefused:
            continue  # moved by a person meanwhile
        done += 1
    return done


def close_notices(today: datetime.date) -> int:
    """The notice of results ran its working days with no objection pending: the result takes effect."""
    due = (RenewalAssessment.objects.filter(**RenewalAssessment.overdue_filter("close_notice", today))
           .exclude(filing__notice_items__notice__purpose="renewal",
                    filing__notice_items__objections__state=Objection.State.PENDING)
           .order_by("pk").values_list("pk", flat=True))
    return _one_by_one(list(due), lambda pk: services.close_notice(assessment_id=pk, today=today))


def apply_consequences(today: datetime.date) -> int:
    """A failed renewal decided before expiry takes effect at expiry [000 §5, 004 §4(2)]."""
    due = (RenewalAssessment.objects.filter(state=S.FAILED, consequence_applied_on__isnull=True,
                                            consequence_on__lte=today).order_by("pk").values_list("pk", flat=True))
    return _one_by_one(list(due), lambda pk: outcomes.apply_consequence(assessment_id=pk, today=today))


def end_unrectified(today: datetime.date) -> int:
    """Suspended for rectification and no re-assessment applied for by the deadline: terminated [000 §5]."""
    reapplied = RenewalAssessment.objects.filter(previous=OuterRef("pk"), state__in=APPLIED)
    due = (RenewalAssessment.objects.filter(state=S.FAILED, round=1, rectification_due__lt=today,
                                            consequence_applied_on__isnull=False, filing__state__in=IN_FORCE)
           .filter(filing__valid_until=F("expires_on")).exclude(Exists(reapplied))
           .values_list("filing_id", flat=True))
    return _one_by_one(list(due), lambda pk: change_in_force(
        filing_id=pk, action="terminate", today=today, comment="整改期满未申请复评，终止备案 [000 §5]"))


def end_abandoned(today: datetime.date) -> int:
    """No application by the latest date, or withdrawn during evaluation (`WITHDRAWN` is not in
    `APPLIED`): renewal given up, the filing ends at expiry and leaves the directory [000 §5, 004 §4(3)]. Batched through `filings.services.perform_batch` (lock, transition,
    one UPDATE, one audit insert, one batch of notifications), grouped by expiry date so that
    `ended_on` is the expiry date itself."""
    profile = PolicyProfile.active()
    threshold = timeline.due_until(lambda v: timeline.ends_without_application_on(v, profile), today)
    applied = RenewalAssessment.objects.filter(filing=OuterRef("pk"), expires_on=OuterRef("valid_until"),
                                               state__in=APPLIED)
    due = (Filing.objects.filter(state__in=IN_FORCE, valid_until__lte=threshold).exclude(Exists(applied))
           .order_by("valid_until", "pk").values_list("pk", "valid_until"))
    done, batch, day = 0, [], None
    for pk, valid_until in due.iterator(chunk_size=BATCH):
        if batch and (valid_until != day or len(batch) >= BATCH):
            done += perform_batch(action="expire", filing_ids=batch, today=day)
            batch = []
        batch.append(pk)
        day = valid_until
    if batch:
        done += perform_batch(action="expire", filing_ids=batch, today=day)
    return done


# ----- set-based flags ------------------------------------------------------------------------------
def _thresholds(today: datetime.date, profile: PolicyProfile) -> dict[str, datetime.date]:
    out = {}
    if profile.renewal_window_months:
        out[Kind.WINDOW] = timeline.due_until(lambda v: timeline.window_opens_on(v, profile), today)
    out[Kind.LATEST] = timeline.due_until(lambda v: timeline.latest_application_on(v, profile), today)
    return out


def flag_expiring(today: datetime.date) -> dict[str, int]:
    """Flag every filing in force whose renewal window has opened (and, later, whose latest application
    date has come) and tell its agency and reviewers — exactly once per filing, kind and validity
    period [000 §3, 004 §3(1)]. Returns the number of new reminders per kind."""
    profile = PolicyProfile.active()
    counts = {}
    with transaction.atomic():
        for kind, threshold in _thresholds(today, profile).items():
            run = uuid.uuid4().hex
            counts[kind] = inserted = _insert_reminders(kind, threshold, run)
            if inserted > 1000 and connection.vendor == "postgresql":
                # A large batch (the backlog on the first run) makes the table's statistics stale and
                # the planner would nest-loop the join below; one ANALYZE keeps it a hash join.
                with connection.cursor() as cursor:
                    cursor.execute(f"ANALYZE {_t(RenewalReminder)}")
            if inserted:
                _notify_run(kind, run)
        if any(counts.values()):
            record("renewal.flags", None, data={"today": today.isoformat(), **{str(k): v for k, v in counts.items()}})
    return counts


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _insert_reminders(kind: str, threshold: datetime.date, run: str) -> int:
    ops = connection.ops
    states = list(IN_FORCE)
    applied = [*APPLIED, S.WITHDRAWN]  # a withdrawn renewal gave up the period: nothing to remind of [000 §5]
    sql = f"""
        INSERT INTO {_t(RenewalReminder)} (filing_id, agency_id, region_id, route, industry_department_id,
                                           kind, window_valid_until, run, created_at)
        SELECT f.id, f.agency_id, f.region_id, f.route, f.industry_department_id, %s, f.valid_until, %s, %s
        FROM {_t(Filing)} f
        WHERE f.state IN ({", ".join(["%s"] * len(states))}) AND f.valid_until <= %s
          AND NOT EXISTS (SELECT 1 FROM {_t(RenewalAssessment)} a WHERE a.filing_id = f.id
                          AND a.expires_on = f.valid_until AND a.state IN ({", ".join(["%s"] * len(applied))}))
        ON CONFLICT (filing_id, kind, window_valid_until) DO NOTHING"""
    params = [kind, run, ops.adapt_datetimefield_value(timezone.now()), *states,
              ops.adapt_datefield_value(threshold), *applied]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _notify_run(kind: str, run: str) -> None:
    """The agency staff of each newly flagged filing get one message each; every reviewer gets one
    digest for the run (the filings routed through them, and the city's whole jurisdiction)."""
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    n, r, u, reg = _t(Notification), _t(RenewalReminder), _t(User), _t(Region)
    email_state = (f"CASE WHEN u.email <> '' THEN '{Notification.EmailState.PENDING}' "
                   f"ELSE '{Notification.EmailState.SKIPPED}' END")
    columns = f"INSERT INTO {n} (recipient_id, subject, body, url, created_at, email_state, email_attempts)"
    before, after = SUBJECTS[kind]
    agency_sql = f"""{columns}
        SELECT u.id, %s || CAST(r.window_valid_until AS TEXT) || %s, '', %s, %s, {email_state}, 0
        FROM {r} r JOIN {u} u ON u.agency_id = r.agency_id AND u.role = %s AND u.is_active
        WHERE r.run = %s"""
    d_before, d_after = DIGESTS[kind]
    digest = f"""{columns}
        SELECT u.id, %s || CAST(COUNT(r.id) AS TEXT) || %s, '', %s, %s, {email_state}, 0
        FROM {r} r {{join}}
        WHERE r.run = %s AND u.is_active AND u.role = %s {{where}}
        GROUP BY u.id, u.email"""
    reviewers = [
        (Role.DISTRICT, f"JOIN {u} u ON u.region_id = r.region_id", "AND r.route = %s", [Route.DISTRICT]),
        (Role.INDUSTRY, f"JOIN {u} u ON u.industry_department_id = r.industry_department_id",
         "AND r.route = %s", [Route.INDUSTRY]),
        (Role.CITY, f"JOIN {reg} fr ON fr.id = r.region_id JOIN {u} u ON u.role = '{Role.CITY}' "
                    f"JOIN {reg} ur ON ur.id = u.region_id AND fr.path LIKE ur.path || '%%'", "", []),
    ]
    with connection.cursor() as cursor:
        cursor.execute(agency_sql, [before, after, "/renewals/", now, Role.AGENCY, run])
        for role, join, where, extra in reviewers:
            cursor.execute(digest.format(join=join, where=where),
                           [d_before, d_after, "/renewals/board/", now, run, role, *extra])


def running_deadlines(first: datetime.date, last: datetime.date) -> list:
    """The renewals' working-day dates through first..last not yet passed: the end of the notice of
    results [000 §4(3)] (portal/schedule.py moves them when a year's holiday schedule is loaded)."""
    today = timezone.localdate()
    out = []
    for a in (RenewalAssessment.objects.filter(state=S.NOTICE, notice_ends_on__gte=max(first, today))
              .select_related("agency", "region", "filing")):
        item = a.filing.notice_items.filter(notice__purpose="renewal", notice__ends_on=a.notice_ends_on).select_related(
            "notice").order_by("-id").first()
        if item is None or item.notice.starts_on > last:
            continue
        out.append(Deadline(
            label=f"期满评估结果公示截止（{a.agency.name}）", start=item.notice.starts_on, due=a.notice_ends_on,
            save=lambda new, pk=a.pk, notice=item.notice_id: (
                RenewalAssessment.objects.filter(pk=pk).update(notice_ends_on=new),
                PublicNotice.objects.filter(pk=notice).update(ends_on=new)),
            recipients=parties(a), url=f"/renewals/{a.pk}/"))
    return out
