"""统一社会信用代码 (USCC), GB 32100-2015: 18 characters from a 31-character alphabet, the last a
check character computed from the first 17 with weights 3^i mod 31."""

from django.core.exceptions import ValidationError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
WEIGHTS = [pow(3, i, 31) for i in range(17)]


def normalise_uscc(value: str) -> str:
    return (value or "").strip().upper()


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Return the normalised code, or raise ValidationError with a message that says what is wrong."""
    code = normalise_uscc(value)
    if len(code) != 18:
        raise ValidationError(
            "统一社会信用代码应为 18 位，您输入了 %(n)s 位。", code="uscc_length", params={"n": len(code)})
    bad = [c for c in code if c not in ALPHABET]
    if bad:
        raise ValidationError(
            "统一社会信用代码含有不允许的字符“%(c)s”（不使用 I、O、S、V、Z）。", code="uscc_character",
            params={"c": bad[0]})
    if check_character(code[:17]) != code[17]:
        raise ValidationError("统一社会信用代码校验位不正确，请核对后重新输入。", code="uscc_check")
    return code
