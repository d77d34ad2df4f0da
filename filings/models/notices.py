from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.text import validate_multiline_text, validate_person_name, validate_phone_or_email, validate_text


class PublicNotice(models.Model):
    """公示: a published list of filings (or renewal results) with a start, an end in working days,
    and the objections received [003 §7, 001 §3(3), 000 §4(3)]."""

    class Purpose(models.TextChoices):
        FILING = "filing", _("备案公示")
        RENEWAL = "renewal", _("期满评估结果公示")
        CHANGE = "change", _("变更备案公示")

    purpose = models.CharField("类别", max_length=10, choices=Purpose.choices, default=Purpose.FILING)
    title = models.CharField("标题", max_length=200, validators=[validate_text])
    starts_on = models.DateField("公示开始")
    ends_on = models.DateField("公示截止", db_index=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("portal.Region", verbose_name="发布机关所在区划", on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "公示"
        ordering = ["-starts_on", "-id"]

    def __str__(self):
        return self.title


class NoticeItem(models.Model):
    """One filing in a notice, with what is being published about it."""

    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="items")
    filing = models.ForeignKey("filings.Filing", on_delete=models.PROTECT, related_name="notice_items")
    # On a change notice: the change whose added scope is published [002 §13, 003 §7].
    change = models.ForeignKey("filings.ChangeRequest", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="notice_items")
    summary = models.CharField("公示内容", max_length=300, blank=True, validators=[validate_text])

    class Meta:
        verbose_name = verbose_name_plural = "公示条目"
        ordering = ["id"]

    def __str__(self):
        return str(self.filing)


class Objection(models.Model):
    """异议: anyone may object during the notice period [003 §7]."""

    class State(models.TextChoices):
        PENDING = "pending", _("待核实")
        UPHELD = "upheld", _("异议成立")
        DISMISSED = "dismissed", _("异议不成立")

    item = models.ForeignKey(NoticeItem, on_delete=models.PROTECT, related_name="objections")
    name = models.CharField("姓名", max_length=50, validators=[validate_person_name])
    contact = models.CharField("联系方式", max_length=100, validators=[validate_phone_or_email])
    text = models.TextField("异议内容", validators=[validate_multiline_text])
    evidence = models.FileField("证明材料", upload_to="objections/%Y/%m/", blank=True, max_length=200)
    evidence_name = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField("核实结果", max_length=10, choices=State.choices, default=State.PENDING)
    resolution = models.TextField("核实意见", blank=True, validators=[validate_multiline_text])
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "异议"
        ordering = ["-submitted_at"]

    def __str__(self):
        return f"{self.name}：{self.text[:20]}"
