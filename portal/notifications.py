"""In-site inbox and e-mail. `notify(...)` writes the inbox rows in the caller's transaction and
queues the e-mails after commit (sent by `portal.outbox`); an unreachable broker never fails the
caller's action."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from portal.models import Notification
from portal.tasks import deliver_notifications, send_later

Email = Notification.EmailState


def notify(recipients: Iterable, *, subject: str, body: str = "", url: str = "") -> list[Notification]:
    """One message to each of `recipients` (each person once, inactive ones skipped)."""
    return notify_many([(recipients, subject, body, url)])


def enqueue_emails(ids: list[int]) -> None:
    """Hand the e-mails to Celery. If the broker is down they stay pending for the outbox sweep."""
    send_later(deliver_notifications, ids)


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
