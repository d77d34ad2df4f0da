"""Login bookkeeping (decoupled side effects): every login and failed login is audited, and the
owner of an account that django-axes locks is told so (ASVS 7.1, 7.2)."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import record
from portal.lockout import cool_off, username_is_locked
from portal.models.audit import Outcome
from portal.notifications import notify
from portal.security import start_session_clock


def _account(username):
    return get_user_model().objects.filter(username=username).first() if username else None


@receiver(user_login_failed)
def audit_failed_login(sender, credentials, request=None, **kwargs):
    """Never the password (Django has already masked it); the typed name only when it is nobody's."""
    username = (credentials.get("username") or "")[:150]
    user = _account(username)
    data = {"path": request.path[:200]} if request is not None else {}
    if user is None:
        data["username"] = username
    if getattr(request, "axes_locked_out", False):
        data["locked"] = True  # refused before the password was checked
    record("account.login_failed", user, data=data, outcome=Outcome.REFUSED)


@receiver(user_locked_out)
def tell_the_owner_of_a_lock(sender, request, username, ip_address, **kwargs):
    """Once, when the lock begins: a refused attempt during the lock reports no new count."""
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    user = _account(username)
    if user is not None and username_is_locked(request, username):
        until = timezone.localtime(timezone.now() + cool_off(request))
        record("account.locked", user, comment=_("连续多次登录失败，锁定至 %(until)s") % {"until": f"{until:%H:%M}"},
               data={"ip": ip_address})
        notify([user], subject=_("您的账号因多次登录失败已被临时锁定"),
               body=_("有人连续多次以错误的密码登录您的账号，账号已锁定至 %(until)s。如果不是您本人，"
                      "请在解锁后修改密码，或联系系统管理员。") % {"until": f"{until:%Y-%m-%d %H:%M}"})
    else:
        record("login.address_locked", None, comment=_("同一地址连续多次登录失败，暂停该地址登录"),
               data={"ip": ip_address})


@receiver(user_logged_in)
def audit_login(sender, user, request=None, **kwargs):
    if request is not None and hasattr(request, "session"):
        start_session_clock(request)
    record("account.login", user, actor=user)
