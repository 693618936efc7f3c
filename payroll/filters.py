"""FilterSets of payroll (the commission ledger and statement imports), shared by the selectors,
REST, GraphQL and the pages (STYLE §4.1)."""

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, Q

from organisations.choices import Role
from trackyoursheets.api.filters import BaseFilterSet

from .choices import (
    ROW_NEEDS_ATTENTION,
    CategoryKind,
    ImportSource,
    ImportStatus,
    PayCodeKind,
    PayFrequency,
    PayrollRunStatus,
    PolicyStatus,
    RowStatus,
    TransactionSource,
    TransactionStatus,
    TransactionType,
)
from .models import (
    Carrier,
    Category,
    CommissionRuleSet,
    CommissionTransaction,
    ImportBatch,
    ImportRow,
    OvertimeRule,
    PayCode,
    PayrollEntry,
    PayrollRun,
    PaySchedule,
    Policy,
    PolicyProducer,
)


class _UsedInLedgerFilterSet(BaseFilterSet):
    """Reference data (carriers, categories) a workspace or office uses: those its ledger lines name
    (the path from an organisation-wide row to the generic ``workspace_id`` and ``office_id``)."""

    workspace_id = django_filters.NumberFilter(method="filter_used", label="Named by a ledger line of this workspace")
    office_id = django_filters.NumberFilter(method="filter_used", label="Named by a ledger line of this office")
    #: the transaction fields that point at this model
    ledger_fields: tuple[str, ...] = ()

    def filter_used(self, queryset, name, value):
        where = {"workspace_id": value} if name == "workspace_id" else {"workspace__office_id": value}
        named = Q()
        for field in self.ledger_fields:
            named |= Q(**{field: OuterRef("pk")})
        return queryset.filter(Exists(CommissionTransaction.objects.filter(named, **where)))


class CategoryFilterSet(_UsedInLedgerFilterSet):
    kind = django_filters.ChoiceFilter(choices=CategoryKind.choices)
    name = django_filters.CharFilter(lookup_expr="icontains")
    ledger_fields = ("category", "line_of_business")

    class Meta:
        model = Category
        fields = ["kind", "name"]


class CarrierFilterSet(_UsedInLedgerFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    code = django_filters.CharFilter(lookup_expr="iexact")
    ledger_fields = ("carrier",)

    class Meta:
        model = Carrier
        fields = ["name", "code"]


class CommissionRuleSetFilterSet(BaseFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    active = django_filters.BooleanFilter()
    status = django_filters.ChoiceFilter(
        choices=(("active", "Active"), ("inactive", "Inactive")), method="filter_status", label="active or inactive"
    )
    effective_on = django_filters.DateFilter(method="filter_effective_on", label="In force on this date (YYYY-MM-DD)")

    class Meta:
        model = CommissionRuleSet
        fields = ["name", "active"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(active=(value == "active"))

    def filter_effective_on(self, queryset, name, value):
        return queryset.filter(effective_from__lte=value).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=value)
        )


class PolicyFilterSet(BaseFilterSet):
    carrier_id = django_filters.NumberFilter(field_name="carrier_id")
    producer_id = django_filters.NumberFilter(method="filter_producer", label="Written by this producer")
    workspace_id = django_filters.NumberFilter(
        method="filter_workspace", label="Written by a producer of this workspace"
    )
    office_id = django_filters.NumberFilter(method="filter_office", label="Written by a producer of this office")
    role = django_filters.ChoiceFilter(
        choices=Role.choices, method="filter_role", label="Written by a producer whose login has this role"
    )
    line_of_business_id = django_filters.NumberFilter(field_name="line_of_business_id")
    status = django_filters.ChoiceFilter(choices=PolicyStatus.choices)
    number = django_filters.CharFilter(lookup_expr="iexact")
    customer_name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Policy
        fields = ["carrier_id", "line_of_business_id", "status", "number", "customer_name"]

    def filter_producer(self, queryset, name, value):
        return queryset.filter(Exists(PolicyProducer.objects.filter(policy=OuterRef("pk"), producer_id=value)))

    def filter_workspace(self, queryset, name, value):
        writers = PolicyProducer.objects.filter(policy=OuterRef("pk"), producer__workspace_id=value)
        return queryset.filter(Exists(writers))

    def filter_office(self, queryset, name, value):
        writers = PolicyProducer.objects.filter(policy=OuterRef("pk"), producer__workspace__office_id=value)
        return queryset.filter(Exists(writers))

    def filter_role(self, queryset, name, value):
        writers = PolicyProducer.objects.filter(policy=OuterRef("pk"), producer__membership__role=value)
        return queryset.filter(Exists(writers))


class StatementPeriodFilter(django_filters.CharFilter):
    """``YYYY-MM``: the lines of that statement month."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(statement_period=f"{value}-01")


class CommissionTransactionFilterSet(BaseFilterSet):
    producer_id = django_filters.NumberFilter(field_name="producer_id")
    carrier_id = django_filters.NumberFilter(field_name="carrier_id")
    policy_id = django_filters.NumberFilter(field_name="policy_id")
    workspace_id = django_filters.NumberFilter(field_name="workspace_id")
    office_id = django_filters.NumberFilter(field_name="workspace__office_id")
    role = django_filters.ChoiceFilter(
        choices=Role.choices, field_name="producer__membership__role", label="Role of the producer's login"
    )
    category_id = django_filters.NumberFilter(field_name="category_id")
    line_of_business_id = django_filters.NumberFilter(field_name="line_of_business_id")
    status = django_filters.ChoiceFilter(choices=TransactionStatus.choices)
    type = django_filters.ChoiceFilter(choices=TransactionType.choices)
    source = django_filters.ChoiceFilter(choices=TransactionSource.choices)
    statement_period = StatementPeriodFilter(
        label="Statement month (YYYY-MM)",
        validators=[RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", "Use YYYY-MM.")],
    )
    date_from = django_filters.DateFilter(
        field_name="transaction_date", lookup_expr="gte", label="Transaction date on or after (YYYY-MM-DD)"
    )
    date_to = django_filters.DateFilter(
        field_name="transaction_date", lookup_expr="lte", label="Transaction date on or before (YYYY-MM-DD)"
    )
    external_id = django_filters.CharFilter()

    class Meta:
        model = CommissionTransaction
        fields = [
            "producer_id",
            "carrier_id",
            "policy_id",
            "workspace_id",
            "office_id",
            "category_id",
            "line_of_business_id",
            "status",
            "type",
            "source",
            "external_id",
        ]


# =============================================================================
# Statement imports
# =============================================================================


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
    workspace_id = django_filters.NumberFilter(field_name="batch__workspace_id")
    office_id = django_filters.NumberFilter(field_name="batch__office_id")
    producer_id = django_filters.NumberFilter(field_name="producer_id")
    role = django_filters.ChoiceFilter(
        choices=Role.choices, field_name="producer__membership__role", label="Role of the matched producer's login"
    )
    policy_id = django_filters.NumberFilter(field_name="policy_id")
    type = django_filters.ChoiceFilter(choices=TransactionType.choices)
    line = django_filters.NumberFilter(field_name="line")

    class Meta:
        model = ImportRow
        fields = ["status", "batch_id", "producer_id", "policy_id", "type", "line"]

    def filter_needs_attention(self, queryset, name, value):
        if value is None:
            return queryset
        flt = {"status__in": sorted(ROW_NEEDS_ATTENTION)}
        return queryset.filter(**flt) if value else queryset.exclude(**flt)


# =============================================================================
# Payroll runs (issue 18)
# =============================================================================


class SeveralChoicesFilter(django_filters.MultipleChoiceFilter, django_filters.ChoiceFilter):
    """A choice filter that takes the parameter several times (``?status=ready&status=paid``):
    any of them matches."""


class PayrollRunFilterSet(BaseFilterSet):
    """``status`` may be given several times (``?status=ready&status=paid``)."""

    status = SeveralChoicesFilter(choices=PayrollRunStatus.choices)
    pay_schedule_id = django_filters.NumberFilter(field_name="pay_schedule_id")
    period_start = django_filters.DateFilter(field_name="period_start")
    period_start_after = django_filters.DateFilter(field_name="period_start", lookup_expr="gte")
    off_cycle = django_filters.BooleanFilter()

    class Meta:
        model = PayrollRun
        fields = ["status", "pay_schedule_id", "period_start", "off_cycle"]


class PayrollEntryFilterSet(BaseFilterSet):
    employee_id = django_filters.NumberFilter(field_name="employee_id")
    office_id = django_filters.NumberFilter(field_name="employee__office_id")

    class Meta:
        model = PayrollEntry
        fields = ["employee_id", "office_id"]


class PayScheduleFilterSet(BaseFilterSet):
    frequency = django_filters.ChoiceFilter(choices=PayFrequency.choices)
    active = django_filters.BooleanFilter()

    class Meta:
        model = PaySchedule
        fields = ["frequency", "active"]


class PayCodeFilterSet(BaseFilterSet):
    kind = django_filters.ChoiceFilter(choices=PayCodeKind.choices)
    active = django_filters.BooleanFilter()

    class Meta:
        model = PayCode
        fields = ["kind", "active"]


class OvertimeRuleFilterSet(BaseFilterSet):
    office_id = django_filters.NumberFilter(field_name="office_id")

    class Meta:
        model = OvertimeRule
        fields = ["office_id"]
