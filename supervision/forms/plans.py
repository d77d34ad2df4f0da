"""Forms of the plans screens: they parse; the rules live in the models and services."""

from django import forms

from filings.choices import AgencyKind
from portal.models import Region, Role, User
from portal.text import validate_multiline_text, validate_text
from supervision.models.plans import InspectionItem, InspectionPlan


class ItemForm(forms.Form):
    name = forms.CharField(label="抽查事项", max_length=100, validators=[validate_text])
    basis = forms.CharField(label="依据条款", max_length=200, validators=[validate_text])
    method = forms.CharField(label="检查方式", max_length=100, validators=[validate_text])


class PlanForm(forms.Form):
    title = forms.CharField(label="计划名称", max_length=100, validators=[validate_text])
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    region = forms.ModelChoiceField(label="抽查范围（区域）", queryset=Region.objects.none())
    items = forms.ModelMultipleChoiceField(label="抽查事项", queryset=InspectionItem.objects.all())
    agency_kinds = forms.MultipleChoiceField(label="机构类别（不选为全部）", choices=AgencyKind.choices,
                                             required=False)
    in_force_only = forms.BooleanField(label="仅备案有效的机构", required=False, initial=True)
    exclude_inspected_days = forms.IntegerField(label="排除近期已检查（天数，0 为不排除）", min_value=0,
                                                max_value=3650, initial=0)
    sample_share = forms.DecimalField(label="抽取比例（%）", min_value=0, max_value=100, decimal_places=2,
                                      required=False)
    sample_count = forms.IntegerField(label="抽取数量", min_value=1, required=False)
    weighting = forms.ChoiceField(label="抽取权重", choices=InspectionPlan.Weighting.choices)
    inspectors = forms.ModelMultipleChoiceField(label="检查人员库", queryset=User.objects.none())
    team_size = forms.IntegerField(label="每组检查人员数", min_value=2, max_value=10, initial=2)
    phase = forms.ChoiceField(label="检查环节", choices=[("before", "考前"), ("during", "考中"), ("after", "考后")],
                              initial="after")
    notes = forms.CharField(label="说明", widget=forms.Textarea, required=False, validators=[validate_multiline_text])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(path__startswith=user.region.path) \
            if user.region_id else Region.objects.none()
        self.fields["inspectors"].queryset = User.objects.filter(role=Role.INSPECTOR, is_active=True)

    def clean(self):
        data = super().clean()
        if not data.get("sample_share") and not data.get("sample_count"):
            raise forms.ValidationError("请填写抽取比例或抽取数量（至少抽取 1 家）。")
        return data


class RecusalForm(forms.Form):
    inspector = forms.ModelChoiceField(label="检查人员", queryset=User.objects.filter(role=Role.INSPECTOR))
    agency = forms.IntegerField(label="机构编号", min_value=1)
    reason = forms.CharField(label="回避理由", max_length=200, validators=[validate_text])
