"""Django admin for time tracking (issue 7); tenancy rules come from ``TenantAdmin``.

Clients, projects, tasks, contracts and the time settings are edited here. Time entries are
recorded through the timer, the pages, the API and imports (which derive durations and refuse
overlaps); staff may correct an entry's notes, tags, billable and paid flags only. Import jobs
are records of what ran: view only.

Period locks (issue 15 point 2) hold here too: an entry in a locked period (an approved timesheet,
or the organisation's automatic lock) cannot be changed nor deleted — the form answers with the
locked period, the delete page refuses. Timesheets are changed through their workflow (REST,
GraphQL, pages), so their admin is view only; the timesheet settings keep the period type once
timesheets exist.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse

from trackyoursheets.admin import ReadOnlyAdminMixin, TenantAdmin, TenantInline
from trackyoursheets.exceptions import Conflict

from .models import (
    Client,
    Contract,
    Expense,
    ExpenseCategory,
    ImportJob,
    Project,
    ProjectViewer,
    RateChange,
    Task,
    TimeEntry,
    TimeRequest,
    TimeSettings,
    Timesheet,
    TimesheetSettings,
    normalise_tags,
)
from .services.locks import PeriodLocks


def _lock_refusal(entry: TimeEntry) -> str | None:
    """The locked period's message when ``entry`` sits in one (the services' own check)."""
    try:
        PeriodLocks(entry.organisation).check(entry.employee, [entry.start_time])
    except Conflict as refusal:
        return refusal.detail
    return None


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
    list_display = (
        "employee",
        "project",
        "hourly_rate",
        "pay_rate",
        "weekly_hours_limit",
        "daily_hours_limit",
        "organisation",
        "updated_at",
    )
    list_select_related = ("organisation", "employee", "project")
    list_filter = ("organisation",)
    search_fields = ("employee__first_name", "employee__last_name", "employee__email", "project__name")


@admin.register(ProjectViewer)
class ProjectViewerAdmin(TenantAdmin):
    list_display = ("membership", "project", "can_see_amounts", "organisation", "updated_at")
    list_select_related = ("organisation", "membership__user", "project")
    list_filter = ("organisation", "can_see_amounts")
    search_fields = ("membership__user__email", "project__name")


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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class LockedPeriodForm(form):
            def clean(self):
                cleaned = super().clean()
                refusal = _lock_refusal(self.instance) if self.instance.pk else None
                if refusal:
                    raise ValidationError(refusal)
                return cleaned

        return LockedPeriodForm

    def save_model(self, request, obj, form, change):
        obj.tags = normalise_tags(obj.tags)  # stored the way the services store them
        super().save_model(request, obj, form, change)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, through the lock check below
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        entry = self.get_object(request, object_id)
        refusal = _lock_refusal(entry) if entry is not None else None
        if refusal:
            messages.error(request, refusal)
            return HttpResponseRedirect(reverse("admin:timetracking_timeentry_change", args=[entry.pk]))
        return super().delete_view(request, object_id, extra_context)


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


@admin.register(TimesheetSettings)
class TimesheetSettingsAdmin(TenantAdmin):
    list_display = ("organisation", "period", "anchor", "auto_lock_days", "updated_at")
    list_select_related = ("organisation",)
    list_filter = ("period", "organisation")
    search_fields = ("organisation__name",)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and Timesheet.objects.for_organisation(obj.organisation).exists():
            fields = (*fields, "period", "anchor")  # timesheets exist: their periods must keep matching
        return fields


@admin.register(Timesheet)
class TimesheetAdmin(ReadOnlyAdminMixin, TenantAdmin):
    list_display = ("id", "employee", "period_start", "period_end", "status", "organisation", "decided_at")
    list_select_related = ("organisation", "employee")
    list_filter = ("status", "organisation")
    search_fields = ("employee__first_name", "employee__last_name", "employee__email")
    date_hierarchy = "period_start"


@admin.register(TimeRequest)
class TimeRequestAdmin(ReadOnlyAdminMixin, TenantAdmin):
    """View only: a request is decided through its workflow (REST, GraphQL), which creates the
    entry, checks the period lock and records the event."""

    list_display = ("id", "employee", "project", "start_time", "end_time", "status", "organisation", "decided_at")
    list_select_related = ("organisation", "employee", "project")
    list_filter = ("status", "organisation")
    search_fields = ("employee__first_name", "employee__last_name", "employee__email", "reason")
    date_hierarchy = "start_time"


@admin.register(RateChange)
class RateChangeAdmin(ReadOnlyAdminMixin, TenantAdmin):
    """View only: rate history is added through /v1/rates (audited); it is never edited."""

    list_display = ("id", "kind", "task", "contract", "project", "client", "hourly_rate", "effective_from")
    list_select_related = ("task", "contract__employee", "project", "client")
    list_filter = ("kind", "organisation")
    date_hierarchy = "effective_from"


@admin.register(ExpenseCategory)
class ExpenseCategoryAdmin(TenantAdmin):
    """Expense categories (issue 16): name, limit per expense, receipt required above, archived."""

    list_display = ("name", "expense_limit", "receipt_required_above", "archived", "organisation")
    list_select_related = ("organisation",)
    list_filter = ("archived", "organisation")
    search_fields = ("name",)


@admin.register(Expense)
class ExpenseAdmin(ReadOnlyAdminMixin, TenantAdmin):
    """View only: an expense moves through its workflow (REST, GraphQL, pages), which checks the
    limits and receipts, records the audit row and the event."""

    list_display = ("id", "employee", "date", "category", "amount", "currency", "converted_amount", "status")
    list_select_related = ("organisation", "employee", "category")
    list_filter = ("status", "billable", "organisation")
    search_fields = ("employee__first_name", "employee__last_name", "employee__email", "description")
    date_hierarchy = "date"
    exclude = ("receipt_storage_path",)
