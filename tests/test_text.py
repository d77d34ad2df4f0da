"""Free text on every path (issue #11 item 4): NFC-normalised, no invisible or direction-control
characters, and names, phone numbers and e-mail addresses checked as what they are. Bad input is
refused beside the field in Chinese and changes nothing."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments.forms import ApplicationForm
from filings.choices import FilingState as S
from filings.forms.review import ActionForm
from filings.models import Agency, Objection
from portal.models import AuditEntry
from portal.text import (
    clean_text,
    is_free_text,
    strip_invisible,
    validate_org_name,
    validate_person_name,
    validate_phone,
    validate_phone_or_email,
)
from tests.test_agency_registration import REGISTER, registration

INVISIBLE = ["\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\u200b", "\u200c", "\u200d", "\u2060",
             "\ufeff", "\u00ad", "\x00", "\x1b", "\x7f", "\u2028", "\ue000", "\U000e0001", "\u0378", "\u3164"]


@pytest.mark.parametrize("char", INVISIBLE)
def test_invisible_and_direction_control_characters_are_refused_naming_the_code_point(char):
    with pytest.raises(ValidationError) as refused:
        clean_text(f"上海浦江{char}电气有限公司")
    assert refused.value.messages == [
        f"含有不可见字符或文字方向控制字符（U+{ord(char):04X}），请删除后重新输入。"]


def test_text_is_nfc_normalised_and_a_text_area_keeps_its_lines():
    decomposed = unicodedata.normalize("NFD", "Café 上海")
    assert clean_text(decomposed) == "Café 上海" != decomposed
    assert clean_text("第一行\r\n第二行\t缩进", multiline=True) == "第一行\n第二行\t缩进"
    with pytest.raises(ValidationError):
        clean_text("一行\n两行")  # a single-line field takes no line break
    assert clean_text("上海\u3000浦东 新区") == "上海\u3000浦东 新区"  # visible spaces stay


@pytest.mark.parametrize("phone", ["13812345678", "+86 138 1234 5678", "021-12345678", "0571-8888888",
                                   "021-12345678-123", "(021)12345678", "400-123-4567", "800-820-8820"])
def test_phone_numbers_people_write_are_accepted(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["2026-02-30", "2026-02-30 10:00", "<b>13812345678</b>", "1381234567a",
                                   "12345678", "021-1", "电话13812345678", "23812345678", "13812345678 / 021-12345678"])
def test_a_phone_field_takes_no_date_no_html_and_no_letters(phone):
    with pytest.raises(ValidationError) as refused:
        validate_phone(phone)
    assert "请填写手机号码" in refused.value.messages[0]


def test_names_are_checked_as_names():
    for name in ["张三", "阿卜杜拉·买买提", "Mary O'Neil-Smith"]:
        validate_person_name(name)
    for name in ["张三1", "<script>", "张=三", "2026-02-30"]:
        with pytest.raises(ValidationError, match="姓名只能包含"):
            validate_person_name(name)
    for name in ["上海浦江电气有限公司", "中国石化（上海）分公司", "上海A&B技能评价中心"]:
        validate_org_name(name)
    for name in ['=HYPERLINK("x")', "+1 机构", "<b>机构</b>", "1234"]:
        with pytest.raises(ValidationError, match="名称只能包含"):
            validate_org_name(name)
    validate_phone_or_email("wang@example.com")
    with pytest.raises(ValidationError, match="电子邮箱"):
        validate_phone_or_email("wang@")


def test_a_name_with_a_right_to_left_override_is_refused_on_the_registration_form(client, world):
    response = client.post(REGISTER, registration(world, **{"agency-name": "上海新浦\u202e司公限有价评能技"}))
    assert "含有不可见字符或文字方向控制字符（U+202E）" in response.content.decode()
    assert not Agency.objects.filter(uscc=registration(world)["agency-uscc"]).exists()
    assert not AuditEntry.objects.filter(action="agency.register").exists()


def test_the_agency_page_refuses_a_zero_width_space_and_a_date_as_a_phone_and_changes_nothing(client, world):
    agency = world.pudong_enterprise
    before = Agency.objects.filter(pk=agency.pk).values().get()
    client.force_login(world.pudong_clerk)
    page = client.post("/my/agency/", {"name": "上海浦江\u200b电气有限公司", "contact_name": "新联系人",
                                       "contact_phone": "2026-02-30", "contact_email": ""}).content.decode()
    assert "U+200B" in page and "请填写手机号码" in page
    assert Agency.objects.filter(pk=agency.pk).values().get() == before
    assert not AuditEntry.objects.filter(action="agency.update").exists()


def test_the_model_refuses_what_the_form_refuses_whatever_path_saves_it(world):
    agency = world.pudong_enterprise
    agency.name, agency.contact_phone, agency.legal_representative = "上海\u202e浦江", "<b>1</b>", "张三3"
    with pytest.raises(ValidationError) as refused:
        agency.full_clean()
    assert set(refused.value.message_dict) >= {"name", "contact_phone", "legal_representative"}


def test_an_objection_with_html_as_contact_or_hidden_characters_is_refused(client, world):
    filing = world.filing(state=S.PUBLIC_NOTICE)
    item = filing.notice_items.get()
    page = client.post(reverse("filings:objection_new", args=[item.pk]),
                       {"name": "王\u200d先生", "contact": "<script>alert(1)</script>",
                        "text": "该机构\u202e场地不实。"}).content.decode()
    assert "含有不可见字符或文字方向控制字符（U+200D）" in page and "（U+202E）" in page
    assert "请填写手机号码、带区号的固定电话或电子邮箱" in page
    assert not Objection.objects.exists()


def test_comment_and_reason_fields_of_plain_forms_are_cleaned_too():
    form = ActionForm({"action": "request_supplement", "expected_state": "submitted",
                       "comment": "请补正\u202e材料"})
    assert not form.is_valid() and "U+202E" in form.errors["comment"][0]
    form = ActionForm({"action": "request_supplement", "expected_state": "submitted",
                       "comment": unicodedata.normalize("NFD", "请补正材料：é\r\n第二条")})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["comment"] == "请补正材料：é\n第二条"


def test_the_renewal_form_checks_the_contact_as_a_name_and_a_phone():
    form = ApplicationForm({"contact_name": "李四4", "contact_phone": "2026-02-30", "address": "浦东新区"})
    assert not form.is_valid()
    assert "姓名只能包含" in form.errors["contact_name"][0]
    assert "请填写手机号码" in form.errors["contact_phone"][0]


def test_the_login_form_cleans_the_username_and_leaves_the_password_alone():
    from portal.accounts import PortalAuthenticationForm

    form = PortalAuthenticationForm(data={"username": "pd\u200bclerk", "password": "pass\u200bword"})
    assert is_free_text(form.fields["username"]) and not is_free_text(form.fields["password"])


def test_a_search_typed_with_a_zero_width_space_finds_the_name(client, world):
    world.filing(state=S.ACTIVE)
    assert strip_invisible("浦\u200b江\u202e") == "浦江"
    names = [e["name"] for e in client.get("/directory/", {"q": "浦\u200b江"}).context["entries"]]
    assert names == ["上海浦江电气有限公司"]


def test_legacy_names_cannot_flip_the_text_around_them_on_the_agency_page(client, world):
    """Data saved before these rules (written here past the model) is isolated with <bdi>."""
    filing = world.filing(state=S.ACTIVE)
    Agency.objects.filter(pk=filing.agency_id).update(name="上海\u202e浦江电气")
    page = client.get(f"/directory/{filing.number}/").content.decode()
    assert "<h1><bdi>上海\u202e浦江电气</bdi></h1>" in page
