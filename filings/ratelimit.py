"""Per-client rate limits for the public directory and the open data API: a fixed-window counter
per client IP in Django's cache (Redis in production, local memory by default).

Limits come from settings.DIRECTORY_RATE_LIMITS {scope: (requests, seconds)}, with the defaults
below; a client over its limit gets 429 (the branded page, or JSON for the API) with Retry-After, others are served.
"""

from __future__ import annotations

import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render

from portal.audit import client_ip

DEFAULT_LIMITS = {
    "directory": (120, 60),  # search and agency pages
    "api": (120, 60),
    "export": (10, 60),
}
MESSAGE = "访问过于频繁，请 {seconds} 秒后再试。"


def limit_for(scope: str) -> tuple[int, int]:
    return getattr(settings, "DIRECTORY_RATE_LIMITS", {}).get(scope, DEFAULT_LIMITS[scope])


def retry_after(request, scope: str) -> int | None:
    """Count this request; None when allowed, else the seconds until the window resets."""
    limit, window = limit_for(scope)
    now = int(time.time())
    start = now - now % window
    key = f"ratelimit:{scope}:{client_ip(request) or 'unknown'}:{start}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    if count <= limit:
        return None
    return max(1, start + window - now)


def rate_limited(scope: str, *, json: bool = False):
    """Decorate a view so that a client over `scope`'s limit is refused with 429."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            seconds = retry_after(request, scope)
            if seconds is None:
                return view(request, *args, **kwargs)
            message = MESSAGE.format(seconds=seconds)
            if json:
                response = JsonResponse({"detail": message}, status=429, json_dumps_params={"ensure_ascii": False})
            else:
                response = render(request, "429.html", {"seconds": seconds}, status=429)
            response["Retry-After"] = str(seconds)
            response["Cache-Control"] = "no-store"
            return response

        return wrapped

    return decorator
