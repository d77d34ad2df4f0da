"""The written decision as a PDF [002 §10-11], in Chinese whatever the reader's language, from the
facts fixed when it was issued. Rendered once by WeasyPrint and stored with its SHA-256."""

from __future__ import annotations


from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from filings.rendered import render_once
from filings.models import WrittenNotice
from portal.models import PolicyProfile

# A refusal is an administrative decision against the applicant: it says how to challenge it
# (行政复议法 第二十条: 60 days; 行政诉讼法 第四十六条: 6 months).
REMEDY = ("如对本决定不服，可以自收到本决定书之日起六十日内依法申请行政复议，"
          "也可以自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。")


def notice_context(notice: WrittenNotice) -> dict:
    filing = notice.filing
    return {
        "notice": notice,
        "filing": filing,
        "agency": filing.agency,
        "items": list(notice.supplement_items.order_by("kind", "pk")),
        "reasons": [line for line in notice.reasons.splitlines() if line.strip()],
        "remedy": REMEDY if notice.is_refusal else "",
        "supplement_days": PolicyProfile.active().supplement_days,
    }


def render_pdf(notice: WrittenNotice) -> bytes:
    from weasyprint import HTML  # heavy import, only where a PDF is made

    with translation.override(settings.LANGUAGE_CODE):  # an official document: always in Chinese
        html = render_to_string("filings/decision/written_notice_pdf.html", notice_context(notice))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def render_and_store(notice_id: int) -> WrittenNotice:
    """Render and keep the written notice once (filings/rendered.py)."""
    return render_once(WrittenNotice, notice_id, filename=lambda n: f"{n.number}.pdf", render=render_pdf)


def render_pending(limit: int = 50) -> int:
    """Notices whose background render never ran (broker down), older than five minutes."""
    stale = timezone.now() - timezone.timedelta(minutes=5)
    ids = list(WrittenNotice.objects.filter(rendered_at__isnull=True, created_at__lt=stale)
               .order_by("pk").values_list("pk", flat=True)[:limit])
    for pk in ids:
        render_and_store(pk)
    return len(ids)
