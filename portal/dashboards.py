"""Each role lands on its own dashboard. The apps that own the data register what a role's
dashboard shows (`register(role, provider)`), so the portal never imports a domain app."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

_providers: dict[str, list[Callable]] = defaultdict(list)


def register(role: str, provider: Callable) -> None:
    if provider not in _providers[role]:
        _providers[role].append(provider)


def panels_for(user) -> list[dict]:
    """Each provider returns a panel: {"title", "template", ...context} or None."""
    role = "admin" if user.is_superuser else user.role
    return [p for p in (provider(user) for provider in _providers[role]) if p]
