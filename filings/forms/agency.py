"""Forms of the agency's side: registration, the application's steps, uploads [SPEC §2–3].

Forms parse and say what is wrong beside the field, in Chinese; the rules themselves live in the
models and in `agency_services`, which the views call with the cleaned data.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from filings import agency_services
from filings.agency_services import ScopeRow
from filings.choices import ManagingLevel, Route
from filings.forms.examiners import ExaminerFormSet
from filings.models import Agency
from filings.models.agency import chooses_managing_level, managing_level_for, route_for
from filings.uploads import ACCEPTED_LABEL, check_upload, human_size, max_bytes
from portal.models import IndustryDepartment, Occupation, PolicyProfile, Region, SkillLevel, User
from portal.text import CleanTextMixin, validate_person_name
from portal.uscc import validate_uscc


class AgencyForm(CleanTextMixin, forms.ModelForm):
    """The agency's registered details. The USCC is checked for length, alphabet and check character
    (GB 32100-2015) and for uniqueness, each with its own message."""

    class Meta:
        model = Agency
        fields = list(agency_services.AGENCY_FIELDS)
        widgets = {"uscc": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                  "maxlength": 18, "style": "text-transform:uppercase"})}
        help_texts = {"uscc": _("18 位，见营业执照或法人登记证书；字母不含 I、O、S、V、Z。"),
                      "industry_department": _("仅市级行业协会填写，由其初审 [000 §4(1)]。")}

    def __init__(self, *args, locked: bool = False, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions if regions is not None else Region.objects.filter(
            level=Region.Level.DISTRICT)
        self.fields["region"].label_from_instance = lambda r: f"{r.name}（{r.code}）"
        self.fields["industry_department"].queryset = IndustryDepartment.objects.all()
        self.fields["uscc"].validators = []  # validate_uscc runs in clean_uscc with its precise messages
        self.locked = locked
        if locked:  # registered details are changed through a change filing once submitted [002 §13]
            for name in self.fields:
                if name not in agency_services.CONTACT_FIELDS:
                    self.fields[name].disabled = True

    def clean_uscc(self):
        code = validate_uscc(self.cleaned_data.get("uscc", ""))
        other = Agency.objects.filter(uscc=code).exclude(pk=self.instance.pk).first()
        if other is not None:
            raise ValidationError(agency_services.USCC_TAKEN, code="uscc_taken", params={"name": other.name})
        return code

    def validate_unique(self):
        """Uniqueness of the USCC is told by clean_uscc in plain words; nothing else is unique."""

    def details(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}


class AccountForm(CleanTextMixin, forms.Form):
    """The person registering: the agency's first user."""

    username = forms.RegexField(label=_("用户名"), max_length=30, regex=r"^[A-Za-z0-9_.-]{3,30}$",
                                error_messages={"invalid": _("用户名为 3–30 位字母、数字或 _ . -")},
                                help_text=_("登录时使用，3–30 位字母、数字或 _ . -"))
    full_name = forms.CharField(label=_("经办人姓名"), max_length=50, validators=[validate_person_name])
    phone = forms.CharField(label=_("手机号码"), max_length=20)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    password1 = forms.CharField(label=_("密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("该用户名已被使用，请换一个。"))
        return username

    def clean_phone(self):
        phone = re.sub(r"[\s-]", "", self.cleaned_data["phone"])
        if not re.fullmatch(r"1\d{10}", phone):
            raise ValidationError(_("请填写 11 位手机号码。"))
        return phone

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif p1:
            try:
                validate_password(p1, User(username=data.get("username", ""), full_name=data.get("full_name", "")))
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class DetailsForm(CleanTextMixin, forms.Form):
    managing_level = forms.ChoiceField(
        label=_("管理层级"), choices=ManagingLevel.choices, widget=forms.RadioSelect,
        help_text=_("社会培训评价组织在全市范围内开展评价的由市级管理，在区县范围内开展的由所在区县管理 [002 §6]。"))

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        if not chooses_managing_level(agency):
            # Ownership and kind fix the level [000 §4(1), 002 §6]: shown, not chosen; a posted value is ignored.
            field = self.fields["managing_level"]
            field.disabled = True
            field.initial = self.initial["managing_level"] = managing_level_for(agency, ManagingLevel.DISTRICT)
            field.help_text = _("由隶属关系和机构类别确定，报送路径：%(route)s [000 §4(1)、002 §6]。") % {
                "route": Route(route_for(agency, field.initial)).label}


class OccupationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        label = str(obj)
        return _("%(label)s（准入类，不可备案）") % {"label": label} if obj.restricted else label


LEVEL_CHOICES = [("", "—"), *SkillLevel.choices]


class ScopeRowForm(CleanTextMixin, forms.Form):
    """One occupation and its level range. Restricted occupations stay in the list, marked, so that a
    clerk who picks one is told why it cannot be filed [003 §8(2)]."""

    occupation = OccupationChoiceField(label=_("职业（工种）"), queryset=Occupation.objects.all(),
                                       empty_label=_("— 请选择 —"))
    level_from = forms.TypedChoiceField(label=_("最低等级"), choices=LEVEL_CHOICES, coerce=int)
    level_to = forms.TypedChoiceField(label=_("最高等级"), choices=LEVEL_CHOICES, coerce=int)

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency

    def clean_occupation(self):
        occupation = self.cleaned_data["occupation"]
        if occupation.restricted:
            raise ValidationError(_("“%(name)s”为准入类职业，不得纳入备案范围 [003 §8(2)]。"),
                                  code="restricted", params={"name": occupation.name})
        return occupation

    def clean(self):
        data = super().clean()
        if self.errors or "occupation" not in data:
            return data
        row = ScopeRow(data["occupation"], data["level_from"], data["level_to"])
        for problem in agency_services.scope_row_problems(self.agency, row):
            self.add_error("level_to", problem)
        return data

    def row(self) -> ScopeRow:
        d = self.cleaned_data
        return ScopeRow(d["occupation"], d["level_from"], d["level_to"])


class BaseScopeFormSet(forms.BaseFormSet):
    def __init__(self, *args, agency: Agency, **kwargs):
        self.agency = agency
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "agency": self.agency}

    @property
    def empty_form(self):
        form = self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True,
                         use_required_attribute=False, agency=self.agency, renderer=self.renderer)
        self.add_fields(form, None)
        return form

    def rows(self) -> list[ScopeRow]:
        return [f.row() for f in self._filled_forms()]

    def _filled_forms(self):
        """Rows the clerk filled in and did not tick for removal (blank extra rows are ignored)."""
        return [f for f in self.forms if getattr(f, "cleaned_data", None) and not self._should_delete_form(f)]

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self._filled_forms():
            occ = form.cleaned_data["occupation"]
            if occ.pk in seen:
                form.add_error("occupation", _("同一职业（工种）只能填写一行，请合并等级范围。"))
            seen.add(occ.pk)
        if not seen:
            raise ValidationError(_("请至少填写一个职业（工种）。"))


ScopeFormSet = forms.formset_factory(ScopeRowForm, formset=BaseScopeFormSet, extra=2, can_delete=True)


def examiner_formset(filing, data=None) -> ExaminerFormSet:
    """The filing's examiners, a row each, for the occupations of its scope [003 §8(4)]; a first visit
    offers as many empty rows as the policy's minimum still wants (at least three)."""
    scope = list(filing.scope.select_related("occupation"))
    examiners = list(filing.examiners.all())
    minimum = PolicyProfile.active().min_examiners_per_level
    missing = sum(max(0, minimum - sum(1 for e in examiners if e.occupation_id == item.occupation_id))
                  for item in scope)
    initial = [{"occupation": e.occupation_id, "name": e.name, "certificate_no": e.certificate_no, "level": e.level}
               for e in examiners]
    return ExaminerFormSet(data, initial=initial, prefix="ex", occupations=[item.occupation for item in scope],
                           extra=min(max(3, missing), 30))


class FacilitiesForm(CleanTextMixin, forms.Form):
    facilities = forms.CharField(
        label=_("场地设备设施"), widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("理论考试、技能操作考核场地及设备，视频监控等情况；证明文件在“申报材料”中上传。"),
        error_messages={"required": _("请填写场地设备设施情况。")})


class MaterialForm(CleanTextMixin, forms.Form):
    """One upload of one material type; the file is judged by its content [SPEC §2]."""

    file = forms.FileField(label=_("选择文件"), error_messages={
        "required": _("请选择要上传的文件。"),
        "empty": _("所选文件是空文件（0 字节），请选择有内容的文件。"),
        "invalid": _("没有收到文件，请重新选择。"),
    })

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("支持 %(types)s，单个文件不超过 %(limit)s。") % {
            "types": ACCEPTED_LABEL, "limit": human_size(max_bytes())}
        self.fields["file"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"

    def clean_file(self):
        return check_upload(self.cleaned_data["file"])


class PledgeForm(CleanTextMixin, forms.Form):
    agree = forms.BooleanField(
        label=_("本机构承诺所填信息和所交材料真实、准确、完整，如有虚假，愿承担相应责任（包括撤销备案）。"),
        error_messages={"required": _("请勾选承诺后再签署。")})


class SupplementAnswerForm(CleanTextMixin, forms.Form):
    """The agency's written answer to one item of the supplement notice [002 §10]."""

    answer = forms.CharField(label=_("说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("未修改该项时，请说明理由（例如已上传的材料即为最新版本）"))
