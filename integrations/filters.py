"""FilterSets of the integrations app, shared by REST and pages (STYLE §4.1)."""

import django_filters

from trackyoursheets.api.filters import BaseFilterSet

from .choices import DeliveryStatus
from .models import WebhookDelivery, WebhookSubscription


class WebhookSubscriptionFilterSet(BaseFilterSet):
    is_active = django_filters.BooleanFilter()
    status = django_filters.ChoiceFilter(
        choices=(("active", "Active"), ("inactive", "Inactive")), method="filter_status", label="active or inactive"
    )
    topic = django_filters.CharFilter(method="filter_topic", label='Receives this topic (directly or through "*")')

    class Meta:
        model = WebhookSubscription
        fields = ["is_active"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(is_active=(value == "active"))

    def filter_topic(self, queryset, name, value):
        # topics is a JSON list (no portable "contains" on SQLite): match the ids in Python
        ids = [s.pk for s in queryset.only("id", "topics") if s.wants(value)]
        return queryset.filter(pk__in=ids)


class WebhookDeliveryFilterSet(BaseFilterSet):
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    event_id = django_filters.NumberFilter(field_name="event_id")
    topic = django_filters.CharFilter(field_name="event__topic")

    class Meta:
        model = WebhookDelivery
        fields = ["status", "event_id", "topic"]
