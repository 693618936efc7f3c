"""Reading an uploaded table (CSV or XLSX) into rows of named cells: the SCR and invoice files."""

from __future__ import annotations

import csv
import io
import re
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook

MAX_ROWS = 20000


def _key(name) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name or "").lower())


def read_table(data: bytes, filename: str, columns: dict[str, tuple[str, ...]]) -> list[tuple[int, dict]]:
    """``(line, {column: text})`` for each non-empty row; ``columns`` maps our name to the header
    spellings accepted (compared without case, spaces or punctuation). A missing column is a 422."""
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        raw = _xlsx_rows(data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError({"file": [_("The file is neither UTF-8 CSV nor XLSX.")]}) from None
        delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
        raw = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not raw:
        raise ValidationError({"file": [_("The file is empty.")]})
    header = [_key(h) for h in raw[0]]
    positions = {}
    for name, spellings in columns.items():
        found = next((header.index(s) for s in spellings if s in header), None)
        if found is None:
            raise ValidationError(
                {"file": [_("The header has no %(column)s column.") % {"column": name.replace("_", " ")}]}
            )
        positions[name] = found
    rows = []
    for line, cells in enumerate(raw[1:], start=2):
        if not any(str(c or "").strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ValidationError({"file": [_("At most %(max)s rows per file.") % {"max": MAX_ROWS}]})
        rows.append((line, {name: (cells[i] if i < len(cells) else "") for name, i in positions.items()}))
    return rows


def _xlsx_rows(data: bytes) -> list[list]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        raise ValidationError({"file": [_("The file is not a readable XLSX workbook.")]}) from None
    sheet = book.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]
