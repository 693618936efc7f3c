"""Django admin of payroll runs (issue 18): schedules, pay codes and overtime rules are edited
here; runs are read-only (their lines come from their sources, their status from the services:
REST, GraphQL and the payroll console)."""

from django.contrib import admin

from trackyoursheets.admin import ReadOnlyAdminMixin, TenantAdmin

from .models import (
    OvertimeRule,
    PayCode,
    PayrollAcknowledgement,
    PayrollAdjustment,
    PayrollEntry,
    PayrollLine,
    PayrollRun,
    PayrollSourceClaim,
    PaySchedule,
    PayScheduleAssignment,
)


@admin.register(PaySchedule)
class PayScheduleAdmin(TenantAdmin):
    list_display = ("name", "frequency", "anchor_date", "pay_date_offset_days", "active", "organisation")
    list_select_related = ("organisation",)
    list_filter = ("frequency", "active", "organisation")
    search_fields = ("name", "organisation__name")


@admin.register(PayScheduleAssignment)
class PayScheduleAssignmentAdmin(ReadOnlyAdminMixin, TenantAdmin):
    list_display = ("employee", "pay_schedule", "organisation")
    list_select_related = ("organisation", "employee", "pay_schedule")
    search_fields = ("employee__first_name", "employee__last_name", "pay_schedule__name")


@admin.register(PayCode)
class PayCodeAdmin(TenantAdmin):
    list_display = ("code", "name", "kind", "multiplier", "external_code", "is_default", "active", "organisation")
    list_select_related = ("organisation",)
    list_filter = ("kind", "is_default", "active", "organisation")
    search_fields = ("code", "name", "external_code", "organisation__name")


@admin.register(OvertimeRule)
class OvertimeRuleAdmin(TenantAdmin):
    list_display = (
        "organisation",
        "office",
        "weekly_threshold_hours",
        "daily_threshold_hours",
        "daily_double_threshold_hours",
        "seventh_day",
        "holiday_multiplier",
        "paid_holidays",
    )
    list_select_related = ("organisation", "office")
    list_filter = ("seventh_day", "paid_holidays", "organisation")


class PayrollEntryInline(admin.TabularInline):
    model = PayrollEntry
    fields = ("employee", "gross", "hours_by_code", "amounts_by_code", "warnings")
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class PayrollAcknowledgementInline(PayrollEntryInline):
    model = PayrollAcknowledgement
    fields = ("notes", "by_label", "client_id", "created_at")
    readonly_fields = fields


@admin.register(PayrollRun)
class PayrollRunAdmin(ReadOnlyAdminMixin, TenantAdmin):
    list_display = ("id", "period_start", "period_end", "pay_schedule", "status", "gross_total", "organisation")
    list_select_related = ("organisation", "pay_schedule")
    list_filter = ("status", "off_cycle", "organisation")
    search_fields = ("organisation__name", "pay_schedule__name")
    date_hierarchy = "period_start"
    inlines = (PayrollEntryInline, PayrollAcknowledgementInline)


@admin.register(PayrollLine)
class PayrollLineAdmin(ReadOnlyAdminMixin, TenantAdmin):
    list_display = ("id", "run", "entry", "pay_code", "source_kind", "amount", "explanation", "organisation")
    list_select_related = ("organisation", "run", "entry__employee", "pay_code")
    list_filter = ("source_kind", "organisation")


@admin.register(PayrollEntry)
class PayrollEntryAdmin(ReadOnlyAdminMixin, TenantAdmin):
    list_display = ("id", "run", "employee", "gross", "organisation")
    list_select_related = ("organisation", "run", "employee")
    list_filter = ("organisation",)
    search_fields = ("employee__first_name", "employee__last_name", "employee__employee_number")


@admin.register(PayrollSourceClaim)
class PayrollSourceClaimAdmin(ReadOnlyAdminMixin, TenantAdmin):
    """Which run holds which source (a time entry, ledger line, leave request, expense): the
    database lets one live claim exist per source."""

    list_display = ("id", "run", "kind", "object_id", "employee", "day", "released", "organisation")
    list_select_related = ("organisation", "run", "employee")
    list_filter = ("kind", "released", "organisation")
    search_fields = ("object_id",)


@admin.register(PayrollAdjustment)
class PayrollAdjustmentAdmin(ReadOnlyAdminMixin, TenantAdmin):
    list_display = ("id", "run", "employee", "kind", "amount", "reason", "created_by_label", "organisation")
    list_select_related = ("organisation", "run", "employee")
    list_filter = ("kind", "organisation")
    search_fields = ("reason", "employee__first_name", "employee__last_name")


@admin.register(PayrollAcknowledgement)
class PayrollAcknowledgementAdmin(ReadOnlyAdminMixin, TenantAdmin):
    list_display = ("id", "run", "by_label", "client_id", "notes", "organisation")
    list_select_related = ("organisation", "run")
    list_filter = ("organisation",)
    search_fields = ("notes", "by_label", "client_id")
