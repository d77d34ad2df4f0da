"""Forms of the ratings screens: a new formula version, a new round, a reply, a confirmation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.text import clean_text
from supervision import rating_factors
from supervision.models.ratings import MAX_STARS


class TextField(forms.CharField):
    """Free text: NFC, refused with invisible or direction-control characters."""

    def __init__(self, *args, multiline=False, **kwargs):
        self.multiline = multiline
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return clean_text(value, multiline=self.multiline) if value else value


class FormulaForm(forms.Form):
    title = TextField(label=_("名称"), max_length=100)
    effective_year = forms.IntegerField(label=_("适用年度（起）"), min_value=2000, max_value=2100)
    base = forms.DecimalField(label=_("基础分"), min_value=0, max_value=100, decimal_places=2, initial=100)
    star2 = forms.IntegerField(label=_("二星最低分"), min_value=1, max_value=100, initial=60)
    star3 = forms.IntegerField(label=_("三星最低分"), min_value=1, max_value=100, initial=70)
    star4 = forms.IntegerField(label=_("四星最低分"), min_value=1, max_value=100, initial=80)
    star5 = forms.IntegerField(label=_("五星最低分"), min_value=1, max_value=100, initial=90)
    note = TextField(label=_("说明"), required=False, multiline=True, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        defaults = rating_factors.default_weights()
        for code, factor in sorted(rating_factors.FACTORS.items()):
            self.fields[f"w_{code}"] = forms.FloatField(
                label=_("权重：%(f)s") % {"f": factor.label}, required=False, min_value=-100, max_value=100,
                initial=defaults.get(code), help_text=_("每单位扣（负）或加（正）的分数；留空为不计"))

    def clean(self):
        data = super().clean()
        t = [data.get(f"star{i}") for i in range(2, MAX_STARS + 1)]
        if all(x is not None for x in t) and any(a >= b for a, b in zip(t, t[1:])):
            raise forms.ValidationError(_("星级分数线应由二星到五星逐级升高。"))
        data["thresholds"] = t
        data["weights"] = {code: data[f"w_{code}"] for code in rating_factors.FACTORS
                           if data.get(f"w_{code}") not in (None, 0)}
        if not data["weights"]:
            raise forms.ValidationError(_("至少须为一个计分因子设定权重。"))
        return data


class RoundForm(forms.Form):
    year = forms.IntegerField(label=_("评定年度"), min_value=2000, max_value=2100)


class ReplyForm(forms.Form):
    reply = TextField(label=_("反馈意见"), multiline=True, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class ConfirmForm(forms.Form):
    stars = forms.TypedChoiceField(label=_("评定星级"), coerce=int,
                                   choices=[(i, "★" * i) for i in range(1, MAX_STARS + 1)])
    reason = TextField(label=_("调整理由（调整星级时必填）"), required=False, multiline=True, max_length=2000,
                       widget=forms.Textarea(attrs={"rows": 3}))
