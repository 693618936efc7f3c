"""Page base classes shared by every app's ``/app/`` pages (issue 12 point 3; STYLE §1).

- :class:`MemberPageMixin`, :class:`ConsolePage`, :func:`forbidden` (:mod:`.pages`);
- :class:`Pager`, :func:`scoped_or_404` (:mod:`.lists`);
- :class:`PageForm` (ISO date inputs), :func:`add_service_errors`, :func:`error_text`,
  :func:`form_error_text`, ``SERVICE_ERRORS`` (:mod:`.forms`);
- :data:`NAVIGATION`, :class:`NavItem`, :func:`nav_items`, :func:`visible_links` (:mod:`.navigation`).
"""

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

__all__ = [
    "NAVIGATION",
    "PAGE_SIZE",
    "SERVICE_ERRORS",
    "ConsolePage",
    "IsoDateInput",
    "IsoDateTimeInput",
    "MemberPageMixin",
    "NavItem",
    "PageForm",
    "PageFormMixin",
    "Pager",
    "add_service_errors",
    "error_text",
    "forbidden",
    "form_error_text",
    "nav_items",
    "page_allowed_roles",
    "reader_zone",
    "scoped_or_404",
    "visible_links",
]
