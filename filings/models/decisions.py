"""Written decisions of the completeness check and the filing decision, and the items a supplement
notice lists [002 §10-11]."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from filings.choices import MaterialType
from portal.models import Occupation
from portal.text import validate_multiline_text, validate_text

from .filing import Filing


def decision_path(instance, filename):
    return f"decisions/{instance.filing_id}/{instance.number}.pdf"


class WrittenNotice(models.Model):
    """A numbered, dated written notice kept with the filing: acceptance, the one-time supplement
    notice, refusal of acceptance, refusal of filing [002 §10: 决定不予受理的，应当说明理由和依据;
    002 §11: 决定不予备案的，应当书面告知申请人，并说明理由和依据]. Its facts are fixed when it is issued,
    in the same transaction as the decision; the PDF is rendered from them after commit, once, and
    kept with its SHA-256 like the receipt."""

    class Kind(models.TextChoices):
        ACCEPTANCE = "acceptance", _("受理通知书")
        SUPPLEMENT = "supplement", _("补正通知书")
        REFUSAL_OF_ACCEPTANCE = "refusal_of_acceptance", _("不予受理决定书")
        REFUSAL = "refusal", _("不予备案决定书")

    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="written_notices")
    kind = models.CharField("文书类型", max_length=30, choices=Kind.choices)
    action = models.CharField("办理事项", max_length=40)
    number = models.CharField("文书编号", max_length=60, unique=True)
    issued_on = models.DateField("出具日期")
    received_on = models.DateField("收件日期", null=True, blank=True)
    due_on = models.DateField("期限", null=True, blank=True, help_text="补正截止，或作出备案决定的截止日")
    authority = models.CharField("出具机关", max_length=100, validators=[validate_text])
    reasons = models.TextField("理由", blank=True, validators=[validate_multiline_text])
    basis = models.TextField("依据", validators=[validate_multiline_text])
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    file = models.FileField(upload_to=decision_path, blank=True, max_length=200)
    sha256 = models.CharField(max_length=64, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "书面决定"
        ordering = ["filing", "created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_refusal(self) -> bool:
        return self.kind in (self.Kind.REFUSAL_OF_ACCEPTANCE, self.Kind.REFUSAL)


class SupplementItem(models.Model):
    """One item of a supplement notice: a material type or a scope row the reviewer ticked, with what
    is wrong [002 §10: 一次性告知需要补正的全部材料]. The agency settles it by changing that material or
    row after the request (`changed_at`, set by the agency's services) or by answering it in writing;
    the supplement cannot be sent while any item is open."""

    class Kind(models.TextChoices):
        MATERIAL = "material", _("申报材料")
        SCOPE = "scope", _("申报范围")

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="supplement_items")
    notice = models.ForeignKey(WrittenNotice, on_delete=models.PROTECT, related_name="supplement_items",
                               help_text="the supplement notice (the request's round) that lists it")
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    material_type = models.CharField("材料类型", max_length=30, choices=MaterialType.choices, blank=True)
    occupation = models.ForeignKey(Occupation, verbose_name="职业（工种）", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    label = models.CharField("事项", max_length=200, validators=[validate_text],
                             help_text="the item as it stood when requested (a scope row is replaced on every save)")
    note = models.TextField("补正要求", blank=True, validators=[validate_multiline_text])
    changed_at = models.DateTimeField("已修改", null=True, blank=True)
    answer = models.TextField("说明", blank=True, validators=[validate_multiline_text])
    answered_at = models.DateTimeField("说明时间", null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "补正事项"
        ordering = ["notice", "kind", "pk"]
        constraints = [
            models.CheckConstraint(name="supplement_item_has_its_reference", condition=(
                models.Q(kind="material", occupation__isnull=True) & ~models.Q(material_type="")
                | models.Q(kind="scope", occupation__isnull=False, material_type=""))),
        ]

    def __str__(self):
        return self.label

    @property
    def settled(self) -> bool:
        return self.changed_at is not None or self.answered_at is not None

    @property
    def status(self) -> str:
        if self.changed_at is not None:
            return str(_("已修改"))
        if self.answered_at is not None:
            return str(_("已说明"))
        return pgettext("supplement item", "待补正")
