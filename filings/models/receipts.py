from django.db import models

from portal.text import validate_text

from .filing import Filing


class NumberSequence(models.Model):
    """The last serial used for one prefix of the filing number; locked while a number is taken,
    so numbers are assigned once and never reused [002 §12]."""

    prefix = models.CharField(max_length=40, unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "备案编号序列"

    def __str__(self):
        return f"{self.prefix}: {self.last}"


def receipt_path(instance, filename):
    return f"receipts/{instance.filing_id}/v{instance.version}.pdf"


class Receipt(models.Model):
    """备案回执, one version per issue; a change or renewal issues a new version and supersedes the old
    [002 §12-13, 001 §3(3)]. The PDF is rendered in the background and stored with its SHA-256."""

    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="receipts")
    version = models.PositiveSmallIntegerField("版本")
    issued_at = models.DateTimeField("出具时间", auto_now_add=True)
    reason = models.CharField("出具原因", max_length=100, validators=[validate_text], default="备案")
    file = models.FileField(upload_to=receipt_path, blank=True, max_length=200)
    sha256 = models.CharField(max_length=64, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField("作废时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "备案回执"
        ordering = ["filing", "-version"]
        constraints = [models.UniqueConstraint(fields=["filing", "version"], name="receipt_version_once")]

    def __str__(self):
        return f"{self.filing.number} 回执 v{self.version}"
