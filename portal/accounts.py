"""Login (the lockout itself is django-axes: portal/lockout.py) and unlocking an account."""

from __future__ import annotations

from axes.utils import reset as reset_axes
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from portal.audit import record
from portal.text import CleanTextMixin


class PortalAuthenticationForm(CleanTextMixin, AuthenticationForm):
    """One message for a wrong password and for a locked account or address: whoever types a name
    learns nothing about the account. Its owner is told of a lock by notification."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确，或尝试次数过多。连续 %(limit)s 次失败后账号将被临时锁定，"
                           "请稍后再试或联系系统管理员。"),
    }

    def get_invalid_login_error(self):
        error = super().get_invalid_login_error()
        error.params = {**(error.params or {}), "limit": settings.LOGIN_FAILURE_LIMIT}
        return error


def unlock_account(*, user, actor) -> int:
    """An administrator lifts the lock on `user` at once: every failure counted for the username
    is forgotten (its addresses' counters are left alone), and the unlock is audited."""
    with transaction.atomic():
        cleared = reset_axes(username=user.get_username())
        record("account.unlock", user, actor=actor, data={"failures_cleared": cleared})
    return cleared
