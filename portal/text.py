"""What free text a person types may contain, on every path: forms (`CleanTextMixin`), models (the
validators below, on the fields) and services (`clean_text`).

Text is NFC-normalised, so the same name typed two ways is stored one way. Characters nobody can see
are refused, with the code point named so the person can find it: control characters, format
characters (the right-to-left override U+202E that shows a USCC backwards, the zero-width space that
makes a name look like another and escape search, the byte-order mark, the soft hyphen…), line and
paragraph separators, private-use and unassigned code points, and the few "letters" that render as
nothing. A multi-line field keeps its line breaks and tabs.

Names, phone numbers and e-mail addresses are then checked as what they are: a phone field does not
take a date or HTML.
"""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

# Render as blank though Unicode calls them letters or symbols (Hangul fillers, the braille blank).
INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Categories refused anywhere: controls, format characters, line/paragraph separators, surrogates,
# private use, unassigned.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
MULTILINE_ALLOWED = frozenset("\n\r\t")


def _first_invisible(value: str, *, multiline: bool) -> str | None:
    for char in value:
        if multiline and char in MULTILINE_ALLOWED:
            continue
        if unicodedata.category(char) in REFUSED_CATEGORIES or char in INVISIBLE_LETTERS:
            return char
    return None


def refuse_invisible(value: str, *, multiline: bool = False) -> None:
    char = _first_invisible(value, multiline=multiline)
    if char is not None:
        raise ValidationError(
            _("含有不可见字符或文字方向控制字符（%(code)s），请删除后重新输入。"),
            code="invisible_character", params={"code": f"U+{ord(char):04X}"})


def clean_text(value: str, *, multiline: bool = False) -> str:
    """The text NFC-normalised (line breaks as "\\n"), or a ValidationError naming the first
    invisible or direction-control character. For services that take free text from a person."""
    if value is None:
        return value
    value = unicodedata.normalize("NFC", str(value))
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    refuse_invisible(value, multiline=multiline)
    return value


def strip_invisible(value: str) -> str:
    """The text without any invisible or direction-control character, NFC-normalised: for search
    input, where a stray zero-width space should not make a name impossible to find."""
    value = unicodedata.normalize("NFC", value)
    return "".join(c for c in value if unicodedata.category(c) not in REFUSED_CATEGORIES
                   and c not in INVISIBLE_LETTERS)


# ----- model field validators (module-level functions, so migrations can name them) ------------

def validate_text(value: str) -> None:
    """One line of free text: an address, a title, a certificate number."""
    refuse_invisible(value)


def validate_multiline_text(value: str) -> None:
    """Free text over several lines: comments, reasons, opinions, notes."""
    refuse_invisible(value, multiline=True)


# A person's name: letters of any script (汉字 above all), the middle dot of transliterated names
# (U+00B7, and the look-alikes people type: U+2022, U+30FB, U+FF0E), spaces, hyphens, apostrophes
# and full stops, as in "阿卜杜拉·买买提" or "Mary O'Neil-Smith".
PERSON_NAME = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ ·•・．.'’\-])*$")
# An organisation's name: letters, digits, spaces and the punctuation registered names carry.
ORG_NAME_CHARACTERS = re.compile(r"^[\w ·•・．.,，、'’&＆()（）\[\]【】〔〕《》“”\"/／\-－—–:：+＋#＃]+$")


def validate_person_name(value: str) -> None:
    refuse_invisible(value)
    if not PERSON_NAME.match(value):
        raise ValidationError(_("姓名只能包含汉字或字母，以及间隔号“·”、空格、连字符，不能含数字或符号。"),
                              code="person_name")


def validate_org_name(value: str) -> None:
    refuse_invisible(value)
    if not ORG_NAME_CHARACTERS.match(value) or not any(c.isalpha() for c in value) or value[0] in "+＋-－":
        raise ValidationError(_("名称只能包含汉字、字母、数字、括号、间隔号和常见标点，请按营业执照或登记证书填写。"),
                              code="org_name")


# Mainland numbers: a mobile (1[3-9] and nine digits, optionally +86), a landline with its area code
# (010–0999) and an optional extension, or a 400/800 service number. The area code must start with
# 0, so a date such as 2026-02-30 can never pass.
PHONE_PATTERNS = (
    re.compile(r"^(?:\+?86-?)?1[3-9]\d{9}$"),
    re.compile(r"^(?:0\d{2,3}-?|\(0\d{2,3}\)|（0\d{2,3}）)\d{7,8}(?:-\d{1,6})?$"),
    re.compile(r"^[48]00-?\d{3}-?\d{4}$"),
)


def validate_phone(value: str) -> None:
    refuse_invisible(value)
    compact = value.replace(" ", "")
    if not any(p.match(compact) for p in PHONE_PATTERNS):
        raise ValidationError(
            _("请填写手机号码（如 13812345678）或带区号的固定电话（如 021-12345678，分机写在最后：021-12345678-123）。"),
            code="phone")


validate_email = EmailValidator(message=_("请填写有效的电子邮箱地址，如 name@example.com。"))


def validate_phone_or_email(value: str) -> None:
    """A way to reach a member of the public: a phone number or an e-mail address."""
    refuse_invisible(value)
    validator = validate_email if "@" in value else validate_phone
    try:
        validator(value)
    except ValidationError:
        raise ValidationError(_("请填写手机号码、带区号的固定电话或电子邮箱。"), code="phone_or_email") from None


# ----- forms ------------------------------------------------------------------------------------

def is_free_text(field: forms.Field) -> bool:
    """A field a person types into; never a password, which is taken byte for byte."""
    return isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput)


def _normalising(to_python, *, multiline: bool):
    def to_clean_text(value):
        value = to_python(value)
        return clean_text(value, multiline=multiline) if isinstance(value, str) else value
    to_clean_text.cleans_text = True
    return to_clean_text


class CleanTextMixin:
    """For every form: each free-text field turns its input into clean text (`clean_text`) as the
    first step of its cleaning, so its own validators, `clean_<name>()` and `clean()` only ever see
    NFC-normalised text with "\\n" line breaks, and invisible or direction-control characters are
    refused beside the field. Put it first among the bases: `class MyForm(CleanTextMixin, forms.Form)`.
    Fields are wrapped when the form is cleaned, so fields a form adds in its own `__init__` are
    covered too; they are the form's own copies, so the class's fields are untouched."""

    def full_clean(self):
        for field in self.fields.values():
            if is_free_text(field) and not getattr(field.to_python, "cleans_text", False):
                field.to_python = _normalising(field.to_python, multiline=isinstance(field.widget, forms.Textarea))
        super().full_clean()
