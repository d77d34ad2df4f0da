"""The background export of a large ledger (issue #15 §3). Import this module from `portal/tasks.py`
(or list it in CELERY_IMPORTS) so the worker knows the task; in tests and without Redis tasks run
eagerly in the request."""

from celery import shared_task

from portal import ledgers


@shared_task(ignore_result=True, acks_late=True)
def export_ledger_job(token: str) -> None:
    ledgers.run_job(token)
