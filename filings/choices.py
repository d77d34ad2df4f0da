from django.db import models


class AgencyKind(models.TextChoices):
    """[002 §6, 003 §2]"""

    ENTERPRISE = "enterprise", "用人单位（企业自主评价）"
    SCHOOL = "school", "技工院校/职业院校"
    SOCIAL = "social", "社会培训评价组织"


class Ownership(models.TextChoices):
    """[000 §1, 004 Annex 1]"""

    CENTRAL = "central", "中央企业（含在地分支机构）"
    MUNICIPAL_SOE = "municipal_soe", "市属国有企业"
    DISTRICT_ENTERPRISE = "district_enterprise", "区属企业"
    OTHER_ENTERPRISE = "other_enterprise", "其他企业"
    CITY_ASSOCIATION = "city_association", "市级行业协会"
    SCHOOL = "school", "职业院校/技工院校"
    OTHER_SOCIAL = "other_social", "其他社会组织"


class ManagingLevel(models.TextChoices):
    """Who manages the filing [002 §6]."""

    CITY = "city", "市级"
    DISTRICT = "district", "区县级"


class Route(models.TextChoices):
    """Where a submission goes first [000 §4(1), 002 §6, 003 §7]."""

    CITY = "city", "直接报送市级"
    DISTRICT = "district", "经区县人社部门初审"
    INDUSTRY = "industry", "经行业主管部门初审"


class MaterialType(models.TextChoices):
    """Required materials [002 §8, 003 §10]; the last only for central-enterprise branches [004 §3(2)]."""

    BASIC_INFO = "basic_info", "机构基本情况/备案表"
    LICENCE = "licence", "营业执照或法人登记证书"
    IMPLEMENTATION_PLAN = "implementation_plan", "认定工作实施方案及质量管控措施"
    FACILITIES = "facilities", "场地设备设施资产证明"
    CREDIT_REPORT = "credit_report", "信用报告"
    TRACK_RECORD = "track_record", "培训评价经历材料"
    STAFF_QUALIFICATIONS = "staff_qualifications", "专家等专业人员技能水平证明"
    PLEDGE = "pledge", "申请材料真实性承诺书"
    PARENT_CONFIRMATION = "parent_confirmation", "上级集团公司确认函"


class FilingState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交，待形式审查"
    SUPPLEMENT_REQUESTED = "supplement_requested", "待补正"
    PRE_REVIEW = "pre_review", "初审中"
    RETURNED = "returned", "已退回修改"
    ACCEPTED = "accepted", "已受理，待组织评审"
    EXPERT_REVIEW = "expert_review", "专家评审中"
    SELECTION = "selection", "遴选审定"
    PUBLIC_NOTICE = "public_notice", "公示中"
    ACTIVE = "active", "已备案"
    REFUSED = "refused", "不予备案"
    ABANDONED = "abandoned", "视为放弃申请"
    WITHDRAWN = "withdrawn", "已撤回"
    # The later lifecycle (SPEC §4–5), extended by assessments and supervision.
    SUSPENDED = "suspended", "暂停评价"
    RECTIFYING = "rectifying", "限期整改"
    EXPIRED = "expired", "期满终止"
    TERMINATED = "terminated", "已终止"
    CANCELLED = "cancelled", "已注销"


# In force: listed in the public directory (suspended and rectifying ones marked so) [SPEC §7].
IN_FORCE = (FilingState.ACTIVE, FilingState.SUSPENDED, FilingState.RECTIFYING)
# Still with the authorities: counts towards reviewers' work and deadlines.
UNDER_REVIEW = (FilingState.SUBMITTED, FilingState.PRE_REVIEW, FilingState.ACCEPTED, FilingState.EXPERT_REVIEW,
                FilingState.SELECTION, FilingState.PUBLIC_NOTICE)
# The agency may edit its application.
EDITABLE = (FilingState.DRAFT, FilingState.RETURNED, FilingState.SUPPLEMENT_REQUESTED)
ENDED = (FilingState.REFUSED, FilingState.ABANDONED, FilingState.WITHDRAWN, FilingState.EXPIRED,
         FilingState.TERMINATED, FilingState.CANCELLED)
