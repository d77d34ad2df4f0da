from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.choices import AttachmentType
from assessments.models import RenewalAssessment
from assessments.models.assessment import MAX_COUNT
from portal.models import Role, User
from portal.text import CleanTextMixin, validate_person_name, validate_phone

YES_NO = [("", _("请选择")), ("1", _("是")), ("0", _("否"))]


def count(label, **kwargs):
    """A count of certificates or people, bounded as the model bounds it, with a message a person reads."""
    kwargs.setdefault("min_value", 0)
    return forms.IntegerField(label=label, max_value=MAX_COUNT, error_messages={
        "max_value": _("人次或人数不能超过 1,000,000，请核对后重新填写。"),
        "min_value": _("请填写不小于 %(limit_value)s 的整数。")}, **kwargs)


def yes_no(label, yes=_("是"), no=_("否"), help_text=""):
    return forms.TypedChoiceField(label=label, choices=[("1", yes), ("0", no)], widget=forms.RadioSelect,
                                  coerce=lambda v: v == "1", empty_value=None, required=False, help_text=help_text)


class ApplicationForm(CleanTextMixin, forms.Form):
    """续期备案申请表 [004 Annex 1]; the certified share is computed, not a field."""

    contact_name = forms.CharField(label=_("联系人"), max_length=50, validators=[validate_person_name])
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, validators=[validate_phone])
    address = forms.CharField(label=_("地址"), max_length=200)
    entity_changed = yes_no(_("主体资质是否变更"))
    entity_change_items = forms.CharField(label=_("变更项"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                          help_text=_("有变更的写明变更项，并在“材料”中上传证明"))
    credit_good = yes_no(_("企业信用是否良好"), yes=_("良好"), no=_("存在问题"))
    credit_problems = forms.CharField(label=_("信用存在的问题"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evaluations_carried_out = yes_no(_("本期是否开展认定工作"))
    no_evaluation_reason = forms.CharField(label=_("未开展原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                           help_text=_("未开展评价的，说明情况，由人社部门决定是否延长 [004 §4(4)]"))
    commissioned_evaluations = yes_no(_("是否开展委托评价"))
    commissioned_details = forms.CharField(label=_("开展委托评价情况"), required=False,
                                           widget=forms.Textarea(attrs={"rows": 2}))
    certs_apprentice = count(_("学徒工"), initial=0)
    certs_level5 = count(_("初级"), initial=0)
    certs_level4 = count(_("中级"), initial=0)
    certs_level3 = count(_("高级"), initial=0)
    certs_level2 = count(_("技师"), initial=0)
    certs_level1 = count(_("高级技师"), initial=0)
    certs_principal = count(_("特级技师"), initial=0)
    certs_chief = count(_("首席技师"), initial=0)
    certs_uploaded = count(_("已上国网人次"), initial=0,
                                        help_text=_("用于计算评估项 3.5（上国网占比）"))
    certified_holders = count(_("本企业现有技能人员持证总数（人）"))
    employees = count(_("职工总数（人）"), min_value=1)
    wants_to_continue = yes_no(_("是否愿意继续开展职业技能等级认定"))

    COUNT_FIELDS = (*RenewalAssessment.CERT_FIELDS, "certs_uploaded")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Counts from the reported batches are shown, not typed: a disabled field keeps its initial
        # value whatever is posted, as the service ignores posted counts [004 Annex 1].
        self.counts_from_batches = bool(self.initial.get("counts_from_batches"))
        if self.counts_from_batches:
            for name in self.COUNT_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("来自已报备的认定批次，不可手工修改")

    def clean(self):
        data = super().clean()
        holders, employees = data.get("certified_holders"), data.get("employees")
        if holders is not None and employees and holders > employees:
            self.add_error("certified_holders", _("持证人数不能多于职工总数。"))
        issued = sum(data.get(f) or 0 for f in RenewalAssessment.CERT_FIELDS)
        if (data.get("certs_uploaded") or 0) > issued:
            self.add_error("certs_uploaded", _("已上国网人次不能多于本期发证人次合计（%(n)s）。") % {"n": issued})
        return data

    @classmethod
    def initial_from(cls, assessment):
        """The saved values; the certificate counts as the reported batches give them now, when they do."""
        from assessments import certificate_counts

        initial = {"counts_from_batches": certificate_counts.apply(assessment)}
        for name in cls.base_fields:
            value = getattr(assessment, name)
            initial[name] = ("1" if value else "0") if isinstance(value, bool) else value
        return initial


class AttachmentForm(CleanTextMixin, forms.Form):
    type = forms.ChoiceField(label=_("材料类型"), choices=AttachmentType.choices)
    item = forms.TypedChoiceField(label=_("对应评估项"), required=False, coerce=int, empty_value=None,
                                  help_text=_("上传评估项佐证材料时选择"))
    file = forms.FileField(label=_("文件"), help_text=_("PDF、JPG、PNG、DOCX、XLSX，按文件内容识别"))

    def __init__(self, *args, rubric=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "—")] + [(i.pk, f"{i.code} {i.title[:24]}") for i in rubric.items.all()]


class CommentForm(CleanTextMixin, forms.Form):
    comment = forms.CharField(label=_("意见或理由"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PanelForm(CleanTextMixin, forms.Form):
    experts = forms.ModelMultipleChoiceField(label=_("评估专家"), queryset=User.objects.none(),
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, assessment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = (User.objects.filter(role=Role.EXPERT, is_active=True)
                                           .exclude(agency_id=assessment.agency_id).order_by("username"))


class OpinionForm(CleanTextMixin, forms.Form):
    document_reviewed = forms.BooleanField(label=_("资料审阅"), required=False)
    report_heard = forms.BooleanField(label=_("听取汇报"), required=False)
    site_checked = forms.BooleanField(label=_("现场核查"), required=False)
    opinion = forms.CharField(label=_("专家意见"), widget=forms.Textarea(attrs={"rows": 4}))
