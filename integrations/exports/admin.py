"""Django admin of report exports (issue 17): read-only rows (the job writes them); staff may
delete an export, which removes its file through the service."""

from __future__ import annotations

from django.contrib import admin

from organisations.admin.helpers import pretty_json, staff_actor
from trackyoursheets.admin import ReadOnlyAdminMixin

from . import services
from .models import ReportExport


@admin.register(ReportExport)
class ReportExportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    allow_delete = True
    list_display = (
        "id",
        "report",
        "format",
        "status",
        "organisation",
        "actor_label",
        "row_count",
        "size",
        "created_at",
    )
    list_select_related = ("organisation",)
    list_filter = ("status", "format", "report", "organisation")
    search_fields = ("=id", "report", "actor_label", "checksum")
    date_hierarchy = "created_at"
    fields = (
        "organisation",
        "report",
        "format",
        "status",
        "filters_shown",
        "columns",
        "parts",
        "actor_label",
        "actor_kind",
        "progress_done",
        "progress_total",
        "row_count",
        "size",
        "checksum",
        "file_name",
        "expires_at",
        "error",
        "created_at",
        "started_at",
        "finished_at",
    )
    readonly_fields = fields

    @admin.display(description="filters")
    def filters_shown(self, obj):
        return pretty_json(obj.filters)

    def delete_model(self, request, obj):
        services.export_delete(actor=staff_actor(request, obj.organisation), export=obj)

    def delete_queryset(self, request, queryset):
        for export in queryset.select_related("organisation"):
            self.delete_model(request, export)
