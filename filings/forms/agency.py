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
from filings.agency_services import ExaminerRow, ScopeRow
from filings.choices import ManagingLevel
from filings.models import Agency
from filings.uploads import ACCEPTED_LABEL, check_upload, human_size, max_bytes
from portal.models import IndustryDepartment, Occupation, Region, SkillLevel, User
from portal.uscc import validate_uscc


class AgencyForm(forms.ModelForm):
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


class AccountForm(forms.Form):
    """The person registering: the agency's first user."""

    username = forms.RegexField(label=_("用户名"), max_length=30, regex=r"^[A-Za-z0-9_.-]{3,30}$",
                                error_messages={"invalid": _("用户名为 3–30 位字母、数字或 _ . -")},
                                help_text=_("登录时使用，3–30 位字母、数字或 _ . -"))
    full_name = forms.CharField(label=_("经办人姓名"), max_length=50)
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


class DetailsForm(forms.Form):
    managing_level = forms.ChoiceField(
        label=_("管理层级"), choices=ManagingLevel.choices, widget=forms.RadioSelect,
        help_text=_("市属及以上单位、市级行业协会由市级管理；其他由所在区县管理 [002 §6]。"))


class OccupationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        label = str(obj)
        return _("%(label)s（准入类，不可备案）") % {"label": label} if obj.restricted else label


LEVEL_CHOICES = [("", "—"), *SkillLevel.choices]


class ScopeRowForm(forms.Form):
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


# A clerk writes levels as they appear on certificates; all of these mean the same level.
LEVEL_ALIASES = {
    SkillLevel.APPRENTICE: ["学徒工", "学徒"],
    SkillLevel.LEVEL_5: ["五级", "初级", "初级工", "五级/初级工", "5级"],
    SkillLevel.LEVEL_4: ["四级", "中级", "中级工", "四级/中级工", "4级"],
    SkillLevel.LEVEL_3: ["三级", "高级", "高级工", "三级/高级工", "3级"],
    SkillLevel.LEVEL_2: ["二级", "技师", "二级/技师", "2级"],
    SkillLevel.LEVEL_1: ["一级", "高级技师", "一级/高级技师", "1级"],
    SkillLevel.PRINCIPAL: ["特级技师"],
    SkillLevel.CHIEF: ["首席技师"],
}
LEVEL_BY_WORD = {word: level for level, words in LEVEL_ALIASES.items() for word in words}


def parse_examiner_lines(text: str) -> list[ExaminerRow]:
    """One examiner per line: 姓名 证书编号 等级 (separated by spaces, tabs or commas, as pasted from
    Excel); the certificate number may be left out. Every bad line is reported at once."""
    rows, errors = [], []
    for n, line in enumerate((text or "").splitlines(), start=1):
        parts = [p for p in re.split(r"[\s,，、;；]+", line.strip()) if p]
        if not parts:
            continue
        if len(parts) not in (2, 3):
            errors.append(_("第 %(n)s 行“%(line)s”：应为“姓名 证书编号 等级”三项，用空格分隔。") % {"n": n, "line": line.strip()})
            continue
        name, level_word = parts[0], parts[-1]
        certificate = parts[1] if len(parts) == 3 else ""
        level = LEVEL_BY_WORD.get(level_word)
        if level is None:
            errors.append(_("第 %(n)s 行：无法识别等级“%(level)s”，请写“五级”“四级”“三级”“技师”“高级技师”等。") % {"n": n, "level": level_word})
            continue
        if len(name) > 50 or len(certificate) > 50:
            errors.append(_("第 %(n)s 行：姓名或证书编号过长。") % {"n": n})
            continue
        rows.append(ExaminerRow(name=name, certificate_no=certificate, level=int(level)))
    if errors:
        raise ValidationError(errors)
    return rows


def examiner_lines(examiners) -> str:
    short = {int(level): words[0] for level, words in LEVEL_ALIASES.items()}
    return "\n".join(f"{e.name} {e.certificate_no or ''} {short[e.level]}".replace("  ", " ") for e in examiners)


class ExaminersForm(forms.Form):
    """A pasted list of examiners per occupation in the scope [003 §8(4)]."""

    def __init__(self, *args, filing, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = list(filing.scope.select_related("occupation"))
        examiners = list(filing.examiners.all())
        for item in self.scope:
            occ = item.occupation
            self.fields[f"occ_{occ.pk}"] = forms.CharField(
                label=_("%(occupation)s（申报 %(levels)s）") % {"occupation": occ, "levels": item.levels_label}, required=False,
                widget=forms.Textarea(attrs={"rows": 7, "placeholder": "张三 KP2023000123 三级\n李四 KP2021000456 技师"}),
                initial=examiner_lines([e for e in examiners if e.occupation_id == occ.pk]),
                help_text=_("每行一人：姓名 证书编号 等级。每个申报等级须有至少 5 名本单位考评人员（可考评该等级或更高）[003 §8(4)]。"))

    def clean(self):
        data = super().clean()
        for item in self.scope:
            key = f"occ_{item.occupation.pk}"
            if key in data:
                try:
                    data[key] = parse_examiner_lines(data[key])
                except ValidationError as exc:
                    self.add_error(key, exc)
        return data

    def per_occupation(self):
        return [(item.occupation, self.cleaned_data[f"occ_{item.occupation.pk}"]) for item in self.scope]


class FacilitiesForm(forms.Form):
    facilities = forms.CharField(
        label=_("场地设备设施"), widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("理论考试、技能操作考核场地及设备，视频监控等情况；证明文件在“申报材料”中上传。"),
        error_messages={"required": _("请填写场地设备设施情况。")})


class MaterialForm(forms.Form):
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


class PledgeForm(forms.Form):
    agree = forms.BooleanField(
        label=_("本机构承诺所填信息和所交材料真实、准确、完整，如有虚假，愿承担相应责任（包括撤销备案）。"),
        error_messages={"required": _("请勾选承诺后再签署。")})
