"""Forms of the batch screens: they parse, the services and the model decide [003 §15]."""
from django import forms
from django.utils.translation import gettext_lazy as _

from filings.forms.review import ObjectionForm as BaseObjectionForm
from filings.models import Filing
from portal.models import Occupation, Region, SkillLevel
from portal.text import validate_text
from supervision.forms.complaints import check_challenge, new_challenge
from supervision.models.batches import BatchDocument, BatchModule, BatchStaff


class PlanForm(forms.Form):
    filing = forms.ModelChoiceField(Filing.objects.none(), label=_("备案"))
    title = forms.CharField(label=_("批次名称"), max_length=100, validators=[validate_text])
    venue = forms.CharField(label=_("考核地点"), max_length=200, validators=[validate_text])
    venue_region = forms.ModelChoiceField(Region.objects.all(), label=_("考核地点所在区县"))

    def __init__(self, *args, agency_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["filing"].queryset = Filing.objects.filter(agency_id=agency_id, number__isnull=False)


class GroupForm(forms.Form):
    occupation = forms.ModelChoiceField(Occupation.objects.none(), label=_("职业（工种）"))
    level = forms.TypedChoiceField(label=_("等级"), choices=SkillLevel.choices, coerce=int)
    kind = forms.ChoiceField(label=_("考核模块"), choices=BatchModule.Kind.choices)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    place = forms.CharField(label=_("考场"), max_length=200, validators=[validate_text])
    kind2 = forms.ChoiceField(label=_("第二个考核模块"), choices=[("", "—"), *BatchModule.Kind.choices], required=False)
    starts_at2 = forms.DateTimeField(label=_("开始时间"), required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at2 = forms.DateTimeField(label=_("结束时间"), required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, filing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occupation"].queryset = Occupation.objects.filter(
            pk__in=filing.scope.values("occupation_id")) if filing else Occupation.objects.none()

    def clean(self):
        data = super().clean()
        if data.get("kind2") and not (data.get("starts_at2") and data.get("ends_at2")):
            self.add_error("starts_at2", _("请填写第二个考核模块的时间"))
        return data

    def modules(self):
        d = self.cleaned_data
        out = [(d["kind"], d["starts_at"], d["ends_at"], d["place"])]
        if d.get("kind2"):
            out.append((d["kind2"], d["starts_at2"], d["ends_at2"], d["place"]))
        return out


class StaffForm(forms.Form):
    role = forms.ChoiceField(label=_("岗位"), choices=BatchStaff.Role.choices)
    examiner = forms.ModelChoiceField(queryset=None, label=_("考评员（本机构备案考评人员）"), required=False)
    name = forms.CharField(label=_("姓名（监考员、督导员）"), max_length=50, required=False, validators=[validate_text])
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, required=False)
    certificate_valid_until = forms.DateField(label=_("证书有效期至"), required=False,
                                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, filing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["examiner"].queryset = filing.examiners.all() if filing else None

    def clean(self):
        data = super().clean()
        if data.get("role") == BatchStaff.Role.EXAMINER and not data.get("examiner"):
            self.add_error("examiner", _("请选择考评员"))
        if data.get("role") != BatchStaff.Role.EXAMINER and not data.get("name"):
            self.add_error("name", _("请填写姓名"))
        return data


class SheetForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DocumentForm(forms.Form):
    type = forms.ChoiceField(label=_("档案类型"), choices=BatchDocument.Type.choices)
    file = forms.FileField(label=_("文件"), required=False)
    reference = forms.CharField(label=_("存放位置/说明（视频等）"), max_length=200, required=False)


class SuperviseForm(forms.Form):
    """Draw the spot-check team from the inspector pool, or choose it by hand with a reason [003 §15(2)]."""

    METHODS = [("draw", _("从检查人员库随机抽取（可复核）")), ("manual", _("人工选派（须说明理由）"))]
    method = forms.ChoiceField(label=_("督查员产生方式"), choices=METHODS, initial="draw", widget=forms.RadioSelect)
    team_size = forms.IntegerField(label=_("抽取人数"), min_value=2, max_value=10, initial=2, required=False)
    team = forms.ModelMultipleChoiceField(queryset=None, label=_("督查员（人工选派，不少于 2 名）"), required=False)
    reason = forms.CharField(label=_("督导事由 / 人工选派理由"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        from portal.models import Role, User

        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = User.objects.filter(role=Role.INSPECTOR, is_active=True)

    def clean(self):
        data = super().clean()
        if data.get("method") == "manual" and not data.get("team"):
            self.add_error("team", _("请选择督查员"))
        return data


class ObjectionForm(BaseObjectionForm):
    """Anyone may object to a result notice while it runs [003 §15(3)]: the notice objection's fields
    and checks, and the complaint form's no-JavaScript challenge."""

    challenge_token = forms.CharField(widget=forms.HiddenInput)
    challenge_answer = forms.CharField(label=_("验证题"), max_length=4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = None
        if not self.is_bound:
            self.initial["challenge_token"], self.question = new_challenge()

    def refresh_challenge(self):
        token, self.question = new_challenge()
        data = self.data.copy()
        data["challenge_token"], data["challenge_answer"] = token, ""
        self.data = data

    def clean(self):
        data = super().clean()
        if reason := check_challenge(self.data.get("challenge_token", ""), self.data.get("challenge_answer", "")):
            self.add_error("challenge_answer", reason)
        return data


class AnswerForm(forms.Form):
    RESULTS = [("dismissed", _("异议不成立")), ("upheld", _("异议成立"))]
    result = forms.ChoiceField(label=_("答复结果"), choices=RESULTS, widget=forms.RadioSelect)
    reply = forms.CharField(label=_("书面答复"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
