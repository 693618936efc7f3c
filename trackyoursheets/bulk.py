"""Bulk writes for imports: the one PostgreSQL ``COPY ... FROM STDIN`` helper (issue 12).

``bulk_create`` costs about as much again in Python (building model instances, preparing
every value, dumping arrays) as the database spends inserting; a 100,000-row statement is
two such inserts (import rows, then ledger lines). ``COPY`` streams plain tuples instead.
Other databases (SQLite in development and tests) fall back to ``bulk_create``.

- :func:`copy_rows` writes tuples of values, in the order of the columns named, into a
  model's table (or, on PostgreSQL only, a table named by its name). Columns are attribute
  names (``batch_id``, not ``batch``); JSON fields are dumped on the way.
- :func:`bulk_insert` writes dicts: a field left out takes its model default, and
  ``auto_now``/``auto_now_add`` fields take the current time, as ``save()`` would; with
  ``returning_ids`` it returns the new primary keys in order.

No signals are sent and no ``full_clean()`` runs: callers insert values they have already
validated. :func:`values_in`, :func:`any_of` and :func:`relaxed_commit` are the other tricks of a big
import on PostgreSQL (an array parameter instead of a long ``IN`` list, and a transaction
that does not wait for the WAL); :func:`chunk_writer` writes one chunk on a connection of its
own while the caller prepares the next.
"""

from __future__ import annotations

import datetime
import operator
import queue
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, connections, models
from django.db.models.expressions import RawSQL
from django.utils import timezone

__all__ = [
    "copy_rows",
    "bulk_insert",
    "reserve_ids",
    "filter_in",
    "values_in",
    "relaxed_commit",
    "roomy_statement",
    "chunk_writer",
]


_DJANGO_JSON = DjangoJSONEncoder()
#: datetimes, dates and times go to DjangoJSONEncoder (its ISO text, milliseconds, ``Z``), as do
#: decimals; orjson writes strings, numbers, lists, dicts (int keys as text, as json does) and UUIDs
_JSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def _json_text(value) -> str:
    """``DjangoJSONEncoder().encode(value)`` as the database stores it (jsonb keeps values, not
    spacing or escapes), by orjson: a 100,000-row import dumps 300,000 of them (issue 13 point 14)."""
    return orjson.dumps(value, default=_DJANGO_JSON.default, option=_JSON_OPTIONS).decode()


_EMPTY_JSON = {list: "[]", dict: "{}"}


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def copy_rows(target: type[models.Model] | str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (tuples of values in the order of ``columns``) into ``target``'s table;
    returns how many rows were written.

    ``target`` is a model (``columns`` are its attribute names, e.g. ``employee_id``) or, on
    PostgreSQL, a table name (``columns`` are its column names, values go as they are). On
    PostgreSQL one ``COPY ... FROM STDIN``; elsewhere ``bulk_create`` (a model is needed)."""
    if isinstance(target, str):
        if not _is_postgresql():
            raise ValueError("copy_rows() into a table by name needs PostgreSQL; pass the model.")
        table, db_columns, json_positions = target, list(columns), []
    else:
        fields = [target._meta.get_field(name) for name in _field_names(target, columns)]
        if not _is_postgresql():
            objects = [target(**dict(zip(columns, row, strict=True))) for row in rows]
            target.objects.bulk_create(objects)
            return len(objects)
        table = target._meta.db_table
        db_columns = [field.column for field in fields]
        json_positions = [i for i, field in enumerate(fields) if isinstance(field, models.JSONField)]
    dumps = _json_text
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in db_columns)}) FROM STDIN"
    count = 0
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for row in rows:
            values = row
            if json_positions:
                values = list(row)
                for position in json_positions:
                    value = values[position]
                    if value is not None:
                        # an empty list or object (most rows' errors and warnings) needs no encoder
                        empty = not value and type(value) in _EMPTY_JSON
                        values[position] = _EMPTY_JSON[type(value)] if empty else dumps(value)
            copy.write_row(values)
            count += 1
    return count


def _field_names(model: type[models.Model], columns: Sequence[str]) -> list[str]:
    """The field of each attribute name (``batch_id`` -> ``batch``; ``id`` -> the primary key)."""
    by_attname = {field.attname: field.name for field in model._meta.concrete_fields}
    return [by_attname[name] for name in columns]


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys of ``model`` from its sequence (PostgreSQL), for rows written
    by :func:`copy_rows` that other rows of the same write point at."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _defaults(fields: list, now) -> dict:
    values = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values[field.attname] = now
        else:  # the field's default, "" for text fields that have none, else None
            values[field.attname] = field.get_default()
    return values


def bulk_insert(model: type[models.Model], rows: list[dict], *, returning_ids: bool = False) -> list[int] | None:
    """Insert ``rows`` (dicts by attribute name) into ``model``'s table; with ``returning_ids``,
    the new primary keys in order. Fields left out take their defaults (see the module)."""
    if not rows:
        return [] if returning_ids else None
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = _defaults(fields, timezone.now())
    attnames = [f.attname for f in fields]
    if not _is_postgresql():
        objects = [model(**{name: row.get(name, defaults[name]) for name in attnames}) for row in rows]
        model.objects.bulk_create(objects)
        return [obj.pk for obj in objects] if returning_ids else None
    # The columns in the order: those the first row gives, then the defaults it leaves out. A row
    # with the same keys as the first (nearly all: the rows of one write are built alike) is its
    # values picked in C followed by those defaults; any other row is merged over the defaults
    # first (issue 13 point 14).
    keys = rows[0].keys()
    given = [name for name in attnames if name in keys]
    left_out = [name for name in attnames if name not in keys]
    columns = [*given, *left_out]
    # the defaults are the same for every row: a timestamp goes as its text, which COPY
    # parses, instead of through psycopg's datetime dumper (1.5 us a value, a third of an
    # import row's formatting)
    filled = tuple(_copy_text(defaults[name]) for name in left_out)
    pick_given, pick_all = _picker(given), _picker(columns)
    values = (pick_given(row) + filled if row.keys() == keys else pick_all({**defaults, **row}) for row in rows)
    if not returning_ids:
        copy_rows(model, columns, values)
        return None
    ids = reserve_ids(model, len(rows))
    copy_rows(model, [model._meta.pk.attname, *columns], ((pk, *row) for pk, row in zip(ids, values, strict=True)))
    return ids


def _copy_text(value):
    """``value`` as ``COPY`` reads it when it is a datetime (ISO 8601 with its offset), else as it is."""
    return value.isoformat() if isinstance(value, datetime.datetime) else value


def _picker(names: list[str]):
    """``operator.itemgetter`` that always returns a tuple (of one value, or none)."""
    if len(names) > 1:
        return operator.itemgetter(*names)
    if names:
        name = names[0]
        return lambda row: (row[name],)
    return lambda row: ()


def filter_in(queryset: models.QuerySet, field: str, values) -> models.QuerySet:
    """``queryset.filter(<field>__in=values)``, for thousands of values: on PostgreSQL the values
    travel as one array parameter (``= ANY(%s)``): an ``IN`` list of 5,000 placeholders costs
    more to build, send and parse (psycopg rewrites every placeholder) than the lookup itself."""
    values = list(values)
    if not _is_postgresql():
        return queryset.filter(**{f"{field}__in": values})
    model = queryset.model
    quote = connection.ops.quote_name
    column = f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(field).column)}"
    return queryset.extra(where=[f"{column} = ANY(%s)"], params=[values])


def values_in(queryset: models.QuerySet, field: str, values: list, columns: tuple[str, ...]) -> list[tuple]:
    """``queryset.filter(<field>__in=values).values_list(*columns)``, for thousands of values
    (see :func:`filter_in`)."""
    if not values:
        return []
    return list(filter_in(queryset, field, values).order_by().values_list(*columns))


def relaxed_commit() -> None:
    """In the current transaction, do not wait for the WAL to reach disk at commit (PostgreSQL's
    ``synchronous_commit = off``, transaction-local). For work that is redone from scratch when
    interrupted, such as processing an import chunk by chunk: a database crash can lose the
    last chunks' commits (never corrupt them), and the task that processes the batch again
    starts over. Elsewhere a no-op."""
    if _is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


#: PostgreSQL's ``work_mem`` for the rest of a transaction that writes 100,000 rows in one statement
ROOMY_WORK_MEM = "64MB"


def roomy_statement() -> None:
    """In the current transaction, let PostgreSQL sort and keep in memory what one statement
    over 100,000 rows needs (``work_mem``, transaction-local): the default 4 MB spills the sort
    of a statement's rows, and the new rows that ``trackyoursheets.statement_keys`` checks, to
    temporary files. Elsewhere a no-op."""
    if _is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [ROOMY_WORK_MEM])


def any_of(values, db_type: str):
    """The right-hand side of an ``__in`` lookup over a thousand values (``filter(pk__in=any_of(ids,
    "bigint"))``). On PostgreSQL a subquery over one array parameter (``SELECT unnest(%s::bigint[])``):
    the planner joins it through the lookup's index even on a table it has no statistics of yet
    (a plain ``IN``/``= ANY`` list there may become a scan of the organisation's rows, testing each
    against the whole list: quadratic as a first import grows the table, issue 19). Elsewhere
    the list itself."""
    values = list(values)
    if not _is_postgresql():
        return values
    if db_type not in ("bigint", "integer", "text"):
        raise ValueError(f"any_of() takes bigint, integer or text values, not {db_type!r}.")
    return RawSQL(f"SELECT unnest(%s::{db_type}[])", (values,))


# =============================================================================
# Writing one chunk while the next is prepared (issue 13 point 14)
# =============================================================================


#: the interpreter's thread switch interval while a chunk writer runs (seconds)
WRITER_SWITCH_INTERVAL = 0.0005


@contextmanager
def chunk_writer(flush: Callable[[list], None]) -> Iterator[Callable[[list], None]]:
    """Yields ``write(chunk)``, which has ``flush(chunk)`` write the chunk (each chunk in its own
    transaction: ``flush`` commits it).

    On PostgreSQL, outside any transaction (a task: every chunk commits on its own), ``flush``
    runs on a thread with a database connection of its own, one chunk at a time, while the
    caller prepares the next chunk: the database inserts, checks and commits one chunk (the
    ``COPY``, the indexes, the foreign keys at commit) while Python reads the next, instead of
    each waiting for the other. At most one chunk waits for the writer, so memory stays flat.
    The writer's error is raised by the next ``write`` or at the end; an error of the caller
    waits for the chunk being written before it propagates, so whatever undoes a failed run sees
    every committed chunk. Elsewhere (SQLite; inside a transaction, which a second connection
    could not see: tests) ``write`` is ``flush``, in the caller's thread."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield flush
        return
    # The writer holds the GIL only between its waits for the database, but needs it back after
    # each (every 32 kB of COPY data, every statement): with the default 5 ms switch interval it
    # waits that long each time for the reading thread, which never waits (measured on 100,000
    # rows: 9.6-10.5 s of processing with 5 ms, 7.7 s with 0.5 ms). 0.5 ms while the writer runs.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, WRITER_SWITCH_INTERVAL))
    writer = _ThreadedWriter(flush)
    try:
        yield writer.write
    finally:
        writer.close()  # waits for the chunk in hand
        sys.setswitchinterval(interval)
    writer.raise_error()


class _ThreadedWriter:
    def __init__(self, flush: Callable[[list], None]):
        self._flush = flush
        self._chunks: queue.Queue[list | None] = queue.Queue(maxsize=1)
        self._error: Exception | None = None
        self._thread = threading.Thread(target=self._run, name="chunk-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while (chunk := self._chunks.get()) is not None:
                if self._error is None:  # after an error, drain the queue without writing
                    try:
                        self._flush(chunk)
                    except Exception as error:
                        self._error = error
        finally:
            connections.close_all()  # this thread's connection (connections are per thread)

    def write(self, chunk: list) -> None:
        self.raise_error()
        self._chunks.put(chunk)

    def raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        if self._thread.is_alive():
            self._chunks.put(None)
            self._thread.join()
