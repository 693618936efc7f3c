"""The list envelope of DESIGN §8, page-number pagination and the RFC 8288 Link header."""

from __future__ import annotations

import math

from django.conf import settings
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from ..limits import MAX_WHOLE_NUMBER as MAX_FILTER_NUMBER
from .errors import ValidationFailed


def _positive_int(raw: str | None, name: str, default: int, maximum: int | None = None) -> int:
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationFailed({name: ["Must be a whole number."]}) from None
    if value < 1:
        raise ValidationFailed({name: ["Must be 1 or more."]})
    if maximum is not None and value > maximum:
        raise ValidationFailed({name: [f"Must be {maximum} or less."]})
    return value


class EnvelopePagination(BasePagination):
    """``?page=`` and ``?page_size=`` (1-100; TimeTracker's ``per_page`` is an alias); out-of-range
    values are a 422 problem. The ``next``/``previous`` links keep the parameters the client sent."""

    page_query_param = "page"
    page_size_query_param = "page_size"
    #: TimeTracker's name for ``page_size`` (DESIGN §8: clients move over by changing the envelope)
    page_size_alias = "per_page"
    #: every query parameter the pagination reads (the generic filters accept these too)
    query_params = (page_query_param, page_size_query_param, page_size_alias)

    def _page_size_param(self, request) -> str:
        """The name the client used: ``page_size`` wins when both are sent."""
        params = request.query_params
        if params.get(self.page_size_query_param) in (None, "") and self.page_size_alias in params:
            return self.page_size_alias
        return self.page_size_query_param

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self._page_urls: dict[int | None, str] = {}
        size_param = self._page_size_param(request)
        self.page_size = _positive_int(
            request.query_params.get(size_param),
            size_param,
            settings.API_PAGE_SIZE_DEFAULT,
            settings.API_PAGE_SIZE_MAX,
        )
        self.page_number = _positive_int(request.query_params.get(self.page_query_param), self.page_query_param, 1)
        self.total = queryset.count()
        self.total_pages = max(1, math.ceil(self.total / self.page_size))
        if self.page_number > self.total_pages:
            raise ValidationFailed(
                {self.page_query_param: [f"Page {self.page_number} is past the last page ({self.total_pages})."]}
            )
        offset = (self.page_number - 1) * self.page_size
        return list(queryset[offset : offset + self.page_size])

    def _page_url(self, number: int | None) -> str | None:
        """The request's URL on page ``number``: built once per number and response (the body's
        next/previous and the Link header name the same pages; issue 13 point 14)."""
        if number is None:
            return None
        urls = self.__dict__.setdefault("_page_urls", {})
        if number not in urls:
            url = urls.get(None) or urls.setdefault(None, self.request.build_absolute_uri())
            if number == 1:
                urls[number] = remove_query_param(url, self.page_query_param)
            else:
                urls[number] = replace_query_param(url, self.page_query_param, number)
        return urls[number]

    def get_paginated_response(self, data) -> Response:
        next_number = self.page_number + 1 if self.page_number < self.total_pages else None
        previous_number = self.page_number - 1 if self.page_number > 1 else None
        body = {
            "results": data,
            "pagination": {
                "page": self.page_number,
                "page_size": self.page_size,
                "total": self.total,
                "total_pages": self.total_pages,
                "next": self._page_url(next_number),
                "previous": self._page_url(previous_number),
            },
        }
        links = [
            f'<{self._page_url(number)}>; rel="{rel}"'
            for rel, number in (
                ("next", next_number),
                ("prev", previous_number),
                ("first", 1),
                ("last", self.total_pages),
            )
            if number is not None
        ]
        return Response(body, headers={"Link": ", ".join(links)})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        nullable_uri = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["results", "pagination"],
            "properties": {
                "results": schema,
                "pagination": {
                    "type": "object",
                    "required": ["page", "page_size", "total", "total_pages", "next", "previous"],
                    "properties": {
                        "page": {"type": "integer", "example": 1},
                        "page_size": {"type": "integer", "example": 25},
                        "total": {"type": "integer", "example": 57},
                        "total_pages": {"type": "integer", "example": 3},
                        "next": nullable_uri,
                        "previous": nullable_uri,
                    },
                },
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.page_query_param,
                "in": "query",
                "required": False,
                "description": "Page number, from 1 to the last page (past it: a 422).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_FILTER_NUMBER},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"Rows per page (default {settings.API_PAGE_SIZE_DEFAULT}, "
                f"at most {settings.API_PAGE_SIZE_MAX}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": settings.API_PAGE_SIZE_MAX},
            },
            {
                "name": self.page_size_alias,
                "in": "query",
                "required": False,
                "description": "TimeTracker's name for `page_size` (used when `page_size` is absent).",
                "schema": {"type": "integer", "minimum": 1, "maximum": settings.API_PAGE_SIZE_MAX},
            },
        ]
