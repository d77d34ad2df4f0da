"""The one entry point for the audit trail: `record(...)` [001 §4(1), 003 §18: 全程有记录、可追溯].

Every state change, upload, confidential download and export calls it inside the same transaction
as the change itself, so there is no change without its entry.
"""

from __future__ import annotations

import contextvars
import functools
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from portal import audit_actions
from portal.models import AuditChainHead, AuditEntry
from portal.models.audit import Outcome

_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)


def client_ip(request) -> str | None:
    """The client's address, as the audit trail and the rate limits know it.

    X-Forwarded-For is believed only from a proxy of ours (settings.TRUSTED_PROXIES: nginx on the
    same host by default), and read from the right: the nearest hop that is not one of our proxies
    is the client. Whatever a client writes into the header itself sits to the left of that hop
    and is never taken, so a crawler cannot spread itself over invented addresses to escape its
    rate limit, nor put a false address in the audit trail. A hop that is not an IP address is
    never taken either (the audit entry's `inet` column would refuse it). A request with no peer
    address came over a Unix socket, which only a process on this host can reach: our proxy.
    """
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is not None and not _is_trusted_proxy(peer):
        return str(peer)
    client = peer
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            break  # a mangled header: the proxy itself is the last address known for sure
        if not _is_trusted_proxy(address):
            client = address
            break
    return str(client) if client is not None else None


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _is_trusted_proxy(address) -> bool:
    return any(address in network for network in _trusted_networks())


@functools.lru_cache(maxsize=4)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _trusted_networks() -> tuple:
    return _networks(tuple(settings.TRUSTED_PROXIES))


class RequestContextMiddleware:
    """Remembers the client's IP for the request so that services deep below record it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)


@dataclass(frozen=True)
class Event:
    action: str
    obj: object | None = None
    actor: object | None = None
    comment: str = ""
    data: dict | None = None
    outcome: str = Outcome.SUCCEEDED


def _entry(event: Event, ip: str | None, now) -> AuditEntry:
    actor = event.actor if getattr(event.actor, "pk", None) else None
    obj = event.obj
    return AuditEntry(
        created_at=now,
        actor=actor,
        actor_label=(str(actor) if actor else "系统")[:100],
        action=event.action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        comment=event.comment or "",
        ip=ip,
        data=event.data or {},
        outcome=Outcome(event.outcome),
    )


def record_many(events: Iterable[Event], *, ip: str | None = None) -> list[AuditEntry]:
    """Append several entries at once (the deadline sweep): one lock, one insert."""
    events = list(events)
    if not events:
        return []
    for event in events:
        audit_actions.require(event.action)  # every entry names an action of the vocabulary
    ip = ip or _client_ip.get()
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        now = timezone.now()
        entries = []
        prev = head.last_hash
        for event in events:
            entry = _entry(event, ip, now)
            entry.prev_hash = prev
            entry.hash = prev = entry.compute_hash()
            entries.append(entry)
        AuditEntry.objects.bulk_create(entries, batch_size=1000)
        AuditChainHead.objects.filter(pk=1).update(last_hash=prev)
    return entries


def record(action: str, obj=None, *, actor=None, comment: str = "", ip: str | None = None,
           data: dict | None = None, outcome: str = Outcome.SUCCEEDED) -> AuditEntry:
    """Append one audit entry: `record("filing.submit", filing, actor=user, comment=...)`.

    A refused action is recorded with `outcome="refused"` (and in a transaction that survives the
    refusal's rollback), never as a success [003 §18]."""
    return record_many([Event(action, obj, actor, comment, data, outcome)], ip=ip)[0]


def verify_chain() -> AuditEntry | None:
    """The first entry whose stored hash or link does not match its content, or None."""
    prev = "0" * 64
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != prev or entry.compute_hash() != entry.hash:
            return entry
        prev = entry.hash
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and head.last_hash != prev:
        return AuditEntry.objects.order_by("-id").first()
    return None
