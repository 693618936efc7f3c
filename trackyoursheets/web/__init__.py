"""Page base classes shared by every app's ``/app/`` pages (issue 12 point 3; STYLE §1).

- :class:`MemberPageMixin`, :class:`ConsolePage`, :func:`forbidden` (:mod:`.pages`);
- :class:`Pager`, :func:`scoped_or_404` (:mod:`.lists`);
- :class:`PageForm` (ISO date inputs), :func:`add_service_errors`, :func:`error_text`,
  :func:`form_error_text`, ``SERVICE_ERRORS`` (:mod:`.forms`);
- :data:`NAVIGATION`, :class:`NavItem`, :func:`nav_items`, :func:`visible_links` (:mod:`.navigation`);
- :class:`Table`, :class:`Column`, :class:`TablePageMixin` -- the one list table (:mod:`.tables`);
- :func:`format_money` and the other formats of every page (:mod:`.formats`);
- the dashboard card registry (:mod:`.dashboard`).
"""

from .formats import format_date, format_datetime, format_duration, format_hours, format_money, spreadsheet_cell
from .forms import (
    SERVICE_ERRORS,
    IsoDateInput,
    IsoDateTimeInput,
    PageForm,
    PageFormMixin,
    add_service_errors,
    error_text,
    form_error_text,
)
from .lists import PAGE_SIZE, Pager, scoped_or_404
from .navigation import NAVIGATION, NavItem, nav_items, page_allowed_roles, visible_links
from .pages import ConsolePage, MemberPageMixin, forbidden, reader_zone
from .tables import Column, Table, TablePageMixin

__all__ = [
    "NAVIGATION",
    "PAGE_SIZE",
    "SERVICE_ERRORS",
    "Column",
    "ConsolePage",
    "IsoDateInput",
    "IsoDateTimeInput",
    "MemberPageMixin",
    "NavItem",
    "PageForm",
    "PageFormMixin",
    "Pager",
    "Table",
    "TablePageMixin",
    "add_service_errors",
    "error_text",
    "forbidden",
    "format_date",
    "format_datetime",
    "format_duration",
    "format_hours",
    "format_money",
    "spreadsheet_cell",
    "form_error_text",
    "nav_items",
    "page_allowed_roles",
    "reader_zone",
    "scoped_or_404",
    "visible_links",
]
