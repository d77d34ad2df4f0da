"""Every change made in the admin, and every admin action, writes an audit entry [003 §18:
全程有记录、可追溯]: renaming an agency or changing a policy value leaves the same trace as a
transition, with each changed field's value before and after.

Every ModelAdmin of the portal's apps derives from `AuditedModelAdmin`. Models whose state is
driven by transitions derive from `ViewOnlyModelAdmin`: the admin shows them and changes nothing.
"""

from __future__ import annotations

import functools
import hashlib
import json

from django.contrib import admin
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from portal.audit import Event, record, record_many
from portal.models import AuditChainHead

HIDDEN = "（已隐藏）"
_SECRET_FIELDS = {"password"}  # a hash is still a secret: the trail says it changed, not to what


def _json_safe(value):
    if isinstance(value, models.Model):
        return [value.pk, str(value)]
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def snapshot(obj) -> dict:
    """The object's fields as JSON-safe values: dates as ISO strings, a foreign key as [pk, str],
    many-to-many as a sorted list of [pk, str] (only once the object exists)."""
    values = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.name in _SECRET_FIELDS:
            # compared, never shown: changes() and deletions print HIDDEN in its place
            values[field.name] = hashlib.sha256(str(getattr(obj, field.attname)).encode()).hexdigest()
        elif field.is_relation:
            related = getattr(obj, field.name) if getattr(obj, field.attname) is not None else None
            values[field.name] = _json_safe(related)
        else:
            values[field.name] = _json_safe(getattr(obj, field.attname))
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted([r.pk, str(r)] for r in getattr(obj, field.name).all())
    return values


def changes(before: dict, after: dict) -> dict:
    """{field: [before, after]} for every field whose value differs."""
    changed = {}
    for name in after.keys() | before.keys():
        old, new = before.get(name), after.get(name)
        if old != new:
            if name in _SECRET_FIELDS:
                old, new = HIDDEN, HIDDEN
            changed[name] = [old, new]
    return dict(sorted(changed.items()))


def _shown(values: dict) -> dict:
    return {name: HIDDEN if name in _SECRET_FIELDS else value for name, value in values.items()}


class AuditedModelAdmin(admin.ModelAdmin):
    """Writes `admin.add`, `admin.change` and `admin.delete` (inline rows too) and `admin.action`,
    each inside the admin's own transaction, so no admin change exists without its entry."""

    def save_model(self, request, obj, form, change):
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if change and obj.pk else None
        obj._audit_before = snapshot(stored) if stored is not None else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # Many-to-many values (a user's groups and permissions) are saved here, after save_model.
        obj = form.instance
        before = getattr(obj, "_audit_before", None)
        if before is None:  # save_model was not ours: read what is stored before the m2m change
            before = snapshot(obj)
        if change:
            for field in obj._meta.many_to_many:
                before[field.name] = sorted([r.pk, str(r)] for r in getattr(obj, field.name).all())
        super().save_related(request, form, formsets, change)
        changed = changes(before, snapshot(obj))
        if changed or not change:
            record("admin.change" if change else "admin.add", obj, actor=request.user,
                   data={"changed": changed})

    def save_formset(self, request, form, formset, change):
        stored = {}
        for inline_form in formset.forms:
            instance = inline_form.instance
            if instance.pk is not None and inline_form.has_changed():
                original = type(instance)._default_manager.filter(pk=instance.pk).first()
                if original is not None:
                    stored[instance.pk] = (str(original), snapshot(original))
        deleted = {f.instance.pk: (str(f.instance), _shown(snapshot(f.instance)))
                   for f in formset.deleted_forms if f.instance.pk is not None}
        super().save_formset(request, form, formset, change)
        parent, label = form.instance, formset.model._meta.label
        events = []
        for obj in formset.new_objects:
            events.append(("admin.add", {"inline": label, "pk": obj.pk, "repr": str(obj),
                                         "changed": changes({}, snapshot(obj))}))
        for obj, _fields in formset.changed_objects:
            text, before = stored.get(obj.pk, (str(obj), {}))
            events.append(("admin.change", {"inline": label, "pk": obj.pk, "repr": str(obj),
                                            "changed": changes(before, snapshot(obj))}))
        for pk, (text, before) in deleted.items():
            events.append(("admin.delete", {"inline": label, "pk": pk, "repr": text,
                                            "deleted": before}))
        record_many(Event(action, parent, request.user, "", data) for action, data in events)

    def delete_model(self, request, obj):
        record("admin.delete", obj, actor=request.user, data={"deleted": _shown(snapshot(obj))})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        """The bulk "delete selected" action: one entry per object deleted."""
        record_many(Event("admin.delete", obj, request.user, "", {"deleted": _shown(snapshot(obj))})
                    for obj in queryset)
        super().delete_queryset(request, queryset)

    def get_actions(self, request):
        actions = super().get_actions(request)
        return {name: (self._audited(func, name), name, description)
                for name, (func, name, description) in actions.items()}

    @staticmethod
    def _audited(func, name):
        if name == "delete_selected":  # delete_queryset writes one entry per object deleted
            return func

        @functools.wraps(func)
        def action(modeladmin, request, queryset):
            # An action that writes its own entries (a rubric's publish) is not counted twice: if
            # the chain's head moved while it ran, it has spoken for itself.
            head_before = _head()
            objects = [[obj.pk, str(obj)] for obj in queryset]
            response = func(modeladmin, request, queryset)
            if _head() == head_before:
                record("admin.action", None, actor=request.user,
                       data={"action": name, "model": modeladmin.model._meta.label, "objects": objects})
            return response

        return action


def _head() -> str:
    return AuditChainHead.objects.filter(pk=1).values_list("last_hash", flat=True).first() or ""


class ViewOnlyModelAdmin(AuditedModelAdmin):
    """For models whose state is driven by transitions (a filing, a renewal, a change request) or
    issued by a service (a receipt, a notice): the admin shows them; the workflow changes them."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

