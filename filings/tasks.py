from celery import shared_task


@shared_task(ignore_result=True)
def render_receipt(receipt_id: int) -> None:
    from filings.receipt_pdf import render_and_store

    render_and_store(receipt_id)
