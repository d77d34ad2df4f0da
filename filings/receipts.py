"""备案回执 [002 §12, 001 §3(3)]: each issue is a new version; the PDF is rendered in the background."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from filings.models import Filing, Receipt


def issue_receipt(filing: Filing, *, reason: str) -> Receipt:
    """Create the next receipt version, supersede the previous one, render after commit."""
    now = timezone.now()
    last = filing.receipts.order_by("-version").first()
    filing.receipts.filter(superseded_at__isnull=True).update(superseded_at=now)
    receipt = Receipt.objects.create(filing=filing, version=(last.version + 1) if last else 1, reason=reason)

    def _queue():
        from filings.tasks import render_receipt

        try:
            render_receipt.delay(receipt.pk)
        except Exception:  # broker down: the render sweep picks it up  # noqa: BLE001
            pass

    transaction.on_commit(_queue)
    return receipt
