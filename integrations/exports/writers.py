"""The file writers of report exports (issue 17 point 4): CSV, XLSX and the zip bundle.

Each writer reads a :class:`~integrations.exports.registry.Rows` once, row by row, writes to a
binary file and calls ``progress(done)`` every :data:`PROGRESS_EVERY` rows. Values arrive as the
API renders them (ISO instants, decimal strings); CSV writes them as they are (a cell equals the
API's value), XLSX types them by the column's type (dates, Decimal money, hours, integers).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import json
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation

import xlsxwriter

from .registry import Column, Rows

__all__ = ["PROGRESS_EVERY", "cell_text", "write_csv", "write_xlsx"]

#: progress is written every this many rows
PROGRESS_EVERY = 5000

Progress = Callable[[int], None]


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
    """Stream ``rows`` as CSV (UTF-8, optionally with a BOM for Excel; ``,`` or ``;``)."""
    if bom:
        handle.write(codecs.BOM_UTF8)
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text, delimiter=delimiter)
        writer.writerow([c.heading if c.label else c.name for c in columns])
        # the csv module writes None as "" and numbers and Decimals as str(): only booleans and
        # text (which may hold a JSON object) need converting, one converter per column
        plan = [(c.name, _bool_text if c.type == "bool" else cell_text if c.type == "text" else None) for c in columns]
        done = 0
        for chunk in rows.chunks:
            writer.writerows(
                [
                    [row.get(name) if convert is None else convert(row.get(name)) for name, convert in plan]
                    for row in chunk
                ]
            )
            before, done = done, done + len(chunk)
            if before // PROGRESS_EVERY != done // PROGRESS_EVERY:
                progress(done)
        text.flush()
    finally:
        text.detach()
    return done


# =============================================================================
# XLSX (XlsxWriter in constant-memory mode: one row in memory at a time)
# =============================================================================


def _decimal(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _instant(value):
    if not value:
        return None
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC).replace(tzinfo=None)
    return moment


def _day(value):
    if not value:
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def write_xlsx(handle, columns: Sequence[Column], rows: Rows, *, progress: Progress, title: str = "Report") -> int:
    """Rows as one XLSX sheet: typed cells, a frozen bold header and an autofilter."""
    book = xlsxwriter.Workbook(handle, {"constant_memory": True, "in_memory": False, "strings_to_numbers": False})
    sheet = book.add_worksheet(title[:31] or "Report")
    bold = book.add_format({"bold": True})
    formats = {
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        "money": book.add_format({"num_format": "#,##0.00"}),
        "hours": book.add_format({"num_format": "0.00"}),
    }
    for index, column in enumerate(columns):
        sheet.write_string(0, index, column.heading if column.label else column.name, bold)
        sheet.set_column(index, index, max(10, min(40, len(column.heading) + 2)))
    sheet.freeze_panes(1, 0)
    done = 0
    for chunk in rows.chunks:
        for row in chunk:
            done += 1
            for index, column in enumerate(columns):
                _write_cell(sheet, done, index, column.type, row.get(column.name), formats)
        if (done - len(chunk)) // PROGRESS_EVERY != done // PROGRESS_EVERY:
            progress(done)
    sheet.autofilter(0, 0, max(done, 1), max(len(columns) - 1, 0))
    book.close()
    return done


def _write_cell(sheet, row: int, col: int, kind: str, value, formats) -> None:
    if value is None or value == "":
        return
    try:
        _write_typed(sheet, row, col, kind, value, formats)
    except (ValueError, TypeError):  # not of its column's type after all: as text
        sheet.write_string(row, col, cell_text(value))


def _write_typed(sheet, row: int, col: int, kind: str, value, formats) -> None:
    if kind in ("money", "hours"):
        number = _decimal(value)
        if number is not None:
            sheet.write_number(row, col, float(number), formats[kind])
            return
    elif kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        sheet.write_number(row, col, value)
        return
    elif kind == "bool" and isinstance(value, bool):
        sheet.write_boolean(row, col, value)
        return
    elif kind == "datetime":
        sheet.write_datetime(row, col, _instant(value), formats["datetime"])
        return
    elif kind == "date":
        sheet.write_datetime(row, col, _day(value), formats["date"])
        return
    sheet.write_string(row, col, cell_text(value))
