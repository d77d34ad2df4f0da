"""The login lockout, through django-axes for every login form (the portal's and the admin's).

Two counters, each with its own limit: failures for one username (LOGIN_FAILURE_LIMIT) and
failures from one client address (LOGIN_ADDRESS_FAILURE_LIMIT: many usernames sprayed from one
place, set higher because an office's staff share one address). Whoever types a name gets the
same answer for a locked account as for a wrong password; the account's owner learns of the lock
by notification (portal/signals.py).
"""

from __future__ import annotations

from datetime import timedelta

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpResponseBase


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked account or address before any password is checked.

    A call without a request comes from code in this process (the test client's `login`, a
    management command), never from a login form, so it has nothing to count."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def failure_limit(request, credentials) -> int:
    """AXES_FAILURE_LIMIT, read when asked so that a changed setting takes effect."""
    return settings.LOGIN_FAILURE_LIMIT


def cool_off(request=None) -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LockoutHandler(AxesDatabaseHandler):
    """Axes compares the largest counter with one limit; here each counter meets its own.

    `get_failures` answers in the username's scale: the full limit once either counter has reached
    its limit, else the username's own count, so axes' comparison holds for both."""

    def get_failures(self, request, credentials=None) -> int:
        by_username, by_address = self.get_user_attempts(request, credentials)
        username_failures = _failures(by_username) if get_client_username(request, credentials) else 0
        if username_failures >= settings.LOGIN_FAILURE_LIMIT or \
                _failures(by_address) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return settings.LOGIN_FAILURE_LIMIT
        return min(username_failures, settings.LOGIN_FAILURE_LIMIT - 1)


def username_is_locked(request, username: str) -> bool:
    """Whether the account's own counter has reached its limit (not merely its address's)."""
    recent = AccessAttempt.objects.filter(username=username, attempt_time__gte=get_cool_off_threshold(request))
    return _failures(recent) >= settings.LOGIN_FAILURE_LIMIT


def lockout_response(request, original_response=None, credentials=None):
    """The login page as the form answered it: "wrong username or password", never "locked".

    The backend refused before the password was checked, so the form shows its generic error; the
    status is the same 200 as a wrong password's, so nothing tells the two apart."""
    if isinstance(original_response, HttpResponseBase):
        return original_response
    from django.contrib.auth.views import LoginView

    return LoginView.as_view()(request)  # an async caller has no original response
