"""REST shapes of statement imports. Money is a decimal string with the organisation's
``currency``; percentages are decimal strings with four places (DESIGN §8)."""

from __future__ import annotations

import json

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from organisations import selectors as organisation_selectors
from trackyoursheets.api.fields import ChoiceField, ScopedPrimaryKeyRelatedField

from ... import selectors
from ...choices import DateFormat, ImportSource, ImportStatus, MatchMethod, RowStatus, TransactionType
from ...models import ImportBatch, ImportRow
from ...services.parsing import FIELDS
from .ledger import CurrencyMixin, Money, Percent, StatementPeriodField


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "description": "Column header -> field ("
        + ", ".join(FIELDS)
        + ", or ignore). In a multipart upload, send it as a JSON string.",
        "example": {"Comm Amt": "gross_commission", "Agent #": "producer_code"},
    }
)
class ColumnMappingField(serializers.Field):
    """An object of header -> field, or (multipart forms) that object as JSON text."""

    default_error_messages = {"invalid": "Send an object of column header to field name (both strings)."}

    def to_internal_value(self, data):
        if isinstance(data, str):
            if not data.strip():
                return {}
            try:
                data = json.loads(data)
            except ValueError:
                self.fail("invalid")
        if not isinstance(data, dict) or any(not isinstance(k, str) or not isinstance(v, str) for k, v in data.items()):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


class ImportOptionsSerializer(serializers.Serializer):
    carrier_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.carrier_list,
        source="carrier",
        required=False,
        allow_null=True,
        help_text="The statement's carrier. Omit it for a file with a carrier column: one batch per carrier.",
    )
    workspace_id = ScopedPrimaryKeyRelatedField(
        selector=organisation_selectors.workspace_list,
        source="workspace",
        required=False,
        allow_null=True,
        help_text="Match producers in this workspace only (its only producer is the last resort).",
    )
    column_mapping = ColumnMappingField(required=False)
    save_mapping = serializers.BooleanField(
        required=False, default=False, help_text="Keep column_mapping as the carrier's saved mapping (owners, admins)."
    )
    statement_period = StatementPeriodField(
        required=False, allow_null=True, help_text="YYYY-MM for every row; else each row's period or date month."
    )
    date_format = ChoiceField(
        DateFormat, required=False, allow_blank=True, help_text="Overrides the carrier's statement date format."
    )


class ImportUploadSerializer(ImportOptionsSerializer):
    """``multipart/form-data``: a statement file and its options."""

    file = serializers.FileField(help_text="A CSV (.csv, UTF-8 or Windows-1252) or Excel (.xlsx) statement.")


class ImportPayoutsSerializer(ImportOptionsSerializer):
    """``application/json``: external payouts (a bare array is accepted too)."""

    payouts = serializers.ListField(
        child=serializers.DictField(),
        allow_empty=False,
        max_length=100_000,
        help_text="Payout objects keyed by the field names (policy_number, producer_code, gross_commission, ...).",
    )


class ProgressSerializer(serializers.Serializer):
    processed = serializers.IntegerField(source="rows_processed")
    expected = serializers.IntegerField(source="rows_expected", help_text="An estimate until processing ends.")
    percent = serializers.IntegerField(source="progress_percent")


class CountsSerializer(serializers.Serializer):
    total = serializers.IntegerField(source="total_rows")
    matched = serializers.IntegerField(source="matched_rows")
    unmatched = serializers.IntegerField(source="unmatched_rows")
    duplicates = serializers.IntegerField(source="duplicate_rows")
    errors = serializers.IntegerField(source="error_rows")
    skipped = serializers.IntegerField(source="skipped_rows")
    chargebacks = serializers.IntegerField(source="chargeback_rows")
    transactions = serializers.IntegerField(source="transaction_count", help_text="Ledger lines made at finalise.")


class TotalsSerializer(serializers.Serializer):
    premium = Money(source="premium_total", help_text="Of the matched and unmatched rows.")
    gross_commission = Money(source="gross_total")


class ImportBatchSerializer(CurrencyMixin, serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    parent_id = serializers.IntegerField(read_only=True, allow_null=True)
    children_ids = serializers.SerializerMethodField(help_text="The per-carrier batches of a split upload.")
    carrier_id = serializers.IntegerField(read_only=True, allow_null=True)
    carrier_name = serializers.CharField(source="carrier.name", read_only=True, allow_null=True, default=None)
    workspace_id = serializers.IntegerField(read_only=True, allow_null=True)
    source = ChoiceField(ImportSource, read_only=True)
    status = ChoiceField(ImportStatus, read_only=True)
    progress = ProgressSerializer(source="*", read_only=True)
    counts = CountsSerializer(source="*", read_only=True)
    totals = TotalsSerializer(source="*", read_only=True)
    column_mapping = serializers.DictField(
        child=serializers.CharField(), read_only=True, help_text="Field -> the column it was read from."
    )
    statement_period = StatementPeriodField(read_only=True, allow_null=True)
    created_by = serializers.CharField(source="created_by_label", read_only=True)
    finalised_by = serializers.CharField(source="finalised_by_label", read_only=True)
    rolled_back_by = serializers.CharField(source="rolled_back_by_label", read_only=True)

    class Meta:
        model = ImportBatch
        fields = [
            "id", "url", "parent_id", "children_ids", "carrier_id", "carrier_name", "workspace_id", "source",
            "original_filename", "status", "progress", "counts", "totals", "currency", "column_mapping",
            "date_format", "statement_period", "failure_reason", "created_by", "created_at", "updated_at",
            "completed_at", "finalised_at", "finalised_by", "rolled_back_at", "rolled_back_by",
        ]  # fmt: skip

    def get_url(self, batch) -> str:
        path = f"/v1/imports/{batch.pk}"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_children_ids(self, batch) -> list[int]:
        return [child.pk for child in batch.children.all()]


class RowErrorSerializer(serializers.Serializer):
    row_id = serializers.IntegerField()
    batch_id = serializers.IntegerField()
    line = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


class ImportBatchDetailSerializer(ImportBatchSerializer):
    errors = serializers.SerializerMethodField(
        help_text="Rows in error (line and reasons), the first 100 by line; GET .../rows?status=error has all."
    )

    class Meta(ImportBatchSerializer.Meta):
        fields = [*ImportBatchSerializer.Meta.fields, "errors"]

    @extend_schema_field(RowErrorSerializer(many=True))
    def get_errors(self, batch) -> list[dict]:
        return selectors.import_batch_errors(batch=batch)


class ImportRowSerializer(CurrencyMixin, serializers.ModelSerializer):
    batch_id = serializers.IntegerField(read_only=True)
    status = ChoiceField(RowStatus, read_only=True, help_text="The match status.")
    match_method = ChoiceField(MatchMethod, read_only=True)
    policy_id = serializers.IntegerField(read_only=True, allow_null=True, help_text="The matched policy.")
    matched_policy_number = serializers.CharField(source="policy.number", read_only=True, allow_null=True, default=None)
    producer_id = serializers.IntegerField(read_only=True, allow_null=True, help_text="The matched producer.")
    producer_name = serializers.CharField(source="producer.display_name", read_only=True, allow_null=True, default=None)
    line_of_business_id = serializers.IntegerField(read_only=True, allow_null=True)
    commission_rule_id = serializers.IntegerField(read_only=True, allow_null=True)
    statement_period = StatementPeriodField(read_only=True, allow_null=True)
    premium = Money(read_only=True, allow_null=True)
    gross_commission = Money(read_only=True, allow_null=True)
    rate = Percent(read_only=True, allow_null=True)
    split_percent = Percent(read_only=True, allow_null=True)
    type = ChoiceField(TransactionType, read_only=True)
    errors = serializers.ListField(child=serializers.CharField(), read_only=True)
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)
    duplicate_of_id = serializers.IntegerField(read_only=True, allow_null=True)
    transaction_ids = serializers.SerializerMethodField(help_text="The ledger lines made from this row.")
    raw = serializers.DictField(read_only=True, help_text="The row as it was in the file.")

    class Meta:
        model = ImportRow
        fields = [
            "id", "batch_id", "line", "status", "match_method", "confidence", "policy_number", "policy_id",
            "matched_policy_number", "producer_ref", "producer_id", "producer_name", "customer_name",
            "transaction_date", "statement_period", "premium", "gross_commission", "rate", "split_percent",
            "currency", "type", "external_id", "line_of_business_id", "commission_rule_id", "errors", "warnings",
            "duplicate_of_id", "transaction_ids", "raw", "created_at", "updated_at",
        ]  # fmt: skip

    def get_transaction_ids(self, row) -> list[int]:
        return [txn.pk for txn in row.transactions.all()]


class ImportRowMatchSerializer(serializers.Serializer):
    policy_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.policy_list, source="policy", required=False, allow_null=True,
        help_text="A policy of the statement's carrier.",
    )  # fmt: skip
    producer_id = ScopedPrimaryKeyRelatedField(
        selector=organisation_selectors.producer_list, source="producer", required=False, allow_null=True,
        help_text="Omit it to use the policy's writing producer(s).",
    )  # fmt: skip
    split_percent = Percent(required=False, allow_null=True)
    skip = serializers.BooleanField(
        required=False, default=False, help_text="Leave the row out of the ledger instead of matching it."
    )
    learn = serializers.BooleanField(
        required=False, default=True, help_text="Remember the row's producer text and policy number (aliases)."
    )

    # what may be matched is checked once, by services.import_row_match_check (REST and GraphQL alike)


class ImportFinaliseSerializer(serializers.Serializer):
    skip_unresolved = serializers.BooleanField(
        required=False, default=False, help_text="Skip the rows still unmatched or in error instead of refusing (409)."
    )
