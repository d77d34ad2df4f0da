"""The audit trail's vocabulary: every action an entry may name, with the label a person reads
[003 §18: 全程有记录、可追溯]. No raw code such as `filing.accept` reaches a screen.

Each app registers its own actions when it is ready (`<app>/audit_actions.py`), the way saleor keeps
its order events and Zulip its RealmAuditLog event types: one enumerated set per subject. `record()`
refuses an action that is not registered, so an entry without a label cannot be written, and a
test proves that every transition of every state machine has one.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_LABELS: dict[str, Promise | str] = {}


class UnknownAuditAction(ValueError):
    """An action that no app registered: a programming error, never a person's."""


def register(actions: dict[str, Promise | str]) -> None:
    """Add actions to the vocabulary. Registering the same code twice with another label is a mistake
    that would make two screens disagree, so it is refused."""
    for code, label in actions.items():
        known = _LABELS.get(code)
        if known is not None and str(known) != str(label):
            raise ValueError(f"audit action {code!r} registered twice with different labels")
        _LABELS[code] = label


def is_registered(code: str) -> bool:
    return code in _LABELS


def require(code: str) -> None:
    if code not in _LABELS:
        raise UnknownAuditAction(f"audit action {code!r} is not registered in any app's audit_actions")


def label(code: str) -> str:
    """The action as a person reads it, in their language."""
    known = _LABELS.get(code)
    return str(known) if known is not None else str(_("其他操作"))


def choices() -> list[tuple[str, str]]:
    """For filters (the admin's audit list): every action with its label, sorted by code."""
    return [(code, str(text)) for code, text in sorted(_LABELS.items())]


def all_codes() -> frozenset[str]:
    return frozenset(_LABELS)


register({
    "account.login": _("登录"),
    "account.locked": _("账户因多次登录失败被锁定"),
    "account.login_failed": _("登录失败"),
    "account.unlock": _("解除登录锁定"),
    "login.address_locked": _("登录地址因多次失败被暂停"),
    "access.denied": _("拒绝访问"),
    "deadline.expire": _("期满终止（系统）"),
    "admin.add": _("系统管理：新增"),
    "admin.change": _("系统管理：修改"),
    "admin.delete": _("系统管理：删除"),
    "admin.action": _("系统管理：批量操作"),
    "calendar.load": _("载入年度节假日安排"),
})
