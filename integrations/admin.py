"""Django admin for the event outbox and webhooks (issue 2 point 11, issue 5).

- Outbox events, deliveries and attempts are read-only: they are the record of what
  happened, written by services; a hand-made row would make it lie (DESIGN §5).
  A delivery can be *redelivered* (an action), which is a service call.
- Subscriptions are created and changed through the services (the same URL policy,
  topic catalogue and plan checks as the API); the signing secret is shown once in
  a message and stored encrypted; rotating it and sending a test ping are actions.
- Every change lands in the organisation's audit trail (``AuditedAdminMixin``).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from organisations.admin.helpers import pretty_json, staff_actor
from trackyoursheets.admin import AuditedAdminMixin, ReadOnlyAdminMixin, TenantAdminForm
from trackyoursheets.exceptions import DomainError

from . import events, services
from .models import (
    OutboxEvent,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)


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


# =============================================================================
# Webhook subscriptions
# =============================================================================


def topic_choices() -> list[tuple[str, str]]:
    return [(events.ALL_TOPICS, _("Every topic (*)")), *((t.name, t.name) for t in events.topic_list())]


class WebhookSubscriptionAdminForm(TenantAdminForm):
    url = forms.URLField(label=_("URL"), max_length=2000, assume_scheme="https")
    topics = forms.MultipleChoiceField(choices=topic_choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookSubscription
        fields = ("organisation", "url", "topics", "description", "is_active")

    def clean(self):
        cleaned_data = super().clean()
        organisation = cleaned_data.get("organisation") or getattr(self.instance, "organisation", None)
        if organisation is None or self.errors:
            return cleaned_data
        problems = services.webhook_subscription_problems(
            organisation=organisation,
            url=cleaned_data.get("url") if "url" in self.changed_data or self.instance.pk is None else None,
            topics=cleaned_data.get("topics"),
            adding=self.instance.pk is None,
        )
        for field, messages_ in problems.items():
            self.add_error(None if field == "__all__" else field, messages_)
        return cleaned_data


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = WebhookSubscriptionAdminForm
    list_display = ("url", "organisation", "topic_summary", "is_active", "consecutive_failures", "created_at")
    list_select_related = ("organisation",)
    list_filter = ("is_active", "organisation")
    search_fields = ("url", "description", "organisation__name")
    autocomplete_fields = ("organisation",)
    date_hierarchy = "created_at"
    actions = ("rotate_secret", "send_test_ping")
    readonly_fields = (
        "secret_status",
        "secret_rotated_at",
        "previous_secret_expires_at",
        "consecutive_failures",
        "disabled_at",
        "disabled_reason",
        "created_at",
        "updated_at",
    )

    def get_fieldsets(self, request, obj=None):
        main = (None, {"fields": ("organisation", "url", "topics", "description", "is_active")})
        if obj is None:
            return (main,)
        return (
            main,
            (_("Signing secret"), {"fields": ("secret_status", "secret_rotated_at", "previous_secret_expires_at")}),
            (_("Health"), {"fields": ("consecutive_failures", "disabled_at", "disabled_reason")}),
            (_("Record"), {"fields": ("created_at", "updated_at")}),
        )

    def get_readonly_fields(self, request, obj=None):
        return ("organisation", *self.readonly_fields) if obj is not None else self.readonly_fields

    @admin.display(description=_("topics"))
    def topic_summary(self, obj) -> str:
        return ", ".join(obj.topics)

    @admin.display(description=_("signing secret"))
    def secret_status(self, obj) -> str:
        return _("%(hint)s… (stored encrypted; shown once, when created or rotated)") % {"hint": obj.secret_hint}

    def _show_secret_once(self, request, subscription, secret: str, note) -> None:
        messages.success(
            request,
            format_html("{} {}: <code>{}</code>. {}", _("Signing secret of"), subscription.url, secret, note),
        )

    def save_model(self, request, obj, form, change):
        actor = staff_actor(request, obj.organisation)
        data = {name: form.cleaned_data[name] for name in ("url", "topics", "description", "is_active")}
        if change:
            original = WebhookSubscription.objects.get(pk=obj.pk)
            changed = {name: value for name, value in data.items() if name in form.changed_data}
            saved = services.webhook_subscription_update(actor=actor, subscription=original, data=changed)
        else:
            created = services.webhook_subscription_create(actor=actor, **data)
            saved = created.subscription
            self._show_secret_once(
                request, saved, created.secret, _("Copy it now: it is stored encrypted and never shown again.")
            )
        obj.__dict__.update(saved.__dict__)  # the admin goes on with ``obj`` (messages, redirect)

    def delete_model(self, request, obj):
        services.webhook_subscription_delete(actor=staff_actor(request, obj.organisation), subscription=obj)

    def delete_queryset(self, request, queryset):
        for subscription in queryset.select_related("organisation"):
            self.delete_model(request, subscription)

    @admin.action(
        description=_("Rotate the signing secret (the old one signs too for 24 hours)"), permissions=["change"]
    )
    def rotate_secret(self, request, queryset):
        for subscription in queryset.select_related("organisation"):
            rotated = services.webhook_subscription_rotate_secret(
                actor=staff_actor(request, subscription.organisation), subscription=subscription
            )
            self.log_change(request, subscription, [{"changed": {"fields": ["signing secret"]}}])
            self._show_secret_once(
                request,
                subscription,
                rotated.secret,
                _("Copy it now. The previous secret also signs until %(until)s.")
                % {"until": formats.localize(timezone.localtime(rotated.previous_secret_expires_at))},
            )

    @admin.action(description=_("Send a test ping"), permissions=["change"])
    def send_test_ping(self, request, queryset):
        for subscription in queryset.select_related("organisation"):
            services.webhook_subscription_test(
                actor=staff_actor(request, subscription.organisation), subscription=subscription
            )
        messages.success(request, _("%(count)s test pings sent; see the deliveries.") % {"count": len(queryset)})


# =============================================================================
# Deliveries and attempts: the log (read-only), with redelivery
# =============================================================================


class WebhookAttemptInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = WebhookAttempt
    fields = ("number", "requested_at", "outcome", "status_code", "duration_ms", "error", "response_body")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "event_topic",
        "subscription",
        "organisation",
        "status",
        "attempt_count",
        "last_status_code",
        "next_attempt_at",
        "created_at",
    )
    list_select_related = ("event", "subscription", "organisation")
    list_filter = ("status", "manual", "organisation")
    search_fields = ("subscription__url", "event__topic", "=event__id")
    date_hierarchy = "created_at"
    actions = ("redeliver",)
    inlines = (WebhookAttemptInline,)
    fields = (
        "organisation",
        "subscription",
        "event",
        "pretty_payload",
        "status",
        "manual",
        "attempt_count",
        "next_attempt_at",
        "last_attempt_at",
        "last_status_code",
        "last_error",
        "delivered_at",
        "failed_at",
        "lease_expires_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("pretty_payload",)

    @admin.display(description=_("topic"), ordering="event__topic")
    def event_topic(self, obj) -> str:
        return obj.event.topic

    @admin.display(description=_("payload"))
    def pretty_payload(self, obj) -> str:
        return pretty_json(obj.event.payload)

    def has_redeliver_permission(self, request) -> bool:
        return request.user.has_perm("integrations.change_webhookdelivery")

    @admin.action(description=_("Redeliver (same event, fresh retry schedule)"), permissions=["redeliver"])
    def redeliver(self, request, queryset):
        done, skipped = 0, 0
        for delivery in queryset.select_related("organisation"):
            try:
                actor = staff_actor(request, delivery.organisation)
                services.webhook_delivery_redeliver(actor=actor, delivery=delivery)
            except (DomainError, ValidationError):
                skipped += 1
                continue
            self.log_change(request, delivery, [{"changed": {"fields": ["status"]}}])
            done += 1
        messages.success(request, _("%(done)s deliveries rescheduled.") % {"done": done})
        if skipped:
            messages.warning(request, _("%(n)s were still pending or being sent; left as they are.") % {"n": skipped})


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("delivery", "number", "organisation", "outcome", "status_code", "duration_ms", "requested_at")
    list_select_related = ("delivery", "organisation")
    list_filter = ("outcome", "organisation")
    search_fields = ("=delivery__id", "error")
    date_hierarchy = "requested_at"
    fields = (
        "organisation",
        "delivery",
        "number",
        "requested_at",
        "outcome",
        "status_code",
        "duration_ms",
        "error",
        "response_body",
    )


# the report exports' admin (issue 17) lives with them; imported so it registers
from .exports import admin as exports_admin  # noqa: E402, F401
