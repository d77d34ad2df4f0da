"""评价机构 and where its submissions go."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from filings.choices import AgencyKind, ManagingLevel, MaterialType, Ownership, Route
from portal.models import PolicyProfile, Region
from portal.uscc import validate_uscc
from portal.text import validate_org_name, validate_person_name, validate_phone, validate_text


# Ownerships the city manages directly [000 §4(1), 002 §6].
CITY_OWNERSHIPS = (Ownership.CENTRAL, Ownership.MUNICIPAL_SOE)


class Agency(models.Model):
    """评价机构: one legal entity, identified by its USCC."""

    class EntityStatus(models.TextChoices):
        EXISTING = "existing", _("存续")
        DEREGISTERED = "deregistered", _("注销")
        REVOKED = "revoked", _("吊销")

    name = models.CharField("机构名称", max_length=100, validators=[validate_org_name], db_index=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True, validators=[validate_uscc])
    kind = models.CharField("机构类别", max_length=20, choices=AgencyKind.choices)
    ownership = models.CharField("隶属关系", max_length=30, choices=Ownership.choices)
    region = models.ForeignKey(Region, verbose_name="所在区县", on_delete=models.PROTECT, related_name="agencies")
    industry_department = models.ForeignKey("portal.IndustryDepartment", verbose_name="行业主管部门", null=True,
                                            blank=True, on_delete=models.PROTECT)
    address = models.CharField("地址", max_length=200, validators=[validate_text])
    legal_representative = models.CharField("法定代表人", max_length=50, validators=[validate_person_name])
    contact_name = models.CharField("联系人", max_length=50, validators=[validate_person_name])
    contact_phone = models.CharField("联系电话", max_length=30, validators=[validate_phone])
    contact_email = models.EmailField("联系邮箱", blank=True)
    entity_status = models.CharField("法人主体状态", max_length=20, choices=EntityStatus.choices,
                                     default=EntityStatus.EXISTING)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "评价机构"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.uscc:
            self.uscc = validate_uscc(self.uscc)
        if self.ownership == Ownership.CITY_ASSOCIATION and not self.industry_department_id:
            raise ValidationError({"industry_department": "市级行业协会须选择行业主管部门，由其初审 [000 §4(1)]。"})

    @property
    def is_enterprise(self) -> bool:
        return self.kind == AgencyKind.ENTERPRISE


def required_material_types(agency: Agency) -> list[str]:
    types = [t for t in MaterialType if t != MaterialType.PARENT_CONFIRMATION]
    if agency.ownership == Ownership.CENTRAL:
        types.append(MaterialType.PARENT_CONFIRMATION)
    return types


def chooses_managing_level(agency: Agency) -> bool:
    """Only a social training evaluation organisation chooses its level, by the area it will serve:
    the whole city, or its district [002 §6]. Everyone else's level follows ownership and kind."""
    return agency.kind == AgencyKind.SOCIAL and agency.ownership not in CITY_OWNERSHIPS + (Ownership.CITY_ASSOCIATION,)


def route_for(agency: Agency, managing_level: str) -> str:
    """Where a submission goes first: by ownership and kind, never by the agency's own tick
    [000 §4(1), 002 §6, 003 §7]. Central enterprises and municipal SOEs go straight to the city;
    city-level associations through their industry department; technical schools to the city where
    the bureau's notice says so (Chongqing [002 §6], `PolicyProfile.schools_to_city`); a social
    training evaluation organisation serving the whole city to the city [002 §6]; district
    enterprises, other enterprises and everyone else through the district where they are registered,
    whatever level they ticked."""
    if agency.ownership in CITY_OWNERSHIPS:
        return Route.CITY
    if agency.ownership == Ownership.CITY_ASSOCIATION:
        return Route.INDUSTRY
    if agency.kind == AgencyKind.SCHOOL and PolicyProfile.active().schools_to_city:
        return Route.CITY
    if chooses_managing_level(agency) and managing_level == ManagingLevel.CITY:
        return Route.CITY
    return Route.DISTRICT


def managing_level_for(agency: Agency, chosen: str) -> str:
    """The level that manages the filing: the city for whatever goes to the city or an industry
    department (both city-level), the district otherwise; `chosen` counts only where
    `chooses_managing_level`."""
    return ManagingLevel.DISTRICT if route_for(agency, chosen) == Route.DISTRICT else ManagingLevel.CITY
