"""Chinese is the portal's language; English only by the person's choice."""

from django.conf import settings


def test_an_english_browser_still_gets_the_chinese_portal(client, db):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "登录" in page and 'lang="zh-hans"' in page


def test_choosing_english_with_the_switch_gives_english(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/accounts/login/").content.decode()
    assert "Log in" in page and 'lang="en"' in page
