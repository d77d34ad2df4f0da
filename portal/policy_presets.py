"""The four bureaus' settings (SPEC §8). Where a notice is silent the preset keeps the portal's
default (taken from Chongqing's measures for the filing clock, and 3 per occupation from Chizhou)."""

from django.db import transaction

PRESETS = {
    "shanghai": dict(
        name="上海市（沪人社职〔2023〕21号、〔2020〕439号）",
        renewal_window_months=3, latest_application_months=0, latest_application_days=0,
        notice_scope="all", notice_workdays=5, failed_renewal="rectify", rectification_months=6,
    ),
    "chongqing": dict(
        name="重庆市（渝人社发〔2020〕128号）",
        renewal_window_months=None, latest_application_months=0, latest_application_days=-30,
        completeness_workdays=5, supplement_days=30, decision_days=90,
        notice_scope="social", failed_renewal="rectify", rectification_months=None,
    ),
    "chizhou": dict(
        name="池州市（池人社发〔2024〕4号）",
        renewal_window_months=None, latest_application_months=0, latest_application_days=0,
        notice_scope="all", notice_workdays=5, social_orgs_per_occupation=3, pilot_months=12,
        failed_renewal="rectify", rectification_months=None, star_rating=True,
        batch_plan_lead_workdays=10, result_publicity_days=7, result_report_workdays=10,
    ),
    "shandong": dict(
        name="山东省（鲁人社函〔2024〕62号）",
        renewal_window_months=3, latest_application_months=2, latest_application_days=0,
        notice_scope="none", failed_renewal="exit", rectification_months=None,
    ),
}
DEFAULT_PRESET = "shanghai"


@transaction.atomic
def ensure_presets(active: str | None = None):
    """Create the four presets if missing; activate `active` (or keep the current active one,
    or activate the default). Returns the active profile. Idempotent."""
    from portal.models import PolicyProfile

    for key, values in PRESETS.items():
        PolicyProfile.objects.get_or_create(preset=key, defaults=values)
    current = PolicyProfile.objects.filter(is_active=True).first()
    if active or current is None:
        target = PolicyProfile.objects.get(preset=active or DEFAULT_PRESET)
        PolicyProfile.objects.exclude(pk=target.pk).update(is_active=False)
        PolicyProfile.objects.filter(pk=target.pk).update(is_active=True)
        return PolicyProfile.objects.get(pk=target.pk)
    return current
