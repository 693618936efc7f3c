"""Django admin for the event outbox (issue 2 point 11): read-only.

Events are written by services in the same transaction as their change and
delivered by the dispatcher; adding, editing or deleting one by hand would
make the outbox lie about what happened (DESIGN §5).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from organisations.admin import ReadOnlyAdminMixin, pretty_json

from .models import OutboxEvent


class DispatchedFilter(admin.SimpleListFilter):
    title = _("dispatched")
    parameter_name = "dispatched"

    def lookups(self, request, model_admin):
        return (("yes", _("Dispatched")), ("no", _("Pending")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(dispatched_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(dispatched_at__isnull=True)
        return queryset


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "topic", "organisation", "actor_label", "request_id", "created_at", "dispatched_at")
    list_display_links = ("id", "topic")
    list_select_related = ("organisation",)
    list_filter = ("topic", "organisation", DispatchedFilter)
    search_fields = ("topic", "=request_id", "actor_label")
    date_hierarchy = "created_at"
    fields = (
        "organisation",
        "topic",
        "pretty_payload",
        "actor_label",
        "request_id",
        "created_at",
        "updated_at",
        "dispatched_at",
    )
    readonly_fields = ("pretty_payload",)
    list_per_page = 100

    @admin.display(description=_("payload"))
    def pretty_payload(self, obj) -> str:
        return pretty_json(obj.payload)
