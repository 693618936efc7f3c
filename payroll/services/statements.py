"""Reading commission statements (issue 6 point 3), pure functions, no database:
:func:`read_statement` streams a CSV file (the ``csv`` module over a text stream), an XLSX
workbook (openpyxl in read-only mode) or a list of JSON payouts, one row at a time, so memory
stays flat however long the statement is."""

from __future__ import annotations

import codecs
import csv
import math
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from .parsing import StatementError, _blank

__all__ = ["Statement", "read_statement", "count_csv_rows", "sniff_source"]


# =============================================================================
# Readers: one row at a time
# =============================================================================


@dataclass
class Statement:
    """A statement being read: its headers and an iterator of ``(line, {header: value})``."""

    headers: list[str]
    rows: Iterator[tuple[int, dict]]
    expected_rows: int = 0
    _closers: list = field(default_factory=list)

    def close(self) -> None:
        for close in self._closers:
            close()
        self._closers.clear()


def _detect_encoding(path: Path) -> str:
    """UTF-8 (with or without a BOM) when the whole file decodes as such, else Windows-1252."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(1 << 20):
                if b"\x00" in chunk:
                    raise StatementError(_("This is not a CSV file (it contains binary data)."))
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def count_csv_rows(path: Path) -> int:
    """About how many data rows a CSV file has (newlines minus the header), for progress."""
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
    return max(0, count - 1)


def _csv_rows(path: Path, encoding: str) -> Statement:
    handle = path.open("r", encoding=encoding, newline="")
    try:
        sample = handle.read(64 * 1024)
        handle.seek(0)
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|") if sample else csv.excel
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(handle, dialect)
        headers = next(reader, None)
    except csv.Error as error:
        handle.close()
        raise StatementError(_("The file is not a readable CSV: %(error)s") % {"error": error}) from error
    if not headers or all(_blank(h) for h in headers):
        handle.close()
        raise StatementError(_("The file is empty: the first line must hold the column headers."))
    headers = [h.strip() for h in headers]

    def rows() -> Iterator[tuple[int, dict]]:
        line = 1
        try:
            for values in reader:
                line += 1
                # a first cell with text (nearly every line) already tells the line is not blank
                if not values or (not values[0].strip() and all(_blank(v) for v in values)):
                    continue
                yield line, dict(zip(headers, values, strict=False))
        except csv.Error as error:
            raise StatementError(
                _("Line %(line)s is not valid CSV: %(error)s") % {"line": line + 1, "error": error}
            ) from error

    return Statement(headers=headers, rows=rows(), expected_rows=count_csv_rows(path), _closers=[handle.close])


def _cell(value):
    """An XLSX cell as JSON can hold it (dates stay dates for the date parser)."""
    if isinstance(value, float):
        return None if math.isnan(value) else Decimal(repr(value))  # NaN is an empty cell
    return value


def _xlsx_rows(path: Path) -> Statement:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise StatementError(_("The file is not a readable Excel workbook (.xlsx).")) from error
    sheet = workbook.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    headers = next(values, None)
    if not headers or all(_blank(h) for h in headers):
        workbook.close()
        raise StatementError(_("The first sheet is empty: its first row must hold the column headers."))
    headers = ["" if h is None else str(h).strip() for h in headers]

    def rows() -> Iterator[tuple[int, dict]]:
        for line, row in enumerate(values, start=2):
            if all(_blank(v) for v in row):
                continue
            yield line, {h: _cell(v) for h, v in zip(headers, row, strict=False) if h}

    expected = max(0, (sheet.max_row or 1) - 1)
    return Statement(headers=headers, rows=rows(), expected_rows=expected, _closers=[workbook.close])


def _json_rows(payouts: list) -> Statement:
    headers: list[str] = []
    seen: set[str] = set()
    for item in payouts[:1000]:
        if isinstance(item, dict):
            for key in item:
                if key not in seen:
                    seen.add(key)
                    headers.append(key)

    def rows() -> Iterator[tuple[int, dict]]:
        for line, item in enumerate(payouts, start=1):
            if not isinstance(item, dict):
                yield line, {"__invalid__": item}
                continue
            yield line, item

    return Statement(headers=headers, rows=rows(), expected_rows=len(payouts))


def read_statement(source: str, *, path: Path | None = None, payouts: list | None = None) -> Statement:
    """Open a statement for streaming; ``close()`` it when done."""
    if source == "json":
        return _json_rows(payouts or [])
    if path is None:
        raise ValueError(f"A {source} statement is read from a file; give its path.")
    if source == "xlsx":
        return _xlsx_rows(path)
    return _csv_rows(path, _detect_encoding(path))


def sniff_source(name: str, head: bytes) -> str | None:
    """``csv`` or ``xlsx`` from the file name and its first bytes; None when neither."""
    lower = name.lower()
    if head.startswith(b"PK\x03\x04"):
        return "xlsx" if not lower.endswith((".csv", ".txt")) else None
    if lower.endswith((".xls", ".xlsx", ".xlsm", ".pdf", ".zip")) or b"\x00" in head or head.startswith(b"%PDF"):
        return None
    return "csv"
