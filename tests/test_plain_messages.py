"""Every message a person reads is plain Chinese (or English when chosen): no English password rules
in the Chinese UI, no garbled stock messages, no raw action codes."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation


def test_the_password_rules_are_chinese(db):
    with translation.override("zh-hans"):
        try:
            validate_password("12345")
        except ValidationError as exc:
            messages = exc.messages
    assert "密码太短：至少需要 10 个字符。" in messages
    assert not [m for m in messages if "password" in m.lower()]


def test_the_password_change_page_speaks_chinese(client, world):
    client.force_login(world.pudong_clerk)
    page = client.post("/accounts/password/", {"old_password": "x", "new_password1": "abc",
                                              "new_password2": "abc"}).content.decode()
    assert "This password" not in page and "至少需要 10 个字符" in page


def test_a_nul_character_is_refused_in_plain_words(db):
    from django import forms

    with translation.override("zh-hans"):
        try:
            forms.CharField().clean("上海\x00某公司")
        except ValidationError as exc:
            assert exc.messages == ["不能包含空字符等不可见的控制字符，请删除后重新输入。"]
