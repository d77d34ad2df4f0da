"""Imports of agencies (by USCC), occupations (by code and work type) and users (by username) from
Excel [SPEC §9], through `django-import-export` resources whose columns are the matching ledger's
Chinese headers, so a ledger edited in Excel imports back.

The file is read by `portal.imports` (refused before parsing when it is not a workbook, too large,
a zip bomb or too long); its rows become a tablib Dataset for the resource, whose two steps are the
preview (`dry_run=True`: every row to be created or changed, every error by row and column) and the
confirmation, all or nothing: one row in error and nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from filings.choices import AgencyKind, Ownership
from filings.models import Agency
from portal import audit, audit_actions, imports
from portal.models import IndustryDepartment, Occupation, Region, Role, User
from portal.uscc import normalise_uscc

OCCUPATION_CODE = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")

audit_actions.register({
    "import.agencies": gettext_lazy("导入评价机构"),
    "import.occupations": gettext_lazy("导入职业（工种）"),
    "import.users": gettext_lazy("导入用户"),
    "import.refused": gettext_lazy("拒绝导入的文件"),
})


class LabelWidget(widgets.Widget):
    """A choice written as its Chinese label (as the ledger shows it); the stored value is accepted too."""

    def __init__(self, choices, *, required: bool = True):
        super().__init__()
        self.by_label = {str(label): value for value, label in choices.choices}
        self.values = {value for value, _label in choices.choices}
        self.labels = {value: str(label) for value, label in choices.choices}
        self.required = required

    def clean(self, value, row=None, **kwargs):
        text = imports.text(value)
        if not text:
            if self.required:
                raise ValueError(_("必填。"))
            return ""
        if text in self.by_label:
            return self.by_label[text]
        if text in self.values:
            return text
        raise ValueError(_("“%(v)s”不是可选的取值；可填：%(choices)s。") % {"v": text, "choices": "、".join(self.by_label)})

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, value or "")


class YesNoWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = imports.text(value)
        if text in ("是", "1", "Y", "y", "TRUE", "true", "True"):
            return True
        if text in ("否", "0", "N", "n", "FALSE", "false", "False", ""):
            return False
        raise ValueError(_("请填“是”或“否”。"))


class LookupWidget(widgets.Widget):
    """A related object by one of its keys (a region by code, a department by name, an agency by USCC)."""

    def __init__(self, queryset, key: str, what: str, *, required: bool = False, normalise=None):
        super().__init__()
        self.queryset, self.key, self.what, self.required, self.normalise = queryset, key, what, required, normalise

    def clean(self, value, row=None, **kwargs):
        text = imports.text(value)
        if not text:
            if self.required:
                raise ValueError(_("必填。"))
            return None
        if self.normalise:
            text = self.normalise(text)
        found = self.queryset.filter(**{self.key: text}).first()
        if found is None:
            raise ValueError(_("没有%(what)s“%(v)s”。") % {"what": self.what, "v": text})
        return found

    def render(self, value, obj=None, **kwargs):
        return getattr(value, self.key, "") if value is not None else ""


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return imports.text(value)


def _text(header: str, attribute: str) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=header, widget=TextWidget())


class AgencyResource(resources.ModelResource):
    uscc = fields.Field(attribute="uscc", column_name="统一社会信用代码", widget=TextWidget())
    name = _text("机构名称", "name")
    kind = fields.Field(attribute="kind", column_name="机构类别", widget=LabelWidget(AgencyKind))
    ownership = fields.Field(attribute="ownership", column_name="隶属关系", widget=LabelWidget(Ownership))
    region = fields.Field(attribute="region", column_name="区划代码", widget=LookupWidget(
        Region.objects.filter(level=Region.Level.DISTRICT), "code", _("区县代码"), required=True))
    industry_department = fields.Field(attribute="industry_department", column_name="行业主管部门",
                                       widget=LookupWidget(IndustryDepartment.objects.all(), "name", _("行业主管部门")))
    address = _text("地址", "address")
    legal_representative = _text("法定代表人", "legal_representative")
    contact_name = _text("联系人", "contact_name")
    contact_phone = _text("联系电话", "contact_phone")
    contact_email = _text("联系邮箱", "contact_email")

    class Meta:
        model = Agency
        import_id_fields = ("uscc",)
        fields = ("uscc", "name", "kind", "ownership", "region", "industry_department", "address",
                  "legal_representative", "contact_name", "contact_phone", "contact_email")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def before_import_row(self, row, **kwargs):
        row["统一社会信用代码"] = normalise_uscc(imports.text(row.get("统一社会信用代码")))


class OccupationResource(resources.ModelResource):
    code = _text("职业编码", "code")
    name = _text("职业名称", "name")
    work_type = _text("工种", "work_type")
    restricted = fields.Field(attribute="restricted", column_name="准入类", widget=YesNoWidget())
    has_standard = fields.Field(attribute="has_standard", column_name="有国家职业技能标准", widget=YesNoWidget())
    edition = fields.Field(attribute="edition", column_name="大典版本", widget=widgets.IntegerWidget())

    class Meta:
        model = Occupation
        import_id_fields = ("code", "work_type")
        fields = ("code", "name", "work_type", "restricted", "has_standard", "edition")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if instance.code and not OCCUPATION_CODE.match(instance.code):
            errors["code"] = ValidationError(_("职业编码应为“6-31-01-03”的形式（国家职业分类大典编码）。"))
        if instance.edition is None:
            instance.edition = 2022
        super().validate_instance(instance, errors, validate_unique)


IMPORTABLE_ROLES = (Role.AGENCY, Role.DISTRICT, Role.INDUSTRY, Role.CITY, Role.EXPERT, Role.INSPECTOR)


class UserResource(resources.ModelResource):
    username = _text("用户名", "username")
    full_name = _text("姓名", "full_name")
    role = fields.Field(attribute="role", column_name="角色", widget=LabelWidget(Role))
    phone = _text("手机号码", "phone")
    email = _text("电子邮箱", "email")
    region = fields.Field(attribute="region", column_name="管辖区划代码",
                          widget=LookupWidget(Region.objects.all(), "code", _("区划代码")))
    industry_department = fields.Field(attribute="industry_department", column_name="行业主管部门",
                                       widget=LookupWidget(IndustryDepartment.objects.all(), "name", _("行业主管部门")))
    agency = fields.Field(attribute="agency", column_name="所属机构统一社会信用代码",
                          widget=LookupWidget(Agency.objects.all(), "uscc", _("统一社会信用代码为此的机构"),
                                              normalise=normalise_uscc))
    is_active = fields.Field(attribute="is_active", column_name="是否启用", widget=YesNoWidget())

    class Meta:
        model = User
        import_id_fields = ("username",)
        fields = ("username", "full_name", "role", "phone", "email", "region", "industry_department", "agency",
                  "is_active")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def init_instance(self, row=None):
        user = User(is_active=True)
        user.set_unusable_password()  # a new account sets its password through the reset e-mail
        return user

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Administrator and superuser accounts are never made or changed by a spreadsheet; each role
        carries what its scope needs (a district its region, a clerk its agency…) [SPEC §1]."""
        errors = dict(import_validation_errors or {})
        if instance.pk and (instance.is_superuser or instance.is_staff or
                            User.objects.filter(pk=instance.pk, role=Role.ADMIN).exists()):
            errors["username"] = ValidationError(_("管理员账户不能通过导入修改，请在管理后台操作。"))
        if "role" not in errors and instance.role not in IMPORTABLE_ROLES:
            errors["role"] = ValidationError(_("不能通过导入设置“%(role)s”角色，请在管理后台逐个创建。")
                                             % {"role": Role(instance.role).label})
        needs = {Role.DISTRICT: ("region", _("区县人社部门须填写管辖区划代码。")),
                 Role.CITY: ("region", _("市级审核人员须填写管辖区划代码。")),
                 Role.INDUSTRY: ("industry_department", _("行业主管部门人员须填写行业主管部门。")),
                 Role.AGENCY: ("agency", _("机构用户须填写所属机构统一社会信用代码。"))}
        if instance.role in needs:
            attribute, message = needs[instance.role]
            if attribute not in errors and getattr(instance, f"{attribute}_id") is None:
                errors[attribute] = ValidationError(message)
        super().validate_instance(instance, errors, validate_unique)


@dataclass(frozen=True)
class ImportKind:
    name: str
    title: str
    resource: type[resources.ModelResource]
    key_header: str
    ledger: str  # the ledger whose columns are the template

    def headers(self) -> list[str]:
        return [f.column_name for f in self.resource().get_import_fields()]


KINDS = {
    "agencies": ImportKind("agencies", gettext_lazy("评价机构"), AgencyResource, "统一社会信用代码", "agencies"),
    "occupations": ImportKind("occupations", gettext_lazy("职业（工种）"), OccupationResource, "职业编码", "occupations"),
    "users": ImportKind("users", gettext_lazy("用户"), UserResource, "用户名", "users"),
}


@dataclass
class Preview:
    """What an import would do, or did: rows by action, errors by row and column."""

    kind: ImportKind
    sha256: str
    rows: list[dict] = field(default_factory=list)  # {"row", "action", "values"}
    errors: list[imports.RowError] = field(default_factory=list)
    totals: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


ACTIONS = {"new": gettext_lazy("新增"), "update": gettext_lazy("修改"), "skip": gettext_lazy("无变化"),
           "delete": gettext_lazy("删除"), "error": gettext_lazy("错误"), "invalid": gettext_lazy("错误")}


def run(kind: ImportKind, upload, *, actor, confirm: bool) -> Preview:
    """Read `upload` safely and import it with the resource: a dry run for the preview, or for real
    when `confirm` — all or nothing, audited with the file's SHA-256. Raises `imports.ImportRefused`
    for a file refused as a whole (audited as refused)."""
    digest = imports.sha256_of(upload)
    resource = kind.resource()
    headers = kind.headers()
    attribute_header = {f.attribute: f.column_name for f in resource.get_import_fields()}
    reader = imports.XlsxRows(upload, columns=headers, required=[kind.key_header])
    preview = Preview(kind, digest)
    try:
        dataset = tablib.Dataset(headers=headers)
        numbers = []
        for number, record in reader.rows():
            dataset.append([record.get(h) for h in headers])
            numbers.append(number)
    except imports.ImportRefused as exc:
        audit.record("import.refused", None, actor=actor, comment=" ".join(exc.messages),
                     data={"kind": kind.name, "sha256": digest, "name": str(getattr(upload, "name", ""))[:200]})
        raise
    preview.errors.extend(reader.errors)
    if not numbers:
        preview.errors.append(imports.RowError(None, "", _("文件中没有数据行。")))
    if preview.errors:
        return preview
    with transaction.atomic():
        result = resource.import_data(dataset, dry_run=not confirm, use_transactions=True, raise_errors=False,
                                      collect_failed_rows=False)
        for invalid in result.invalid_rows:
            excel_row = numbers[invalid.number - 1] if 0 < invalid.number <= len(numbers) else invalid.number
            for attribute, messages in invalid.error_dict.items():
                column = attribute_header.get(attribute, "")
                for message in messages:
                    preview.errors.append(imports.RowError(excel_row, column, message))
        for index, row_result in enumerate(result.rows):
            excel_row = numbers[index] if index < len(numbers) else index + 2
            if row_result.errors:
                preview.errors.append(imports.RowError(excel_row, "", _("无法导入：%(e)s") % {
                    "e": str(row_result.errors[0].error)[:200]}))
            preview.rows.append({"row": excel_row, "action": str(ACTIONS.get(row_result.import_type, row_result.import_type)),
                                 "type": row_result.import_type,
                                 "values": [dataset[index][i] if index < len(dataset) else "" for i in range(len(headers))]})
        preview.totals = {str(ACTIONS[k]): v for k, v in result.totals.items() if v and k in ACTIONS}
        if preview.errors or not confirm:
            transaction.set_rollback(True)
        else:
            audit.record(f"import.{kind.name}", None, actor=actor, comment=_("导入%(title)s") % {"title": kind.title},
                         data={"sha256": digest, "rows": len(numbers), "name": str(getattr(upload, "name", ""))[:200],
                               "totals": {k: v for k, v in result.totals.items() if v}})
    return preview
