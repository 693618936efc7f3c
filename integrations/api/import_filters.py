"""FilterSets of statement imports, shared by REST, GraphQL and the pages (STYLE §4.1)."""

import django_filters

from trackyoursheets.api.filters import BaseFilterSet

from ..choices import ROW_NEEDS_ATTENTION, ImportSource, ImportStatus, RowStatus
from ..models import ImportBatch, ImportRow


class ImportBatchFilterSet(BaseFilterSet):
    status = django_filters.ChoiceFilter(choices=ImportStatus.choices)
    source = django_filters.ChoiceFilter(choices=ImportSource.choices)
    carrier_id = django_filters.NumberFilter(field_name="carrier_id")
    workspace_id = django_filters.NumberFilter(field_name="workspace_id")
    office_id = django_filters.NumberFilter(field_name="office_id")
    parent_id = django_filters.NumberFilter(field_name="parent_id", label="Batches split from this upload")
    top_level = django_filters.BooleanFilter(
        field_name="parent", lookup_expr="isnull", label="Only uploads (true), or only per-carrier batches (false)"
    )

    class Meta:
        model = ImportBatch
        fields = ["status", "source", "carrier_id", "workspace_id", "office_id", "parent_id"]


class ImportRowFilterSet(BaseFilterSet):
    status = django_filters.ChoiceFilter(choices=RowStatus.choices, label="Match status")
    needs_attention = django_filters.BooleanFilter(
        method="filter_needs_attention", label="Unmatched or in error (true): the exception queue"
    )
    batch_id = django_filters.NumberFilter(field_name="batch_id")
    producer_id = django_filters.NumberFilter(field_name="producer_id")
    policy_id = django_filters.NumberFilter(field_name="policy_id")
    type = django_filters.CharFilter(field_name="type")
    line = django_filters.NumberFilter(field_name="line")

    class Meta:
        model = ImportRow
        fields = ["status", "batch_id", "producer_id", "policy_id", "type", "line"]

    def filter_needs_attention(self, queryset, name, value):
        if value is None:
            return queryset
        flt = {"status__in": sorted(ROW_NEEDS_ATTENTION)}
        return queryset.filter(**flt) if value else queryset.exclude(**flt)
