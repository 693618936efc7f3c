"""The one table of every list page (issue 14 point 5; DESIGN §9).

A page declares its table once::

    class LedgerTable(Table):
        name = "ledger"                       # the CSV file name
        default_sort = "-date"
        columns = (
            Column("date", _("Date"), accessor="transaction_date", kind=DATE, sort="transaction_date",
                   link=lambda txn: reverse("commissions:transaction", args=[txn.pk])),
            Column("status", _("Status"), kind=BADGE),              # label, never the code
            Column("premium", _("Premium"), kind=MONEY, sort="premium", total=True),
            Column("notes", _("Notes"), export_only=True),         # only in the CSV
        )

and a view builds it from a *scoped* queryset (a selector's) and the request::

    table = LedgerTable(request, rows, currency=organisation.currency)

The table reads ``?sort=`` (a column key, ``-`` for descending; anything else is ignored),
``?per_page=`` (10, 25, 50 or 100) and ``?page=`` through :class:`~.lists.Pager`; the totals
row sums every ``total`` column over the whole filtered list, not only the page shown. With
``?export=csv`` a table with a ``report`` streams that report's file (``report_downloads``);
one without, the same list as CSV (labels, plain decimals, ISO dates, formula-safe cells):
:class:`TablePageMixin` answers before the page renders. Two tables on a page take a ``prefix``.

The template is ``app/_table.html`` (``{% include "app/_table.html" with table=table %}``):
sortable headers with ``aria-sort``, the totals row, the page size and page jump, the export
link; below 768 px each row stacks as a card (``data-label`` on every cell; ``app.css``).
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django.db.models import QuerySet, Sum
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .formats import (
    as_decimal,
    format_date,
    format_datetime,
    format_duration,
    format_hours,
    format_money,
    spreadsheet_cell,
)
from .lists import Pager, report_export_link
from .pages import reader_zone
from .report_downloads import report_csv_response, report_reader

__all__ = [
    "BADGE",
    "CHOICE",
    "DATE",
    "DATETIME",
    "DURATION",
    "EXPORT_PARAM",
    "HOURS",
    "MONEY",
    "NUMBER",
    "PAGE_SIZES",
    "PERCENT",
    "TEXT",
    "Column",
    "Table",
    "TablePageMixin",
    "report_export_link",
]

TEXT = "text"
MONEY = "money"  # a Decimal amount in the table's (or the row's) currency
HOURS = "hours"  # a Decimal number of hours
DURATION = "duration"  # whole seconds, shown as H:MM, exported as decimal hours
NUMBER = "number"
PERCENT = "percent"
DATE = "date"
DATETIME = "datetime"
CHOICE = "choice"  # a choice code shown (and exported) as its label
BADGE = "badge"  # a choice shown as a badge
#: kinds whose cells align right and may carry a total
NUMERIC = {MONEY, HOURS, DURATION, NUMBER, PERCENT}
PAGE_SIZES = (10, 25, 50, 100)
EXPORT_PARAM = "export"
#: rows fetched per round trip while a CSV streams
EXPORT_CHUNK = 500


def _resolve(obj, path: str):
    """``obj.a.b`` (or ``obj["a"]["b"]`` for dicts); a missing link in the chain is ``None``."""
    for part in path.split("."):
        if obj is None:
            return None
        obj = obj.get(part) if isinstance(obj, dict) else getattr(obj, part, None)
        if callable(obj) and not isinstance(obj, type):
            obj = obj()
    return obj


@dataclass(frozen=True)
class Column:
    """One column: what it shows, how it sorts, formats, totals and exports."""

    key: str
    label: str
    #: a dotted path on the row (default: ``key``) or a function of the row
    accessor: str | Callable[[Any], Any] | None = None
    kind: str = TEXT
    #: ORM ``order_by`` field(s) (a string or a tuple); ``None``: not sortable. On a list of
    #: objects (not a queryset) any truthy value sorts by the column's value.
    sort: str | tuple[str, ...] | None = None
    #: sum this column in the totals row (money, hours, durations, numbers)
    total: bool = False
    #: ORM path summed for the total (default: the accessor when it is a path)
    total_field: str | None = None
    #: a function of the row giving the cell's link
    link: Callable[[Any], str | None] | None = None
    #: a template rendering the cell instead (context: ``row``, ``cell``, ``table``), e.g. actions
    template: str | None = None
    #: label of a choice code (default: the row's ``get_<field>_display()``)
    choices: dict | None = None
    #: a second, muted line under the value (a function of the row)
    detail: Callable[[Any], Any] | None = None
    #: where a money cell's currency comes from on the row (default: the table's currency)
    currency: str | None = None
    export: bool = True
    export_only: bool = False
    css: str = ""

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC

    @property
    def sortable(self) -> bool:
        return bool(self.sort)

    def raw(self, row):
        if callable(self.accessor):
            return self.accessor(row)
        return _resolve(row, self.accessor or self.key)

    def label_of(self, row, value):
        """A choice code's label: the column's ``choices`` or the row's ``get_<field>_display``."""
        if value in (None, ""):
            return ""
        if self.choices is not None:
            return self.choices.get(value, value)
        path = self.accessor if isinstance(self.accessor, str) else self.key
        owner_path, _dot, name = path.rpartition(".")
        owner = _resolve(row, owner_path) if owner_path else row
        display = getattr(owner, f"get_{name}_display", None)
        return display() if callable(display) else value

    def currency_of(self, row, table: Table) -> str:
        return (_resolve(row, self.currency) if self.currency else None) or table.currency or ""

    def display(self, row, value, table: Table) -> str:
        if self.kind == MONEY:
            return format_money(value, self.currency_of(row, table))
        if self.kind == HOURS:
            return format_hours(value)
        if self.kind == DURATION:
            return format_duration(value) if value is not None else ""
        if self.kind == NUMBER:
            return "" if value is None else format_hours(value, 0) if isinstance(value, int) else format_hours(value)
        if self.kind == PERCENT:
            amount = as_decimal(value)
            return "" if amount is None else f"{amount.normalize():f}\u00a0%"
        if self.kind == DATE:
            return format_date(value)
        if self.kind == DATETIME:
            return format_datetime(value)
        if self.kind in (CHOICE, BADGE):
            return str(self.label_of(row, value))
        if value is None:
            return ""
        if isinstance(value, bool):
            return str(_("Yes") if value else _("No"))
        return str(value)

    def export_value(self, row, table: Table):
        value = self.raw(row)
        if self.kind == DURATION:
            return "" if value is None else (Decimal(int(value)) / 3600).quantize(Decimal("0.01"))
        if self.kind in (MONEY, HOURS, NUMBER, PERCENT):
            return "" if value is None else value
        if self.kind == DATE and isinstance(value, datetime.datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
            return value.date().isoformat()
        if self.kind in (DATE, DATETIME) and value is not None:
            if isinstance(value, datetime.datetime) and timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.isoformat()
        if self.kind in (CHOICE, BADGE):
            return self.label_of(row, value)
        if isinstance(value, bool):
            return str(_("Yes") if value else _("No"))
        return "" if value is None else str(value)


@dataclass
class Cell:
    column: Column
    value: Any
    text: str
    link: str | None = None
    detail: str = ""
    row: Any = None

    @property
    def css(self) -> str:
        classes = [self.column.css]
        if self.column.numeric:
            classes.append("num")
        if self.column.kind == MONEY:
            classes.append("money")
        return " ".join(c for c in classes if c)

    @property
    def badge(self) -> str:
        return str(self.value) if self.column.kind == BADGE and self.value not in (None, "") else ""


@dataclass
class Header:
    column: Column
    sort_url: str | None = None
    #: "ascending" / "descending" when the table is sorted by this column
    aria_sort: str | None = None


@dataclass
class Row:
    object: Any
    cells: list[Cell] = field(default_factory=list)


class Table:
    """A declarative table over a scoped queryset (or a list): subclass and set ``columns``."""

    columns: ClassVar[tuple[Column, ...]] = ()
    #: a column key, ``-`` for descending (``None``: the queryset's own order)
    default_sort: ClassVar[str | None] = None
    #: the CSV file's name (without ``.csv``)
    name: ClassVar[str] = "export"
    empty_text: ClassVar[str] = _("Nothing to show.")
    #: what the rows are, for the pager ("42 lines in all")
    noun: ClassVar[str] = _("rows")
    per_page_default: ClassVar[int] = 25
    exportable: ClassVar[bool] = True
    #: the registered report export of this list (issue 17): an Export button with the page's filters
    report: ClassVar[str] = ""
    css: ClassVar[str] = ""
    caption: ClassVar[str] = ""

    def __init__(self, request, data, *, currency: str | None = None, prefix: str = "", **options):
        self.request = request
        self.currency = currency
        self.prefix = prefix
        self.options = options
        self.sort_param = f"{prefix}sort"
        self.page_param = f"{prefix}page"
        self.size_param = f"{prefix}per_page"
        self.export_param = f"{prefix}{EXPORT_PARAM}"
        self.report_filters: dict = options.pop("report_filters", None) or {}  # the page's own (report_downloads)
        self.sort_key = self._chosen_sort()
        self.data = self._sorted(data)
        self._pager: Pager | None = None

    # ---- what is shown -------------------------------------------------------------

    @property
    def visible_columns(self) -> list[Column]:
        return [c for c in self.columns if not c.export_only]

    @property
    def export_columns(self) -> list[Column]:
        return [c for c in self.columns if c.export and not c.template]

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    # ---- sorting -------------------------------------------------------------------

    def _chosen_sort(self) -> str | None:
        chosen = self.request.GET.get(self.sort_param, "") or ""
        column = self.column(chosen.lstrip("-"))
        if column is not None and column.sortable:
            return chosen
        return self.default_sort

    def _sorted(self, data):
        if not self.sort_key:
            return data
        descending = self.sort_key.startswith("-")
        column = self.column(self.sort_key.lstrip("-"))
        if column is None:
            return data
        if isinstance(data, QuerySet):
            fields = (column.sort,) if isinstance(column.sort, str) else tuple(column.sort or ())
            if not fields:
                return data
            order = [f"-{f}" if descending else f for f in fields]
            # the primary key last: a stable order, so no row shows on two pages
            return data.order_by(*order, "-pk" if descending else "pk")
        rows = list(data)
        present = [r for r in rows if column.raw(r) is not None]
        missing = [r for r in rows if column.raw(r) is None]

        def key(row):
            value = column.raw(row)
            return value.lower() if isinstance(value, str) else value

        return sorted(present, key=key, reverse=descending) + missing

    def _url(self, **changes) -> str:
        query = self.request.GET.copy()
        for name, value in changes.items():
            if value is None:
                query.pop(name, None)
            else:
                query[name] = str(value)
        return "?" + query.urlencode()

    @property
    def headers(self) -> list[Header]:
        headers = []
        current = (self.sort_key or "").lstrip("-")
        descending = (self.sort_key or "").startswith("-")
        for column in self.visible_columns:
            header = Header(column)
            if column.sortable:
                next_key = f"-{column.key}" if column.key == current and not descending else column.key
                header.sort_url = self._url(**{self.sort_param: next_key, self.page_param: None})
                if column.key == current:
                    header.aria_sort = "descending" if descending else "ascending"
            headers.append(header)
        return headers

    # ---- paging --------------------------------------------------------------------

    @property
    def per_page(self) -> int:
        try:
            chosen = int(self.request.GET.get(self.size_param, ""))
        except ValueError:
            return self.per_page_default
        return chosen if chosen in PAGE_SIZES else self.per_page_default

    @property
    def pager(self) -> Pager:
        if self._pager is None:
            self._pager = Pager(self.request, self.data, param=self.page_param, per_page=self.per_page)
        return self._pager

    @property
    def page_sizes(self) -> list[dict]:
        return [{"value": size, "selected": size == self.per_page} for size in PAGE_SIZES]

    @property
    def kept_params(self) -> list[tuple[str, str]]:
        """The query string without this table's page and size (hidden fields of its page form)."""
        return [
            (name, value)
            for name, values in self.request.GET.lists()
            if name not in (self.page_param, self.size_param, self.export_param)
            for value in values
        ]

    @property
    def rows(self) -> list[Row]:
        return [self.row(obj) for obj in self.pager.rows]

    def row(self, obj) -> Row:
        cells = []
        for column in self.visible_columns:
            value = column.raw(obj)
            cells.append(
                Cell(
                    column=column,
                    value=value,
                    text=column.display(obj, value, self),
                    link=column.link(obj) if column.link else None,
                    detail=str(column.detail(obj) or "") if column.detail else "",
                    row=obj,
                )
            )
        return Row(obj, cells)

    # ---- totals --------------------------------------------------------------------

    @property
    def has_totals(self) -> bool:
        return any(c.total for c in self.visible_columns)

    @property
    def totals(self) -> list[dict]:
        """One entry per visible column: the formatted sum of the whole filtered list, or ``""``."""
        if not hasattr(self, "_totals"):
            sums = self._sums()
            self._totals = [
                {"column": c, "text": c.display(None, sums.get(c.key) or 0, self) if c.total else ""}
                for c in self.visible_columns
            ]
        return self._totals

    def _sums(self) -> dict:
        columns = [c for c in self.visible_columns if c.total]
        if not columns:
            return {}
        if isinstance(self.data, QuerySet):
            paths = {c.key: c.total_field or (c.accessor if isinstance(c.accessor, str) else c.key) for c in columns}
            aggregates = {f"total_{key}": Sum(path.replace(".", "__")) for key, path in paths.items()}
            result = self.data.order_by().aggregate(**aggregates)
            return {key: result[f"total_{key}"] for key in paths}
        return {c.key: sum((as_decimal(c.raw(obj)) or 0 for obj in self.data), Decimal(0)) for c in columns}

    # ---- CSV export ----------------------------------------------------------------

    @property
    def report_export_url(self) -> str:
        """The Exports page with this list's report and current filters (no page, size or sort)."""
        if not self.report:
            return ""
        skip = {self.page_param, self.size_param, self.export_param, self.sort_param, "report", *self.report_filters}
        fixed = [(n, [str(v)]) for n, v in self.report_filters.items()]
        return report_export_link(self.report, [(n, v) for n, v in self.request.GET.lists() if n not in skip] + fixed)

    @property
    def export_url(self) -> str:
        return self._url(**{self.export_param: "csv", self.page_param: None, self.size_param: None})

    @property
    def export_requested(self) -> bool:
        return self.exportable and self.request.GET.get(self.export_param) == "csv"

    def export_rows(self) -> Iterator[list]:
        columns = self.export_columns
        header = [str(c.label) for c in columns]
        if self.currency and any(c.kind == MONEY and not c.currency for c in columns):
            header.append(str(_("Currency")))
        yield header
        with_currency = len(header) > len(columns)
        data = self.data.iterator(chunk_size=EXPORT_CHUNK) if isinstance(self.data, QuerySet) else self.data
        for obj in data:
            row = [spreadsheet_cell(c.export_value(obj, self)) for c in columns]
            if with_currency:
                row.append(self.currency)
            yield row

    def csv_response(self, tz=None) -> StreamingHttpResponse:
        """The whole filtered, sorted list as CSV, streamed (never held in memory), with times
        in ``tz`` (the page's timezone)."""

        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo())
        zone = tz or timezone.get_current_timezone()

        def lines():
            with timezone.override(zone):
                for row in self.export_rows():
                    yield writer.writerow(row)

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        with timezone.override(zone):
            stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="{slugify(self.name) or "export"}-{stamp}.csv"'
        response["Cache-Control"] = "no-store"
        return response


class TablePageMixin:
    """A page with tables in its context: ``?export=csv`` answers the CSV of the same filtered
    list instead of the page. It hooks the rendering, so the page's own checks (roles, portal
    access, scoped lookups) and filters have all run first. Put it before the page base class."""

    def render_to_response(self, context, **response_kwargs):
        for value in context.values():
            if isinstance(value, Table) and value.export_requested:
                # the reader's zone (issue 14 point 3), as on the page itself
                tz = getattr(self, "zone", None) or reader_zone(self.actor)  # type: ignore[attr-defined]
                if value.report and (reader := report_reader()) is not None:  # its report's file (issue 17)
                    return report_csv_response(value, self.actor, reader, tz=tz)  # type: ignore[attr-defined]
                return value.csv_response(tz=tz)
        return super().render_to_response(context, **response_kwargs)  # type: ignore[misc]
