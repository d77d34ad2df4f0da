"""The renewal's audit vocabulary [003 §18]: every transition of the assessment (labels from its
machine) and every other write and download."""

from django.utils.translation import gettext_lazy as _

from assessments import services
from portal import audit_actions

services.MACHINE.register_audit_actions(services.SYSTEM_LABELS)
audit_actions.register({
    "renewal.open": _("开始期满评估申请"),
    "renewal.application": _("填写续期备案申请表"),
    "renewal.pledge": _("签署续期申请承诺"),
    "renewal.self_assessment": _("保存自查自评"),
    "renewal.review_scores": _("保存评审评分"),
    "renewal.expert_opinion": _("专家提交评估意见"),
    "renewal.panel": _("指派评估专家组"),
    "renewal.upload": _("上传续期材料"),
    "renewal.download": _("下载续期材料"),
    "renewal.flags": _("期满提醒（系统）"),
    "renewal.wrap_up": _("完成收尾事项"),
    "rubric.publish": _("发布评估表"),
    "rubric.copy": _("复制评估表为新版本"),
})
