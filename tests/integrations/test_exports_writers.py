"""The export writers (issue 17 point 4): the XLSX sheet is typed, escaped, frozen and filtered as
XlsxWriter wrote it; a column-major chunk (the time entries' fast path) writes the same files as
dict rows; the read-ahead thread hands over every page, its errors, and stops with its reader."""

from __future__ import annotations

import datetime
import io
import re
import threading
import zipfile
from decimal import Decimal

import pytest
import xlsxwriter
from django.db import connection
from openpyxl import load_workbook

from integrations.exports.registry import Column, Rows, get_report, read_ahead
from integrations.exports.writers import write_csv
from integrations.exports.xlsx import excel_serial, write_xlsx
from organisations.actors import system_actor
from tests.timetracking.factories import TimeEntryFactory

from .exports_helpers import csv_rows

COLUMNS = (
    Column("id", type="int"),
    Column("name", "Name & title"),
    Column("amount", type="money"),
    Column("hours", type="hours"),
    Column("day", type="date"),
    Column("at", type="datetime"),
    Column("ok", type="bool"),
)
ROWS = [
    {"id": 1, "name": "Ada & <Bob>", "amount": "1234.56", "hours": "1.50", "day": "2026-03-02",
     "at": "2026-03-02T09:15:30Z", "ok": True},
    {"id": 2, "name": "  padded \x01 _x0041_ ", "amount": Decimal("1E+2"), "hours": 2, "day": None,
     "at": "2026-03-02T09:15:30.250000+01:00", "ok": False},
    {"id": "n/a", "name": {"a": 1}, "amount": "", "hours": None, "day": "1899-01-01", "at": "", "ok": None},
    {"id": 4, "name": True, "amount": "-0.01", "hours": "0.00", "day": "1900-02-28", "at": "1900-03-01T00:00:00Z",
     "ok": "maybe"},
]  # fmt: skip


def as_columns(rows: list[dict], names: list[str]) -> list[list]:
    return [[row[name] for row in rows] for name in names]


def xlsxwriter_string(text: str) -> str:
    handle = io.BytesIO()
    book = xlsxwriter.Workbook(handle, {"constant_memory": True})
    book.add_worksheet().write_string(0, 0, text)
    book.close()
    return load_workbook(handle).worksheets[0]["A1"].value


def xlsx(data: bytes):
    return load_workbook(io.BytesIO(data)).worksheets[0]


def write(writer, rows: Rows, columns=COLUMNS, **options) -> bytes:
    handle = io.BytesIO()
    writer(handle, list(columns), rows, progress=lambda *_: None, **options)
    return handle.getvalue()


def test_the_sheet_is_typed_escaped_frozen_and_filtered():
    sheet = xlsx(write(write_xlsx, Rows(total=4, chunks=[ROWS[:2], ROWS[2:]]), title="Report: a/b"))
    assert sheet.title == "Report  a b"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:G5"
    assert [c.value for c in sheet[1]] == ["id", "Name & title", "amount", "hours", "day", "at", "ok"]
    assert all(c.font.b for c in sheet[1])
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0] == [1, "Ada & <Bob>", 1234.56, 1.5, datetime.datetime(2026, 3, 2),
                         datetime.datetime(2026, 3, 2, 9, 15, 30), True]  # fmt: skip
    # control characters as _xHHHH_ (Excel reads them back), a literal _xHHHH_ escaped, spaces
    # kept: what XlsxWriter wrote
    assert values[1][:4] == [2, xlsxwriter_string(ROWS[1]["name"]), 100, 2]
    assert values[1][1] == "  padded _x0001_ _x005F_x0041_ "
    assert values[1][4] is None
    assert values[1][5] == datetime.datetime(2026, 3, 2, 8, 15, 30, 250000)  # in UTC
    assert values[1][6] is False
    # not of their column's type: text (a JSON object as JSON), no cell for nothing
    assert values[2] == ["n/a", '{"a": 1}', None, None, "1899-01-01", None, None]
    assert values[3][1:4] == ["true", -0.01, 0]
    assert values[3][6] == "maybe"
    row = sheet[2]
    assert [row[i].number_format for i in (2, 3, 4, 5)] == ["#,##0.00", "0.00", "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"]


def test_serials_are_xlsxwriters():
    """The serials are those of XlsxWriter's write_datetime (the writer computes them itself)."""
    moments = [
        datetime.datetime(2026, 3, 2, 9, 15, 30),
        datetime.datetime(2026, 12, 31, 23, 59, 59, 999999),
        datetime.datetime(1900, 2, 28, 12),
        datetime.datetime(1900, 3, 1),
        datetime.date(2024, 2, 29),
    ]
    handle = io.BytesIO()
    book = xlsxwriter.Workbook(handle)
    sheet = book.add_worksheet()
    for row, moment in enumerate(moments):
        sheet.write_datetime(row, 0, moment)
    book.close()
    with zipfile.ZipFile(handle) as package:
        written = re.findall(r"<v>([^<]+)</v>", package.read("xl/worksheets/sheet1.xml").decode())
    # XlsxWriter prints 16 significant digits; the writer the shortest exact repr
    assert [f"{excel_serial(m):.16G}" for m in moments] == written


def test_money_keeps_its_cents_and_long_text_is_cut_at_excels_limit():
    rows = [{"id": n, "name": "x" * 40_000, "amount": f"{n}.{n:02d}"} for n in range(1, 100)]
    sheet = xlsx(write(write_xlsx, Rows(total=99, chunks=[rows]), COLUMNS[:3]))
    for n, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=1):
        assert f"{Decimal(str(row[2])):.2f}" == f"{n}.{n:02d}"
        assert len(row[1]) == 32767


def test_an_empty_sheet_has_its_header():
    sheet = xlsx(write(write_xlsx, Rows(total=0, chunks=[])))
    assert [c.value for c in sheet[1]][:2] == ["id", "Name & title"]
    assert sheet.max_row == 1


@pytest.mark.parametrize("writer", [write_csv, write_xlsx])
def test_a_column_major_chunk_writes_what_dict_rows_write(writer):
    """Column-major chunks hold scalars, booleans in bool columns only (Rows)."""
    scalars = [{**row, "name": str(row["name"]), "amount": str(row["amount"]), "ok": row["ok"] is True}
               for row in ROWS]  # fmt: skip
    names = [c.name for c in COLUMNS]
    chosen = [COLUMNS[i] for i in (6, 0, 2)]  # a choice of columns, in another order
    for columns in (COLUMNS, chosen):
        by_dict = write(writer, Rows(total=4, chunks=[scalars[:3], scalars[3:]]), columns)
        by_column = Rows(total=4, chunks=[as_columns(scalars[:3], names), as_columns(scalars[3:], names)],
                         fields=tuple(names))  # fmt: skip
        if writer is write_csv:
            assert write(writer, by_column, columns) == by_dict
            assert csv_rows(by_dict)[0]["ok"] == "true"
        else:  # the package's creation time differs: compare the cells
            got = xlsx(write(writer, by_column, columns)).iter_rows(values_only=True)
            assert list(got) == list(xlsx(by_dict).iter_rows(values_only=True))
    assert list(Rows(total=1, chunks=[as_columns(scalars[:1], names)], fields=tuple(names))) == scalars[:1]


def test_read_ahead_hands_over_every_page_and_the_error():
    assert list(read_ahead(iter([[1], [2], [3]]))) == [[1], [2], [3]]

    def failing():
        yield [1]
        raise ValueError("boom")

    pages = read_ahead(failing())
    assert next(pages) == [1]
    with pytest.raises(ValueError, match="boom"):
        next(pages)


def test_read_ahead_stops_with_its_reader():
    produced = []

    def endless():
        n = 0
        while True:
            produced.append(n)
            yield [n]
            n += 1

    before = threading.active_count()
    pages = read_ahead(endless(), depth=2)
    assert next(pages) == [0]
    pages.close()
    assert threading.active_count() == before
    assert len(produced) <= 5


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the read-ahead thread is PostgreSQL's")
def test_time_entries_read_by_the_thread_are_those_read_in_a_transaction(organisation):
    """Outside a transaction a thread reads the server-side cursor; inside one the reader does:
    the same rows either way (the API list's, checked cell by cell in test_exports_time)."""
    start = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
    for n in range(12):
        TimeEntryFactory(
            employee__organisation=organisation,
            start_time=start + datetime.timedelta(hours=n),
            end_time=start + datetime.timedelta(hours=n, seconds=17 + 60 * n),
            duration_seconds=17 + 60 * n,
            notes=f'N, "{n}"\nline',
        )
    report = get_report("time_entries")
    actor = system_actor(organisation)
    threaded = write(write_csv, report.rows(actor, {}), report.columns)
    from django.db import transaction

    with transaction.atomic():
        inline = write(write_csv, report.rows(actor, {}), report.columns)
    assert threaded == inline
    rows = csv_rows(threaded)
    assert len(rows) == 12 and rows[1]["duration_hours"] == "0.02" and rows[1]["is_active"] == "false"
