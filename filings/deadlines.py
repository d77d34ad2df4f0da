"""The filings' timed transitions [002 §10, 003 §7]. One query per rule finds what is due (an
indexed range on the due date); the due filings then move in batches through `perform_batch`, which
calls the same transition methods a person's action does, with the same audit entries and
notifications. Running it twice changes nothing the second time: a moved filing no longer matches."""

from __future__ import annotations

import datetime

from django.utils import timezone

from filings import change_services
from filings.choices import IN_FORCE, FilingState
from filings.models import ChangeRequest, Filing, NoticeItem, Objection, PublicNotice
from filings.selectors import parties, recipients_for_many
from filings.services import perform_batch
from portal import transitions
from portal.schedule import Deadline

S = FilingState


def due(today: datetime.date) -> list[tuple[str, object]]:
    """Each time limit of `Filing.TIME_LIMITS` as one query: no decision within the completeness
    period, deemed accepted; not supplemented in time, abandoned [002 §10]; the notice ran its full
    working days with no objection pending, filed [003 §7]. A person's action meets the same rules
    (portal.transitions.settle_overdue)."""
    pending = {"complete_notice": {"notice_items__objections__state": Objection.State.PENDING}}
    return [(action, Filing.objects.filter(**Filing.overdue_filter(action, today)).exclude(**pending.get(action, {})))
            for action, _state, _field in Filing.TIME_LIMITS]


def changes_due(today: datetime.date) -> list[tuple[str, object]]:
    """`ChangeRequest.TIME_LIMITS` as one query each: a change's notice ran its full working days
    with no objection pending and its filing still in force, the change applies [003 §7, 002 §13]
    (the same rule as `complete_notice`'s conditions, which a person's action meets first)."""
    return [(action, ChangeRequest.objects.filter(**ChangeRequest.overdue_filter(action, today),
                                                  filing__state__in=IN_FORCE)
             .exclude(notice_items__objections__state=Objection.State.PENDING))
            for action, _state, _field in ChangeRequest.TIME_LIMITS]


def sweep(today: datetime.date, batch_size: int = 500) -> int:
    done = 0
    for action, queryset in due(today):
        ids = list(queryset.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch_size):
            done += perform_batch(action=action, filing_ids=ids[start:start + batch_size], today=today)
    return done + sweep_changes(today)


def sweep_changes(today: datetime.date) -> int:
    """Each due change through `perform` as the system, dated the day after its notice ended (as
    `settle_overdue` dates it when a person acts first); few a day, so one at a time. A change the
    rules refuse now (its scope no longer passes) stays in its notice for the city to decide."""
    done = 0
    for action, queryset in changes_due(today):
        for change in queryset.order_by("pk").only("pk", "state", "notice_ends_on"):
            effective = change.overdue_action(today)
            if effective is None:
                continue
            try:
                transitions.perform(change_services.MACHINE, pk=change.pk, action=action, actor=None,
                                    today=effective[1],
                                    comment=f"时限届满（{effective[1]:%Y-%m-%d}），系统自动处理")
            except transitions.TransitionRefused:
                continue
            done += 1
    return done


def running_deadlines(first: datetime.date, last: datetime.date) -> list[Deadline]:
    """The filings' dates computed in working days that run through first..last and have not passed:
    the completeness check of a submitted filing [002 §10] and the end of each running notice
    [003 §7], a change's notice of added scope among them [002 §13] (portal/schedule.py moves them
    when a year's holiday schedule is loaded)."""
    today = timezone.localdate()
    out = []
    submitted = (Filing.objects.filter(state=S.SUBMITTED, acceptance_due__gte=max(first, today),
                                       received_on__lte=last).select_related("agency", "region"))
    for filing in submitted:
        out.append(Deadline(
            label=f"形式审查截止（{filing.agency.name}）", start=filing.received_on, due=filing.acceptance_due,
            save=lambda new, pk=filing.pk: Filing.objects.filter(pk=pk).update(acceptance_due=new),
            recipients=parties(filing), url=f"/filings/{filing.pk}/"))
    for notice in PublicNotice.objects.filter(ends_on__gte=max(first, today), starts_on__lte=last,
                                              purpose=PublicNotice.Purpose.CHANGE):
        changes = list(ChangeRequest.objects.filter(notice_items__notice=notice, state=ChangeRequest.State.NOTICE)
                       .select_related("filing__agency", "filing__region"))
        recipients = recipients_for_many([c.filing for c in changes]) if changes else {}

        def save_change(new, notice=notice, ids=[c.pk for c in changes]):
            PublicNotice.objects.filter(pk=notice.pk).update(ends_on=new)
            ChangeRequest.objects.filter(pk__in=ids).update(notice_ends_on=new)

        out.append(Deadline(label=f"公示截止（{notice.title}）", start=notice.starts_on, due=notice.ends_on,
                            save=save_change, recipients={u for users in recipients.values() for u in users},
                            url="/notices/"))
    for notice in PublicNotice.objects.filter(ends_on__gte=max(first, today), starts_on__lte=last,
                                              purpose=PublicNotice.Purpose.FILING):
        filings = [i.filing for i in NoticeItem.objects.filter(notice=notice, filing__state=S.PUBLIC_NOTICE)
                   .select_related("filing__agency", "filing__region")]
        recipients = recipients_for_many(filings) if filings else {}

        def save(new, notice=notice, ids=[f.pk for f in filings]):
            PublicNotice.objects.filter(pk=notice.pk).update(ends_on=new)
            Filing.objects.filter(pk__in=ids).update(notice_ends_on=new)

        out.append(Deadline(label=f"公示截止（{notice.title}）", start=notice.starts_on, due=notice.ends_on,
                            save=save, recipients={u for users in recipients.values() for u in users},
                            url="/notices/"))
    return out
