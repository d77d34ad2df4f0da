from django.db import models
from django.utils.translation import gettext_lazy as _


class SkillLevel(models.IntegerChoices):
    """The "new eight-level" system [003 §5], ordered from lowest to highest."""

    APPRENTICE = 1, _("学徒工")
    LEVEL_5 = 2, _("五级/初级工")
    LEVEL_4 = 3, _("四级/中级工")
    LEVEL_3 = 4, _("三级/高级工")
    LEVEL_2 = 5, _("二级/技师")
    LEVEL_1 = 6, _("一级/高级技师")
    PRINCIPAL = 7, _("特级技师")
    CHIEF = 8, _("首席技师")


# 学徒工, 特级技师 and 首席技师 are only for enterprises' own evaluation [003 §5].
ENTERPRISE_ONLY_LEVELS = frozenset({SkillLevel.APPRENTICE, SkillLevel.PRINCIPAL, SkillLevel.CHIEF})


class Occupation(models.Model):
    """An entry of the national occupational classification (职业分类大典)."""

    code = models.CharField("职业编码", max_length=20, db_index=True)
    name = models.CharField("职业名称", max_length=100, db_index=True)
    work_type = models.CharField("工种", max_length=100, blank=True)
    restricted = models.BooleanField("准入类", default=False,
                                     help_text="准入类职业不得备案 [003 §8(2)]")
    has_standard = models.BooleanField("有国家职业技能标准", default=True)
    edition = models.PositiveSmallIntegerField("大典版本", default=2022)

    class Meta:
        verbose_name = verbose_name_plural = "职业（工种）"
        ordering = ["code", "work_type"]
        constraints = [models.UniqueConstraint(fields=["code", "work_type"], name="occupation_code_work_type")]

    def __str__(self):
        label = f"{self.code} {self.name}"
        return f"{label}（{self.work_type}）" if self.work_type else label
