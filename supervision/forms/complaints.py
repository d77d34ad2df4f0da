"""Forms of the complaints area: the public form with its no-JavaScript challenge, and the
handlers' step forms. The rules live in the services; a form only parses."""

from __future__ import annotations

import secrets
import time

from django import forms
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from supervision.models.complaints import Complaint, ComplaintCategory

CHALLENGE_SALT = "supervision.complaints.challenge"
CHALLENGE_MAX_AGE = 2 * 3600


def new_challenge() -> tuple[str, str]:
    """A signed sum to work out (no outside service, no JavaScript): (token, question)."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = signing.dumps({"a": a, "b": b, "n": secrets.token_hex(8), "t": int(time.time())}, salt=CHALLENGE_SALT)
    return token, f"{a} + {b} = ?"


def check_challenge(token: str, answer: str) -> str | None:
    """None when right (and the token is used up), else the reason."""
    try:
        data = signing.loads(token or "", salt=CHALLENGE_SALT, max_age=CHALLENGE_MAX_AGE)
    except signing.SignatureExpired:
        return str(_("验证题已过期，请重新作答。"))
    except signing.BadSignature:
        return str(_("验证题无效，请重新作答。"))
    if str(answer or "").strip() != str(data["a"] + data["b"]):
        return str(_("验证题答案不正确。"))
    if not cache.add(f"complaint-challenge:{data['n']}", 1, timeout=CHALLENGE_MAX_AGE + 60):
        return str(_("该表单已提交过，请勿重复提交。"))
    return None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ComplaintForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("被投诉机构（从机构目录中选择）"), queryset=None, required=False,
                                    empty_label=_("— 目录中没有，在下方填写 —"))
    agency_name = forms.CharField(label=_("或填写机构名称"), max_length=100, required=False)
    category = forms.ChoiceField(label=_("投诉类别"), choices=[("", "—")] + list(ComplaintCategory.choices))
    occupation_text = forms.CharField(label=_("涉及职业（工种）"), max_length=100, required=False)
    batch_text = forms.CharField(label=_("涉及认定批次"), max_length=100, required=False)
    description = forms.CharField(label=_("发生了什么"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000,
                                  help_text=_("请写明时间、地点、经过和涉及人员，不少于 10 个字。"))
    happened_on = forms.CharField(label=_("发生时间"), max_length=50, required=False)
    address_string = forms.CharField(label=_("发生地点"), max_length=200, required=False)
    evidence = MultipleFileField(label=_("证据材料"), required=False,
                                 help_text=_("可上传 PDF、JPG、PNG、Office 文件，最多 5 个。"))
    anonymous = forms.BooleanField(label=_("匿名投诉（匿名投诉会受理，但无法向您个人答复）"), required=False)
    contact_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    contact_email = forms.EmailField(label=_("电子邮箱（用于接收受理编号、查询码和答复）"), required=False)
    challenge_token = forms.CharField(widget=forms.HiddenInput)
    challenge_answer = forms.CharField(label=_("验证题"), max_length=4)

    def __init__(self, *args, **kwargs):
        from filings.models import Agency
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(filings__submitted_at__isnull=False).distinct() \
            .order_by("name")
        if not self.is_bound:
            token, question = new_challenge()
            self.initial["challenge_token"] = token
            self.question = question
        else:
            self.question = None

    def refresh_challenge(self):
        token, question = new_challenge()
        data = self.data.copy()
        data["challenge_token"], data["challenge_answer"] = token, ""
        self.data, self.question = data, question

    def clean(self):
        data = super().clean()
        reason = check_challenge(self.data.get("challenge_token", ""), self.data.get("challenge_answer", ""))
        if reason:
            self.add_error("challenge_answer", reason)
        if not data.get("anonymous") and not (data.get("contact_phone") or data.get("contact_email")):
            self.add_error("contact_phone", _("请留下联系电话或电子邮箱，或选择匿名投诉。"))
        return data


class TrackForm(forms.Form):
    number = forms.CharField(label=_("受理编号"), max_length=24)
    code = forms.CharField(label=_("查询码"), max_length=32, widget=forms.PasswordInput(render_value=True))


class ReopenForm(forms.Form):
    number = forms.CharField(widget=forms.HiddenInput)
    code = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("申请重新处理的理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("调查记录"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    upload = forms.FileField(label=_("证据文件"), required=False)


class AskForm(forms.Form):
    question = forms.CharField(label=_("请机构说明的问题"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


OUTCOME_CHOICES = [("", "—")] + list(Complaint.Outcome.choices)
FOLLOW_UP_CHOICES = [("", _("不采取后续措施")), ("rectify", _("责令限期整改")), ("sanction", _("提出处理建议（约谈）"))]


class ComplaintInspectionForm(forms.Form):
    """An inspection opened from a complaint: the agency is the complaint's, so only the phase, the
    team and the reason are asked (the service checks them as any inspection is checked)."""

    phase = forms.ChoiceField(label=_("检查环节"), choices=())
    team = forms.ModelMultipleChoiceField(label=_("检查组（不少于 2 人）"), queryset=None,
                                          widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label=_("检查事由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, **kwargs):
        from portal.models import Role, User
        from supervision.models.inspections import Inspection

        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = Inspection.Phase.choices
        self.fields["team"].queryset = User.objects.filter(role=Role.INSPECTOR, is_active=True).order_by("username")
