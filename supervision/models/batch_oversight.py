"""What others do to an evaluation batch from outside it: objections to its result notice, taken
from the public [003 §15(3)], and the draw of the team that spot-checks it [003 §15(2)]."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.text import validate_multiline_text, validate_person_name, validate_phone_or_email

from .batches import EvaluationBatch

__all__ = ["BatchObjection", "BatchSpotDraw"]


class BatchObjection(models.Model):
    """异议 to a batch's result notice, taken on its public page while the publicity runs
    [003 §15(3)]; tracked as a notice objection is: a number (受理编号), a secret access code kept
    hashed, a status page showing the written reply. The agency (or the managing authority) answers."""

    class State(models.TextChoices):
        PENDING = "pending", _("待答复")
        UPHELD = "upheld", _("异议成立")
        DISMISSED = "dismissed", _("异议不成立")

    batch = models.ForeignKey(EvaluationBatch, on_delete=models.PROTECT, related_name="objections")
    number = models.CharField("受理编号", max_length=24, unique=True)
    access_code_hash = models.CharField(max_length=128, editable=False)
    name = models.CharField("姓名", max_length=50, validators=[validate_person_name])
    contact = models.CharField("联系方式", max_length=100, validators=[validate_phone_or_email])
    text = models.TextField("异议内容", validators=[validate_multiline_text, MaxLengthValidator(4000)])
    evidence = models.FileField("证明材料", upload_to="batch-objections/%Y/%m/", blank=True, max_length=200)
    evidence_name = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField("提出时间", auto_now_add=True)
    state = models.CharField("答复结果", max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    reply = models.TextField("书面答复", blank=True, validators=[validate_multiline_text])
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "认定结果公示异议"
        ordering = ["-submitted_at", "-pk"]

    def __str__(self):
        return self.number

    def check_code(self, code: str) -> bool:
        from django.contrib.auth.hashers import check_password

        return bool(code) and check_password(code.strip().upper(), self.access_code_hash)


class BatchSpotDraw(models.Model):
    """How a batch's spot-check team was chosen [003 §15(2)]: drawn from the inspector pool by the
    supervision draw's hash stream (subject ``batch:<pk>``; the seed, its commitment, the pool and
    the conflicts excluded are kept so that `manage.py verify_draw` re-runs it), or chosen by hand
    with a recorded reason."""

    number = models.CharField("抽取编号", max_length=20, unique=True, null=True, blank=True)
    batch = models.ForeignKey(EvaluationBatch, on_delete=models.PROTECT, related_name="spot_draws")
    inspection = models.OneToOneField("supervision.Inspection", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="spot_draw")
    manual = models.BooleanField("人工选择", default=False)
    reason = models.TextField("事由/人工选择理由", blank=True, validators=[validate_multiline_text])
    subject = models.CharField("抽取对象", max_length=40)
    algorithm = models.CharField(max_length=40, blank=True)
    algorithm_version = models.PositiveSmallIntegerField(null=True, blank=True)
    seed = models.CharField(max_length=64, blank=True)
    commitment = models.CharField(max_length=64, blank=True)
    pool = models.JSONField("可抽检查人员", default=list)
    excluded = models.JSONField("回避（不参加抽取）", default=list)  # [[inspector id, reason], …]
    team_size = models.PositiveSmallIntegerField("人数", default=2)
    team = models.JSONField("督查员", default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "批次督导抽取"
        ordering = ["-pk"]

    def __str__(self):
        return self.number or self.subject
