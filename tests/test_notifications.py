"""Notifications: an in-site inbox row for every message, and an e-mail that leaves through Celery
after the action commits. The broker being down never fails a person's action: the e-mail waits in
the outbox and the periodic sweep sends it, exactly once, when the broker is back."""

from __future__ import annotations

import os
import threading
import time
import uuid
from contextlib import contextmanager

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from filings.services import perform
from portal import tasks
from portal.celery import app as portal_app
from portal.models import Notification
from portal.notifications import notify
from portal.outbox import deliver, deliver_outbox

Email = Notification.EmailState
UNREACHABLE_BROKER = "redis://127.0.0.1:6399/0"  # nothing listens there


@contextmanager
def broker(url: str):
    """A Celery app configured like the portal's but publishing for real to `url`, made current so
    the portal's shared tasks use it; the portal's own app is current again afterwards."""
    with Celery("portal", set_as_current=False) as app:
        app.config_from_object("django.conf:settings", namespace="CELERY")
        app.conf.broker_url, app.conf.task_always_eager = url, False
        app.set_current()
        try:
            yield app
        finally:
            portal_app.set_current()
            portal_app.set_default()


# --- the inbox and e-mail, with tasks run in-process ------------------------------------------


@pytest.mark.django_db
def test_notify_writes_one_inbox_row_per_person(world):
    rows = notify([world.city, world.pudong_reviewer, world.city, None], subject="新的备案申请", body="请审核",
                  url="/filings/1/")
    assert len(rows) == 2
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"city", "pudong"}


@pytest.mark.django_db
def test_inactive_people_get_nothing_and_people_without_email_only_the_inbox(world):
    world.xuhui_reviewer.is_active = False
    world.xuhui_reviewer.save()
    world.inspector.email = ""
    world.inspector.save()
    notify([world.xuhui_reviewer, world.inspector], subject="通知")
    assert Notification.objects.get().recipient == world.inspector
    assert Notification.objects.get().email_state == Email.SKIPPED


@pytest.mark.django_db
def test_the_email_leaves_only_after_the_action_commits(world, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            notify([world.city], subject="新的备案申请：上海浦江电气有限公司", body="请及时审核。", url="/filings/7/")
            assert mail.outbox == []  # not before the commit
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["city@example.gov.cn"]
    assert message.subject == "新的备案申请：上海浦江电气有限公司"
    assert "请及时审核。" in message.body and "/filings/7/" in message.body
    assert Notification.objects.get().email_state == Email.SENT


@pytest.mark.django_db
def test_a_rolled_back_action_leaves_neither_message_nor_email(world, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify([world.city], subject="不会发送")
                raise RuntimeError("the action failed")
        except RuntimeError:
            pass
    assert not Notification.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_deliver_sends_exactly_once_however_often_it_is_called(world):
    mail.outbox.clear()
    with transaction.atomic():  # inside the test transaction: on_commit never fires on its own
        [note] = notify([world.city], subject="一次")
    assert deliver(note.pk) is True
    assert deliver(note.pk) is False
    assert deliver_outbox() == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_sweep_reclaims_a_message_a_dead_worker_left_half_sent(world):
    """A worker claimed the message and died: after 10 minutes the sweep sends it."""
    mail.outbox.clear()
    with transaction.atomic():
        [note] = notify([world.city], subject="被中断的邮件")
    long_ago = timezone.now() - timezone.timedelta(minutes=11)
    Notification.objects.filter(pk=note.pk).update(email_state=Email.SENDING, emailed_at=long_ago)
    assert deliver_outbox() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_sweep_leaves_alone_a_message_being_sent_right_now(world):
    """An old message (it waited out a broker outage) that a worker claimed a moment ago is not
    sent a second time by the sweep."""
    mail.outbox.clear()
    with transaction.atomic():
        [note] = notify([world.city], subject="正在发送")
    Notification.objects.filter(pk=note.pk).update(created_at=timezone.now() - timezone.timedelta(hours=3),
                                                   email_state=Email.SENDING, emailed_at=timezone.now())
    assert deliver_outbox() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_inbox_shows_the_message_and_opening_it_marks_it_read(client, world):
    [note] = notify([world.city], subject="备案状态变更：上海浦江电气有限公司", url="/dashboard/")
    client.force_login(world.city)
    assert "备案状态变更：上海浦江电气有限公司" in client.get(reverse("portal:inbox")).content.decode()
    response = client.post(reverse("portal:open_notification", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    note.refresh_from_db()
    assert note.read_at is not None


@pytest.mark.django_db
def test_nobody_opens_another_persons_message(client, world):
    [note] = notify([world.city], subject="只给市级")
    client.force_login(world.pudong_reviewer)
    assert client.post(reverse("portal:open_notification", args=[note.pk])).status_code == 404


# --- the broker down, then back -----------------------------------------------------------------


def test_with_the_broker_down_a_filing_is_still_submitted_and_its_emails_wait(transactional_db, world):
    """A clerk submits while Redis is unreachable: the submission succeeds at once, everyone
    concerned has the message in the inbox, and the e-mails wait in the outbox."""
    filing = world.filing(state="draft")
    mail.outbox.clear()
    with broker(UNREACHABLE_BROKER):
        started = time.monotonic()
        filing = perform(filing_id=filing.pk, action="submit", actor=world.pudong_clerk)
        elapsed = time.monotonic() - started
    assert elapsed < 3, f"the submission waited {elapsed:.1f}s for the broker"
    assert filing.state != "draft"
    waiting = Notification.objects.filter(subject__contains="上海浦江电气有限公司")
    assert {n.recipient.username for n in waiting} >= {"pd_clerk", "pudong", "city"}
    assert {n.email_state for n in waiting} == {Email.PENDING}
    assert mail.outbox == []
    # The sweep (here in-process) later sends each exactly once.
    assert deliver_outbox() == waiting.count()
    assert deliver_outbox() == 0
    assert len(mail.outbox) == waiting.count()


@pytest.mark.redis
def test_the_outbox_sweep_delivers_exactly_once_when_the_broker_is_back(transactional_db, world):
    """The key promise, end to end with a real Redis and a real worker: broker down → the action
    succeeds and the e-mail waits; broker back → the periodic sweep delivers it exactly once."""
    mail.outbox.clear()
    with broker(UNREACHABLE_BROKER):
        started = time.monotonic()
        with transaction.atomic():
            [note] = notify([world.city], subject="公示期满提醒", body="请处理公示期满的备案。")
        elapsed = time.monotonic() - started
    assert elapsed < 3, f"the action waited {elapsed:.1f}s for the broker"
    note.refresh_from_db()
    assert note.email_state == Email.PENDING
    assert mail.outbox == []

    queue = f"test-outbox-{uuid.uuid4().hex}"  # our own queue: no other worker on this Redis takes it
    finished = threading.Semaphore(0)

    def on_done(sender=None, **kwargs):
        if getattr(sender, "name", "") == tasks.deliver_outbox.name:
            finished.release()

    task_postrun.connect(on_done, weak=False)
    try:
        with broker(os.environ["REDIS_URL"]) as app, start_worker(app, perform_ping_check=False, queues=[queue]):
            tasks.deliver_outbox.apply_async(queue=queue)
            assert finished.acquire(timeout=20), "the worker did not run the sweep"
            assert len(mail.outbox) == 1
            tasks.deliver_outbox.apply_async(queue=queue)  # the next beat tick
            assert finished.acquire(timeout=20), "the worker did not run the second sweep"
    finally:
        task_postrun.disconnect(on_done)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["city@example.gov.cn"] and mail.outbox[0].subject == "公示期满提醒"
    note.refresh_from_db()
    assert note.email_state == Email.SENT and note.emailed_at is not None and note.email_attempts == 1
