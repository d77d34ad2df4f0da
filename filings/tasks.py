from celery import shared_task


@shared_task(ignore_result=True)
def render_receipt(receipt_id: int) -> None:
    from filings.receipt_pdf import render_and_store

    render_and_store(receipt_id)


@shared_task(ignore_result=True)
def render_receipts(receipt_ids: list[int]) -> None:
    """A batch of receipts issued together (the deadline sweep), rendered one after another."""
    from filings.receipt_pdf import render_and_store

    for pk in receipt_ids:
        render_and_store(pk)
