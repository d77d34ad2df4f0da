"""备案回执 as a PDF [002 §12, 001 §3(3-4), 003 §7]: agency name, USCC, filing number, address, scope
(occupations with codes and level ranges), validity, issuing authority, date, and a QR code that
leads to the public verification page. Rendered once by WeasyPrint in the background and stored
with its SHA-256, so the file anyone holds can be checked against the bureau's copy."""

from __future__ import annotations

import base64
import io

import qrcode
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from filings.rendered import render_once
from filings.models import Filing, Receipt
from portal.models import Region


def verify_path(filing: Filing, version: int | None = None) -> str:
    """The public verification page of a filing number, pinned to one receipt version."""
    path = reverse("filings:receipt_verify", args=[filing.number])
    return f"{path}?v={version}" if version else path


def issuing_authority(filing: Filing) -> str:
    """The top region's bureau, e.g. 上海市人力资源和社会保障局."""
    top = Region.objects.filter(code=filing.region.top_path.strip("/")).first()
    return f"{top.name if top else filing.region.name}人力资源和社会保障局"


def qr_data_uri(text: str) -> str:
    """A PNG data URI: embedded in the HTML so WeasyPrint fetches nothing."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=6, border=2)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def receipt_context(receipt: Receipt) -> dict:
    filing = receipt.filing
    url = settings.SITE_URL + verify_path(filing, receipt.version)
    issued = timezone.localtime(receipt.issued_at).date() if receipt.issued_at else timezone.localdate()
    return {
        "receipt": receipt,
        "filing": filing,
        "agency": filing.agency,
        "scope": list(filing.scope.select_related("occupation").order_by("occupation__code", "occupation__work_type")),
        "authority": issuing_authority(filing),
        "issued_on": issued,
        "verify_url": url,
        "qr": qr_data_uri(url),
    }


def render_pdf(receipt: Receipt) -> bytes:
    """The PDF bytes of one receipt version (no side effects)."""
    from weasyprint import HTML  # heavy import, only where a PDF is made

    with translation.override(settings.LANGUAGE_CODE):  # an official document: always in Chinese
        html = render_to_string("filings/receipt/receipt_pdf.html", receipt_context(receipt))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def render_and_store(receipt_id: int) -> Receipt:
    """Render and keep the receipt once (filings/rendered.py)."""
    return render_once(Receipt, receipt_id, filename=lambda r: f"v{r.version}.pdf", render=render_pdf)
