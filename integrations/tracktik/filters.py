"""FilterSets of the TrackTik connector, shared by REST, GraphQL and pages (STYLE §4.1)."""

import django_filters
from django.db.models import Q

from trackyoursheets.api.filters import BaseFilterSet
from trackyoursheets.jobs import JobStatus

from .models import TracktikContract, TracktikInvoiceReconciliation, TracktikScrMatch, TracktikSyncRun


class TracktikSyncRunFilterSet(BaseFilterSet):
    status = django_filters.ChoiceFilter(choices=JobStatus.choices)
    full = django_filters.BooleanFilter()

    class Meta:
        model = TracktikSyncRun
        fields = ["status", "full"]


class TracktikScrMatchFilterSet(BaseFilterSet):
    class Meta:
        model = TracktikScrMatch
        fields = []


class TracktikInvoiceReconciliationFilterSet(BaseFilterSet):
    class Meta:
        model = TracktikInvoiceReconciliation
        fields = []


class TracktikContractFilterSet(BaseFilterSet):
    site_id = django_filters.NumberFilter(field_name="site_id", label="The TrackTik client/site (our id)")
    client_id = django_filters.NumberFilter(field_name="site__client_id", label="Our client the site belongs to")
    tracktik_id = django_filters.NumberFilter(label="TrackTik's id of the contract")
    # TrackTik's own words (ACTIVE, EXPIRED, CANCELLED, ...), stored upper case: any case matches
    status = django_filters.CharFilter(field_name="status", lookup_expr="iexact", label="TrackTik's status, any case")
    active_on = django_filters.DateFilter(method="filter_active_on", label="Contracts whose dates hold this day")

    class Meta:
        model = TracktikContract
        fields = ["site_id", "client_id", "tracktik_id", "status", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(Q(end_date__isnull=True) | Q(end_date__gte=value), start_date__lte=value)
