"""Middleware that hardens every response: the Content-Security-Policy, no caching of confidential
downloads, session time limits, and an audit entry for each refused access (ASVS 3.3, 7.1, 7.2)."""

from __future__ import annotations

import time

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from portal.audit import record
from portal.models.audit import Outcome

SESSION_STARTED = "portal_session_started"
SESSION_SEEN = "portal_session_seen"
SEEN_RESOLUTION = 60  # seconds: the session is written at most once a minute to note activity


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """settings.CONTENT_SECURITY_POLICY everywhere. The Django admin's change list and the import/export
    pages carry inline styles we do not write, so there alone styles may be inline (scripts never)."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith("/admin/"):
            parts.update = {**(parts.update or {}), "style-src": [UNSAFE_INLINE]}
        return parts


class ConfidentialDownloadMiddleware:
    """Every file handed out as a download (`FileResponse`, or `Content-Disposition: attachment`) is
    kept out of every cache, browser and proxy alike. One place, so a new download view cannot
    forget it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        disposition = response.get("Content-Disposition", "")
        if isinstance(response, FileResponse) or disposition.lower().startswith("attachment"):
            response["Cache-Control"] = "private, no-store"
            response.headers.pop("Expires", None)
        return response


def session_limits(user) -> tuple[int, int]:
    """(idle seconds, absolute seconds) for this person's session."""
    from portal.models import Role

    if getattr(user, "role", None) == Role.AGENCY:
        return settings.AGENCY_SESSION_IDLE_MINUTES * 60, settings.AGENCY_SESSION_MAX_HOURS * 3600
    return settings.STAFF_SESSION_IDLE_MINUTES * 60, settings.STAFF_SESSION_MAX_HOURS * 3600


def start_session_clock(request) -> None:
    """Called at login: the absolute limit counts from here."""
    now = int(time.time())
    request.session[SESSION_STARTED] = request.session[SESSION_SEEN] = now


class SessionTimeoutMiddleware:
    """Signs a person out after a while without a request, and after a fixed time in all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.setdefault(SESSION_STARTED, now)
            seen = session.get(SESSION_SEEN, now)
            idle, absolute = session_limits(user)
            if now - seen > idle or now - started > absolute:
                logout(request)
                messages.info(request, _("由于长时间未操作或登录时间已达上限，您已退出登录，请重新登录。"))
            elif now - seen >= SEEN_RESOLUTION or SESSION_SEEN not in session:
                session[SESSION_SEEN] = now
        return self.get_response(request)


class RefusedAccessAuditMiddleware:
    """A signed-in person refused an object (a view raised Http404 or PermissionDenied) is audited:
    probing other jurisdictions' records leaves a trace (ASVS 7.2.2). One insert, refusals only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (Http404, PermissionDenied)):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        reason = "not_found" if isinstance(exception, Http404) else "permission_denied"
        record("access.denied", None, actor=user, outcome=Outcome.REFUSED,
               data={"path": request.path[:300], "method": request.method, "reason": reason})
        return None
