"""Django admin for time tracking (issue 7); tenancy rules come from ``TenantAdmin``.

Clients, projects, tasks, contracts and the time settings are edited here. Time entries are
recorded through the timer, the pages, the API and imports (which derive durations and refuse
overlaps); staff may correct an entry's notes, tags, billable and paid flags only. Import jobs
are records of what ran: view only.
"""

from django.contrib import admin

from trackyoursheets.admin import ReadOnlyAdminMixin, TenantAdmin, TenantInline

from .models import Client, Contract, ImportJob, Project, Task, TimeEntry, TimeSettings, normalise_tags


@admin.register(TimeSettings)
class TimeSettingsAdmin(TenantAdmin):
    list_display = ("organisation", "allow_overlapping", "rounding_mode", "rounding_minutes", "updated_at")
    list_select_related = ("organisation",)
    list_filter = ("allow_overlapping", "rounding_mode", "organisation")
    search_fields = ("organisation__name",)


@admin.register(Client)
class ClientAdmin(TenantAdmin):
    list_display = ("name", "company", "email", "organisation", "default_rate", "archived", "created_at")
    list_select_related = ("organisation",)
    list_filter = ("archived", "organisation")
    search_fields = ("name", "company", "email", "organisation__name")


class TaskInline(TenantInline, admin.TabularInline):
    model = Task
    fk_name = "project"
    fields = ("name", "status", "priority", "assignee", "estimated_hours", "hourly_rate")


@admin.register(Project)
class ProjectAdmin(TenantAdmin):
    list_display = ("name", "client", "organisation", "status", "billable", "hourly_rate", "estimated_hours")
    list_select_related = ("organisation", "client")
    list_filter = ("status", "billable", "organisation")
    search_fields = ("name", "description", "client__name", "organisation__name")
    inlines = (TaskInline,)


@admin.register(Task)
class TaskAdmin(TenantAdmin):
    list_display = ("name", "project", "organisation", "status", "priority", "assignee", "estimated_hours")
    list_select_related = ("organisation", "project", "assignee")
    list_filter = ("status", "priority", "organisation")
    search_fields = ("name", "description", "project__name")


@admin.register(Contract)
class ContractAdmin(TenantAdmin):
    list_display = ("employee", "project", "hourly_rate", "organisation", "updated_at")
    list_select_related = ("organisation", "employee", "project")
    list_filter = ("organisation",)
    search_fields = ("employee__first_name", "employee__last_name", "employee__email", "project__name")


@admin.register(TimeEntry)
class TimeEntryAdmin(TenantAdmin):
    list_display = (
        "id",
        "start_time",
        "end_time",
        "employee",
        "project",
        "task",
        "organisation",
        "duration_seconds",
        "billable",
        "paid",
        "source",
    )
    list_select_related = ("organisation", "employee", "project", "task")
    list_filter = ("source", "billable", "paid", "organisation")
    search_fields = ("notes", "tags", "employee__first_name", "employee__last_name", "project__name")
    date_hierarchy = "start_time"
    readonly_fields = (
        "organisation",
        "employee",
        "project",
        "task",
        "start_time",
        "end_time",
        "duration_seconds",
        "source",
        "external_id",
        "created_at",
        "updated_at",
    )
    fields = (*readonly_fields[:-2], "notes", "tags", "billable", "paid", "created_at", "updated_at")

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        obj.tags = normalise_tags(obj.tags)  # stored the way the services store them
        super().save_model(request, obj, form, change)


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, TenantAdmin):
    list_display = (
        "id",
        "organisation",
        "status",
        "dry_run",
        "total_rows",
        "created_count",
        "error_count",
        "created_at",
    )
    list_select_related = ("organisation",)
    list_filter = ("status", "dry_run", "organisation")
    search_fields = ("filename", "actor_label", "organisation__name")
    exclude = ("source_text",)
