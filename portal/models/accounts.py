from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.text import validate_org_name, validate_phone, validate_text


class Role(models.TextChoices):
    """The actors of SPEC §1."""

    AGENCY = "agency", _("机构用户")
    DISTRICT = "district", _("区县人社部门")
    INDUSTRY = "industry", _("行业主管部门")
    CITY = "city", _("市级审核人员")
    EXPERT = "expert", pgettext_lazy("role", "评审专家")
    INSPECTOR = "inspector", _("督导员")
    ADMIN = "admin", _("系统管理员")


REVIEWER_ROLES = frozenset({Role.DISTRICT, Role.INDUSTRY, Role.CITY})


class IndustryDepartment(models.Model):
    """行业主管部门: pre-reviews city-level associations routed through it [000 §4(1)]."""

    name = models.CharField("名称", max_length=100, unique=True, validators=[validate_org_name])
    region = models.ForeignKey("portal.Region", verbose_name="所在区划", on_delete=models.PROTECT)

    class Meta:
        verbose_name = verbose_name_plural = "行业主管部门"
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person with one role and the scope that goes with it: a region (reviewers, inspectors),
    an industry department, or an agency (agency users; for experts, the agency they work for,
    which keeps them off that agency's panels)."""

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.AGENCY)
    full_name = models.CharField("姓名", max_length=50, blank=True, validators=[validate_text])
    phone = models.CharField("手机号码", max_length=20, blank=True, validators=[validate_phone])
    region = models.ForeignKey("portal.Region", verbose_name="管辖区划", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="staff")
    industry_department = models.ForeignKey(IndustryDepartment, verbose_name="行业主管部门", null=True,
                                            blank=True, on_delete=models.PROTECT, related_name="staff")
    agency = models.ForeignKey("filings.Agency", verbose_name="所属机构", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="staff")

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self):
        return self.full_name or super().get_full_name()

    @property
    def is_reviewer(self) -> bool:
        return self.role in REVIEWER_ROLES

    @property
    def is_city(self) -> bool:
        return self.role == Role.CITY

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser
