"""A document the portal renders once and keeps: a receipt, a written decision [002 §10-12]."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model
from django.utils import timezone


def render_once(model: type[Model], pk: int, *, filename: Callable[[Model], str],
                render: Callable[[Model], bytes]) -> Model:
    """Render, store under MEDIA_ROOT and record the SHA-256 and time. Idempotent: a rendered
    document is never rendered again (its hash is what verification relies on); the row lock keeps
    a retried task and an on-demand download from rendering the same document twice."""
    with transaction.atomic():
        doc = model.objects.select_for_update().select_related("filing__agency", "filing__region").get(pk=pk)
        if doc.rendered_at:
            return doc
        pdf = render(doc)
        doc.file.save(filename(doc), ContentFile(pdf), save=False)
        doc.sha256 = hashlib.sha256(pdf).hexdigest()
        doc.rendered_at = timezone.now()
        doc.save(update_fields=["file", "sha256", "rendered_at"])
    return doc
