from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AgencyKind(models.TextChoices):
    """[002 §6, 003 §2]"""

    ENTERPRISE = "enterprise", _("用人单位（企业自主评价）")
    SCHOOL = "school", _("技工院校/职业院校")
    SOCIAL = "social", _("社会培训评价组织")


class Ownership(models.TextChoices):
    """[000 §1, 004 Annex 1]"""

    CENTRAL = "central", _("中央企业（含在地分支机构）")
    MUNICIPAL_SOE = "municipal_soe", _("市属国有企业")
    DISTRICT_ENTERPRISE = "district_enterprise", _("区属企业")
    OTHER_ENTERPRISE = "other_enterprise", _("其他企业")
    CITY_ASSOCIATION = "city_association", _("市级行业协会")
    SCHOOL = "school", _("职业院校/技工院校")
    OTHER_SOCIAL = "other_social", _("其他社会组织")


class ManagingLevel(models.TextChoices):
    """Who manages the filing [002 §6]."""

    CITY = "city", _("市级")
    DISTRICT = "district", _("区县级")


class Route(models.TextChoices):
    """Where a submission goes first [000 §4(1), 002 §6, 003 §7]."""

    CITY = "city", _("直接报送市级")
    DISTRICT = "district", _("经区县人社部门初审")
    INDUSTRY = "industry", _("经行业主管部门初审")


class MaterialType(models.TextChoices):
    """Required materials [002 §8, 003 §10]; the last only for central-enterprise branches [004 §3(2)]."""

    BASIC_INFO = "basic_info", _("机构基本情况/备案表")
    LICENCE = "licence", _("营业执照或法人登记证书")
    IMPLEMENTATION_PLAN = "implementation_plan", _("认定工作实施方案及质量管控措施")
    FACILITIES = "facilities", _("场地设备设施资产证明")
    CREDIT_REPORT = "credit_report", _("信用报告")
    TRACK_RECORD = "track_record", _("培训评价经历材料")
    STAFF_QUALIFICATIONS = "staff_qualifications", _("专家等专业人员技能水平证明")
    PLEDGE = "pledge", _("申请材料真实性承诺书")
    PARENT_CONFIRMATION = "parent_confirmation", _("上级集团公司确认函")


class FilingState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待形式审查")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("待补正")
    PRE_REVIEW = "pre_review", _("初审中")
    RETURNED = "returned", _("已退回修改")
    ACCEPTED = "accepted", _("已受理，待组织评审")
    EXPERT_REVIEW = "expert_review", _("专家评审中")
    SELECTION = "selection", _("遴选审定")
    PUBLIC_NOTICE = "public_notice", pgettext_lazy("filing state", "公示中")
    ACTIVE = "active", _("已备案")
    REFUSED = "refused", _("不予备案")
    ABANDONED = "abandoned", _("视为放弃申请")
    WITHDRAWN = "withdrawn", _("已撤回")
    # The later lifecycle (SPEC §4–5), extended by assessments and supervision.
    SUSPENDED = "suspended", _("暂停评价")
    RECTIFYING = "rectifying", _("限期整改")
    EXPIRED = "expired", _("期满终止")
    TERMINATED = "terminated", _("已终止")
    CANCELLED = "cancelled", _("已注销")


# In force: listed in the public directory (suspended and rectifying ones marked so) [SPEC §7].
IN_FORCE = (FilingState.ACTIVE, FilingState.SUSPENDED, FilingState.RECTIFYING)
# Still with the authorities: counts towards reviewers' work and deadlines.
UNDER_REVIEW = (FilingState.SUBMITTED, FilingState.PRE_REVIEW, FilingState.ACCEPTED, FilingState.EXPERT_REVIEW,
                FilingState.SELECTION, FilingState.PUBLIC_NOTICE)
# The agency may edit its application.
EDITABLE = (FilingState.DRAFT, FilingState.RETURNED, FilingState.SUPPLEMENT_REQUESTED)
ENDED = (FilingState.REFUSED, FilingState.ABANDONED, FilingState.WITHDRAWN, FilingState.EXPIRED,
         FilingState.TERMINATED, FilingState.CANCELLED)
