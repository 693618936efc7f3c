"""Django admin of the TrackTik connector: every row read-only (the pages and the API change the
connection through its service), never a secret (shown as set / not set). "Sync now" is an
action on the connection that calls the same service as the API."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from organisations.admin.helpers import pretty_json, staff_actor
from trackyoursheets.admin import ReadOnlyAdminMixin
from trackyoursheets.exceptions import DomainError

from . import services
from .models import (
    TracktikConnection,
    TracktikContract,
    TracktikInvoiceReconciliation,
    TracktikPosition,
    TracktikScrMatch,
    TracktikShift,
    TracktikSite,
    TracktikSyncRun,
)


@admin.register(TracktikConnection)
class TracktikConnectionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("organisation", "base_url", "enabled", "sync_interval_minutes", "last_sync_at")
    list_filter = ("enabled",)
    search_fields = ("organisation__name", "base_url")
    fields = (
        "organisation",
        "base_url",
        "client_id",
        "client_secret_status",
        "username",
        "password_status",
        "enabled",
        "sync_interval_minutes",
        "trust_approval",
        "lookback_days",
        "sync_from",
        "watermark",
        "last_sync_at",
    )
    readonly_fields = fields
    actions = ("sync_now",)

    @admin.display(description=_("client secret"))
    def client_secret_status(self, obj) -> str:
        return str(_("set") if obj.client_secret_set else _("not set"))

    @admin.display(description=_("password"))
    def password_status(self, obj) -> str:
        return str(_("set") if obj.password_set else _("not set"))

    @admin.action(description=_("Sync now"))
    def sync_now(self, request, queryset):
        for connection in queryset.select_related("organisation"):
            try:
                run = services.sync_start(actor=staff_actor(request, connection.organisation))
            except DomainError as error:
                self.message_user(request, f"{connection.organisation}: {error.detail}", messages.ERROR)
            else:
                self.message_user(request, f"{connection.organisation}: sync #{run.pk} queued.")


@admin.register(TracktikSyncRun)
class TracktikSyncRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "organisation",
        "status",
        "full",
        "created_count",
        "updated_count",
        "flagged_count",
        "error_count",
        "created_at",
    )
    list_filter = ("status", "full")
    search_fields = ("organisation__name",)
    readonly_fields = ("errors_pretty",)
    exclude = ("errors",)

    @admin.display(description=_("record errors"))
    def errors_pretty(self, obj) -> str:
        return pretty_json(obj.errors)


@admin.register(TracktikSite)
class TracktikSiteAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("custom_id", "name", "organisation", "tracktik_id", "client", "project", "bill_rate")
    search_fields = ("custom_id", "name", "organisation__name")


@admin.register(TracktikPosition)
class TracktikPositionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "post_position_code", "organisation", "tracktik_id", "site", "bill_rate")
    search_fields = ("name", "post_position_code", "organisation__name")


@admin.register(TracktikContract)
class TracktikContractAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("tracktik_id", "name", "organisation", "site", "start_date", "end_date", "status", "bill_rate")
    search_fields = ("name", "custom_id", "organisation__name")


@admin.register(TracktikShift)
class TracktikShiftAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "tracktik_id",
        "organisation",
        "employee",
        "site",
        "position",
        "start",
        "hours",
        "clock_in",
        "worked_hours",
        "unpaid_break_hours",
        "state",
    )
    list_filter = ("state", "holiday")
    search_fields = ("=tracktik_id", "organisation__name")


@admin.register(TracktikScrMatch)
class TracktikScrMatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "organisation", "filename", "first_day", "last_day", "created_at")
    search_fields = ("filename", "organisation__name")


@admin.register(TracktikInvoiceReconciliation)
class TracktikInvoiceReconciliationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "organisation", "filename", "created_at")
    search_fields = ("filename", "organisation__name")
