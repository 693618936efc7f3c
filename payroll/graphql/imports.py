"""GraphQL of statement imports (issue 6 points 3 and 7), mixed into payroll's Query and Mutation.

Thin (STYLE §2.5): reads through :mod:`payroll.selectors` (the same tenancy and role
visibility as REST), filters through :mod:`payroll.filters`, writes through
:mod:`payroll.services`. Scope ``transactions.read`` / ``transactions.write``.
"""

from __future__ import annotations

import datetime
import json
import re

import graphene
from graphene import relay
from graphene_django.converter import EnumValueField, convert_choice_field_to_enum

from organisations import selectors as organisation_selectors
from trackyoursheets.api.graphql import (
    CountableConnection,
    Related,
    TenantConnectionField,
    TenantMutation,
    TenantObjectField,
    TenantObjectType,
    TenantRelation,
    scoped_related,
    scoped_target,
    validation_error,
)

from .. import selectors, services
from ..choices import DateFormat
from ..filters import ImportBatchFilterSet, ImportRowFilterSet
from ..models import ImportBatch, ImportRow
from .ledger import CarrierType

READ = "transactions.read"
WRITE = "transactions.write"

__all__ = [
    "ImportBatchType",
    "ImportRowType",
    "ImportBatchCreate",
    "ImportRowMatch",
    "ImportBatchFinalise",
    "ImportBatchRollback",
    "Query",
    "Mutation",
]


class ImportCountsType(graphene.ObjectType):
    """How many rows of a batch are in each state (REST: `counts`)."""

    class Meta:
        name = "ImportCounts"

    total = graphene.Int(required=True)
    matched = graphene.Int(required=True)
    unmatched = graphene.Int(required=True)
    duplicates = graphene.Int(required=True)
    errors = graphene.Int(required=True)
    skipped = graphene.Int(required=True)
    chargebacks = graphene.Int(required=True)
    transactions = graphene.Int(required=True, description="Ledger lines made at finalise.")


class ImportRowErrorType(graphene.ObjectType):
    """A row in error: its line and why."""

    class Meta:
        name = "ImportRowError"

    row_id = graphene.Int(required=True)
    batch_id = graphene.Int(required=True)
    line = graphene.Int(required=True)
    reasons = graphene.List(graphene.NonNull(graphene.String), required=True)


class ImportBatchType(TenantObjectType):
    """An imported commission statement. Scope `transactions.read`.

    Owners, admins and organisation-wide clients see every batch; managers their office's;
    other roles none.
    """

    read_scope = READ
    list_selector = selectors.import_batch_list

    carrier = TenantRelation(CarrierType, "carrier")
    # the enum graphene-django named after the app the model lived in (integrations): the name
    # is part of the public schema, so it stays
    date_format = convert_choice_field_to_enum(
        ImportBatch._meta.get_field("date_format"), name="IntegrationsImportBatchDateFormatChoices"
    )(required=False).mount_as(EnumValueField)
    parent_id = graphene.Int()
    children_ids = graphene.List(graphene.NonNull(graphene.Int), required=True)
    workspace_id = graphene.Int()
    source = graphene.String(required=True, description="csv, xlsx or json.")
    status = graphene.String(
        required=True, description="queued, processing, review, finalised, rolled_back, failed or split."
    )
    progress_percent = graphene.Int(required=True)
    rows_processed = graphene.Int(required=True)
    rows_expected = graphene.Int(required=True)
    counts = graphene.Field(graphene.NonNull(ImportCountsType))
    premium_total = graphene.Decimal(required=True)
    gross_total = graphene.Decimal(required=True)
    currency = graphene.String(required=True)
    column_mapping = graphene.JSONString(required=True, description="Field -> the column it was read from.")
    statement_period = graphene.String(description="YYYY-MM, when given for the whole statement.")
    errors = graphene.List(
        graphene.NonNull(ImportRowErrorType), required=True, description="Rows in error, the first 100 by line."
    )
    created_by = graphene.String(required=True)

    class Meta:
        model = ImportBatch
        name = "ImportBatch"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id", "database_id", "parent_id", "children_ids", "carrier", "workspace_id", "source",
            "original_filename", "status", "progress_percent", "rows_processed", "rows_expected", "counts",
            "premium_total", "gross_total", "currency", "column_mapping", "date_format", "statement_period",
            "failure_reason", "errors", "created_by", "created_at", "updated_at", "completed_at", "finalised_at",
            "rolled_back_at",
        )  # fmt: skip

    @staticmethod
    def resolve_parent_id(batch, info):
        return batch.parent_id

    @staticmethod
    def resolve_children_ids(batch, info):
        return [child.pk for child in batch.children.all()]

    @staticmethod
    def resolve_workspace_id(batch, info):
        return batch.workspace_id

    @staticmethod
    def resolve_progress_percent(batch, info):
        return batch.progress_percent

    @staticmethod
    def resolve_counts(batch, info):
        return ImportCountsType(
            total=batch.total_rows, matched=batch.matched_rows, unmatched=batch.unmatched_rows,
            duplicates=batch.duplicate_rows, errors=batch.error_rows, skipped=batch.skipped_rows,
            chargebacks=batch.chargeback_rows, transactions=batch.transaction_count,
        )  # fmt: skip

    @staticmethod
    def resolve_currency(batch, info):
        return info.context.actor.organisation.currency

    @staticmethod
    def resolve_statement_period(batch, info):
        return batch.statement_period.strftime("%Y-%m") if batch.statement_period else None

    @staticmethod
    def resolve_errors(batch, info):
        return [ImportRowErrorType(**error) for error in selectors.import_batch_errors(batch=batch)]

    @staticmethod
    def resolve_created_by(batch, info):
        return batch.created_by_label


class ImportRowType(TenantObjectType):
    """One row of an imported statement: as written, as read, and what it matched. Scope `transactions.read`."""

    read_scope = READ
    list_selector = selectors.import_row_list

    batch_id = graphene.Int(required=True)
    status = graphene.String(required=True, description="matched, unmatched, duplicate, error or skipped.")
    match_method = graphene.String(required=True)
    policy_id = graphene.Int(description="The matched policy.")
    producer_id = graphene.Int(description="The matched producer.")
    producer_name = graphene.String()
    statement_period = graphene.String(description="YYYY-MM.")
    type = graphene.String(required=True, description="new, renewal, chargeback or adjustment.")
    errors = graphene.List(graphene.NonNull(graphene.String), required=True)
    warnings = graphene.List(graphene.NonNull(graphene.String), required=True)
    duplicate_of_id = graphene.Int()
    transaction_ids = graphene.List(graphene.NonNull(graphene.Int), required=True)
    raw = graphene.JSONString(required=True)

    class Meta:
        model = ImportRow
        name = "ImportRow"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id", "database_id", "batch_id", "line", "status", "match_method", "confidence", "policy_number",
            "policy_id", "producer_ref", "producer_id", "producer_name", "customer_name", "transaction_date",
            "statement_period", "premium", "gross_commission", "rate", "split_percent", "type", "external_id",
            "errors", "warnings", "duplicate_of_id", "transaction_ids", "raw", "created_at", "updated_at",
        )  # fmt: skip

    @staticmethod
    def resolve_batch_id(row, info):
        return row.batch_id

    @staticmethod
    def resolve_policy_id(row, info):
        return row.policy_id

    @staticmethod
    def resolve_producer_id(row, info):
        return row.producer_id

    @staticmethod
    def resolve_producer_name(row, info):
        return row.producer.display_name if row.producer_id else None

    @staticmethod
    def resolve_statement_period(row, info):
        return row.statement_period.strftime("%Y-%m") if row.statement_period else None

    @staticmethod
    def resolve_duplicate_of_id(row, info):
        return row.duplicate_of_id

    @staticmethod
    def resolve_transaction_ids(row, info):
        return [txn.pk for txn in row.transactions.all()]


class Query(graphene.ObjectType):
    """Reads of statement imports."""

    import_batches = TenantConnectionField(
        ImportBatchType, filterset_class=ImportBatchFilterSet,
        description="Statement imports, newest first. Scope transactions.read.",
    )  # fmt: skip
    import_batch = TenantObjectField(ImportBatchType, description="One import; null when not found.")
    import_rows = TenantConnectionField(
        ImportRowType, filterset_class=ImportRowFilterSet,
        description="Rows of imports by batch and line (filter batchId, status, needsAttention).",
    )  # fmt: skip
    import_row = TenantObjectField(ImportRowType, description="One import row; null when not found.")


# =============================================================================
# Mutations
# =============================================================================


class ImportTransactionsInput(graphene.InputObjectType):
    """A statement as CSV text or JSON payouts (REST: `POST /v1/transactions/import`)."""

    csv = graphene.String(description="The statement as CSV text (header line first).")
    payouts = graphene.JSONString(description="A JSON array of payout objects.")
    filename = graphene.String()
    carrier_id = graphene.ID(description="Omit it for a statement with a carrier column.")
    workspace_id = graphene.ID()
    column_mapping = graphene.JSONString(description="Column header -> field.")
    save_mapping = graphene.Boolean()
    statement_period = graphene.String(description="YYYY-MM.")
    date_format = graphene.String(description="e.g. %m/%d/%Y; default: the carrier's.")


def _period(value: str | None):
    if not value:
        return None
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value.strip()):
        raise validation_error({"statement_period": ["Use YYYY-MM."]})
    year, month = value.strip().split("-")
    return datetime.date(int(year), int(month), 1)


def _json(value, field: str):
    if value is None or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise validation_error({field: ["Not valid JSON."]}) from None


class ImportBatchCreate(TenantMutation):
    """Import a statement (scope `transactions.write`); it is processed in the background: poll
    `importBatch(id:)` until its status is `review`."""

    required_scope = WRITE
    error_field_names = {"carrier": "carrierId", "workspace": "workspaceId", "file": "csv"}

    class Arguments:
        input = ImportTransactionsInput(required=True)

    Output = graphene.NonNull(ImportBatchType)

    @classmethod
    def perform_mutate(cls, info, actor, input):
        related = scoped_related(
            actor,
            {
                "carrierId": Related(input.get("carrier_id"), "Carrier", selectors.carrier_list),
                "workspaceId": Related(input.get("workspace_id"), "Workspace", organisation_selectors.workspace_list),
            },
        )
        date_format = input.get("date_format") or ""
        if date_format and date_format not in DateFormat.values:
            raise validation_error({"date_format": [f"One of: {', '.join(DateFormat.values)}."]})
        batch = services.import_batch_create(
            actor=actor,
            csv_text=input.get("csv"),
            payouts=_json(input.get("payouts"), "payouts"),
            filename=input.get("filename") or "",
            carrier=related.get("carrierId"),
            workspace=related.get("workspaceId"),
            column_mapping=_json(input.get("column_mapping"), "column_mapping"),
            save_mapping=bool(input.get("save_mapping")),
            statement_period=_period(input.get("statement_period")),
            date_format=date_format,
        )
        return selectors.import_batch_get(actor=actor, pk=batch.pk)


class ImportRowMatchInput(graphene.InputObjectType):
    row_id = graphene.ID(required=True, description="Integer id or global id of the row.")
    policy_id = graphene.ID()
    producer_id = graphene.ID()
    split_percent = graphene.Decimal()
    skip = graphene.Boolean(description="Leave the row out of the ledger.")
    learn = graphene.Boolean(description="Remember the aliases (default true).")


class ImportRowMatch(TenantMutation):
    """Match a row of the exception queue by hand, or skip it (scope `transactions.write`)."""

    required_scope = WRITE
    error_field_names = {"policy_id": "policyId", "producer_id": "producerId"}

    class Arguments:
        input = ImportRowMatchInput(required=True)

    Output = graphene.NonNull(ImportRowType)

    @classmethod
    def perform_mutate(cls, info, actor, input):
        row = scoped_target(actor, input.row_id, "ImportRow", selectors.import_row_list)
        related = scoped_related(
            actor,
            {
                "policyId": Related(input.get("policy_id"), "Policy", selectors.policy_list),
                "producerId": Related(input.get("producer_id"), "Producer", organisation_selectors.producer_list),
            },
        )
        services.import_row_match(
            actor=actor,
            row=row,
            policy=related.get("policyId"),
            producer=related.get("producerId"),
            split_percent=input.get("split_percent"),
            skip=bool(input.get("skip")),
            learn=input.get("learn") is not False,
        )
        return selectors.import_row_list(actor=actor).get(pk=row.pk)


class ImportBatchActionInput(graphene.InputObjectType):
    batch_id = graphene.ID(required=True, description="Integer id or global id of the import.")
    skip_unresolved = graphene.Boolean(description="Finalise: skip rows still unmatched or in error.")


class ImportBatchFinalise(TenantMutation):
    """Finalise an import in review: its matched rows become reconciled ledger lines, all or
    nothing (scope `transactions.write`; 409 while rows need attention)."""

    required_scope = WRITE

    class Arguments:
        input = ImportBatchActionInput(required=True)

    Output = graphene.NonNull(ImportBatchType)

    @classmethod
    def perform_mutate(cls, info, actor, input):
        batch = scoped_target(actor, input.batch_id, "ImportBatch", selectors.import_batch_list)
        services.import_batch_finalise(actor=actor, batch=batch, skip_unresolved=bool(input.get("skip_unresolved")))
        return selectors.import_batch_get(actor=actor, pk=batch.pk)


class ImportBatchRollback(TenantMutation):
    """Roll an import back, deleting its ledger lines if finalised (scope `transactions.write`;
    409 when something downstream approved or paid them)."""

    required_scope = WRITE

    class Arguments:
        input = ImportBatchActionInput(required=True)

    Output = graphene.NonNull(ImportBatchType)

    @classmethod
    def perform_mutate(cls, info, actor, input):
        batch = scoped_target(actor, input.batch_id, "ImportBatch", selectors.import_batch_list)
        services.import_batch_rollback(actor=actor, batch=batch)
        return selectors.import_batch_get(actor=actor, pk=batch.pk)


class Mutation(graphene.ObjectType):
    """Writes of statement imports."""

    import_transactions = ImportBatchCreate.Field()
    match_import_row = ImportRowMatch.Field()
    finalise_import_batch = ImportBatchFinalise.Field()
    rollback_import_batch = ImportBatchRollback.Field()
