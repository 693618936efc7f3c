"""Shared write helpers for services (issue 12 point 5); imports no app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models

ModelT = TypeVar("ModelT", bound=models.Model)


def model_update(*, instance: ModelT, fields: Iterable[str], data: dict[str, Any]) -> tuple[ModelT, dict[str, list]]:
    """Update only the listed ``fields`` of ``instance`` that ``data`` carries (HackSoft styleguide).

    Fields absent from ``data`` stay as they are; a key of ``data`` not in ``fields`` is ignored,
    so a caller can pass a whole validated payload. Validates with ``full_clean()`` and saves
    only what changed (plus ``updated_at`` when the model has one). Returns the instance and
    ``{field: [old, new]}`` for the fields whose value changed (foreign keys as ``<name>_id``),
    for the audit row.
    """
    changed: dict[str, list] = {}
    m2m: dict[str, Any] = {}
    model_fields = {field.name: field for field in instance._meta.get_fields()}
    for name in fields:
        if name not in data:
            continue
        field = model_fields[name]
        value = data[name]
        if field.many_to_many:
            m2m[name] = value
            continue
        old = getattr(instance, field.attname)
        setattr(instance, name, value)
        new = getattr(instance, field.attname)
        if old != new:
            changed[field.attname] = [old, new]  # foreign keys by id: ``office_id``
    if changed:
        instance.full_clean()
        update_fields = [instance._meta.get_field(name).name for name in changed]
        if "updated_at" in model_fields and getattr(model_fields["updated_at"], "auto_now", False):
            update_fields.append("updated_at")
        instance.save(update_fields=update_fields)
    for name, value in m2m.items():
        related = getattr(instance, name)
        before = set(related.values_list("pk", flat=True))
        related.set(value)
        after = set(related.values_list("pk", flat=True))
        if before != after:
            changed[name] = [sorted(before), sorted(after)]
    return instance, changed


__all__ = ["model_update"]
