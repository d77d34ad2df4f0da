from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.text import validate_multiline_text

from .filing import Filing


class ExpertAssignment(models.Model):
    """One expert on one filing's panel and what they recorded: material verification (材料验核),
    site visit (现场考察), opinion and score [002 §11, 001 §3(2)]."""

    class Recommendation(models.TextChoices):
        APPROVE = "approve", _("建议备案")
        REFUSE = "refuse", _("建议不予备案")

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="panel")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="专家", on_delete=models.PROTECT,
                               related_name="filing_assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    materials_verified = models.BooleanField("材料验核完成", default=False)
    materials_notes = models.TextField("材料验核意见", blank=True, validators=[validate_multiline_text])
    site_visited = models.BooleanField("现场考察完成", default=False)
    site_visit_notes = models.TextField("现场考察情况", blank=True, validators=[validate_multiline_text])
    opinion = models.TextField("专家意见", blank=True, validators=[validate_multiline_text])
    score = models.DecimalField("评分", max_digits=5, decimal_places=1, null=True, blank=True,
                                validators=[MinValueValidator(0), MaxValueValidator(100)])
    recommendation = models.CharField("结论", max_length=10, choices=Recommendation.choices, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "专家评审"
        ordering = ["assigned_at", "id"]
        constraints = [models.UniqueConstraint(fields=["filing", "expert"], name="one_assignment_per_expert")]

    def __str__(self):
        return f"{self.expert} · {self.filing}"
