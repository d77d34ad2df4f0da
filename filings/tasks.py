from celery import shared_task

from filings import decision_pdf
from filings.receipt_pdf import render_and_store


@shared_task(ignore_result=True)
def render_receipts(receipt_ids: list[int]) -> None:
    """Receipts issued together (one filing's, or a batch from the deadline sweep), rendered in turn."""
    for pk in receipt_ids:
        render_and_store(pk)


@shared_task(ignore_result=True)
def render_decisions(notice_ids: list[int]) -> None:
    """Written decisions issued together, rendered in turn [002 §10-11]."""
    for pk in notice_ids:
        decision_pdf.render_and_store(pk)
