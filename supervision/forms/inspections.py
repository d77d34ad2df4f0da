"""Forms of the inspections area: what a person types, checked for invisible characters; the rules
themselves live in the services and models."""

from django import forms
from django.utils.translation import gettext_lazy as _

from filings.models import Agency
from portal.models import Role, User
from portal.text import validate_multiline_text
from supervision.models.inspections import Finding, Inspection
from supervision.services.inspections import MAX_RECTIFICATION_WORKING_DAYS, rectification_working_days


class OpenInspectionForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("评价机构"), queryset=Agency.objects.none())
    phase = forms.ChoiceField(label=_("检查环节"), choices=Inspection.Phase.choices)
    team = forms.ModelMultipleChoiceField(label=_("检查组（不少于 2 人）"), queryset=User.objects.none(),
                                          widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label=_("检查事由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                             validators=[validate_multiline_text])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.select_related("region").order_by("name")
        if not (user.is_superuser or user.role == Role.ADMIN):
            agencies = agencies.filter(region__path__startswith=user.region.path) if user.region_id else agencies.none()
        self.fields["agency"].queryset = agencies
        self.fields["team"].queryset = User.objects.filter(role=Role.INSPECTOR, is_active=True).order_by("username")

    def clean_team(self):
        team = self.cleaned_data["team"]
        if len(team) < 2:
            raise forms.ValidationError(_("检查组不少于 2 名检查人员 [002 §25]。"))
        return team


class FindingForm(forms.Form):
    severity = forms.ChoiceField(label=_("严重程度"), choices=Finding.Severity.choices)
    check = forms.TypedChoiceField(label=_("对应检查条目"), coerce=int, required=False, empty_value=None)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
                                  validators=[validate_multiline_text])

    def __init__(self, *args, inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["check"].choices = [("", "—")] + [(c.pk, f"{c.code} {c.item[:30]}") for c in inspection.checks.all()]


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("证据文件"))
    description = forms.CharField(label=_("说明"), max_length=200, required=False, validators=[validate_multiline_text])


class NotesForm(forms.Form):
    summary = forms.CharField(label=_("检查情况（将反馈机构）"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                              max_length=8000, validators=[validate_multiline_text])
    internal_notes = forms.CharField(label=_("内部意见（机构不可见）"), widget=forms.Textarea(attrs={"rows": 3}),
                                     required=False, max_length=8000, validators=[validate_multiline_text])
    conclusion = forms.ChoiceField(label=_("检查结论"), choices=[("", "—"), *Inspection.Conclusion.choices],
                                   required=False)

    def __init__(self, *args, summary_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if summary_locked:  # once sent to the agency the summary is what it received: shown, not offered for editing
            self.fields["summary"].disabled = True
            self.fields["summary"].help_text = _("检查结果已反馈机构，检查情况不能再修改。")


class OrderForm(forms.Form):
    findings = forms.CharField(label=_("存在问题及整改要求"), widget=forms.Textarea(attrs={"rows": 5}), max_length=8000,
                               validators=[validate_multiline_text])
    working_days = forms.IntegerField(label=_("整改期限（工作日）"), min_value=1, max_value=MAX_RECTIFICATION_WORKING_DAYS,
                                      initial=rectification_working_days)


class ResponseForm(forms.Form):
    response = forms.CharField(label=_("整改报告"), widget=forms.Textarea(attrs={"rows": 5}), max_length=8000,
                               validators=[validate_multiline_text])
