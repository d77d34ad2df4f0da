"""公示 of filings [003 §7, 001 §3(3)]: approvals of one day share one notice, which runs for the
policy's number of full working days after the day it is published."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import override

from filings.models import Filing, NoticeItem, Objection, PublicNotice
from portal.audit import record
from portal.models import PolicyProfile, Region
from portal.workdays import add_workdays


def add_to_notice(filing: Filing, *, actor, today: datetime.date,
                  purpose: str = PublicNotice.Purpose.FILING, summary: str = "", change=None) -> NoticeItem:
    """Put the filing in today's notice of this purpose (creating it), and set its notice end. The
    notice is published in the portal's language (Chinese), whatever language the actor reads."""
    with override(settings.LANGUAGE_CODE):
        return _add_to_notice(filing, actor=actor, today=today, purpose=purpose, summary=summary, change=change)


def _add_to_notice(filing: Filing, *, actor, today: datetime.date, purpose: str, summary: str,
                   change=None) -> NoticeItem:
    ends_on = add_workdays(today, PolicyProfile.active().notice_workdays)
    top = filing.region.ancestor_paths()[0]
    notice = PublicNotice.objects.filter(purpose=purpose, starts_on=today, region__path=top).first()
    if notice is None:
        notice = PublicNotice.objects.create(
            purpose=purpose, starts_on=today, ends_on=ends_on, published_by=actor if getattr(actor, "pk", None) else None,
            region=Region.objects.get(path=top),
            title=f"{today:%Y年%-m月%-d日}{PublicNotice.Purpose(purpose).label}")
    if purpose == PublicNotice.Purpose.FILING:
        filing.notice_ends_on = notice.ends_on
    if change is not None:  # a change's added scope, published like initial scope [002 §13, 003 §7]
        change.notice_ends_on = notice.ends_on
    scope = "、".join(f"{i.occupation.name}（{i.levels_label}）" for i in filing.scope.select_related("occupation"))
    return NoticeItem.objects.create(notice=notice, filing=filing, change=change, summary=summary or scope[:300])


def current_notices(today: datetime.date | None = None):
    today = today or timezone.localdate()
    return PublicNotice.objects.filter(ends_on__gte=today, starts_on__lte=today)


# Other apps follow an objection up (supervision gives it a tracking number and access code, set on
# the objection as `tracking`): each hook is called with the saved objection.
OBJECTION_HOOKS: list = []


@transaction.atomic
def file_objection(*, item: NoticeItem, name: str, contact: str, text: str, evidence=None,
                   today: datetime.date | None = None) -> Objection:
    """Anyone may object while the notice runs [003 §7]."""
    today = today or timezone.localdate()
    if not (item.notice.starts_on <= today <= item.notice.ends_on):
        raise ValueError("公示期已结束，不再受理异议。")
    objection = Objection(item=item, name=name, contact=contact, text=text)
    objection.full_clean(exclude=["item", "evidence", "state"])  # the rules of the form hold here too
    if evidence:
        objection.evidence = evidence
        objection.evidence_name = evidence.name[:200]
    objection.save()
    record("notice.objection", item.filing, comment=text[:500], data={"objection": objection.pk})
    for hook in OBJECTION_HOOKS:
        hook(objection)
    return objection
