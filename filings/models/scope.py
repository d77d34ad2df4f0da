"""What a filing covers and what it rests on: scope, examiners, materials."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from filings.choices import AgencyKind, MaterialType
from portal.models import ENTERPRISE_ONLY_LEVELS, Occupation, PolicyProfile, SkillLevel, StoredFile
from portal.text import validate_text

from .filing import Filing


def national_standard_problem(agency, occupation: Occupation) -> str | None:
    """[001 §2, 003 §5] A social training evaluation organisation evaluates only occupations (work
    types) with a national occupational skill standard (有相应的国家职业技能标准; 社会培训评价组织应严格执行
    国家职业技能标准); enterprises and schools evaluating their own people may use a standard or an
    evaluation norm (评价规范)."""
    if agency.kind == AgencyKind.SOCIAL and not occupation.has_standard:
        return _("“%(name)s”尚无国家职业技能标准，社会培训评价组织只能申报有国家职业技能标准的职业（工种） "
                 "[001 §2, 003 §5]。") % {"name": occupation.name}
    return None


class ScopeItem(models.Model):
    """One occupation (work type) and a range of levels in a filing's scope."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="scope")
    occupation = models.ForeignKey(Occupation, verbose_name="职业（工种）", on_delete=models.PROTECT)
    level_from = models.PositiveSmallIntegerField("最低等级", choices=SkillLevel.choices)
    level_to = models.PositiveSmallIntegerField("最高等级", choices=SkillLevel.choices)

    class Meta:
        verbose_name = verbose_name_plural = "备案范围"
        ordering = ["occupation__code", "level_from"]
        constraints = [
            models.UniqueConstraint(fields=["filing", "occupation"], name="scope_one_row_per_occupation"),
            models.CheckConstraint(condition=Q(level_from__lte=models.F("level_to")), name="scope_level_range"),
        ]

    def __str__(self):
        return f"{self.occupation.name} {self.levels_label}"

    @property
    def levels(self) -> list[SkillLevel]:
        return [SkillLevel(v) for v in range(self.level_from, self.level_to + 1)]

    @property
    def levels_label(self) -> str:
        if self.level_from == self.level_to:
            return SkillLevel(self.level_from).label
        return f"{SkillLevel(self.level_from).label}—{SkillLevel(self.level_to).label}"

    def problems(self) -> list[str]:
        """[003 §8(2), §5, §8(4), 001 §2]"""
        out = []
        occ = self.occupation
        if occ.restricted:
            out.append(f"{occ.name}为准入类职业，不得纳入备案范围 [003 §8(2)]")
        if (no_standard := national_standard_problem(self.filing.agency, occ)):
            out.append(no_standard)
        if not self.filing.agency.is_enterprise:
            banned = [str(lv.label) for lv in self.levels if lv in ENTERPRISE_ONLY_LEVELS]
            if banned:
                out.append(f"{occ.name}：{'、'.join(banned)}仅限用人单位开展评价 [003 §5]")
        minimum = PolicyProfile.active().min_examiners_per_level
        examiners = [e.level for e in self.filing.examiners.all() if e.occupation_id == self.occupation_id]
        short = [str(lv.label) for lv in self.levels if sum(1 for x in examiners if x >= lv) < minimum]
        if short:
            out.append(f"{occ.name}：{'、'.join(short)}本单位考评人员不足 {minimum} 名 [003 §8(4)]")
        return out


class Examiner(models.Model):
    """An agency's own examiner (考评人员) for one occupation, qualified up to `level`."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="examiners")
    occupation = models.ForeignKey(Occupation, verbose_name="职业（工种）", on_delete=models.PROTECT)
    name = models.CharField("姓名", max_length=50, validators=[validate_text])
    certificate_no = models.CharField("证书编号", max_length=50, blank=True, validators=[validate_text])
    level = models.PositiveSmallIntegerField("可考评最高等级", choices=SkillLevel.choices)

    class Meta:
        verbose_name = verbose_name_plural = "考评人员"
        ordering = ["occupation__code", "-level", "name"]

    def __str__(self):
        return self.name


def material_path(instance, filename):
    return f"materials/{instance.filing_id}/{timezone.now():%Y%m%d%H%M%S%f}"


class Material(StoredFile):
    """An uploaded file of a required type, kept outside any public path. A replaced file is marked
    superseded, never deleted [002 §19, 003 §16]."""

    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="materials")
    type = models.CharField("材料类型", max_length=30, choices=MaterialType.choices)
    file = models.FileField(upload_to=material_path, max_length=200)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "申报材料"
        ordering = ["type", "-uploaded_at"]

    def __str__(self):
        return f"{self.get_type_display()}：{self.original_name}"
