"""Reads of report exports: scoped to the organisation, and to the requester unless the actor
sees the whole organisation (owners, admins, OAuth clients)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from organisations.actors import Actor
from trackyoursheets.api.filters import BaseFilterSet, apply_filterset

from .models import ExportFormat, ExportStatus, ReportExport

__all__ = ["ReportExportFilterSet", "export_get", "export_list"]


class ReportExportFilterSet(BaseFilterSet):
    status = django_filters.ChoiceFilter(choices=ExportStatus.choices)
    format = django_filters.ChoiceFilter(choices=ExportFormat.choices)
    report = django_filters.CharFilter(max_length=60)

    class Meta:
        model = ReportExport
        fields = ["status", "format", "report"]


def export_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[ReportExport]:
    """Exports the actor may see, newest first (one query a page)."""
    qs = ReportExport.objects.visible_to(actor).order_by("-id")
    return apply_filterset(ReportExportFilterSet, filters, qs) if filters else qs


def export_get(*, actor: Actor, pk: int) -> ReportExport:
    return export_list(actor=actor).select_related("organisation").get(pk=pk)
