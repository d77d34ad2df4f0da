"""The supplement notice's checklist [002 §10: 应在5个工作日内告知申请人需要补正的全部材料 — 一次性告知]:
the reviewer ticks the material types and scope rows concerned, each with what is wrong; the agency
settles each item by changing it (a new file of that type, an edited scope row or its examiners)
or by answering it in writing, and cannot send the supplement while any item is open."""

from __future__ import annotations

import contextvars
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from filings.choices import FilingState, MaterialType
from filings.models import (
    Filing,
    SupplementItem,
    WrittenNotice,
    required_material_types,
)
from portal.audit import record
from portal.models import Role, User
from portal.text import validate_multiline_text

K = SupplementItem.Kind


@dataclass(frozen=True)
class Requested:
    """One ticked item of a supplement request: a material type, or a scope row by its occupation."""

    kind: str
    reference: str  # the material type, or the occupation's id
    note: str = ""


# The items of the request being performed, for the filing machine's hooks (`check` validates them,
# `after_save` stores them with the notice): the shared machinery's hooks take no payload.
requested: contextvars.ContextVar[tuple[Requested, ...]] = contextvars.ContextVar("supplement_items", default=())


def choices_for(filing: Filing) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """What a reviewer may tick: the agency's required material types, and the filing's scope rows."""
    materials = [(str(t), str(MaterialType(t).label)) for t in required_material_types(filing.agency)]
    scope = [(str(s.occupation_id), f"{s.occupation.code} {s.occupation.name}（{s.levels_label}）")
             for s in filing.scope.select_related("occupation")]
    return materials, scope


def problems(filing: Filing, items: Iterable[Requested]) -> list[str]:
    """Why the ticked items cannot be listed (an item not of this filing); empty when they can."""
    materials, scope = choices_for(filing)
    known = {K.MATERIAL: dict(materials), K.SCOPE: dict(scope)}
    out = []
    seen = set()
    for item in items:
        if item.reference not in known.get(item.kind, {}):
            out.append(_("补正事项不属于该备案申请：%(ref)s") % {"ref": item.reference})
        if (item.kind, item.reference) in seen:
            out.append(_("补正事项重复：%(ref)s") % {"ref": item.reference})
        seen.add((item.kind, item.reference))
        try:
            validate_multiline_text(item.note)
        except ValidationError as exc:
            out.extend(exc.messages)
    return out


def store(filing: Filing, notice: WrittenNotice, items: Iterable[Requested]) -> list[SupplementItem]:
    """The items of one request, kept with its notice; labels as the rows stood when requested."""
    materials, scope = choices_for(filing)
    labels = {K.MATERIAL: dict(materials), K.SCOPE: dict(scope)}
    rows = [SupplementItem(filing=filing, notice=notice, kind=item.kind, label=labels[item.kind][item.reference],
                           material_type=item.reference if item.kind == K.MATERIAL else "",
                           occupation_id=int(item.reference) if item.kind == K.SCOPE else None,
                           note=item.note.strip())
            for item in items]
    return SupplementItem.objects.bulk_create(rows)


def mark_changed(filing: Filing, *, material_type: str | None = None, occupation_ids: Iterable[int] = ()) -> int:
    """The agency changed what an open item names: a new file of that type, or that scope row (its
    levels, its examiners, or its removal). Called by the agency's services in their transaction."""
    open_items = filing.open_supplement_items()
    now = timezone.now()
    count = 0
    if material_type:
        count += open_items.filter(kind=K.MATERIAL, material_type=material_type).update(changed_at=now)
    occupation_ids = list(occupation_ids)
    if occupation_ids:
        count += open_items.filter(kind=K.SCOPE, occupation_id__in=occupation_ids).update(changed_at=now)
    return count


def items_for(filing: Filing) -> list[SupplementItem]:
    """The checklist of the latest supplement notice (what the agency works through now)."""
    latest = filing.written_notices.filter(kind=WrittenNotice.Kind.SUPPLEMENT).order_by("-created_at", "-pk").first()
    if latest is None:
        return []
    return list(latest.supplement_items.select_related("answered_by").order_by("kind", "pk"))


@transaction.atomic
def answer_item(*, item_id: int, actor: User, answer: str) -> SupplementItem:
    """The agency answers one item in writing instead of changing it (e.g. "the credit report on file
    is the latest one issued"): recorded with who and when [002 §10]."""
    item = SupplementItem.objects.select_for_update().select_related("filing").get(pk=item_id)
    filing = item.filing
    if actor.role != Role.AGENCY or actor.agency_id != filing.agency_id:
        raise PermissionDenied
    if filing.state != FilingState.SUPPLEMENT_REQUESTED:
        raise ValidationError(_("该备案申请当前不在补正期间，不能填写说明。"))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("请填写对该事项的说明。")})
    validate_multiline_text(answer)
    item.answer, item.answered_at, item.answered_by = answer, timezone.now(), actor
    item.save(update_fields=["answer", "answered_at", "answered_by"])
    record("filing.supplement_answer", filing, actor=actor, comment=answer,
           data={"item": item.pk, "kind": item.kind, "label": item.label})
    return item
