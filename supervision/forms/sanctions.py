"""Forms of the sanctions area: they parse what a person typed; the rules live in the models and
services [003 §20, §22, 002 §31]."""

from __future__ import annotations

from django import forms

from portal.text import validate_multiline_text
from supervision.models.sanctions import CancellationGround, Sanction, SanctionReview


class ProposeForm(forms.Form):
    """提出处理意见 [003 §20]."""

    agency = forms.ModelChoiceField(label="评价机构", queryset=None)
    measure = forms.ChoiceField(label="建议处理措施", choices=Sanction.Measure.choices)
    grounds = forms.CharField(label="处理依据（违反的规定）", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              validators=[validate_multiline_text])
    cancellation_grounds = forms.MultipleChoiceField(label="注销情形 [003 §22]（移除备案时必选）", required=False,
                                                     choices=CancellationGround.choices,
                                                     widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label="事实与理由", widget=forms.Textarea(attrs={"rows": 4}),
                             validators=[validate_multiline_text])
    evidence = forms.CharField(label="证据（检查、投诉编号及材料说明）", required=False,
                               widget=forms.Textarea(attrs={"rows": 2}), validators=[validate_multiline_text])
    origin = forms.ChoiceField(label="来源", choices=[c for c in Sanction.Origin.choices if c[0] != "sweep"])
    origin_id = forms.IntegerField(label="来源编号", required=False, min_value=1)

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies

    def clean(self):
        data = super().clean()
        measure = data.get("measure")
        if measure == Sanction.Measure.REMOVE:
            if not data.get("cancellation_grounds"):
                self.add_error("cancellation_grounds", "移除备案（注销）须勾选 [003 §22] 所列情形。")
            data["grounds"] = ",".join(data.get("cancellation_grounds") or [])
        elif measure and not (data.get("grounds") or "").strip():
            self.add_error("grounds", "请填写处理依据。")
        return data


class DecideForm(forms.Form):
    """The city's review [003 §20], and the other actions on a sanction (withdraw, lift)."""

    comment = forms.CharField(label="意见或理由", widget=forms.Textarea(attrs={"rows": 3}),
                              validators=[validate_multiline_text])
    measure = forms.ChoiceField(label="变更后的处理措施", required=False,
                                choices=[("", "—")] + list(Sanction.Measure.choices))
    cancellation_grounds = forms.MultipleChoiceField(label="注销情形 [003 §22]（变更为移除备案时必选）", required=False,
                                                     choices=CancellationGround.choices,
                                                     widget=forms.CheckboxSelectMultiple)


class ReviewLodgeForm(forms.Form):
    """登记行政复议或行政诉讼 [003 §20]."""

    kind = forms.ChoiceField(label="救济方式", choices=SanctionReview.Kind.choices)
    lodged_on = forms.DateField(label="申请（起诉）日期", widget=forms.DateInput(attrs={"type": "date"}))
    body = forms.CharField(label="复议机关或受理法院", max_length=100)
    reference = forms.CharField(label="案号", max_length=60, required=False)


class ReviewOutcomeForm(forms.Form):
    """The outcome of a reconsideration or lawsuit: 维持, 变更 (with the milder measure), 撤销 [003 §20]."""

    comment = forms.CharField(label="结论及理由（复议决定书、判决书要点）", widget=forms.Textarea(attrs={"rows": 3}),
                              validators=[validate_multiline_text])
    varied_measure = forms.ChoiceField(label="变更后的处理措施（变更时必选）", required=False,
                                       choices=[("", "—")] + list(Sanction.Measure.choices))


class TerminationForm(forms.Form):
    """自愿终止申请 [002 §31]."""

    filing = forms.ModelChoiceField(label="备案", queryset=None)
    reason = forms.CharField(label="终止原因", widget=forms.Textarea(attrs={"rows": 4}),
                             validators=[validate_multiline_text])
    intended_on = forms.DateField(label="拟终止日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, filings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["filing"].queryset = filings


class CommentForm(forms.Form):
    comment = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              validators=[validate_multiline_text])
