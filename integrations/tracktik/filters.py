"""FilterSets of the TrackTik connector, shared by REST, GraphQL and pages (STYLE §4.1)."""

import django_filters

from trackyoursheets.api.filters import BaseFilterSet
from trackyoursheets.jobs import JobStatus

from .models import TracktikInvoiceReconciliation, TracktikScrMatch, TracktikSyncRun


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
