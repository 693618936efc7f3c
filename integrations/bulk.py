"""Bulk inserts for statement imports (issue 6 point 3): ``COPY ... FROM STDIN`` on PostgreSQL.

``bulk_create`` costs about as much again in Python (building model instances, preparing
every value, dumping arrays) as the database spends inserting; a 100,000-row statement
is two such inserts (import rows, then ledger lines). ``COPY`` streams plain tuples instead.
Other databases (SQLite in development) fall back to ``bulk_create``. The rows are dicts of
attribute names (``batch_id``, not ``batch``); a field left out takes its model default, and
``auto_now``/``auto_now_add`` fields take the current time, as ``save()`` would. No signals
are sent and no ``full_clean()`` runs: callers insert values they have already validated.
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

__all__ = ["bulk_insert", "values_in", "relaxed_commit"]


def relaxed_commit() -> None:
    """In the current transaction, do not wait for the WAL to reach disk at commit (PostgreSQL's
    ``synchronous_commit = off``, transaction-local). For work that is redone from scratch when
    interrupted, such as processing an import chunk by chunk: a database crash can lose the
    last chunks' commits (never corrupt them), and the task that processes the batch again
    starts over. Elsewhere a no-op."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _defaults(fields: list, now) -> dict:
    values = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values[field.attname] = now
        else:  # the field's default, "" for text fields that have none, else None
            values[field.attname] = field.get_default()
    return values


def bulk_insert(model: type[models.Model], rows: list[dict], *, returning_ids: bool = False) -> list[int] | None:
    """Insert ``rows`` into ``model``'s table; with ``returning_ids``, the new primary keys in order."""
    if not rows:
        return [] if returning_ids else None
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = _defaults(fields, timezone.now())
    attnames = [f.attname for f in fields]
    if connection.vendor != "postgresql":
        objects = [model(**{name: row.get(name, defaults[name]) for name in attnames}) for row in rows]
        model.objects.bulk_create(objects)
        return [obj.pk for obj in objects] if returning_ids else None

    json_positions = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    dumps = DjangoJSONEncoder().encode
    quote = connection.ops.quote_name
    table = model._meta.db_table
    with connection.cursor() as cursor, connection.wrap_database_errors:
        ids = None
        if returning_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, len(rows)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
        columns = ([model._meta.pk.column] if ids else []) + [f.column for f in fields]
        sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for index, row in enumerate(rows):
                values = [row.get(name, defaults[name]) for name in attnames]
                for position in json_positions:
                    if values[position] is not None:
                        values[position] = dumps(values[position])
                if ids:
                    values.insert(0, ids[index])
                copy.write_row(values)
    return ids


def values_in(queryset: models.QuerySet, field: str, values: list, columns: tuple[str, ...]) -> list[tuple]:
    """``queryset.filter(<field>__in=values).values_list(*columns)``, for thousands of values.

    On PostgreSQL the values travel as one array parameter (``= ANY(%s)``): an ``IN`` list of
    2,000 placeholders costs more to build, send and parse than the lookup itself."""
    if not values:
        return []
    if connection.vendor != "postgresql":
        return list(queryset.filter(**{f"{field}__in": values}).order_by().values_list(*columns))
    model = queryset.model
    quote = connection.ops.quote_name
    column = f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(field).column)}"
    matching = queryset.extra(where=[f"{column} = ANY(%s)"], params=[values]).order_by()
    return list(matching.values_list(*columns))
