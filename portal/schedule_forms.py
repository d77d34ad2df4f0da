"""The administrator's form for a year's holiday schedule (portal/schedule.py)."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import schedule
from portal.text import CleanTextMixin

EXAMPLE = "2027-01-01 休\n2027-02-05~2027-02-11 休\n2027-02-14 班"


def _years():
    this = timezone.localdate().year
    return [(y, str(y)) for y in range(this, this + 3)]


class ScheduleForm(CleanTextMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("年份"), coerce=int, choices=_years)
    text = forms.CharField(label=_("放假与调休安排"), required=False, widget=forms.Textarea(attrs={"rows": 12}),
                           help_text=_("每行一项：日期或日期范围，再写“休”或“班”，例如“2027-02-05~2027-02-11 休”"
                                       "“2027-02-14 班”。按国务院办公厅通知逐条录入全年安排。"))
    upload = forms.FileField(label=_("或上传文本/CSV 文件"), required=False,
                             help_text=_("格式同上，每行一项；不超过 64 KB。"))

    def clean(self):
        data = super().clean()
        year = data.get("year")
        text = data.get("text") or ""
        if data.get("upload"):
            text = schedule.read_upload(data["upload"])
        if not text.strip():
            raise ValidationError(_("请粘贴全年安排或上传文件。"))
        if year:
            data["schedule"] = schedule.parse(text, int(year))
        return data


def example() -> str:
    return EXAMPLE.replace("2027", str(datetime.date.today().year + 1))
