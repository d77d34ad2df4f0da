import hashlib
import json

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit entry through the ORM."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计记录只能追加，不能修改")

    def delete(self):
        raise AppendOnlyError("审计记录只能追加，不能删除")


class Outcome(models.TextChoices):
    SUCCEEDED = "succeeded", "成功"
    REFUSED = "refused", "被拒绝"


class AuditEntry(models.Model):
    """Who did what to which object, when, from where, with what comment [001 §4(1), 003 §18].

    Entries form a hash chain: each carries the SHA-256 of the previous entry's hash and its own
    content, so an entry altered behind the ORM's back breaks the chain (`manage.py verify_audit`).
    """

    created_at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField("操作人", max_length=100, blank=True)
    action = models.CharField("操作", max_length=60, db_index=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    comment = models.TextField("意见/说明", blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    data = models.JSONField("详情", default=dict, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices, default=Outcome.SUCCEEDED)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "审计记录"
        ordering = ["id"]
        indexes = [models.Index(fields=["content_type", "object_id", "id"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def compute_hash(self) -> str:
        """The outcome is hashed only when it is not the default, so that entries written before
        the field existed recompute to the hash they were written with."""
        fields = [
            self.prev_hash,
            self.created_at.isoformat(),
            self.actor_id,
            self.actor_label,
            self.action,
            self.content_type_id,
            self.object_id,
            self.object_repr,
            self.comment,
            self.ip,
            self.data,
        ]
        if self.outcome != Outcome.SUCCEEDED:
            fields.append({"outcome": self.outcome})
        payload = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(payload.encode()).hexdigest()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("审计记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计记录只能追加，不能删除")

    @classmethod
    def for_object(cls, obj):
        return cls.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


class AuditChainHead(models.Model):
    """One row holding the newest hash; locking it serialises writers so the chain never forks."""

    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = verbose_name_plural = "审计链头"
