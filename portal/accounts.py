"""Login with lockout, and where each role lands."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LockoutAuthenticationForm(AuthenticationForm):
    """Refuses a locked account before checking the password, so guessing gains nothing."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确。连续 %(limit)s 次失败后账号将被临时锁定。"),
        "locked": _("该账号因多次登录失败已被临时锁定，请于 %(until)s 后再试，或联系系统管理员。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        user = get_user_model().objects.filter(username=username).first() if username else None
        if user and user.locked_until:
            if user.locked_until > timezone.now():
                raise forms.ValidationError(
                    self.error_messages["locked"], code="locked",
                    params={"until": f"{timezone.localtime(user.locked_until):%H:%M}"})
            get_user_model().objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        return super().clean()

    def get_invalid_login_error(self):
        return forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login",
                                     params={"limit": settings.LOGIN_FAILURE_LIMIT})
