"""In-site inbox and e-mail. `notify(...)` writes the inbox rows in the caller's transaction and
queues the e-mails after commit; an unreachable broker never fails the caller's action."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from portal.models import Notification

logger = logging.getLogger(__name__)
Email = Notification.EmailState


def notify(recipients: Iterable, *, subject: str, body: str = "", url: str = "") -> list[Notification]:
    """One message to each of `recipients` (each person once, inactive ones skipped)."""
    return notify_many([(recipients, subject, body, url)])


def enqueue_emails(ids: list[int]) -> None:
    """Hand the e-mails to Celery. If the broker is down they stay pending for the outbox sweep."""
    from portal.tasks import deliver_notifications, send_later

    send_later(deliver_notifications, ids)


def deliver(notification_id: int) -> bool:
    """E-mail one notification exactly once: claim it with a conditional UPDATE, then send."""
    # While `sending`, emailed_at holds the time of the claim, so the sweep can tell a dead worker's
    # claim from one in progress.
    claimed = Notification.objects.filter(pk=notification_id, email_state=Email.PENDING).update(
        email_state=Email.SENDING, email_attempts=F("email_attempts") + 1, emailed_at=timezone.now())
    if not claimed:
        return False
    n = Notification.objects.select_related("recipient").get(pk=notification_id)
    try:
        body = n.body + (f"\n\n{settings.SITE_URL}{n.url}" if n.url else "")
        send_mail(n.subject, body, None, [n.recipient.email])
    except OSError as exc:
        logger.warning("e-mail %s failed: %s", n.pk, exc)
        state = Email.PENDING if n.email_attempts < 5 else Email.FAILED
        Notification.objects.filter(pk=n.pk).update(email_state=state, emailed_at=None)
        return False
    Notification.objects.filter(pk=n.pk).update(email_state=Email.SENT, emailed_at=timezone.now())
    return True


def deliver_outbox(limit: int = 500) -> int:
    """The periodic sweep: send what is still pending (the broker was down when it was queued), and
    reclaim messages a worker claimed more than 10 minutes ago and never finished (it died)."""
    stale = timezone.now() - timezone.timedelta(minutes=10)
    claimed_long_ago = Q(emailed_at__lt=stale) | Q(emailed_at__isnull=True, created_at__lt=stale)
    Notification.objects.filter(claimed_long_ago, email_state=Email.SENDING).update(
        email_state=Email.PENDING, emailed_at=None)
    ids = list(Notification.objects.filter(email_state=Email.PENDING).order_by("id").values_list("pk", flat=True)[:limit])
    return sum(deliver(pk) for pk in ids)


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notify_many(messages: Iterable[tuple[Iterable, str, str, str]]) -> list[Notification]:
    """Several messages at once, as (recipients, subject, body, url): one insert and one hand-over
    to Celery for the lot (the deadline sweep)."""
    rows = []
    for recipients, subject, body, url in messages:
        seen = set()
        for user in recipients:
            if user is None or user.pk in seen or not user.is_active:
                continue
            seen.add(user.pk)
            rows.append(Notification(recipient=user, subject=subject[:200], body=body, url=url,
                                     email_state=Email.PENDING if user.email else Email.SKIPPED))
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows, batch_size=1000)
    ids = [n.pk for n in created if n.email_state == Email.PENDING]
    if ids and all(ids):
        transaction.on_commit(lambda: enqueue_emails(ids))
    return created
