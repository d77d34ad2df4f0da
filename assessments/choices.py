from django.db import models
from django.utils.translation import gettext_lazy as _


class AssessmentState(models.TextChoices):
    DRAFT = "draft", _("填报中")
    PRE_REVIEW = "pre_review", _("初审中")
    RETURNED = "returned", _("已退回修改")
    ACCEPTED = "accepted", _("待组织专家评审")
    EXPERT_REVIEW = "expert_review", _("专家评审中")
    DECIDING = "deciding", _("待审定")
    NOTICE = "notice", _("结果公示中")
    PASSED = "passed", _("评估通过")
    FAILED = "failed", _("评估不通过")
    WITHDRAWN = "withdrawn", _("已撤回（放弃续期）")


class Outcome(models.TextChoices):
    PASS = "pass", _("评估通过")
    FAIL = "fail", _("评估不通过")


class AttachmentType(models.TextChoices):
    """Materials of the renewal [004 §3(2)] and evidence of the application and self-assessment."""

    LICENCE = "licence", _("企业法人登记证书")
    PARENT_CONFIRMATION = "parent_confirmation", _("中央企业确认驻地分支机构继续备案的函")
    MINISTRY_LETTER = "ministry_letter", _("人社部同意中央企业继续开展认定工作的函")
    ENTITY_CHANGE = "entity_change", _("主体资质变更证明")
    COMMISSIONED = "commissioned", _("委托评价情况")
    ITEM_EVIDENCE = "item_evidence", _("评估项佐证材料")


class WrapUpTask(models.TextChoices):
    """Wrap-up after leaving the directory [004 §4(2)]."""

    ARCHIVE = "archive", _("认定资料存档")
    CERTIFICATES = "certificates", _("证书核发")
    DATA_UPLOAD = "data_upload", _("证书数据上传与维护")


# The agency is still working on it.
EDITABLE = (AssessmentState.DRAFT, AssessmentState.RETURNED)
# Submitted and not yet decided: the renewal is alive.
UNDER_REVIEW = (AssessmentState.PRE_REVIEW, AssessmentState.ACCEPTED, AssessmentState.EXPERT_REVIEW,
                AssessmentState.DECIDING, AssessmentState.NOTICE)
# An application was made in time: the filing is not "abandoned" while one of these exists.
APPLIED = (AssessmentState.RETURNED, *UNDER_REVIEW, AssessmentState.PASSED, AssessmentState.FAILED)
OPEN = (*EDITABLE, *UNDER_REVIEW)
