"""The e-mail side of notifications: each pending message is sent exactly once, by the Celery task
queued after the action's commit or, when the broker was down, by the periodic outbox sweep."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, Q
from django.utils import timezone

from portal.models import Notification

logger = logging.getLogger(__name__)
Email = Notification.EmailState


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
