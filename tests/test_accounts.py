"""Accounts: signing in and out, changing one's password, locking an account or an address after
repeated failed logins on any login form (issue #11.1), and each role landing on its own dashboard
(SPEC §1: the actors)."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from portal.accounts import PortalAuthenticationForm, unlock_account
from portal.demo import DEMO_PASSWORD
from portal.models import AuditEntry, Notification, Role, User

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
    """django-axes counts failures per username and per client address, on every login form."""

    def fail_until_locked(self, client, url=None, username="pudong"):
        for _ in range(settings.LOGIN_FAILURE_LIMIT):
            client.post(url or reverse("login"), {"username": username, "password": "wrong-password"})

    def test_a_locked_account_gets_the_same_answer_as_a_wrong_password_even_with_the_right_one(self, client, world):
        wrong = login(client, "pudong", "wrong-password")
        self.fail_until_locked(client)
        locked = login(client, "pudong")
        assert locked.status_code == wrong.status_code == 200
        assert "_auth_user_id" not in client.session
        message = str(PortalAuthenticationForm.error_messages["invalid_login"]) % {"limit": settings.LOGIN_FAILURE_LIMIT}
        assert message in locked.content.decode() and message in wrong.content.decode()
        assert "锁定至" not in locked.content.decode()

    def test_the_owner_is_told_of_the_lock_and_it_is_audited(self, client, world):
        self.fail_until_locked(client)
        login(client, "pudong", "wrong-password")  # during the lock: no second notice
        entry = AuditEntry.objects.get(action="account.locked")
        assert entry.object_id == str(world.pudong_reviewer.pk)
        notice = Notification.objects.get(recipient=world.pudong_reviewer)
        assert "临时锁定" in notice.subject

    def test_every_failed_login_is_audited_without_the_password(self, client, world):
        login(client, "pudong", "Sekret-typed-wrong")
        login(client, "nobody-such", "Sekret-typed-wrong")
        entries = list(AuditEntry.objects.filter(action="account.login_failed").order_by("id"))
        assert [e.object_id for e in entries] == [str(world.pudong_reviewer.pk), ""]
        assert entries[1].data["username"] == "nobody-such"
        assert all(e.outcome == "refused" for e in entries)
        assert not any("Sekret" in f"{e.comment}{e.data}{e.object_repr}" for e in entries)

    def test_fewer_failures_do_not_lock(self, client, world):
        for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
            login(client, "pudong", "wrong-password")
        assert login(client, "pudong").status_code == 302
        assert not AccessAttempt.objects.filter(username="pudong").exists()  # a success resets the count

    def test_the_lock_lapses_after_the_lockout_period(self, client, world):
        self.fail_until_locked(client)
        AccessAttempt.objects.update(
            attempt_time=timezone.now() - timezone.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, seconds=1))
        assert login(client, "pudong").status_code == 302

    def test_the_admin_login_is_locked_too(self, client, world):
        self.fail_until_locked(client, reverse("admin:login"), username="admin")
        response = client.post(reverse("admin:login"), {"username": "admin", "password": DEMO_PASSWORD})
        assert response.status_code == 200 and "_auth_user_id" not in client.session
        assert login(client, "admin").status_code == 200  # and the portal's form knows it

    def test_failures_on_both_forms_count_together(self, client, world):
        for url in [reverse("login"), reverse("admin:login")] * settings.LOGIN_FAILURE_LIMIT:
            client.post(url, {"username": "admin", "password": "wrong-password"})
        assert client.post(reverse("admin:login"), {"username": "admin", "password": DEMO_PASSWORD}).status_code == 200
        assert "_auth_user_id" not in client.session

    def test_spraying_many_usernames_from_one_address_locks_the_address(self, client, world, settings):
        settings.LOGIN_ADDRESS_FAILURE_LIMIT = 4
        for username in ["city", "xuhui", "minhang", "industry"]:
            login(client, username, "wrong-password", REMOTE_ADDR="198.51.100.7")
        assert login(client, "pudong", REMOTE_ADDR="198.51.100.7").status_code == 200  # the address is shut
        assert login(client, "city", REMOTE_ADDR="198.51.100.8").status_code == 302  # the accounts are not
        assert AuditEntry.objects.filter(action="login.address_locked").count() == 1
        assert not AuditEntry.objects.filter(action="account.locked").exists()
        assert not Notification.objects.exists()

    def test_the_address_limit_follows_the_trusted_proxy_rule(self, client, world, settings):
        settings.LOGIN_ADDRESS_FAILURE_LIMIT = 2
        for n, username in enumerate(["city", "xuhui"]):  # a forged X-Forwarded-For changes nothing
            login(client, username, "wrong-password", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}")
        assert AccessAttempt.objects.filter(ip_address="198.51.100.7").count() == 2
        assert login(client, "pudong", REMOTE_ADDR="198.51.100.7").status_code == 200

    def test_the_administrator_unlocks_at_once_and_it_is_audited(self, client, world):
        self.fail_until_locked(client)
        admin = client.__class__()
        admin.force_login(world.admin)
        admin.post(reverse("admin:portal_user_changelist"),
                   {"action": "unlock", "_selected_action": [world.pudong_reviewer.pk]})
        entry = AuditEntry.objects.get(action="account.unlock")
        assert entry.actor == world.admin and entry.object_id == str(world.pudong_reviewer.pk)
        assert login(client, "pudong").status_code == 302

    def test_unlock_account_is_one_service(self, client, world):
        self.fail_until_locked(client)
        assert unlock_account(user=world.pudong_reviewer, actor=world.admin) == 1
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
