"""Lists on pages: one page of rows with links that keep the filters, and scoped lookups."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

__all__ = ["PAGE_SIZE", "Pager", "report_export_link", "scoped_or_404"]

PAGE_SIZE = 25


class Pager:
    """One page of a list (25 rows unless told) and the links to its neighbours, keeping the filters.

    A page number past the end shows the last page, anything unreadable the first (the shared
    table's page jump relies on it)."""

    def __init__(self, request, queryset, param: str = "page", per_page: int = PAGE_SIZE):
        self.page = Paginator(queryset, per_page).get_page(request.GET.get(param))
        self._request = request
        self._param = param

    def _url(self, number: int) -> str:
        query = self._request.GET.copy()
        query[self._param] = str(number)
        return "?" + query.urlencode()

    @property
    def previous_url(self) -> str | None:
        return self._url(self.page.previous_page_number()) if self.page.has_previous() else None

    @property
    def next_url(self) -> str | None:
        return self._url(self.page.next_page_number()) if self.page.has_next() else None

    @property
    def rows(self):
        return self.page.object_list


def scoped_or_404(selector, *, actor, pk, **lookups):
    """A scoped lookup: a missing row and another organisation's row are the same 404 (DESIGN §3).

    ``lookups`` go to the selector too (e.g. the parent a nested row must belong to)."""
    try:
        return selector(actor=actor, pk=pk, **lookups)
    except ObjectDoesNotExist as error:
        raise Http404(_("Not found.")) from error


def report_export_link(report: str, filters) -> str:
    """The Exports page with ``report`` and ``filters`` (``(name, [values])`` pairs; empty values
    dropped) filled in: the Export… button of a list page (issue 17)."""
    query = QueryDict(mutable=True)
    query["report"] = report
    for name, values in filters:
        query.setlist(name, [v for v in values if v])
    return f"{reverse('exports:list')}?{query.urlencode()}"
