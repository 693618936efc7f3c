"""Filtering shared by REST, GraphQL and pages: one FilterSet per listable model."""

from __future__ import annotations

import django_filters
from django_filters.rest_framework import DjangoFilterBackend

from .errors import ValidationFailed, summarise_errors
from .filter_fields import UtcIsoDateTimeFilter


class BaseFilterSet(django_filters.FilterSet):
    """Every tenant-owned model has ``created_at``/``updated_at``: filter both."""

    created_after = UtcIsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", label="Created at or after (ISO 8601)"
    )
    updated_after = UtcIsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label="Updated at or after (ISO 8601)"
    )


def apply_filterset(filterset_class, data, queryset, request=None):
    """Filter ``queryset`` or raise a 422 problem naming each bad parameter."""
    if filterset_class is None:
        return queryset
    filterset = filterset_class(data=data, queryset=queryset, request=request)
    if not filterset.is_valid():
        errors = {field: [str(m) for m in messages] for field, messages in filterset.errors.items()}
        raise ValidationFailed(errors, summarise_errors(errors))
    return filterset.qs


class ProblemFilterBackend(DjangoFilterBackend):
    """django-filter, but a bad value is a 422 problem instead of a 400."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        return apply_filterset(filterset_class, request.query_params, queryset, request)
