"""The CSV writer of report exports (issue 17 point 4) and what the writers share (the XLSX
writer is ``xlsx.py``).

Each writer reads a :class:`~integrations.exports.registry.Rows` once, a chunk at a time, writes to
a binary file and calls ``progress(done)`` every :data:`PROGRESS_EVERY` rows. Values arrive as the
API renders them (ISO instants, decimal strings); CSV writes them as they are (a cell equals the
API's value), XLSX types them by the column's type (dates, Decimal money, hours, integers).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Sequence

from .registry import Column, Rows, cell_text

__all__ = ["PROGRESS_EVERY", "cell_text", "chunk_length", "value_columns", "write_csv"]

#: progress is written every this many rows
PROGRESS_EVERY = 5000

Progress = Callable[[int], None]


def _bool_text(value) -> str:
    return cell_text(value) if not isinstance(value, bool) else ("true" if value else "false")


def write_csv(
    handle,
    columns: Sequence[Column],
    rows: Rows,
    *,
    progress: Progress,
    bom: bool = False,
    delimiter: str = ",",
) -> int:
    """Stream ``rows`` as CSV (UTF-8, optionally with a BOM for Excel; ``,`` or ``;``).

    A chunk is written at a time: its values taken column by column (column-major chunks as
    they are), the few columns that need it converted with ``map``, the csv module writing the
    chunk into a string that is encoded once."""
    if bom:
        handle.write(codecs.BOM_UTF8)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([c.heading if c.label else c.name for c in columns])
    names = [c.name for c in columns]
    if rows.fields:
        # column-major chunks hold JSON scalars, booleans only in bool columns (Rows): those alone change
        positions: list[int] | None = [rows.fields.index(name) for name in names]
        plan = [_BOOL_TEXT.get if c.type == "bool" else None for c in columns]
    else:
        # the csv module writes None as "" and numbers and Decimals as str(): only booleans and
        # text (which may hold a JSON object) need converting
        positions = None
        plan = [_bool_text if c.type == "bool" else cell_text if c.type == "text" else None for c in columns]
    done = 0
    for chunk in rows.chunks:
        count = chunk_length(chunk, rows)
        if not count:
            continue
        values = value_columns(chunk, names, positions)
        cells = [
            column if convert is None else list(map(convert, column, column) if rows.fields else map(convert, column))
            for convert, column in zip(plan, values, strict=True)
        ]
        writer.writerows(zip(*cells, strict=True) if cells else [[] for _row in range(count)])
        handle.write(buffer.getvalue().encode())
        buffer.seek(0)
        buffer.truncate()
        before, done = done, done + count
        if before // PROGRESS_EVERY != done // PROGRESS_EVERY:
            progress(done)
    handle.write(buffer.getvalue().encode())
    return done


#: a boolean as a CSV cell (``_BOOL_TEXT.get(value, value)``: anything else as it is)
_BOOL_TEXT = {True: "true", False: "false"}


def value_columns(chunk: list, names: Sequence[str], positions: Sequence[int] | None) -> list[Sequence]:
    """A chunk's values column by column, in the order of ``names`` (``positions``: their places
    in a column-major chunk; ``None``: the chunk is a list of dicts)."""
    if positions is None:
        return [[row.get(name) for row in chunk] for name in names]
    return [chunk[p] for p in positions]


def chunk_length(chunk: list, rows: Rows) -> int:
    """How many rows a chunk holds (a column-major one: the length of its columns)."""
    if rows.fields:
        return len(chunk[0]) if chunk else 0
    return len(chunk)
