"""Supervision's ledgers [SPEC §9]: inspections and findings, complaints, sanctions, batches and
certificate counts. Each reads through its area's selector (`supervision/selectors/<area>.py`), so
a district's ledger holds only what its staff may see; confidential notes (an inspection's internal
opinion, a complainant's identity) are not exported."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy

from portal.ledgers import STAFF_ROLES, Field, Ledger, LedgerSheet, choice_labels, register
from portal.models import Role
from supervision.models.batches import BatchState, EvaluationBatch
from supervision.models.complaints import Complaint, ComplaintCategory
from supervision.models.inspections import Finding, Inspection, Phase
from supervision.models.sanctions import Sanction, SanctionReview
from supervision.selectors.batches import batches_visible_to
from supervision.selectors.complaints import complaints_visible_to
from supervision.selectors.inspections import inspections_visible_to
from supervision.selectors.sanctions import sanctions_visible_to


def _state_filter(qs, filters):
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    return qs


def _describe_state(labels):
    def describe(filters):
        return [f"状态：{labels.get(filters['state'], filters['state'])}"] if filters.get("state") else []
    return describe


# ----- inspections and findings [002 §25, 003 §21] ------------------------------------------------

def inspections_for(user, filters):
    qs = _state_filter(inspections_visible_to(user), filters)
    return qs.annotate(findings_n=Count("findings", distinct=True)).order_by("-opened_on", "pk")


def findings_of(user, filters, main):
    return (Finding.objects.filter(inspection__in=main.order_by().values("pk"))
            .order_by("inspection__opened_on", "inspection_id", "pk"))


register(Ledger(
    name="inspections", title=gettext_lazy("监督检查台账"), sheet_title=gettext_lazy("检查"),
    description=gettext_lazy("监督检查及其结论，每行一次检查；“检查发现”表列出每条发现的问题。内部意见不导出。"),
    queryset=inspections_for, roles=(*STAFF_ROLES, Role.INSPECTOR), filter_names=("state",),
    describe_filters=_describe_state(choice_labels(Inspection.State)),
    fields=(
        Field("检查编号", "number", meaning="检查编号", width=20),
        Field("机构名称", "agency__name", meaning="被检查的评价机构", width=32),
        Field("统一社会信用代码", "agency__uscc", meaning="机构的统一社会信用代码", width=22),
        Field("备案编号", "filing__number", meaning="所涉备案（如有）", width=20),
        Field("检查来源", "origin", meaning="随机抽查、投诉、专项等", display=choice_labels(Inspection.Origin)),
        Field("检查环节", "phase", meaning="检查的评价环节", display=choice_labels(Phase)),
        Field("状态", "state", meaning="检查当前所处的状态", display=choice_labels(Inspection.State), width=14,
              format="取值：" + "、".join(str(v) for _k, v in Inspection.State.choices)),
        Field("检查开始日期", "opened_on", kind="date", meaning="检查开始的日期"),
        Field("反馈日期", "findings_submitted_on", kind="date", meaning="检查情况反馈给机构的日期"),
        Field("机构回复截止", "response_due", kind="date", meaning="机构回复的截止日"),
        Field("机构回复日期", "responded_on", kind="date", meaning="机构回复的日期"),
        Field("检查结论", "conclusion", meaning="检查结论", display=choice_labels(Inspection.Conclusion)),
        Field("办结日期", "concluded_on", kind="date", meaning="检查办结的日期"),
        Field("发现问题数", "findings_n", kind="integer", meaning="记录的检查发现条数"),
    ),
    extra_sheets=(LedgerSheet(gettext_lazy("检查发现"), (
        Field("检查编号", "inspection__number", meaning="所属检查", width=20),
        Field("机构名称", "inspection__agency__name", meaning="被检查的评价机构", width=32),
        Field("严重程度", "severity", meaning="问题的严重程度", display=choice_labels(Finding.Severity)),
        Field("问题描述", "description", meaning="发现的问题", width=60),
        Field("记录时间", "recorded_at", kind="datetime", meaning="记录发现的时间"),
    ), findings_of),),
))


# ----- complaints [001 §4, 003 §20] ----------------------------------------------------------------

def complaints_for(user, filters):
    qs = _state_filter(complaints_visible_to(user), filters)
    if filters.get("category"):
        qs = qs.filter(category=filters["category"])
    return qs.order_by("-submitted_on", "pk")


register(Ledger(
    name="complaints", title=gettext_lazy("投诉举报台账"), sheet_title=gettext_lazy("投诉"),
    description=gettext_lazy("投诉举报及其办理时限，每行一件；投诉人身份和联系方式不导出。"),
    queryset=complaints_for, filter_names=("state", "category"),
    describe_filters=_describe_state(choice_labels(Complaint.State)),
    fields=(
        Field("受理编号", "number", meaning="投诉的受理编号", width=20),
        Field("投诉类别", "category", meaning="投诉的类别", display=choice_labels(ComplaintCategory), width=16),
        Field("被投诉机构", "agency__name", meaning="被投诉的评价机构（已识别的）", width=32),
        Field("统一社会信用代码", "agency__uscc", meaning="被投诉机构的统一社会信用代码", width=22),
        Field("承办区域", "region__name", meaning="承办投诉的区域", width=12),
        Field("状态", "state", meaning="投诉办理状态", display=choice_labels(Complaint.State), width=14,
              format="取值：" + "、".join(str(v) for _k, v in Complaint.State.choices)),
        Field("提交日期", "submitted_on", kind="date", meaning="投诉提交的日期"),
        Field("受理期限", "acknowledge_due", kind="date", meaning="受理的截止日"),
        Field("受理日期", "accepted_on", kind="date", meaning="受理的日期"),
        Field("办结期限", "conclude_due", kind="date", meaning="办结的截止日"),
        Field("办结日期", "concluded_on", kind="date", meaning="办结的日期"),
        Field("已提级市级办理", "escalated", kind="boolean", meaning="逾期未受理而提级市级办理"),
    ),
))


# ----- sanctions [002 §26-27, 003 §22] --------------------------------------------------------------

def sanctions_for(user, filters):
    """Each decision with its latest review, as the public notice shows it [003 §20]."""
    latest = SanctionReview.objects.filter(sanction=OuterRef("pk")).order_by("-lodged_on", "-pk")
    return (_state_filter(sanctions_visible_to(user), filters)
            .annotate(review_kind=Subquery(latest.values("kind")[:1]),
                      review_state=Subquery(latest.values("state")[:1]),
                      review_varied=Subquery(latest.values("varied_measure")[:1]))
            .order_by("-proposed_on", "pk"))


register(Ledger(
    name="sanctions", title=gettext_lazy("处理处罚台账"), sheet_title=gettext_lazy("处理"),
    description=gettext_lazy("对评价机构的处理措施（约谈、暂停、注销等），每行一项。"),
    queryset=sanctions_for, filter_names=("state",),
    describe_filters=_describe_state(choice_labels(Sanction.State)),
    fields=(
        Field("处理编号", "number", meaning="处理编号", width=20),
        Field("机构名称", "agency__name", meaning="评价机构", width=32),
        Field("统一社会信用代码", "agency__uscc", meaning="机构的统一社会信用代码", width=22),
        Field("备案编号", "filing__number", meaning="所涉备案（如有）", width=20),
        Field("处理措施", "measure", meaning="决定的处理措施", display=choice_labels(Sanction.Measure), width=14),
        Field("建议措施", "proposed_measure", meaning="提出时建议的措施", display=choice_labels(Sanction.Measure)),
        Field("来源", "origin", meaning="处理的来源", display=choice_labels(Sanction.Origin)),
        Field("状态", "state", meaning="处理的状态", display=choice_labels(Sanction.State),
              format="取值：" + "、".join(str(v) for _k, v in Sanction.State.choices)),
        Field("提出日期", "proposed_on", kind="date", meaning="提出处理的日期"),
        Field("决定日期", "decided_on", kind="date", meaning="决定（生效）日期"),
        Field("复核变更措施", "altered", kind="boolean", meaning="复核时是否变更了措施"),
        Field("解除日期", "lifted_on", kind="date", meaning="措施解除的日期"),
        Field("复议诉讼", "review_kind", meaning="最近一次行政复议或行政诉讼（如有）",
              display=choice_labels(SanctionReview.Kind)),
        Field("复议诉讼结论", "review_state", meaning="其办理状态或结论", display=choice_labels(SanctionReview.State),
              format="取值：" + "、".join(str(v) for _k, v in SanctionReview.State.choices)),
        Field("变更后措施", "review_varied", meaning="复议或诉讼变更后的处理措施", display=choice_labels(Sanction.Measure)),
    ),
))


# ----- batches and certificate counts [003 §15] ---------------------------------------------------

def batches_for(user, filters):
    qs = _state_filter(batches_visible_to(user), filters)
    return qs.annotate(
        candidates_n=Count("candidates", distinct=True),
        passed_n=Count("candidates", filter=Q(candidates__passed=True), distinct=True),
        certificates_n=Count("candidates", filter=Q(candidates__certificate_no__isnull=False), distinct=True),
        uploaded_n=Count("candidates", filter=Q(candidates__uploaded_national=True), distinct=True),
    ).order_by("-first_exam_on", "pk")


register(Ledger(
    name="batches", title=gettext_lazy("评价批次台账"), sheet_title=gettext_lazy("批次"),
    description=gettext_lazy("评价批次计划、结果报备及证书数，每行一个批次 [003 §15]。"),
    queryset=batches_for, filter_names=("state",),
    describe_filters=_describe_state(choice_labels(BatchState)),
    fields=(
        Field("批次编号", "number", meaning="批次编号", width=20),
        Field("批次名称", "title", meaning="批次名称", width=28),
        Field("机构名称", "agency__name", meaning="评价机构", width=32),
        Field("备案编号", "filing__number", meaning="批次所依据的备案", width=20),
        Field("考核地点所在区县", "venue_region__name", meaning="考核地点所在区县", width=12),
        Field("状态", "state", meaning="批次的状态", display=choice_labels(BatchState),
              format="取值：" + "、".join(str(v) for _k, v in BatchState.choices)),
        Field("首个考核日", "first_exam_on", kind="date", meaning="第一个考核日"),
        Field("末个考核日", "last_exam_on", kind="date", meaning="最后一个考核日"),
        Field("报备日期", "submitted_on", kind="date", meaning="计划报备日期"),
        Field("结果报备截止", "report_due", kind="date", meaning="结果报备的截止日（10 个工作日）"),
        Field("结果报备日期", "reported_on", kind="date", meaning="结果报备的日期"),
        Field("逾期报备", "reported_late", kind="boolean", meaning="结果是否逾期报备"),
        Field("考生数", "candidates_n", kind="integer", meaning="批次的考生人数"),
        Field("合格人数", "passed_n", kind="integer", meaning="考核合格的人数"),
        Field("证书数", "certificates_n", kind="integer", meaning="已编号的证书数"),
        Field("已上传全国系统", "uploaded_n", kind="integer", meaning="已上传全国证书查询系统的证书数"),
    ),
))
