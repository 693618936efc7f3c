"""The XLSX writer of report exports (issue 17 point 4): XlsxWriter in constant-memory mode.

One row in memory at a time (XlsxWriter flushes each finished row to a temporary file), so memory
stays flat whatever the row count. What this module adds is the feeding: each column gets one
cell writer chosen once from its type, and a chunk arrives column by column, so a cell costs the
writer's call plus XlsxWriter's typed ``write_*`` — never ``write``'s generic dispatch or a
``write_datetime`` conversion.

Cells are typed: integers and booleans natively, money and hours as numbers with a ``#,##0.00`` /
``0.00`` format, dates and instants (UTC) as Excel serial numbers with a date format, computed as
XlsxWriter's ``write_datetime`` computes them (two small memos turn the API's
``YYYY-MM-DDTHH:MM:SSZ`` into a serial without parsing it), and everything else as text (XlsxWriter
escapes it and cuts it at Excel's 32,767 characters). A value that is not of its column's type is
written as text. The header is bold and frozen and carries an autofilter over the written rows.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import xlsxwriter

from .registry import Column, Rows
from .writers import PROGRESS_EVERY, cell_text, chunk_length, value_columns

__all__ = ["cell_writer", "excel_serial", "write_xlsx"]

Progress = Callable[[int], None]
CellWriter = Callable[[int, Any], None]

#: XlsxWriter's epoch (its serials add a day past 1900-02-28, Excel's leap-year bug)
_EPOCH_ORDINAL = datetime.date(1899, 12, 31).toordinal()
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm:ss", "money": "#,##0.00", "hours": "0.00"}


def _memo(render: Callable[[str], Any], limit: int = 50_000) -> dict:
    """A dict computing a missing key with ``render`` (starting over past ``limit`` keys)."""

    class Memo(dict):
        def __missing__(self, key):
            if len(self) >= limit:
                self.clear()
            value = self[key] = render(key)
            return value

    return Memo()


def excel_serial(moment: datetime.date) -> float:
    """A date or naive datetime as an Excel serial number, computed as XlsxWriter computes it."""
    if isinstance(moment, datetime.datetime):
        days = moment.toordinal() - _EPOCH_ORDINAL
        seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
        serial = days + (float(seconds) + float(moment.microsecond) / 1e6) / 86400
    else:
        serial = float(moment.toordinal() - _EPOCH_ORDINAL)
    if serial < 0:
        raise ValueError("Excel has no dates before 1900.")
    return serial + 1 if serial > 59 else serial


def _instant(value) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day)
    else:
        moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC).replace(tzinfo=None)
    return moment


def _day(value) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def cell_writer(sheet, kind: str, col: int, number_format) -> CellWriter:
    """``put(row, value)``: writes a value of a ``kind`` column into ``col`` of ``sheet`` with
    XlsxWriter's typed writer; nothing for no value; text for a value not of the column's type."""
    write_string, write_number = sheet.write_string, sheet.write_number

    def text(row: int, value) -> None:
        if value is None:
            return
        string = value if value.__class__ is str else cell_text(value)
        if string:
            write_string(row, col, string)

    if kind == "int":

        def integer(row: int, value) -> None:
            if value.__class__ is int:
                write_number(row, col, value)
            else:
                text(row, value)

        return integer

    if kind == "bool":
        write_boolean = sheet.write_boolean

        def boolean(row: int, value) -> None:
            if value is True or value is False:
                write_boolean(row, col, value)
            else:
                text(row, value)

        return boolean

    if kind in ("money", "hours"):

        def number(row: int, value) -> None:
            if value.__class__ is str and _NUMBER.fullmatch(value):
                write_number(row, col, float(value), number_format)
                return
            if value is None or value == "" or isinstance(value, bool):
                text(row, value)
                return
            try:
                amount = Decimal(str(value))
            except InvalidOperation:
                text(row, value)
                return
            if amount.is_finite():
                write_number(row, col, float(amount), number_format)
            else:
                text(row, value)

        return number

    if kind in ("date", "datetime"):
        days = _memo(lambda day: datetime.date.fromisoformat(day).toordinal() - _EPOCH_ORDINAL)
        clock = _memo(lambda hms: float(_seconds(hms)) / 86400)
        convert = _instant if kind == "datetime" else _day

        def moment(row: int, value) -> None:
            if not value:
                return
            try:
                if value.__class__ is str and len(value) == 20 and value[10] == "T" and value[19] == "Z":
                    # 'YYYY-MM-DDTHH:MM:SSZ', as the API renders instants: XlsxWriter's sum
                    serial = days[value[:10]] + clock[value[11:19]]
                    serial = serial + 1 if serial > 59 else serial
                else:
                    serial = excel_serial(convert(value))
            except (ValueError, TypeError):
                text(row, value)
                return
            write_number(row, col, serial, number_format)

        return moment

    return text


def _seconds(hms: str) -> int:
    clock = datetime.time.fromisoformat(hms)
    return clock.hour * 3600 + clock.minute * 60 + clock.second


def _sheet_name(title: str) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", title).strip().strip("'")[:31]
    return name or "Report"


def write_xlsx(handle, columns: Sequence[Column], rows: Rows, *, progress: Progress, title: str = "Report") -> int:
    """Rows as one XLSX sheet: typed cells, a frozen bold header and an autofilter."""
    book = xlsxwriter.Workbook(handle, {"constant_memory": True, "in_memory": False, "strings_to_numbers": False})
    sheet = book.add_worksheet(_sheet_name(title))
    bold = book.add_format({"bold": True})
    formats = {kind: book.add_format({"num_format": code}) for kind, code in _FORMATS.items()}
    for index, column in enumerate(columns):
        sheet.write_string(0, index, column.heading if column.label else column.name, bold)
        sheet.set_column(index, index, max(10, min(40, len(column.heading) + 2)))
    sheet.freeze_panes(1, 0)
    names = [c.name for c in columns]
    positions = [rows.fields.index(name) for name in names] if rows.fields else None
    writers = [cell_writer(sheet, c.type, index, formats.get(c.type)) for index, c in enumerate(columns)]
    done = 0
    for chunk in rows.chunks:
        count = chunk_length(chunk, rows)
        if not count:
            continue
        # XlsxWriter's constant-memory mode takes the cells row by row
        for row, values in enumerate(zip(*value_columns(chunk, names, positions), strict=True), start=done + 1):
            for put, value in zip(writers, values, strict=True):
                put(row, value)
        before, done = done, done + count
        if before // PROGRESS_EVERY != done // PROGRESS_EVERY:
            progress(done)
    sheet.autofilter(0, 0, max(done, 1), max(len(columns) - 1, 0))
    book.close()
    return done
