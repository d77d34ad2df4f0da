"""Forms of the reviewers', experts' and public-notice screens. They parse and check input; the
services in `services.py` and `panel_services.py` decide."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from filings import supplements, uploads
from filings.choices import AgencyKind, FilingState
from filings.models import ExpertAssignment
from filings.services import ACTIONS, COMMENT_REQUIRED
from portal.models import Region, Role, User
from portal.text import CleanTextMixin, validate_person_name, validate_phone_or_email

EVIDENCE_TYPES = (uploads.PDF, uploads.JPEG, uploads.PNG)


class ActionForm(CleanTextMixin, forms.Form):
    """One decision on a filing. `expected_state` is the state the reviewer saw, so that of two
    reviewers deciding at once the second is told plainly that someone else decided."""

    action = forms.ChoiceField(choices=list(ACTIONS.items()), widget=forms.HiddenInput)
    expected_state = forms.ChoiceField(choices=FilingState.choices, widget=forms.HiddenInput)
    comment = forms.CharField(label=_("意见或理由"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("退回、补正、不予受理、不予备案、初审报送须填写；意见随备案流转并记入办理记录。"))

    def __init__(self, *args, filing=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A supplement request ticks what is missing, item by item, each with its own note [002 §10].
        self.checklist: list[dict] = []
        if filing is not None and filing.state == FilingState.SUBMITTED:
            materials, scope = supplements.choices_for(filing)
            for kind, kind_label, options in (("material", _("申报材料"), materials), ("scope", _("申报范围"), scope)):
                for ref, label in options:
                    tick, note = f"item_{kind}_{ref}", f"note_{kind}_{ref}"
                    self.fields[tick] = forms.BooleanField(label=label, required=False)
                    self.fields[note] = forms.CharField(label=_("补正要求：%(item)s") % {"item": label}, required=False,
                                                        max_length=1000)
                    self.checklist.append({"kind": kind, "kind_label": kind_label, "ref": ref,
                                           "tick": tick, "note": note})

    def clean(self):
        data = super().clean()
        if data.get("action") in COMMENT_REQUIRED and not (data.get("comment") or "").strip():
            self.add_error("comment", _("此操作须填写意见或理由。"))
        return data

    def checklist_rows(self):
        """Bound fields of the checklist, for the template."""
        return [{**row, "tick": self[row["tick"]], "note": self[row["note"]]} for row in self.checklist]

    def supplement_items(self) -> list[supplements.Requested]:
        """The ticked items with their notes (only a supplement request lists any)."""
        if self.cleaned_data.get("action") != "request_supplement":
            return []
        return [supplements.Requested(row["kind"], row["ref"], self.cleaned_data.get(row["note"], ""))
                for row in self.checklist if self.cleaned_data.get(row["tick"])]


class WorklistFilterForm(CleanTextMixin, forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False,
                              choices=[("", _("全部状态"))] + list(FilingState.choices))
    district = forms.ModelChoiceField(label=_("所属区县"), required=False, queryset=Region.objects.none(),
                                      empty_label=_("全部区县"))
    kind = forms.ChoiceField(label=_("机构类别"), required=False, choices=[("", _("全部类别"))] + list(AgencyKind.choices))
    q = forms.CharField(label=_("机构名称"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("输入机构名称关键字")}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        districts = Region.objects.filter(level=Region.Level.DISTRICT)
        if user.region_id and user.role != Role.INDUSTRY:
            districts = districts.filter(path__startswith=user.region.path)
        self.fields["district"].queryset = districts.order_by("code")

    def apply(self, qs):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data["state"]:
            qs = qs.filter(state=data["state"])
        if data["district"]:
            qs = qs.filter(region__path__startswith=data["district"].path)
        if data["kind"]:
            qs = qs.filter(agency__kind=data["kind"])
        if data["q"].strip():
            qs = qs.filter(agency__name__icontains=data["q"].strip())
        return qs


class ExpertChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj}（{obj.username}）"


class PanelForm(CleanTextMixin, forms.Form):
    """[002 §11] The city names at least the policy's number of experts, none from the applying agency."""

    experts = ExpertChoiceField(label=_("评审专家"), queryset=User.objects.none(),
                                widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, filing, **kwargs):
        super().__init__(*args, **kwargs)
        self.filing = filing
        self.fields["experts"].queryset = (User.objects.filter(role=Role.EXPERT, is_active=True)
                                           .exclude(agency_id=filing.agency_id).order_by("username"))


class ExpertReviewForm(CleanTextMixin, forms.ModelForm):
    """An expert's record [002 §11, 001 §3(2)]; the service checks completeness on submit."""

    class Meta:
        model = ExpertAssignment
        fields = ["materials_verified", "materials_notes", "site_visited", "site_visit_notes", "opinion", "score",
                  "recommendation"]
        widgets = {
            "materials_notes": forms.Textarea(attrs={"rows": 3}),
            "site_visit_notes": forms.Textarea(attrs={"rows": 3}),
            "opinion": forms.Textarea(attrs={"rows": 5}),
            "score": forms.NumberInput(attrs={"min": 0, "max": 100, "step": "0.5"}),
        }
        help_texts = {"score": _("0—100 分"), "recommendation": _("提交后不能修改")}


def check_evidence(upload):
    """Objection evidence is checked like every upload: by content, PDF/JPEG/PNG only, within the
    size limit (settings.UPLOAD_MAX_BYTES)."""
    checked = uploads.check_upload(upload)
    if checked.content_type not in EVIDENCE_TYPES:
        raise ValidationError(_("证明材料只接受 PDF、JPG、PNG 格式的文件。"), code="evidence_type")
    return checked


class ObjectionForm(CleanTextMixin, forms.Form):
    """Anyone may object during the notice period [003 §7]."""

    name = forms.CharField(label=_("姓名"), max_length=50, validators=[validate_person_name])
    contact = forms.CharField(label=_("联系方式"), max_length=100, validators=[validate_phone_or_email], help_text=_("手机、电话或电子邮箱，便于核实时与您联系"))
    text = forms.CharField(label=_("异议内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=_("请写明异议事项、事实和理由"))
    evidence = forms.FileField(label=_("证明材料"), required=False,
                               help_text=_("可选；PDF、JPG 或 PNG，单个文件不超过上传上限"))

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if upload:
            check_evidence(upload)
        return upload


class ObjectionResolveForm(CleanTextMixin, forms.Form):
    """[003 §7, 001 §3(3)] Upheld → back to review or refused; dismissed → the notice runs on."""

    RESULTS = [("dismissed", _("异议不成立")), ("reopen_review", _("异议成立，退回评审")),
               ("refuse", _("异议成立，不予备案"))]
    RENEWAL_RESULTS = [("dismissed", _("异议不成立")), ("upheld", _("异议成立"))]
    result = forms.ChoiceField(label=_("核实结果"), choices=RESULTS, widget=forms.RadioSelect)
    resolution = forms.CharField(label=_("核实意见"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, on_filing_notice=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not on_filing_notice:
            self.fields["result"].choices = self.RENEWAL_RESULTS
