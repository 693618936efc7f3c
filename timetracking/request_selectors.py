"""Reads of time requests and rate history (issue 15 points 3 and 5), scoped as every read of
time tracking (``restrict_to`` on the models): requests as timesheets, rates for the roles that
may see rates."""

from __future__ import annotations

from django.db.models import QuerySet

from organisations.actors import Actor
from trackyoursheets.api.filters import apply_filterset

from .filters import RateChangeFilterSet, TimeRequestFilterSet
from .models import RateChange, TimeRequest

__all__ = ["time_request_list", "time_request_get", "rate_change_list", "rate_change_get"]


def time_request_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[TimeRequest]:
    """Requests the actor may see (own; a manager their office's and direct reports'; everyone for
    owners, admins and OAuth clients), newest first."""
    qs = (
        TimeRequest.objects.visible_to(actor)
        .select_related("employee__office", "employee__membership", "project", "organisation")
        .order_by("-created_at", "-id")
    )
    return apply_filterset(TimeRequestFilterSet, filters, qs) if filters else qs


def time_request_get(*, actor: Actor, pk: int) -> TimeRequest:
    return time_request_list(actor=actor).get(pk=pk)


def rate_change_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[RateChange]:
    qs = RateChange.objects.visible_to(actor).select_related("organisation").order_by("kind", "effective_from", "id")
    return apply_filterset(RateChangeFilterSet, filters, qs) if filters else qs


def rate_change_get(*, actor: Actor, pk: int) -> RateChange:
    return rate_change_list(actor=actor).get(pk=pk)
