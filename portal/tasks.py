from celery import shared_task

from portal import deadlines, notifications


@shared_task(ignore_result=True)
def deliver_notifications(ids: list[int]) -> int:
    return sum(notifications.deliver(pk) for pk in ids)


@shared_task(ignore_result=True)
def deliver_outbox() -> int:
    return notifications.deliver_outbox()


@shared_task(ignore_result=True)
def run_deadlines() -> dict:
    return deadlines.run_all()
