"""The filings app's audit vocabulary [003 §18]: every transition of the filing and the change request
(their labels come with their machines), and every other write, download and export."""

from django.utils.translation import gettext_lazy as _

from filings import change_services, services
from portal import audit_actions

services.MACHINE.register_audit_actions({**services.SYSTEM_LABELS, **services.SET_ASIDE_ACTIONS})
change_services.MACHINE.register_audit_actions(change_services.SYSTEM_LABELS)
audit_actions.register({
    "agency.register": _("注册评价机构账号"),
    "agency.create": _("新建评价机构"),
    "agency.update": _("修改机构联系信息"),
    "agency.correct": _("更正机构信息"),
    "filing.create": _("新建备案申请"),
    "filing.details": _("填写备案基本信息"),
    "filing.scope": _("填写申报职业（工种）及等级"),
    "filing.examiners": _("填写考评人员"),
    "filing.facilities": _("填写场地设备设施"),
    "filing.pledge": _("签署真实性承诺"),
    "filing.renew": _("期满评估通过，延续有效期"),
    "filing.change": _("变更备案生效"),
    "filing.assign_panel": _("指派专家组"),
    "filing.expert_review.save": _("专家保存评审记录"),
    "filing.expert_review.submit": _("专家提交评审意见"),
    "material.upload": _("上传申报材料"),
    "material.download": _("下载申报材料"),
    "receipt.download": _("下载备案回执"),
    "decision.download": _("下载书面决定"),
    "filing.supplement_answer": _("说明补正事项"),
    "notice.objection": _("收到公示异议"),
    "notice.objection_resolve": _("核实公示异议"),
    "notice.objection_evidence_download": _("下载异议证据材料"),
    "directory.export": _("下载机构目录"),
    "change.create": _("创建变更申请"),
    "change.material_upload": _("上传变更申请材料"),
    "change.material_download": _("下载变更申请材料"),
    "change.assign_panel": _("指派变更备案专家组"),
    "change.expert_review": _("专家提交变更评审意见"),
})
