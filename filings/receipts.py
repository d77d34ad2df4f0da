"""备案回执 [002 §12, 001 §3(3)]: each issue is a new version; the PDF is rendered in the background."""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone

from filings.models import Filing, Receipt
from filings.receipt_pdf import render_and_store
from filings.tasks import render_receipts
from portal.tasks import send_later


def _render_later(receipt_ids: list[int]) -> None:
    """Render in the background; if the broker is down, `render_pending` on the periodic run does it."""
    send_later(render_receipts, receipt_ids)


def issue_receipt(filing: Filing, *, reason: str) -> Receipt:
    """Create the next receipt version, supersede the previous one, render after commit."""
    now = timezone.now()
    last = filing.receipts.order_by("-version").first()
    filing.receipts.filter(superseded_at__isnull=True).update(superseded_at=now)
    receipt = Receipt.objects.create(filing=filing, version=(last.version + 1) if last else 1, reason=reason)

    transaction.on_commit(lambda: _render_later([receipt.pk]))
    return receipt


def issue_receipts(filings: list[Filing], *, reason: str) -> list[Receipt]:
    """`issue_receipt` for a batch (the deadline sweep): one supersede, one insert, one hand-over."""
    if not filings:
        return []
    now = timezone.now()
    ids = [f.pk for f in filings]
    last = dict(Receipt.objects.filter(filing_id__in=ids).values("filing_id")
                .annotate(v=models.Max("version")).values_list("filing_id", "v"))
    Receipt.objects.filter(filing_id__in=ids, superseded_at__isnull=True).update(superseded_at=now)
    created = Receipt.objects.bulk_create(
        [Receipt(filing=f, version=last.get(f.pk, 0) + 1, reason=reason) for f in filings])
    receipt_ids = [r.pk for r in created]

    transaction.on_commit(lambda: _render_later(receipt_ids))
    return created


def render_pending(limit: int = 50) -> int:
    """Receipts whose background render never ran (the broker was down when they were issued), older
    than five minutes: render them now. Registered with the periodic deadline run."""
    stale = timezone.now() - timezone.timedelta(minutes=5)
    ids = list(Receipt.objects.filter(rendered_at__isnull=True, issued_at__lt=stale)
               .order_by("pk").values_list("pk", flat=True)[:limit])
    for pk in ids:
        render_and_store(pk)
    return len(ids)
