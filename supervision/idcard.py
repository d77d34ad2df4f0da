"""Resident identity numbers (公民身份号码) as GB 11643-1999 defines them: 6 digits of the address
code, 8 of the birth date (YYYYMMDD), 3 of the sequence, and a check character computed with the
ISO 7064 MOD 11-2 weights. Independent of the rest of the portal so that any import can use it."""

from __future__ import annotations

import datetime
import re

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"  # the check character for (Σ digit·weight) mod 11 = 0, 1, 2, …
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def normalise(value: object) -> str:
    """What a person typed or a spreadsheet held: stripped, full-width digits and a lower-case x
    made plain (a number cell such as 1.1e17 cannot hold 18 digits and is left to fail)."""
    text = str(value or "").strip().upper()
    return text.translate({ord("０") + i: str(i) for i in range(10)} | {ord("Ｘ"): "X"})


def check_char(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def problem(value: object, *, today: datetime.date | None = None) -> str | None:
    """Why `value` is not a valid 18-character identity number (in Chinese), or None."""
    text = normalise(value)
    if not text:
        return "身份证号码为空"
    if not _SHAPE.match(text):
        return "身份证号码应为18位（前17位为数字，末位为数字或X）"
    try:
        born = datetime.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return "身份证号码中的出生日期不存在"
    if born.year < 1900 or born > (today or datetime.date.today()):
        return "身份证号码中的出生日期不合理"
    if check_char(text[:17]) != text[17]:
        return "身份证号码校验位错误（GB 11643）"
    return None


def is_valid(value: object) -> bool:
    return problem(value) is None


def birth_date(value: str) -> datetime.date:
    text = normalise(value)
    return datetime.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))


def mask(value: str | None) -> str:
    """What a screen or an export shows: the first 6 and last 4 characters (310115********123X)."""
    text = normalise(value)
    if len(text) < 10:
        return "*" * len(text)
    return f"{text[:6]}{'*' * (len(text) - 10)}{text[-4:]}"


def make(prefix17: str) -> str:
    """A valid number from its first 17 digits (for demo data and tests)."""
    return prefix17 + check_char(prefix17)
