"""Filtering shared by REST, GraphQL and pages: one FilterSet per listable model.

Every list answers the six generic filters of the contract where its resource has the field or
a path to it (``workspace_id``, ``office_id``, ``role``, ``status``, ``updated_after``,
``created_after``); each app's FilterSet declares the ones that apply. A query parameter a list
does not support is a 422 problem naming it and listing the supported ones (issue 13).
"""

from __future__ import annotations

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend

from ..limits import MAX_WHOLE_NUMBER, date_out_of_range
from .errors import ValidationFailed, summarise_errors
from .filter_fields import UtcIsoDateTimeField
from .filtersets import BuiltOnceFilterSet

#: the generic filters of the contract (DESIGN §8)
GENERIC_FILTERS = ("workspace_id", "office_id", "role", "status", "updated_after", "created_after")

#: query parameters every list answers besides its filters (``per_page`` is ``page_size``'s alias)
LIST_PARAMETERS = frozenset({"page", "page_size", "per_page"})

#: the largest id or number a numeric filter accepts (PostgreSQL bigint); beyond it is a 422
MAX_FILTER_NUMBER = MAX_WHOLE_NUMBER


def _check_date(value):
    problem = date_out_of_range(value)
    if problem:
        raise forms.ValidationError(problem)


class BoundedIsoDateTimeField(UtcIsoDateTimeField):
    """An ISO 8601 instant, normalised to UTC, within the years of trackyoursheets.limits."""

    def clean(self, value):
        value = super().clean(value)
        _check_date(value)
        return value


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class BaseFilterSet(BuiltOnceFilterSet):
    """Every tenant-owned model has ``created_at``/``updated_at``: filter both. Numeric filters
    take whole numbers within bigint, date filters the years of trackyoursheets.limits (else a 422)."""

    created_after = BoundedIsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", label="Created at or after (ISO 8601)"
    )
    updated_after = BoundedIsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label="Updated at or after (ISO 8601)"
    )

    def __init__(self, *args, **kwargs):
        cls = type(self)
        if not cls.__dict__.get("_bounded"):
            _bound_filters(cls.base_filters)
            cls._bounded = True
        super().__init__(*args, **kwargs)


def _bound_filters(filters) -> None:
    """Bound every numeric and date filter of a FilterSet class once (its fields are rebuilt)."""
    for flt in filters.values():
        if isinstance(flt, django_filters.NumberFilter):
            flt.extra.setdefault("min_value", -MAX_FILTER_NUMBER)
            flt.extra.setdefault("max_value", MAX_FILTER_NUMBER)
            flt.extra.setdefault("decimal_places", 0)
        elif isinstance(flt, (django_filters.DateFilter, django_filters.IsoDateTimeFilter)):
            flt.extra.setdefault("validators", [_check_date])
        else:
            continue
        flt.__dict__.pop("_field", None)


def supported_parameters(filterset_class, view=None) -> frozenset[str]:
    """The query parameters a list answers: its filters, pagination, and any the view adds."""
    names = set(LIST_PARAMETERS)
    if filterset_class is not None:
        names.update(filterset_class.base_filters)
    names.update(getattr(view, "extra_query_parameters", ()))
    return frozenset(names)


def reject_unknown_parameters(query_params, supported: frozenset[str]) -> None:
    """A 422 problem naming every query parameter outside ``supported`` and listing those."""
    unknown = sorted(name for name in query_params if name not in supported)
    if not unknown:
        return
    listed = ", ".join(sorted(supported))
    errors = {name: [f"Unknown query parameter. Supported: {listed}."] for name in unknown}
    noun = "parameter" if len(unknown) == 1 else "parameters"
    raise ValidationFailed(errors, f"Unsupported query {noun} {', '.join(unknown)}; this list supports {listed}.")


def apply_filterset(filterset_class, data, queryset, request=None):
    """Filter ``queryset`` or raise a 422 problem naming each bad parameter."""
    if filterset_class is None:
        return queryset
    filterset = filterset_class(data=data, queryset=queryset, request=request)
    if isinstance(filterset, BuiltOnceFilterSet):
        # the form is validated here, never shown: only the given filters' fields are built
        filterset.use_form_of_nothing_given() or filterset.use_form_of_given_filters()
    if not filterset.is_valid():
        errors = {field: [str(m) for m in messages] for field, messages in filterset.errors.items()}
        raise ValidationFailed(errors, summarise_errors(errors))
    return filterset.qs


class ProblemFilterBackend(DjangoFilterBackend):
    """django-filter, but a bad value is a 422 problem instead of a 400, and so is a parameter
    the list does not support."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        reject_unknown_parameters(request.query_params, supported_parameters(filterset_class, view))
        return apply_filterset(filterset_class, request.query_params, queryset, request)


__all__ = ["BaseFilterSet", "GENERIC_FILTERS", "ProblemFilterBackend", "apply_filterset"]
