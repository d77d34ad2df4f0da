import logging

from celery import shared_task

from portal import audit_checkpoints, deadlines, outbox

logger = logging.getLogger(__name__)


def send_later(task, *args) -> bool:
    """Queue `task(*args)` after the caller's commit has happened: one connection attempt and no
    publish retries, so a person's request never waits on a dead broker. False when the broker is
    unreachable; the caller's periodic sweep (outbox, receipt renders) picks the work up later."""
    try:
        task.apply_async(args, retry=False)
    except Exception as exc:  # noqa: BLE001 — after commit, any error would turn a done action into a 500
        logger.warning("broker unreachable, %s left for the periodic sweep: %s", task.name, exc)
        return False
    return True


@shared_task(ignore_result=True)
def deliver_notifications(ids: list[int]) -> int:
    return sum(outbox.deliver(pk) for pk in ids)


@shared_task(ignore_result=True)
def deliver_outbox() -> int:
    return outbox.deliver_outbox()


@shared_task(ignore_result=True)
def run_deadlines() -> dict:
    return deadlines.run_all()


@shared_task(ignore_result=True)
def audit_checkpoint() -> dict:
    return audit_checkpoints.write_checkpoint()


# The background ledger export lives beside the ledgers; importing it here registers it with the worker.
from portal.ledger_tasks import export_ledger_job  # noqa: E402,F401
