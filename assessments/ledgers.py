"""The renewal assessments ledger [SPEC §9: assessments with scores and outcomes; 000 §5, 004]:
one row per assessment with its totals and outcome, and a sheet of item scores (self-assessment and
review side by side), read through `assessments.selectors` and the renewal board's state filter."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.choices import AssessmentState, Outcome
from assessments.models import ItemScore
from assessments.selectors import assessments_visible_to
from portal.ledgers import Field, Ledger, LedgerSheet, choice_labels, register
from portal.models import Region

ASSESSMENT_FIELDS = (
    Field("备案编号", "filing__number", meaning="评估所针对的备案编号", width=20),
    Field("机构名称", "agency__name", meaning="评价机构全称", width=32),
    Field("统一社会信用代码", "agency__uscc", meaning="机构的统一社会信用代码", width=22),
    Field("所在区县", "region__name", meaning="机构所在区县", width=12),
    Field("轮次", "round", kind="integer", meaning="1 为首次评估，2 为整改后的复评 [000 §5]"),
    Field("状态", "state", meaning="评估当前所处的办理状态", display=choice_labels(AssessmentState), width=14,
          format="取值：" + "、".join(str(label) for _v, label in AssessmentState.choices)),
    Field("本期备案有效期至", "expires_on", kind="date", meaning="被评估备案的有效期届满日"),
    Field("提交日期", "submitted_on", kind="date", meaning="机构提交评估申请的日期"),
    Field("自评总分", "self_total", kind="decimal", meaning="机构自评的总分"),
    Field("自评一票否决", "self_vetoed", kind="boolean", meaning="自评中是否有一票否决项"),
    Field("评审总分", "review_total", kind="decimal", meaning="专家评审的总分"),
    Field("评审一票否决", "review_vetoed", kind="boolean", meaning="评审中是否有一票否决项"),
    Field("评估结果", "outcome", meaning="通过或不通过", display=choice_labels(Outcome),
          format="取值：" + "、".join(str(label) for _v, label in Outcome.choices)),
    Field("审定日期", "decided_on", kind="date", meaning="审定评估结果的日期"),
    Field("结果生效日期", "closed_on", kind="date", meaning="公示结束、结果生效的日期"),
    Field("整改期限", "rectification_due", kind="date", meaning="评估不通过时的整改期限 [000 §5]"),
)

SCORE_FIELDS = (
    Field("备案编号", "assessment__filing__number", meaning="评估所针对的备案编号", width=20),
    Field("机构名称", "assessment__agency__name", meaning="评价机构全称", width=32),
    Field("轮次", "assessment__round", kind="integer", meaning="评估轮次"),
    Field("编号", "item__code", meaning="评估表条目编号", width=8),
    Field("评估项目", "item__section", meaning="评估表的项目", width=30),
    Field("自评", "self_value", kind="decimal", meaning="机构自评得分"),
    Field("评审", "review_value", kind="decimal", meaning="专家评审得分"),
)


def assessments_for(user, filters):
    qs = assessments_visible_to(user)
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("outcome"):
        qs = qs.filter(outcome=filters["outcome"])
    if filters.get("district"):
        region = Region.objects.filter(code=filters["district"]).first()
        if region is not None:
            qs = qs.filter(region__path__startswith=region.path)
    return qs.order_by("expires_on", "pk")


def scores_of(user, filters, main):
    return (ItemScore.objects.filter(assessment__in=main.order_by().values("pk"))
            .order_by("assessment__expires_on", "assessment_id", "item__order", "item_id"))


def _describe(filters) -> list[str]:
    lines = []
    if filters.get("state"):
        lines.append(_("状态：%(v)s") % {"v": choice_labels(AssessmentState).get(filters["state"], filters["state"])})
    if filters.get("outcome"):
        lines.append(_("评估结果：%(v)s") % {"v": choice_labels(Outcome).get(filters["outcome"], filters["outcome"])})
    if filters.get("district"):
        lines.append(_("区县代码：%(v)s") % {"v": filters["district"]})
    return lines


ASSESSMENTS = register(Ledger(
    name="assessments", title=gettext_lazy("备案评估台账"), sheet_title=gettext_lazy("评估"),
    description=gettext_lazy("期满评估申请及其得分和结果，每行一次评估；“逐项得分”表列出每一条目的自评与评审得分。"),
    queryset=assessments_for, fields=ASSESSMENT_FIELDS, describe_filters=_describe, list_url="assessments:board",
    filter_names=("state", "outcome", "district"),
    extra_sheets=(LedgerSheet(gettext_lazy("逐项得分"), SCORE_FIELDS, scores_of),),
))
