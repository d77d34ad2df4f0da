"""Login bookkeeping: failed attempts lock the account for a while (a decoupled side effect)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models import F
from django.dispatch import receiver
from django.utils import timezone

from portal.audit import record


@receiver(user_login_failed)
def count_failed_login(sender, credentials, request=None, **kwargs):
    User = get_user_model()
    username = credentials.get("username", "")
    User.objects.filter(username=username).update(failed_logins=F("failed_logins") + 1)
    user = User.objects.filter(username=username).first()
    if user and user.failed_logins >= settings.LOGIN_FAILURE_LIMIT and not user.locked_until:
        until = timezone.now() + timezone.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        User.objects.filter(pk=user.pk).update(locked_until=until)
        record("account.locked", user, comment=f"连续 {user.failed_logins} 次登录失败，锁定至 {timezone.localtime(until):%H:%M}")


@receiver(user_logged_in)
def reset_failed_logins(sender, user, request=None, **kwargs):
    get_user_model().objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    record("account.login", user, actor=user)
