"""The agency's own examiners (考评人员), a row each: the same rows on the application's examiners step and
on a change filing's added examiners [003 §8(4), 002 §13].

A row says who (name), by which certificate, up to which level they may examine, and, where the screen
covers more than one occupation, for which. Errors are named by row number and field label
(“第 3 行 证书编号：…”). The count per level and the other scope rules stay with the services and
models (`ScopeItem.problems`, `change_services.proposal_problems`).
"""

from __future__ import annotations

import re
from collections import defaultdict

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from filings.agency_services import ExaminerRow
from portal.models import SkillLevel
from portal.text import CleanTextMixin, validate_person_name, validate_text

CERTIFICATE_NO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
ROW_FIELDS = ("occupation", "name", "certificate_no", "level")


def validate_certificate_no(value: str) -> None:
    validate_text(value)
    if not CERTIFICATE_NO.match(value):
        raise ValidationError(_("只能包含字母、数字和连字符“-”，请照证书上的编号填写。"), code="certificate_no")


def posted_values(form: forms.BaseForm) -> dict:
    """What was typed into a bound form, as the initial values of an unbound copy (to show it again
    without judging it, as when a row is added)."""
    return {name: form[name].value() for name in form.fields if name != "DELETE"}


class ExaminerRowForm(CleanTextMixin, forms.Form):
    """One examiner. The occupation is asked only when the screen covers more than one."""

    occupation = forms.TypedChoiceField(label=_("职业（工种）"), coerce=int)
    name = forms.CharField(label=_("姓名"), max_length=50, validators=[validate_person_name])
    certificate_no = forms.CharField(label=_("证书编号"), max_length=50, required=False,
                                     validators=[validate_certificate_no])
    level = forms.TypedChoiceField(label=_("可考评最高等级"), coerce=int,
                                   choices=[("", "—"), *SkillLevel.choices])

    def __init__(self, *args, occupation_choices, **kwargs):
        super().__init__(*args, **kwargs)
        if len(occupation_choices) == 1:
            del self.fields["occupation"]
        else:
            self.fields["occupation"].choices = [("", _("— 请选择 —")), *occupation_choices]

    def has_changed(self):
        """A row counts once anything is typed or chosen in it; a blank row is ignored, even one that
        showed an examiner now cleared (clearing a row removes the examiner)."""
        return any(str(self[name].value() or "").strip() for name in ROW_FIELDS if name in self.fields)


class BaseExaminerFormSet(forms.BaseFormSet):
    """The rows of one screen. `occupations` are those a row may name; with a single one the column
    is left out and every row is for it."""

    def __init__(self, *args, occupations, extra: int | None = None, **kwargs):
        self.occupations = {o.pk: o for o in occupations}
        self.occupation_choices = [(o.pk, str(o)) for o in self.occupations.values()]
        if extra is not None:
            self.extra = extra
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        # Every row may be left blank, the ones shown filled in too: a cleared row is simply not kept.
        return {**super().get_form_kwargs(index), "occupation_choices": self.occupation_choices,
                "empty_permitted": True, "use_required_attribute": False}

    def with_another_row(self) -> BaseExaminerFormSet:
        """The same rows as typed, unjudged, with one more empty row (the no-JavaScript "add a row");
        rows ticked for removal go."""
        rows = [posted_values(f) for f in self.forms if not (self.can_delete and f["DELETE"].value())]
        return type(self)(initial=rows, extra=1, prefix=self.prefix, occupations=self.occupations.values())

    def filled_forms(self) -> list[forms.Form]:
        return [f for f in self.forms if f.has_changed() and not self._should_delete_form(f)]

    def clean(self):
        seen, filled = {}, self.filled_forms()
        for number, form in enumerate(self.forms, start=1):
            if form not in filled or form.errors:
                continue
            key = (self.occupation_of(form).pk, form.cleaned_data["certificate_no"].upper())
            if not key[1]:
                continue
            if key in seen:
                form.add_error("certificate_no", _("与第 %(n)s 行的证书编号重复。") % {"n": seen[key]})
            seen.setdefault(key, number)

    def occupation_of(self, form):
        pk = form.cleaned_data["occupation"] if "occupation" in form.fields else next(iter(self.occupations))
        return self.occupations[pk]

    def rows_by_occupation(self) -> dict[int, list[ExaminerRow]]:
        """The filled rows as the services take them, by occupation id."""
        rows = defaultdict(list)
        for form in self.filled_forms():
            d = form.cleaned_data
            rows[self.occupation_of(form).pk].append(ExaminerRow(d["name"], d["certificate_no"], d["level"]))
        return dict(rows)

    def keep_to(self, occupation_ids, message) -> bool:
        """Refuse, beside the field, every row naming an occupation outside `occupation_ids`."""
        ok = True
        for form in self.filled_forms():
            if self.occupation_of(form).pk not in occupation_ids:
                form.add_error("occupation" if "occupation" in form.fields else None, message)
                ok = False
        return ok

    def error_summary(self) -> list[dict]:
        """Every error, named by row number and field label, linked to the field: “第 3 行 证书编号：…”."""
        if not self.is_bound:
            return []
        out = []
        for number, form in enumerate(self.forms, start=1):
            if self.can_delete and self._should_delete_form(form):
                continue
            for error in form.non_field_errors():
                out.append({"text": _("第 %(n)s 行：%(error)s") % {"n": number, "error": error},
                            "anchor": form["name"].id_for_label})
            for field in form.visible_fields():
                for error in field.errors:
                    out.append({"text": _("第 %(n)s 行 %(field)s：%(error)s") % {
                        "n": number, "field": field.label, "error": error}, "anchor": field.id_for_label})
        out.extend({"text": error, "anchor": ""} for error in self.non_form_errors())
        return out


ExaminerFormSet = forms.formset_factory(ExaminerRowForm, formset=BaseExaminerFormSet, extra=3, can_delete=True,
                                        max_num=200)
