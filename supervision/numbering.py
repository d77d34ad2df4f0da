"""Numbers of supervision's records (plans, draws, inspections, orders, sanctions, terminations): a
prefix of kind and year and a running sequence, e.g. JC20260001. The highest number of the prefix is
read and the next one inserted; a concurrent insert that took the same number (the unique
constraint) makes the insert try the next one, in a savepoint, so the caller's transaction stands."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.transitions import TransitionRefused

ATTEMPTS = 5


def next_number(model, prefix: str, *, width: int = 4) -> str:
    last = model.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    seq = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return f"{prefix}{seq:0{width}d}"


def save_numbered(obj, prefix: str, *, width: int = 4) -> None:
    """Number `obj` and insert it."""
    for _attempt in range(ATTEMPTS):
        obj.number = next_number(type(obj), prefix, width=width)
        try:
            with transaction.atomic():
                obj.save()
            return
        except IntegrityError:
            obj.pk = None
    raise TransitionRefused(_("编号生成冲突，请稍后再试。"))
