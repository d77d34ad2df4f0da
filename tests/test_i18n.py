"""The interface language: Simplified Chinese by default, English on request (the header's EN
button posts to Django's set_language view, which remembers the choice in a cookie)."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from portal.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def switch_to(client, language, next_url="/"):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def test_a_new_visitor_sees_the_portal_in_simplified_chinese(client):
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "登录" in page and "忘记密码请联系系统管理员" in page
    assert "Log in" not in page


def test_the_en_button_switches_the_login_page_to_english(client):
    response = switch_to(client, "en", reverse("login"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    page = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in page
    assert '<h1 id="login-title">Log in</h1>' in page
    assert "Skills Evaluation Agency Filing and Oversight Portal" in page
    assert "Forgotten your password? Please contact the administrator." in page
    assert "忘记密码" not in page


def test_a_signed_in_reviewer_gets_an_english_dashboard_and_navigation(client, world):
    switch_to(client, "en")
    client.post(reverse("login"), {"username": "city", "password": DEMO_PASSWORD})

    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "<h1>Dashboard: 市中心审核员</h1>" in page
    assert ">Filing review</a>" in page and ">Log out</button>" in page
    assert "的工作台" not in page and "退出登录" not in page


def test_switching_back_restores_chinese(client, world):
    switch_to(client, "en")
    switch_to(client, "zh-hans")
    client.post(reverse("login"), {"username": "city", "password": DEMO_PASSWORD})

    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "市中心审核员的工作台" in page and "退出登录" in page
    assert "Log out" not in page


def test_every_english_entry_is_translated():
    """No msgid is left empty or fuzzy, so no Chinese slips into the English pages unseen."""
    po = (settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = po.split("\n\n")[1:]  # the first block is the header
    untranslated = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""\n(?!")', e.strip() + "\n", re.M)]
    fuzzy = [e for e in entries if "#, fuzzy" in e and not e.lstrip().startswith("#~")]
    assert not untranslated, untranslated[:3]
    assert not fuzzy, fuzzy[:3]


def test_the_city_reviewer_works_in_english_labels_and_buttons(client, world):
    """Labels that come from Python — state choices, work-list tabs, countdowns, action buttons,
    progress steps — follow the chosen language too, while stored data stays as entered."""
    import datetime

    from django.utils import timezone

    from filings.choices import FilingState as S

    long_ago = timezone.localdate() - datetime.timedelta(days=100)
    late = world.filing(state=S.SELECTION, today=long_ago)
    switch_to(client, "en")
    client.post(reverse("login"), {"username": "city", "password": DEMO_PASSWORD})

    page = client.get(reverse("filings:worklist") + "?tab=all").content.decode()
    assert "Selection decision" in page and ">Overdue" in page and "10 days overdue" in page
    assert "遴选审定" not in page and "已逾期" not in page

    page = client.get(reverse("filings:detail", args=[late.pk])).content.decode()
    assert "Approve and file" in page or "Approve and publish notice" in page
    assert "Completeness check" in page and "Expert review" in page
    assert "审定通过" not in page and "形式审查" not in page


def test_english_does_not_leak_into_stored_notifications(client, world):
    """A reviewer reading English still writes the portal's records in Chinese."""
    from filings.choices import FilingState as S
    from portal.models import Notification

    filing = world.filing(state=S.SELECTION)
    action = "approve_for_notice" if filing.notice_required() else "approve"
    switch_to(client, "en")
    client.post(reverse("login"), {"username": "city", "password": DEMO_PASSWORD})
    response = client.post(reverse("filings:act", args=[filing.pk]),
                           {"action": action, "expected_state": S.SELECTION}, follow=True)
    assert "Done: Approve" in response.content.decode()
    subjects = list(Notification.objects.filter(subject__contains=filing.agency.name).values_list("subject", flat=True))
    assert any("遴选审定 → " in s for s in subjects), subjects
    assert not any("Selection" in s for s in subjects), subjects
