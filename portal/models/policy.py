import contextlib
import contextvars

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.policy_presets import DEFAULT_PRESET, PRESETS

_pinned: contextvars.ContextVar = contextvars.ContextVar("pinned_policy", default=None)

# What the notices fix: (field, least, most, article). A bureau may be stricter with itself (a
# shorter review) or more generous to agencies (a longer notice period), never the other way.
# Unset optional settings (None) mean "the bureau's notice does not say" and are not checked.
LIMITS = [
    ("validity_years", 3, 3, "[002 §14、003 §7]"),
    ("completeness_workdays", 1, 5, "[002 §10]"),
    ("supplement_days", 1, 30, "[002 §10]"),
    ("decision_days", 1, 90, "[002 §11]"),
    ("notice_workdays", 5, None, "[003 §7]"),
    ("social_orgs_per_occupation", 1, 3, "[003 §7]"),
    ("min_examiners_per_level", 5, None, "[003 §8、§9]"),
    ("batch_plan_lead_workdays", 10, None, "[003 §15]"),
    ("result_publicity_days", 7, None, "[003 §15]"),
    ("result_report_workdays", 1, 10, "[003 §15]"),
    ("pass_mark", 0, 100, ""),
    # Supervision's periods (SPEC §5). The notices fix no number for these (only "限期整改" [002 §30,
    # 003 §20] and "及时处理" [003 §19]); the bounds keep a period usable, the presets today's values.
    ("inspection_response_workdays", 1, 30, "[003 §17]"),
    ("rectification_workdays", 1, 60, "[002 §30、003 §20]"),
    ("rectification_reminder_workdays", 1, 10, "[002 §30]"),
    ("rectification_extension_workdays", 1, 60, "[002 §30]"),
    ("complaint_acknowledge_workdays", 1, 15, "[003 §19]"),
    ("complaint_conclude_workdays", 1, 90, "[003 §19]"),
    ("complaint_remind_workdays", 1, 20, "[003 §19]"),
    ("complaint_agency_answer_workdays", 1, 20, "[003 §19]"),
]
_OPTIONAL = {"social_orgs_per_occupation", "batch_plan_lead_workdays", "result_publicity_days",
             "result_report_workdays"}


def _limit_condition(field: str, least, most) -> Q:
    condition = Q()
    if least is not None:
        condition &= Q(**{f"{field}__gte": least})
    if most is not None:
        condition &= Q(**{f"{field}__lte": most})
    if field == "notice_workdays":
        condition |= Q(notice_scope="none")  # no public notice, no notice period
    if field in _OPTIONAL:
        condition |= Q(**{f"{field}__isnull": True})
    return condition


class PolicyProfile(models.Model):
    """The numbers one bureau's notice sets (SPEC §8). Exactly one profile is active; every rule
    reads its numbers from it, none is hard-coded."""

    class NoticeScope(models.TextChoices):
        ALL = "all", _("所有备案")
        SOCIAL = "social", _("仅社会培训评价组织")
        NONE = "none", _("不公示")

    class FailedRenewal(models.TextChoices):
        RECTIFY = "rectify", _("期满暂停运作，限期整改后复评")
        EXIT = "exit", _("不予续期，退出目录")

    name = models.CharField("名称", max_length=50, unique=True)
    preset = models.CharField("预设", max_length=20, blank=True)
    is_active = models.BooleanField("启用", default=False)
    validity_years = models.PositiveSmallIntegerField("备案有效期（年）", default=3)
    renewal_window_months = models.PositiveSmallIntegerField("期满前提示（月）", null=True, blank=True, default=3)
    latest_application_months = models.SmallIntegerField(
        "最迟申请（相对期满日，月）", default=0, help_text="正数为期满后若干月仍可申请")
    latest_application_days = models.SmallIntegerField(
        "最迟申请（相对期满日，天）", default=0, help_text="负数为期满前若干天，如 -30")
    completeness_workdays = models.PositiveSmallIntegerField("形式审查时限（工作日）", default=5)
    supplement_days = models.PositiveSmallIntegerField("补正期限（日）", default=30)
    decision_days = models.PositiveSmallIntegerField("作出决定时限（日）", default=90)
    notice_scope = models.CharField("备案公示范围", max_length=10, choices=NoticeScope.choices,
                                    default=NoticeScope.ALL)
    notice_workdays = models.PositiveSmallIntegerField("公示期（工作日）", default=5)
    social_orgs_per_occupation = models.PositiveSmallIntegerField("每职业社会培训评价组织上限", null=True,
                                                                  blank=True, default=3)
    pilot_months = models.PositiveSmallIntegerField("试点期（月）", null=True, blank=True)
    schools_to_city = models.BooleanField(
        "技工院校由市级备案", default=False,
        help_text="技工院校开展学生职业技能等级认定直接报市级，不经区县初审（重庆 [002 §6]）")
    failed_renewal = models.CharField("评估不通过的处理", max_length=10, choices=FailedRenewal.choices,
                                      default=FailedRenewal.RECTIFY)
    rectification_months = models.PositiveSmallIntegerField("整改期（月）", null=True, blank=True, default=6)
    star_rating = models.BooleanField("年度星级评定", default=False)
    batch_plan_lead_workdays = models.PositiveSmallIntegerField("批次计划提前报备（工作日）", null=True, blank=True)
    result_publicity_days = models.PositiveSmallIntegerField("结果公示（日）", null=True, blank=True)
    result_report_workdays = models.PositiveSmallIntegerField("结果报备时限（工作日）", null=True, blank=True)
    pass_mark = models.DecimalField("评估合格分", max_digits=5, decimal_places=1, default=60)
    min_experts = models.PositiveSmallIntegerField("专家组最少人数", default=3)
    min_examiners_per_level = models.PositiveSmallIntegerField("每职业等级最少考评员", default=5)
    inspection_response_workdays = models.PositiveSmallIntegerField(
        "检查发现申辩期限（工作日）", default=5, help_text="检查组提交检查发现后，机构确认或申辩的期限")
    rectification_workdays = models.PositiveSmallIntegerField(
        "限期整改默认期限（工作日）", default=20, help_text="下达整改通知时的默认期限，可逐件调整")
    rectification_reminder_workdays = models.PositiveSmallIntegerField(
        "整改到期前提醒（工作日）", default=3)
    rectification_extension_workdays = models.PositiveSmallIntegerField(
        "整改逾期后延期（工作日）", default=10)
    complaint_acknowledge_workdays = models.PositiveSmallIntegerField("投诉举报受理时限（工作日）", default=5)
    complaint_conclude_workdays = models.PositiveSmallIntegerField(
        "投诉举报办结时限（工作日）", default=60, help_text="自受理之日起计算")
    complaint_remind_workdays = models.PositiveSmallIntegerField("投诉举报办结前提醒（工作日）", default=5)
    complaint_agency_answer_workdays = models.PositiveSmallIntegerField("机构答复投诉问询时限（工作日）", default=5)
    filing_number_pattern = models.CharField(
        "备案编号格式", max_length=60, default="{region}{year}{kind}{seq:04d}",
        help_text="可用 {region}（区划代码）{year}（四位年份）{kind}（机构类别代码）{seq}（流水号）")

    class Meta:
        verbose_name = verbose_name_plural = "政策参数"
        constraints = [models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True),
                                               name="one_active_policy_profile")] + [
            models.CheckConstraint(condition=_limit_condition(field, least, most), name=f"policy_{field}_limits")
            for field, least, most, _article in LIMITS]

    def __str__(self):
        return self.name

    def clean(self):
        """Every value within what the notices allow, each message naming the field and the article
        (the admin's form calls this; the database's check constraints hold the same bounds)."""
        errors = {}
        for field, least, most, article in LIMITS:
            value = getattr(self, field)
            if value is None or (field == "notice_workdays" and self.notice_scope == self.NoticeScope.NONE):
                continue
            label = self._meta.get_field(field).verbose_name
            if least is not None and most is not None and least == most and value != least:
                errors[field] = f"{label}应为 {least} {article}".strip()
            elif least is not None and value < least:
                errors[field] = f"{label}不得少于 {least} {article}".strip()
            elif most is not None and value > most:
                errors[field] = f"{label}不得超过 {most} {article}".strip()
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        # clean() already names the field and the article; the check constraints would only repeat
        # it as an anonymous form-wide error.
        super().validate_constraints(exclude=set(exclude or ()) | {field for field, *_ in LIMITS})

    @classmethod
    def active(cls) -> "PolicyProfile":
        pinned = _pinned.get()
        if pinned is not None:
            return pinned
        profile = cls.objects.filter(is_active=True).first()
        if profile is None:
            profile = cls.ensure_presets()
        return profile

    @classmethod
    def ensure_presets(cls, active: str | None = None) -> "PolicyProfile":
        """Create the four presets if missing; activate `active` (or keep the current active one,
        or activate the default). Returns the active profile. Idempotent."""
        with transaction.atomic():
            for key, values in PRESETS.items():
                cls.objects.get_or_create(preset=key, defaults=values)
            current = cls.objects.filter(is_active=True).first()
            if active or current is None:
                target = cls.objects.get(preset=active or DEFAULT_PRESET)
                cls.objects.exclude(pk=target.pk).update(is_active=False)
                cls.objects.filter(pk=target.pk).update(is_active=True)
                return cls.objects.get(pk=target.pk)
            return current


@contextlib.contextmanager
def pinned_policy():
    """Read the active profile once for a batch of work (the deadline sweep) instead of per object."""
    token = _pinned.set(PolicyProfile.active())
    try:
        yield _pinned.get()
    finally:
        _pinned.reset(token)
