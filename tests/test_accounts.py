"""Accounts: signing in and out, changing one's password, locking an account after repeated
failed logins, and each role landing on its own dashboard (SPEC §1: the actors)."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from portal.demo import DEMO_PASSWORD
from portal.models import AuditEntry, Role, User

pytestmark = pytest.mark.django_db


def login(client, username, password=DEMO_PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_the_login_page_is_in_chinese(client):
    page = client.get(reverse("login")).content.decode()
    assert "登录" in page and "用户名" in page and "密码" in page
    assert "忘记密码请联系系统管理员" in page


def test_signing_in_lands_on_the_dashboard(client, world):
    response = login(client, "city")
    assert response.status_code == 302 and response["Location"] == reverse("portal:dashboard")
    assert "市中心审核员的工作台" in client.get(response["Location"]).content.decode()


def test_a_wrong_password_is_refused_in_chinese(client, world):
    page = login(client, "city", "wrong-password").content.decode()
    assert "用户名或密码不正确" in page
    assert f"连续 {settings.LOGIN_FAILURE_LIMIT} 次失败后账号将被临时锁定" in page
    assert "_auth_user_id" not in client.session


def test_the_public_landing_on_the_home_page_is_sent_to_the_directory(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("directory:search")


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_signing_out_ends_the_session(client, world):
    login(client, "city")
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(reverse("portal:dashboard")).status_code == 302


def test_a_password_can_be_changed(client, world):
    login(client, "city")
    page = client.get(reverse("password_change")).content.decode()
    assert "修改密码" in page and "旧密码" in page and "新密码" in page
    response = client.post(reverse("password_change"), {
        "old_password": DEMO_PASSWORD, "new_password1": "Hu4ngpu-river-2026", "new_password2": "Hu4ngpu-river-2026"})
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    assert "您的密码已修改" in client.get(response["Location"]).content.decode()
    client.post(reverse("logout"))
    assert login(client, "city").status_code == 200  # the old password no longer works
    assert login(client, "city", "Hu4ngpu-river-2026").status_code == 302


def test_a_weak_new_password_is_refused_beside_the_field(client, world):
    login(client, "city")
    page = client.post(reverse("password_change"), {
        "old_password": DEMO_PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}).content.decode()
    assert "提交的内容有误" in page
    assert "太短" in page or "过于常见" in page or "全都是数字" in page
    assert User.objects.get(username="city").check_password(DEMO_PASSWORD)


class TestLockout:
    def fail_until_locked(self, client):
        for _ in range(settings.LOGIN_FAILURE_LIMIT):
            login(client, "pudong", "wrong-password")

    def test_repeated_failures_lock_the_account_even_for_the_right_password(self, client, world):
        self.fail_until_locked(client)
        page = login(client, "pudong").content.decode()
        assert "该账号因多次登录失败已被临时锁定" in page
        assert "_auth_user_id" not in client.session
        assert User.objects.get(username="pudong").locked_until > timezone.now()

    def test_the_lock_is_written_to_the_audit_trail(self, client, world):
        self.fail_until_locked(client)
        entry = AuditEntry.objects.get(action="account.locked")
        assert entry.object_id == str(world.pudong_reviewer.pk)
        assert f"连续 {settings.LOGIN_FAILURE_LIMIT} 次登录失败" in entry.comment

    def test_fewer_failures_do_not_lock(self, client, world):
        for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
            login(client, "pudong", "wrong-password")
        assert login(client, "pudong").status_code == 302
        assert User.objects.get(username="pudong").failed_logins == 0

    def test_the_lock_lapses_after_the_lockout_period(self, client, world):
        self.fail_until_locked(client)
        User.objects.filter(username="pudong").update(locked_until=timezone.now() - timezone.timedelta(seconds=1))
        assert login(client, "pudong").status_code == 302
        user = User.objects.get(username="pudong")
        assert user.locked_until is None and user.failed_logins == 0

    def test_the_administrator_can_unlock_at_once(self, client, world):
        self.fail_until_locked(client)
        admin = client.__class__()
        admin.force_login(world.admin)
        admin.post(reverse("admin:portal_user_changelist"),
                   {"action": "unlock", "_selected_action": [world.pudong_reviewer.pk]})
        assert login(client, "pudong").status_code == 302


@pytest.mark.parametrize("username, role", [
    ("pd_clerk", Role.AGENCY), ("pudong", Role.DISTRICT), ("industry", Role.INDUSTRY), ("city", Role.CITY),
    ("expert1", Role.EXPERT), ("inspector", Role.INSPECTOR), ("admin", Role.ADMIN)])
def test_every_role_lands_on_its_own_dashboard(client, world, username, role):
    login(client, username)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:dashboard")
    assert f"dashboards/{role.value}.html" in [t.name for t in response.templates]
    assert str(role.label) in response.content.decode()
