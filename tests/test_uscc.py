"""统一社会信用代码 (GB 32100-2015): an agency is identified by its USCC, and a mistyped code is
refused with a message that says what is wrong."""

import pytest
from django.core.exceptions import ValidationError

from filings.choices import AgencyKind, Ownership
from filings.models import Agency
from portal.uscc import check_character, normalise_uscc, validate_uscc

KNOWN_GOOD = ["91350100M000100Y43", "91110000802100433B"]


def message_of(exc_info) -> str:
    return " ".join(exc_info.value.messages)


@pytest.mark.parametrize("code", KNOWN_GOOD)
def test_real_codes_are_accepted(code):
    assert validate_uscc(code) == code


def test_lower_case_and_surrounding_spaces_are_normalised():
    assert validate_uscc("  91350100m000100y43 ") == "91350100M000100Y43"
    assert normalise_uscc("\t91110000802100433b\n") == "91110000802100433B"


@pytest.mark.parametrize("code, length", [("9135010", 7), ("91350100M000100Y4", 17), ("91350100M000100Y433", 19),
                                          ("", 0)])
def test_wrong_length_says_how_many_characters_were_typed(code, length):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(code)
    assert exc.value.code == "uscc_length"
    assert f"应为 18 位，您输入了 {length} 位" in message_of(exc)


@pytest.mark.parametrize("bad", ["I", "O", "S", "V", "Z", "-", "中"])
def test_an_illegal_character_is_named(bad):
    code = "91350100M000100Y4" + bad
    with pytest.raises(ValidationError) as exc:
        validate_uscc(code)
    assert exc.value.code == "uscc_character"
    assert f"不允许的字符“{bad}”" in message_of(exc)


def test_a_wrong_check_character_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_uscc("91350100M000100Y44")
    assert exc.value.code == "uscc_check"
    assert "校验位不正确" in message_of(exc)


def test_the_three_messages_are_distinct():
    messages = set()
    for code in ("123", "91350100M000100Y4O", "91350100M000100Y44"):
        with pytest.raises(ValidationError) as exc:
            validate_uscc(code)
        messages.add(message_of(exc))
    assert len(messages) == 3


def test_every_single_character_typo_in_the_body_is_caught():
    """The check character catches any one mistyped character among the first 17."""
    code = KNOWN_GOOD[0]
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for i in range(17):
        for c in alphabet:
            if c != code[i]:
                typo = code[:i] + c + code[i + 1:]
                assert check_character(typo[:17]) != typo[17]


@pytest.mark.django_db
class TestAgencyValidation:
    def agency(self, world, uscc):
        return Agency(name="上海测试评价有限公司", uscc=uscc, kind=AgencyKind.ENTERPRISE,
                      ownership=Ownership.DISTRICT_ENTERPRISE, region=world.pudong, address="浦东新区示范路 1 号",
                      legal_representative="张三", contact_name="李四", contact_phone="021-60000000")

    def test_a_valid_code_passes_and_is_stored_upper_case(self, world):
        agency = self.agency(world, "91350100m000100y43")
        agency.full_clean()
        assert agency.uscc == "91350100M000100Y43"

    def test_a_wrong_check_character_is_an_error_beside_the_field(self, world):
        agency = self.agency(world, "91350100M000100Y44")
        with pytest.raises(ValidationError) as exc:
            agency.full_clean()
        assert "校验位不正确" in " ".join(exc.value.message_dict["uscc"])

    def test_an_illegal_character_is_an_error_beside_the_field(self, world):
        agency = self.agency(world, "91350100M000100YI3")
        with pytest.raises(ValidationError) as exc:
            agency.full_clean()
        assert "不允许的字符“I”" in " ".join(exc.value.message_dict["uscc"])
