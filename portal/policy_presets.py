"""The four bureaus' settings (SPEC §8). Where a notice is silent the preset keeps the portal's
default (taken from Chongqing's measures for the filing clock, and 3 per occupation from Chizhou).
Data only: `PolicyProfile.ensure_presets()` installs them."""

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
        schools_to_city=True,  # 技工院校开展学生职业技能等级认定由市职业技能鉴定指导中心负责备案 [002 §6]
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

# Supervision's periods (inspection_response_workdays, rectification_*_workdays, complaint_*_workdays):
# no bureau's notice sets a number, so every preset keeps the field defaults (5, 20, 3, 10; 5, 60, 5, 5
# working days), the portal's values before they became settings (docs/supervision.md, docs/complaints.md).

# The renewal rubric each preset ships with (fixtures/rubrics/): Shandong's Annex 2 keeps its own wording
# (its provincial platform and rules); every other bureau gets the same items and points worded without
# any province's platform or regulations [SPEC §4.3; 004 Annex 2].
RUBRIC_FILES = {"shandong": "shandong-2024.json"}
DEFAULT_RUBRIC_FILE = "generic-2024.json"

