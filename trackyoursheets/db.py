"""Shared write helpers for services (issue 12 point 5); imports no app."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any, TypeVar

import psycopg
from django.conf import settings
from django.db import connections, models

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


def prepared_cursor(using: str = "default"):
    """A cursor of the ``using`` connection whose statements PostgreSQL prepares: parsed and planned
    once per connection, then executed by name with each call's parameters (issue 13 point 14).
    For the few statements every request runs with the same text (the bearer token, a list
    page's count and rows): Django's cursors bind parameters on the client, so the database
    parses and plans each of them again per request. It is Django's cursor wrapper around a
    server-binding psycopg cursor, so query logging, ``execute_wrapper`` and error wrapping work
    as for any cursor. Elsewhere than PostgreSQL, or with ``DATABASE_PREPARED_STATEMENTS`` off
    (behind a transaction-mode pooler older than PgBouncer 1.21), a plain cursor."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not getattr(settings, "DATABASE_PREPARED_STATEMENTS", True):
        return connection.cursor()
    connection.ensure_connection()
    raw = _preparing_cursor_class()(connection.connection)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


@functools.cache
def _preparing_cursor_class():
    class PreparingCursor(psycopg.Cursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparingCursor
