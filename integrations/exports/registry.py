"""The report registry (issue 17): what can be exported, declared by the app that owns the data.

Like the outbox topic catalogue (``integrations/outbox.py``), this module imports no domain app:
each app defines its datasets in its own ``exports.py`` (with its own selectors and the same
FilterSets as its list endpoints) and registers them from its ``AppConfig.ready()``::

    class TimetrackingConfig(AppConfig):
        def ready(self):
            registry.register_reports(exports.REPORTS)

A :class:`Report` names its data's read scope area, its columns (each with a type the writers
use: ``text``, ``date``, ``datetime``, ``money``, ``hours``, ``int``, ``bool``) and a ``rows``
callable ``(actor, filters) -> Rows`` that returns what that actor sees through the API at the
moment the export runs. ``validate(actor, filters)`` checks the filters at request time (a bad
filter is a 422 then, never a failed job). ``deck(actor, filters)`` returns a :class:`Deck` for
the PDF format (a leadership deck, or one page per person with ``Deck.pages``: payslips); without
one, the PDF is the table.
"""

from __future__ import annotations

import datetime
import json
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain, islice
from types import SimpleNamespace
from typing import Any

from django.db import connections, transaction
from django.db.models.sql.constants import MULTI
from django.http import QueryDict
from django.utils import timezone

from trackyoursheets.api.filters import apply_filterset, reject_unknown_parameters, supported_parameters

__all__ = [
    "COLUMN_TYPES",
    "Column",
    "Deck",
    "Report",
    "Rows",
    "get_report",
    "is_registered",
    "actor_request",
    "cell_text",
    "page_download",
    "query_dict",
    "queryset_report",
    "read_ahead",
    "register_report",
    "register_reports",
    "report_list",
    "serializer_renderer",
]

COLUMN_TYPES = ("text", "date", "datetime", "money", "hours", "int", "bool")
#: rows fetched (and rendered) per database round trip
CHUNK = 2000
#: rows per round trip of the ``values`` fast path (tuples, no model instances)
VALUE_CHUNK = 5000


@dataclass(frozen=True)
class Column:
    name: str
    label: str = ""
    type: str = "text"

    def __post_init__(self) -> None:
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"Column {self.name!r}: type must be one of {', '.join(COLUMN_TYPES)}.")

    @property
    def heading(self) -> str:
        return self.label or self.name


@dataclass
class Rows:
    """A dataset as the writers read it: how many rows (for progress) and the rows themselves
    (values as the API renders them), read in chunks.

    A chunk is a list of rows, each a dict keyed by column name; or, when ``fields`` is given
    (the fast path of very large reports), a chunk is column-major: one sequence of values per
    field, in the order of ``fields``, all of the chunk's length. Those values are JSON scalars
    (``None``, text, numbers) with booleans only in ``bool`` columns (which hold booleans or
    ``None``). Iterating a :class:`Rows` gives dicts either way.
    """

    total: int
    chunks: Iterable[list]
    #: the columns this actor may see (salary fields only for HR/owners/admins); None: all
    visible: frozenset[str] | None = None
    #: the fields of a column-major chunk, in order; empty: chunks are lists of dicts
    fields: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[dict]:
        fields = self.fields
        for chunk in self.chunks:
            if fields:
                yield from (dict(zip(fields, row, strict=True)) for row in zip(*chunk, strict=True))
            else:
                yield from chunk


@dataclass(frozen=True)
class Deck:
    """What a leadership PDF shows: headline figures, bar charts and tables."""

    title: str
    period: str = ""
    figures: tuple[tuple[str, str], ...] = ()
    #: (title, [(label, value)]) bar charts
    charts: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = ()
    #: (title, header, rows)
    tables: tuple[tuple[str, tuple[str, ...], tuple[tuple[str, ...], ...]], ...] = ()
    #: further pages, each a Deck of its own starting on a new page (payslips: one per employee)
    pages: tuple[Deck, ...] = ()


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    #: the data's scope area: the export needs ``<area>.read`` besides ``reports.export``
    area: str
    columns: tuple[Column, ...]
    rows: Callable[[Any, Mapping[str, Any]], Rows]
    validate: Callable[[Any, Mapping[str, Any]], None] = lambda actor, filters: None
    deck: Callable[[Any, Mapping[str, Any]], Deck] | None = None
    description: str = ""
    #: the filters it takes (documentation and the Exports page); the FilterSet's names
    filter_names: tuple[str, ...] = field(default_factory=tuple)
    #: the scope of its data besides ``<area>.read`` (audit events: ``organisation.read``)
    read_scope: str = ""

    @property
    def scope(self) -> str:
        return self.read_scope or f"{self.area}.read"

    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


_REPORTS: dict[str, Report] = {}


def register_report(report: Report) -> Report:
    """Add a report (registering the same definition twice is harmless; another one under the
    same name is an error)."""
    existing = _REPORTS.get(report.name)
    if existing is not None and existing is not report and existing.title != report.title:
        raise ValueError(f"Report {report.name!r} is already registered.")
    _REPORTS[report.name] = report
    return report


def register_reports(reports: Iterable[Report]) -> None:
    for report in reports:
        register_report(report)


def is_registered(name: str) -> bool:
    return name in _REPORTS


def get_report(name: str) -> Report:
    return _REPORTS[name]


def report_list() -> list[Report]:
    return [_REPORTS[name] for name in sorted(_REPORTS)]


# =============================================================================
# Building a report from a list endpoint: selector + FilterSet + renderer
# =============================================================================


def _chunks(queryset, render, size: int) -> Iterator[list[dict]]:
    """The queryset in primary-key order, ``size`` rows a query (keyset pagination: flat memory,
    no long-open cursor), each chunk rendered."""
    ordering = tuple(queryset.query.order_by) or ("pk",)
    if ordering not in (("pk",), ("id",)):
        # keep the list's order: read its ids once (integers), then the rows in chunks of them
        ids = list(queryset.values_list("pk", flat=True))
        for start in range(0, len(ids), size):
            part = ids[start : start + size]
            objects = {obj.pk: obj for obj in queryset.order_by().filter(pk__in=part)}
            yield render([objects[pk] for pk in part if pk in objects])
        return
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        batch = list(page[:size])
        if not batch:
            return
        last = batch[-1].pk
        yield render(batch)


def _values(queryset, columns):
    """``values_list(*columns)`` (the first column the primary key; or ``columns(queryset)``, a
    callable returning such a ``values_list``) in primary-key order."""
    ordered = queryset.order_by("pk")
    return columns(ordered) if callable(columns) else ordered.values_list(*columns)


def _keyset_pages(base, size: int) -> Iterator[list[tuple]]:
    """``size`` rows a query (keyset pagination)."""
    last = None
    while True:
        page = base if last is None else base.filter(pk__gt=last)
        batch = list(page[:size])
        if not batch:
            return
        last = batch[-1][0]
        yield batch


def _cursor_pages(base, size: int) -> Iterator[list[tuple]]:
    """One statement read through a server-side cursor, ``size`` rows a fetch, in a transaction
    of its own (one snapshot; the cursor is not materialised as a ``WITH HOLD`` one would be).
    Keyset pages would each be planned alone: with a date filter PostgreSQL sorted every match
    left for each page (quadratic), where the one statement is one pass."""
    with transaction.atomic(using=base.db):
        # what ValuesListIterable does, without handing the rows out one by one
        compiler = base.query.get_compiler(using=base.db)
        pages = compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=size)
        converters = compiler.get_converters([s[0] for s in compiler.select[0 : compiler.col_count]])
        if not converters:
            yield from pages
            return
        rows = compiler.apply_converters(chain.from_iterable(pages), converters)
        while batch := [tuple(row) for row in islice(rows, size)]:
            yield batch


def _value_chunks(queryset, columns, render, size: int) -> Iterator[list]:
    """The rows of :func:`_values`, ``size`` at a time, each chunk of tuples rendered: no model
    instances. On PostgreSQL one server-side cursor, read by a thread of its own
    (:func:`read_ahead`, when not already in a transaction) while this one writes: the
    database's time overlaps the writer's. Elsewhere keyset pages."""
    base = _values(queryset, columns)
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        pages = _keyset_pages(base, size)
    elif connection.in_atomic_block:
        pages = _cursor_pages(base, size)
    else:
        pages = read_ahead(_cursor_pages(base, size))
    for page in pages:
        yield render(page)


_DONE = object()


def read_ahead(pages: Iterator[list], depth: int = 2) -> Iterator[list]:
    """``pages`` read by a worker thread, up to ``depth`` ahead of the caller.

    The thread has its own database connection (Django's are per thread), closed when it ends:
    it sees committed data only, so the caller uses it outside a transaction. An error in the
    thread is raised in the caller; a caller that stops early stops the thread."""
    box: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                box.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for page in pages:
                if not put(page):
                    return
            put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            put(exc)
        finally:
            close = getattr(pages, "close", None)
            if close is not None:  # a generator left half-read ends its transaction first
                close()
            connections.close_all()

    worker = threading.Thread(target=work, name="export-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item = box.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def serializer_renderer(serializer_class) -> Callable:
    """Render a batch of objects as the list endpoint does (``serializer_class(many=True)`` with
    the actor in its context, so fields hidden from that actor stay hidden)."""

    def make(actor) -> Callable[[list], list[dict]]:
        def render(objects: list) -> list[dict]:
            return list(serializer_class(objects, many=True, context={"actor": actor}).data)

        return render

    return make


def queryset_report(
    *,
    name: str,
    title: str,
    area: str,
    columns: Iterable[Column],
    selector: Callable,
    filterset,
    renderer: Callable,
    description: str = "",
    read_scope: str = "",
    visible: Callable[[Any], frozenset[str] | None] | None = None,
    deck: Callable | None = None,
    chunk: int = CHUNK,
    values: tuple[str, ...] | Callable = (),
    fields: tuple[str, ...] = (),
) -> Report:
    """A report over a list endpoint: ``selector(actor=actor)`` (the list's scoped queryset),
    filtered by its FilterSet, rendered by ``renderer(actor)(objects)`` (e.g.
    :func:`serializer_renderer` of the list's serializer). With ``values`` (a ``values_list()``
    column list starting with the primary key) the renderer gets tuples instead of instances, in
    primary-key order, :data:`VALUE_CHUNK` a query: the fast path for very large lists (time
    entries). With ``fields`` as well, the renderer returns the chunk column by column, a
    sequence per field (see :class:`Rows`), instead of a list of dicts."""
    supported = supported_parameters(filterset) - {"page", "page_size", "per_page"}

    def validate(actor, filters) -> None:
        reject_unknown_parameters(filters, supported)
        apply_filterset(filterset, _query(filters), selector(actor=actor), actor_request(actor))

    def rows(actor, filters) -> Rows:
        queryset = apply_filterset(filterset, _query(filters), selector(actor=actor), actor_request(actor))
        total = queryset.count()
        return Rows(
            total=total,
            chunks=_value_chunks(queryset, values, renderer(actor), max(chunk, VALUE_CHUNK))
            if values
            else _chunks(queryset, renderer(actor), chunk),
            visible=visible(actor) if visible is not None else None,
            fields=tuple(fields) if values else (),
        )

    return Report(
        name=name,
        title=title,
        area=area,
        columns=tuple(columns),
        rows=rows,
        validate=validate,
        deck=deck,
        description=description,
        filter_names=tuple(sorted(supported)),
        read_scope=read_scope,
    )


def cell_text(value) -> str:
    """A value as a CSV cell: the API's JSON value as text (null empty, booleans lower-case)."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def page_download(name: str, actor, query: Mapping[str, Any]) -> tuple[list[str], Iterator[list[str]]]:
    """A list page's CSV download made from its report (issue 17 point 7): the page's query
    restricted to the report's filters (a bad one raises ``ValidationFailed``), read as ``actor``:
    the columns, visibility and rows of an export of that report with those filters. Returns the
    header and the rows as the CSV writer writes their cells."""
    report = get_report(name)
    filters = {key: query[key] for key in report.filter_names if query.get(key)}
    report.validate(actor, filters)
    rows = report.rows(actor, filters)
    columns = [c for c in report.columns if rows.visible is None or c.name in rows.visible]
    names = [c.name for c in columns]

    def cells() -> Iterator[list[str]]:
        # rendered as the export job renders them: the API's instants, in UTC (a page runs in
        # its reader's zone)
        with timezone.override(datetime.UTC):
            for row in rows:
                yield [cell_text(row.get(name)) for name in names]

    return [c.heading if c.label else c.name for c in columns], cells()


def actor_request(actor) -> SimpleNamespace:
    """What a FilterSet reads of its request (``request.auth``, ``request.user``), for a job."""
    return SimpleNamespace(auth=actor, user=actor.user, query_params=QueryDict(), GET=QueryDict())


def query_dict(filters: Mapping[str, Any]):
    return _query(filters)


def _query(filters: Mapping[str, Any]):
    """Filters as a list endpoint's query string (django-filter reads a QueryDict)."""
    query = QueryDict(mutable=True)
    for key, value in (filters or {}).items():
        if isinstance(value, (list, tuple)):
            query.setlist(key, [str(v) for v in value])
        elif value is not None:
            query[key] = "true" if value is True else "false" if value is False else str(value)
    return query
