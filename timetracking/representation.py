"""The time entry, declared once (issue 12 point 6).

:data:`TIME_ENTRY` lists the fields of a time entry as every interface shows it, in the order
REST renders them. Each interface derives its own view from it instead of listing fields again:

- REST (``api/serializers.py``): ``TimeEntrySerializer``'s field list, its declared (non-model)
  fields, and :func:`render_entry`, which renders a model instance (a detail, a write's answer);
- the fast list path (``TimeEntryListPage``): :data:`ROWS` — the ``values_list()`` columns of one
  query and the row renderer, so a list page renders each row key for key as the detail does,
  without model instances (``tests/timetracking/test_api.py`` pins the two together);
- GraphQL (``graphql.py``): ``TimeEntryType``'s ``fields`` and its declared fields and resolvers;
- the CSV importer (``importer/``): the accepted columns and their header spellings
  (:func:`csv_columns`), besides the import-only ``date``.

A field's value is its ``column`` (a ``values()`` path, ``__`` between relations; by default its
name) passed through ``render`` (by default as is). ``kind`` says how the APIs type a field that
is not the model field of the same name (``None``: REST and GraphQL take the model field's).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Csv",
    "EntryField",
    "TIME_ENTRY",
    "ROWS",
    "Rows",
    "instant",
    "duration_hours_text",
    "duration_formatted_text",
    "render_entry",
    "csv_columns",
    "writable_names",
]


# =============================================================================
# Formatters (column value -> JSON value)
# =============================================================================


def instant(value: datetime.datetime | None) -> str | None:
    """ISO 8601 in UTC with ``Z``, as REST_FRAMEWORK's DATETIME_FORMAT renders it."""
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def duration_hours_text(seconds: int | None) -> str | None:
    """``selectors.hours(seconds)`` as text ("1.50"), in integer arithmetic: hundredths of an
    hour rounded half up are ``(seconds + 18) // 36`` (durations are never negative)."""
    if seconds is None:
        return None
    return "%d.%02d" % divmod((seconds + 18) // 36, 100)  # noqa: UP031 - %-formatting is the fastest here


def duration_formatted_text(seconds: int | None) -> str | None:
    """HH:MM:SS (hours may run past 99)."""
    if seconds is None:
        return None
    return "%02d:%02d:%02d" % (seconds // 3600, seconds // 60 % 60, seconds % 60)  # noqa: UP031 - as above


def _tags_text(value: str | None) -> str:
    return value or ""


def _is_none(value: Any) -> bool:
    return value is None


def _same(value: Any) -> Any:
    return value


# =============================================================================
# The declaration
# =============================================================================


@dataclass(frozen=True)
class Csv:
    """A column of the CSV import: its place in the documented column list and its header
    spellings (the canonical name first; headers are matched after lower-casing, ``-``/space → ``_``)."""

    position: int
    headers: tuple[str, ...]


@dataclass(frozen=True)
class EntryField:
    name: str
    #: the ``values()`` path read for it (default: ``name``); the detail follows the same path on the instance
    column: str | None = None
    #: column value -> JSON value (default: as is)
    render: Callable[[Any], Any] | None = None
    #: how REST and GraphQL type it when it is not the model field of that name: int, str, bool, tags
    kind: str | None = None
    help_text: str = ""
    #: never null (GraphQL ``NonNull``; REST ``allow_null=False``)
    required: bool = False
    #: set by create/update (REST input serializers, GraphQL inputs); read-only otherwise
    writable: bool = False
    #: read from this CSV column by the importer
    csv: Csv | None = None

    @property
    def source(self) -> str:
        return self.column or self.name

    def value(self, entry) -> Any:
        """This field of a model instance, as JSON."""
        value = entry
        for attribute in self.source.split("__"):
            value = getattr(value, attribute)
            if value is None:
                break
        return (self.render or _same)(value)


TIME_ENTRY: tuple[EntryField, ...] = (
    EntryField("id"),
    EntryField(
        "employee_id",
        kind="int",
        required=True,
        writable=True,
        csv=Csv(10, ("employee_email", "email", "employee", "user_email")),
    ),
    EntryField(
        "user_id",
        column="employee__membership__user_id",
        kind="int",
        help_text="The employee's login, when they have one.",
    ),
    EntryField("project_id", kind="int", required=True, writable=True, csv=Csv(5, ("project", "project_name"))),
    EntryField("task_id", kind="int", writable=True, csv=Csv(6, ("task", "task_name"))),
    EntryField("client_id", column="project__client_id", kind="int"),
    EntryField("start_time", render=instant, writable=True, csv=Csv(2, ("start", "start_time", "from", "begin"))),
    EntryField("end_time", render=instant, writable=True, csv=Csv(3, ("end", "end_time", "to", "finish"))),
    EntryField("duration_seconds", csv=Csv(4, ("duration", "hours", "duration_hours"))),
    EntryField(
        "duration_hours",
        column="duration_seconds",
        render=duration_hours_text,
        kind="str",
        help_text="duration_seconds / 3600, two places.",
    ),
    EntryField(
        "duration_formatted",
        column="duration_seconds",
        render=duration_formatted_text,
        kind="str",
        help_text="HH:MM:SS.",
    ),
    EntryField("notes", writable=True, csv=Csv(7, ("notes", "note", "description"))),
    EntryField("tags", render=_tags_text, kind="tags", writable=True, csv=Csv(8, ("tags", "tag"))),
    EntryField("billable", writable=True, csv=Csv(9, ("billable",))),
    EntryField("paid", writable=True),
    EntryField("source", kind="str", required=True, help_text="manual, timer, import or tracktik."),
    EntryField(
        "is_active",
        column="end_time",
        render=_is_none,
        kind="bool",
        required=True,
        help_text="A running timer (no end_time).",
    ),
    EntryField("created_at", render=instant),
    EntryField("updated_at", render=instant),
)


# =============================================================================
# What the interfaces derive
# =============================================================================


def render_entry(entry) -> dict:
    """A time entry instance as REST renders it (a list page renders the same from rows: :data:`ROWS`)."""
    return {f.name: f.value(entry) for f in TIME_ENTRY}


class Rows:
    """The list path: ``columns`` for one ``values_list()`` query and ``render(rows)`` for its
    tuples. With ``instants_as_text`` the timestamps come from the database already formatted as
    :func:`instant` formats them (PostgreSQL ``to_char``), so they pass through as they are.

    ``render`` is :func:`_entry_from_row` / :func:`_entry_from_text_row` when the declaration is
    :data:`TIME_ENTRY` (written out by hand: a dict display costs a fraction of a loop calling a
    function per field, about a millisecond less per page of 100; issue 13 point 14), and the
    generic loop over the fields for any other declaration. ``tests/timetracking/test_representation.py``
    pins the two together."""

    def __init__(self, fields: tuple[EntryField, ...]) -> None:
        self.columns: tuple[str, ...] = tuple(dict.fromkeys(f.source for f in fields))
        self.instants: tuple[str, ...] = tuple(dict.fromkeys(f.source for f in fields if f.render is instant))
        at = {column: position for position, column in enumerate(self.columns)}
        self._plan = tuple((f.name, at[f.source], f.render or _same) for f in fields)
        self._plan_text = tuple(
            (name, position, _same if render is instant else render) for name, position, render in self._plan
        )
        self._by_hand = self._plan == _HAND_WRITTEN_PLAN

    def render(self, rows, *, instants_as_text: bool = False) -> list[dict]:
        if self._by_hand:
            row_to_entry = _entry_from_text_row if instants_as_text else _entry_from_row
            return [row_to_entry(row) for row in rows]
        return self.render_generic(rows, instants_as_text=instants_as_text)

    def render_generic(self, rows, *, instants_as_text: bool = False) -> list[dict]:
        """Field by field, from the declaration."""
        plan = self._plan_text if instants_as_text else self._plan
        return [{name: render(row[position]) for name, position, render in plan} for row in rows]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _position, _render in self._plan)

    def render_columns(self, rows, *, instants_as_text: bool = False) -> list[Sequence]:
        """The same values as :meth:`render`, column by column: one sequence per field of
        :attr:`names` (no dict or tuple per row: the report export of millions of entries)."""
        columns: list[Sequence] = list(zip(*rows, strict=True)) if rows else [() for _c in self.columns]
        if self._by_hand and instants_as_text:
            return _columns_from_text_columns(columns)
        plan = self._plan_text if instants_as_text else self._plan
        return [columns[p] if render is _same else list(map(render, columns[p])) for _n, p, render in plan]


#: what _entry_from_row is written for: (name, column position, formatter) of each field of TIME_ENTRY
_HAND_WRITTEN_PLAN = (
    ("id", 0, _same),
    ("employee_id", 1, _same),
    ("user_id", 2, _same),
    ("project_id", 3, _same),
    ("task_id", 4, _same),
    ("client_id", 5, _same),
    ("start_time", 6, instant),
    ("end_time", 7, instant),
    ("duration_seconds", 8, _same),
    ("duration_hours", 8, duration_hours_text),
    ("duration_formatted", 8, duration_formatted_text),
    ("notes", 9, _same),
    ("tags", 10, _tags_text),
    ("billable", 11, _same),
    ("paid", 12, _same),
    ("source", 13, _same),
    ("is_active", 7, _is_none),
    ("created_at", 14, instant),
    ("updated_at", 15, instant),
)


def _entry_from_text_row(row) -> dict:
    """A row of ``Rows(TIME_ENTRY).columns`` whose instants are text already (see _HAND_WRITTEN_PLAN)."""
    seconds = row[8]
    return {
        "id": row[0],
        "employee_id": row[1],
        "user_id": row[2],
        "project_id": row[3],
        "task_id": row[4],
        "client_id": row[5],
        "start_time": row[6],
        "end_time": row[7],
        "duration_seconds": seconds,
        "duration_hours": None if seconds is None else duration_hours_text(seconds),
        "duration_formatted": None if seconds is None else duration_formatted_text(seconds),
        "notes": row[9],
        "tags": row[10] or "",
        "billable": row[11],
        "paid": row[12],
        "source": row[13],
        "is_active": row[7] is None,
        "created_at": row[14],
        "updated_at": row[15],
    }


class _Memo(dict):
    """``memo[seconds]``: a formatter's text of ``seconds``, computed once (durations repeat; the
    memo starts over past :attr:`LIMIT` distinct ones, so it stays small)."""

    LIMIT = 20_000

    def __init__(self, render: Callable[[int], str | None]) -> None:
        super().__init__()
        self.render = render

    def __missing__(self, seconds):
        if len(self) >= self.LIMIT:
            self.clear()
        text = self[seconds] = self.render(seconds)
        return text


_HOURS_TEXT = _Memo(duration_hours_text)
_CLOCK_TEXT = _Memo(duration_formatted_text)


def _columns_from_text_columns(columns: list[Sequence]) -> list[Sequence]:
    """:func:`_entry_from_text_row` column by column (see _HAND_WRITTEN_PLAN)."""
    seconds, end = columns[8], columns[7]
    hours, clock = _HOURS_TEXT.__getitem__, _CLOCK_TEXT.__getitem__
    return [
        *columns[0:8], seconds, list(map(hours, seconds)), list(map(clock, seconds)),
        columns[9], [tags or "" for tags in columns[10]], *columns[11:14], [at is None for at in end], *columns[14:16],
    ]  # fmt: skip


def _entry_from_row(row) -> dict:
    """The same with the instants as datetimes (SQLite)."""
    entry = _entry_from_text_row(row)
    for name in ("start_time", "end_time", "created_at", "updated_at"):
        entry[name] = instant(entry[name])
    return entry


ROWS = Rows(TIME_ENTRY)


def csv_columns() -> dict[str, tuple[str, ...]]:
    """CSV column -> accepted header spellings, in the documented order (the importer adds ``date``)."""
    with_csv = sorted((f for f in TIME_ENTRY if f.csv is not None), key=lambda f: f.csv.position)
    return {f.csv.headers[0]: f.csv.headers for f in with_csv}


def writable_names() -> tuple[str, ...]:
    return tuple(f.name for f in TIME_ENTRY if f.writable)
