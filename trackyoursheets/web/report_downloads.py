"""A list page's CSV download made from its report (issue 17 point 7).

A :class:`~.tables.Table` with a ``report`` name downloads (``?export=csv``) that report's
file: the columns, visibility and rows an export of the report with the page's filters gives
its reader (UTC instants, ISO dates, the report's headings), not the table's own columns. The
platform imports no integration, so the report registry plugs its reader in at start-up
(``integrations`` ``AppConfig.ready()``)::

    report_downloads.register_report_reader(registry.page_download)

A reader is ``(report, actor, query) -> (header, rows)``; it raises ``ValidationFailed`` for a
bad filter (a 400 here). The page supplies only the filters it shows: its query string, without
the table's own parameters, plus the filters fixed by the page itself (``report_filters``, e.g.
the import batch of its detail page). Tables without a report keep their own CSV.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify

from trackyoursheets.api.errors import ValidationFailed

from .formats import spreadsheet_cell

__all__ = ["register_report_reader", "report_csv_response", "report_reader"]

Reader = Callable[[str, Any, Mapping[str, Any]], tuple[list[str], Iterator[list[str]]]]

_READER: list[Reader] = []


def register_report_reader(reader: Reader) -> None:
    """Plug in what reads a report for a page (the export registry's ``page_download``)."""
    _READER[:] = [reader]


def report_reader() -> Reader | None:
    return _READER[0] if _READER else None


def report_query(table) -> dict[str, Any]:
    """The filters the page shows: its query string without the table's parameters, and the
    page's own fixed filters (which win)."""
    skip = {table.page_param, table.size_param, table.export_param, table.sort_param, "report"}
    query: dict[str, Any] = {name: value for name, value in table.request.GET.items() if name not in skip}
    query.update({name: str(value) for name, value in table.report_filters.items()})
    return query


def report_csv_response(table, actor, reader: Reader, tz=None) -> HttpResponse:
    """The table's report as the page's CSV download, streamed."""
    try:
        header, rows = reader(table.report, actor, report_query(table))
    except ValidationFailed as exc:
        return HttpResponseBadRequest(str(exc.detail), content_type="text/plain; charset=utf-8")

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([spreadsheet_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    with timezone.override(tz or timezone.get_current_timezone()):
        stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{slugify(table.name) or "export"}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
