"""REST shapes of the commission ledger. Money is a decimal string with the organisation's
``currency`` (DESIGN §8); percentages are decimal strings with four places."""

from __future__ import annotations

import datetime
import re

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from organisations import selectors as organisation_selectors
from trackyoursheets.api.fields import ChoiceField, ScopedPrimaryKeyRelatedField
from trackyoursheets.limits import FREE_TEXT_MAX_LENGTH, MAX_STORED_INTEGER, MAX_WHOLE_NUMBER

from ... import selectors, services
from ...choices import (
    BusinessType,
    CategoryKind,
    CommissionBasis,
    DateFormat,
    OverrideKind,
    PolicyStatus,
    TransactionSource,
    TransactionStatus,
    TransactionType,
)
from ...models import (
    Carrier,
    Category,
    CommissionOverride,
    CommissionRule,
    CommissionRuleSet,
    CommissionTransaction,
    Policy,
    PolicyProducer,
)

MAX_BULK = 500


def Money(**kwargs):  # noqa: N802 - reads like a field class
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class BaseAmount(serializers.DecimalField):
    """A line's share before overrides, computed by ``services.producer_share`` (read only)."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=14, decimal_places=2, source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return super().to_representation(services.producer_share(value.gross_commission, value.split_percent))


def Percent(**kwargs):  # noqa: N802
    return serializers.DecimalField(max_digits=7, decimal_places=4, min_value=0, max_value=100, **kwargs)


class CurrencyMixin(serializers.Serializer):
    currency = serializers.SerializerMethodField(help_text="ISO 4217 code of the organisation's currency.")

    def get_currency(self, obj) -> str:
        request = self.context.get("request")
        actor = self.context.get("actor") or (request.auth if request is not None else None)
        return actor.organisation.currency if actor is not None else obj.organisation.currency


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$", "example": "2026-01"})
class StatementPeriodField(serializers.Field):
    """A statement month as ``YYYY-MM`` (stored as the month's first day)."""

    default_error_messages = {"invalid": "Use YYYY-MM."}

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", data.strip()):
            self.fail("invalid")
        year, month = data.strip().split("-")
        return datetime.date(int(year), int(month), 1)

    def to_representation(self, value):
        return value.strftime("%Y-%m")


# =============================================================================
# Categories and carriers
# =============================================================================


class CategorySerializer(serializers.ModelSerializer):
    kind = ChoiceField(CategoryKind)

    class Meta:
        model = Category
        fields = ["id", "kind", "name", "is_default", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class CarrierSerializer(serializers.ModelSerializer):
    statement_date_format = ChoiceField(DateFormat, read_only=True)
    default_rule_set_id = serializers.IntegerField(read_only=True, allow_null=True)
    column_mapping = serializers.DictField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Carrier
        fields = [
            "id",
            "name",
            "code",
            "statement_date_format",
            "default_rule_set_id",
            "column_mapping",
            "created_at",
            "updated_at",
        ]


class CarrierInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    code = serializers.CharField(max_length=50)
    statement_date_format = ChoiceField(DateFormat, required=False)
    default_rule_set_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.rule_set_list, source="default_rule_set", required=False, allow_null=True
    )
    column_mapping = serializers.DictField(
        child=serializers.CharField(allow_blank=False),
        required=False,
        help_text="Statement column header -> ledger field, saved for this carrier's imports.",
    )


# =============================================================================
# Rule sets
# =============================================================================


class CommissionRuleSerializer(serializers.ModelSerializer):
    line_of_business_id = serializers.IntegerField(read_only=True, allow_null=True)
    carrier_id = serializers.IntegerField(read_only=True, allow_null=True)
    business_type = ChoiceField(BusinessType, read_only=True)
    basis = ChoiceField(CommissionBasis, read_only=True)

    class Meta:
        model = CommissionRule
        fields = ["id", "line_of_business_id", "business_type", "carrier_id", "basis", "rate", "amount", "priority"]


class CommissionRuleSetSerializer(CurrencyMixin, serializers.ModelSerializer):
    rules = CommissionRuleSerializer(many=True, read_only=True)

    class Meta:
        model = CommissionRuleSet
        fields = [
            "id",
            "name",
            "version",
            "effective_from",
            "effective_to",
            "active",
            "currency",
            "rules",
            "created_at",
            "updated_at",
        ]


class CommissionRuleInputSerializer(serializers.Serializer):
    line_of_business_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.category_list,
        source="line_of_business",
        required=False,
        allow_null=True,
        help_text="Empty matches any line of business.",
    )
    business_type = ChoiceField(BusinessType, required=False)
    carrier_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.carrier_list,
        source="carrier",
        required=False,
        allow_null=True,
        help_text="Empty matches any carrier.",
    )
    basis = ChoiceField(CommissionBasis)
    rate = Percent(required=False, allow_null=True, help_text="Percent, for percent_of_premium/percent_of_gross.")
    amount = Money(required=False, allow_null=True, help_text="For flat rules.")
    priority = serializers.IntegerField(
        min_value=0, max_value=MAX_STORED_INTEGER, required=False, help_text="Lower is evaluated first."
    )


class CommissionRuleSetInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    version = serializers.IntegerField(min_value=1, max_value=MAX_STORED_INTEGER, required=False)
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(required=False, allow_null=True)
    active = serializers.BooleanField(required=False)
    rules = CommissionRuleInputSerializer(
        many=True, required=False, help_text="On update, when given, replaces every rule of the set."
    )


# =============================================================================
# Policies
# =============================================================================


class PolicyProducerSerializer(serializers.ModelSerializer):
    producer_id = serializers.IntegerField(read_only=True)
    display_name = serializers.CharField(source="producer.display_name", read_only=True)

    class Meta:
        model = PolicyProducer
        fields = ["producer_id", "display_name", "split_percent"]


class PolicySerializer(CurrencyMixin, serializers.ModelSerializer):
    carrier_id = serializers.IntegerField(read_only=True)
    carrier_name = serializers.CharField(source="carrier.name", read_only=True)
    line_of_business_id = serializers.IntegerField(read_only=True, allow_null=True)
    producers = PolicyProducerSerializer(source="producer_links", many=True, read_only=True)
    status = ChoiceField(PolicyStatus, read_only=True)

    class Meta:
        model = Policy
        fields = [
            "id",
            "number",
            "carrier_id",
            "carrier_name",
            "customer_name",
            "line_of_business_id",
            "premium",
            "currency",
            "effective_date",
            "expiry_date",
            "status",
            "producers",
            "created_at",
            "updated_at",
        ]


class PolicyProducerInputSerializer(serializers.Serializer):
    producer_id = ScopedPrimaryKeyRelatedField(selector=organisation_selectors.producer_list, source="producer")
    split_percent = Percent()


class PolicyInputSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=100)
    carrier_id = ScopedPrimaryKeyRelatedField(selector=selectors.carrier_list, source="carrier")
    customer_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    line_of_business_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.category_list, source="line_of_business", required=False, allow_null=True
    )
    premium = Money(required=False)
    effective_date = serializers.DateField()
    expiry_date = serializers.DateField(required=False, allow_null=True)
    status = ChoiceField(PolicyStatus, required=False)
    producers = PolicyProducerInputSerializer(
        many=True, required=False, help_text="Writing producers; their splits must total 100. Replaces all on update."
    )

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        if "producers" in values:
            values["producers"] = [(p["producer"], p["split_percent"]) for p in values["producers"]]
        return values


# =============================================================================
# The ledger
# =============================================================================


class CommissionOverrideSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by_label", read_only=True)
    kind = ChoiceField(OverrideKind, read_only=True)

    class Meta:
        model = CommissionOverride
        fields = ["id", "kind", "value", "reason", "previous_amount", "resulting_amount", "created_by", "created_at"]


class CommissionTransactionSerializer(CurrencyMixin, serializers.ModelSerializer):
    policy_id = serializers.IntegerField(read_only=True, allow_null=True)
    policy_number = serializers.CharField(source="policy.number", read_only=True, allow_null=True, default=None)
    producer_id = serializers.IntegerField(read_only=True)
    producer_name = serializers.CharField(source="producer.display_name", read_only=True)
    carrier_id = serializers.IntegerField(read_only=True)
    carrier_name = serializers.CharField(source="carrier.name", read_only=True)
    workspace_id = serializers.IntegerField(read_only=True, allow_null=True)
    line_of_business_id = serializers.IntegerField(read_only=True, allow_null=True)
    category_id = serializers.IntegerField(read_only=True, allow_null=True)
    commission_rule_id = serializers.IntegerField(read_only=True, allow_null=True)
    reverses_id = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="A chargeback: the line whose commission it takes back; an adjustment: the line it corrects; "
        "null otherwise.",
    )
    statement_period = StatementPeriodField(read_only=True)
    type = ChoiceField(TransactionType, read_only=True)
    status = ChoiceField(TransactionStatus, read_only=True)
    source = ChoiceField(TransactionSource, read_only=True)
    base_amount = BaseAmount(help_text="gross_commission x split_percent, before overrides.")
    producer_amount = Money(read_only=True, help_text="Derived: base_amount, or the latest override applied.")
    latest_override = CommissionOverrideSerializer(read_only=True, allow_null=True)
    overrides = CommissionOverrideSerializer(many=True, read_only=True, help_text="Override history, newest first.")
    payroll_run_id = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The payroll run that paid this line (or, while it is ready, will pay it); null otherwise.",
    )

    class Meta:
        model = CommissionTransaction
        fields = [
            "id",
            "policy_id",
            "policy_number",
            "producer_id",
            "producer_name",
            "carrier_id",
            "carrier_name",
            "workspace_id",
            "line_of_business_id",
            "category_id",
            "statement_period",
            "transaction_date",
            "premium",
            "gross_commission",
            "split_percent",
            "base_amount",
            "producer_amount",
            "currency",
            "type",
            "status",
            "source",
            "external_id",
            "commission_rule_id",
            "reverses_id",
            "notes",
            "latest_override",
            "overrides",
            "payroll_run_id",
            "created_at",
            "updated_at",
        ]


class CommissionTransactionUpdateSerializer(serializers.Serializer):
    policy_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.policy_list, source="policy", required=False, allow_null=True
    )
    producer_id = ScopedPrimaryKeyRelatedField(
        selector=organisation_selectors.producer_list, source="producer", required=False
    )
    carrier_id = ScopedPrimaryKeyRelatedField(selector=selectors.carrier_list, source="carrier", required=False)
    workspace_id = ScopedPrimaryKeyRelatedField(
        selector=organisation_selectors.workspace_list, source="workspace", required=False, allow_null=True
    )
    line_of_business_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.category_list, source="line_of_business", required=False, allow_null=True
    )
    category_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.category_list,
        source="category",
        required=False,
        allow_null=True,
        help_text="A revenue-status category.",
    )
    statement_period = StatementPeriodField(required=False, help_text="YYYY-MM; defaults to the transaction month.")
    transaction_date = serializers.DateField(required=False)
    premium = Money(required=False)
    gross_commission = Money(
        required=False, allow_null=True, help_text="Omitted or null: computed by the carrier's commission rules."
    )
    split_percent = Percent(
        required=False, help_text="Defaults to the producer's split on the policy, else their default split."
    )
    type = ChoiceField(TransactionType, required=False)
    external_id = serializers.CharField(max_length=200, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class CommissionTransactionInputSerializer(CommissionTransactionUpdateSerializer):
    producer_id = ScopedPrimaryKeyRelatedField(selector=organisation_selectors.producer_list, source="producer")
    carrier_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.carrier_list,
        source="carrier",
        required=False,
        help_text="Required unless policy_id is given (then the policy's carrier).",
    )
    transaction_date = serializers.DateField()
    source = ChoiceField(
        [(TransactionSource.API, TransactionSource.API), (TransactionSource.MANUAL, TransactionSource.MANUAL)],
        required=False,
        help_text="api (default) or manual; import is reserved for statement imports.",
    )

    def validate(self, attrs):
        # without carrier_id, the service takes the policy's (services.transaction_carrier)
        attrs.setdefault("source", TransactionSource.API)
        return attrs


class OverrideInputSerializer(serializers.Serializer):
    kind = ChoiceField(OverrideKind)
    value = serializers.DecimalField(
        max_digits=14,
        decimal_places=4,
        help_text="flat: the producer's amount; percent_of_premium and split: a percentage (0-100).",
    )
    reason = serializers.CharField(
        max_length=FREE_TEXT_MAX_LENGTH, help_text="Why the amount is overridden (kept in the history)."
    )


class BulkOverrideInputSerializer(OverrideInputSerializer):
    transaction_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_WHOLE_NUMBER),
        allow_empty=False,
        max_length=MAX_BULK,
        help_text=f"Up to {MAX_BULK} transactions of your organisation; all are overridden or none.",
    )

    def validate_transaction_ids(self, ids):
        request = self.context["request"]
        found = {txn.pk: txn for txn in selectors.transaction_list(actor=request.auth).filter(pk__in=ids)}
        missing = [pk for pk in dict.fromkeys(ids) if pk not in found]
        if missing:
            raise serializers.ValidationError(
                [_('Invalid pk "%(pk)s" - object does not exist.') % {"pk": pk} for pk in missing]
            )
        return [found[pk] for pk in dict.fromkeys(ids)]


class TransitionInputSerializer(serializers.Serializer):
    status = ChoiceField(
        TransactionStatus,
        help_text="pending -> reconciled -> approved -> paid; disputed from pending, reconciled or approved.",
    )


class BulkOverrideResultSerializer(serializers.Serializer):
    results = CommissionTransactionSerializer(many=True)


# =============================================================================
# Reports (issue 6 point 5)
# =============================================================================


class ReportFiguresSerializer(serializers.Serializer):
    """Totals of a set of ledger lines (money as decimal strings)."""

    premium = Money(read_only=True)
    gross_commission = Money(read_only=True)
    producer_amount = Money(read_only=True, help_text="The producers' share after splits and overrides.")
    count = serializers.IntegerField(read_only=True, help_text="Number of ledger lines.")


class ReportPeriodSerializer(ReportFiguresSerializer):
    period = serializers.CharField(read_only=True, help_text="today, week, month, quarter, year or all_time.")
    start = serializers.DateField(
        read_only=True, allow_null=True, help_text="First day of the period in the organisation's timezone."
    )
    end = serializers.DateField(read_only=True, allow_null=True, help_text="Today in the organisation's timezone.")


class ReportGroupSerializer(ReportFiguresSerializer):
    id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The carrier, producer, ... id; null for none and for months."
    )
    key = serializers.CharField(read_only=True, help_text='The id as a string, "none", or the month as YYYY-MM.')
    label = serializers.CharField(read_only=True)


class CommissionReportSerializer(serializers.Serializer):
    currency = serializers.CharField(read_only=True, help_text="ISO 4217 code of every amount.")
    timezone = serializers.CharField(read_only=True, help_text="The organisation's timezone the periods use.")
    today = serializers.DateField(read_only=True, help_text="Today in the organisation's timezone.")
    group_by = serializers.CharField(read_only=True)
    period = serializers.CharField(read_only=True, allow_null=True, help_text="The period the groups cover.")
    sort = serializers.CharField(read_only=True)
    periods = ReportPeriodSerializer(many=True, read_only=True, help_text="Totals for each period, shortest first.")
    groups = ReportGroupSerializer(many=True, read_only=True)
    totals = ReportFiguresSerializer(read_only=True, help_text="The sum of the groups.")
