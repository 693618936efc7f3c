"""GraphQL for the commission ledger: carriers, policies, transactions, ``commissionReport``
(issue 6 point 5, the same report as ``GET /v1/reports/commissions``) and ``createOverride``.

Thin (STYLE §2.5): reads go through :mod:`payroll.selectors` (tenancy and role visibility
as on REST), list filters through the FilterSets of :mod:`payroll.filters`, writes
through :mod:`payroll.services`. Scope ``transactions.read`` / ``transactions.write``.
"""

from __future__ import annotations

import graphene
from graphene import relay

from organisations.graphql import ProducerType, WorkspaceType
from trackyoursheets.api.errors import ValidationFailed
from trackyoursheets.api.graphql import (
    CountableConnection,
    TenantConnectionField,
    TenantMutation,
    TenantObjectField,
    TenantObjectType,
    TenantRelation,
    filter_data,
    filterset_input_type,
    require_scope,
    scoped_target,
    validation_error,
)

from .. import reports, selectors, services
from ..choices import OverrideKind
from ..filters import CarrierFilterSet, CommissionTransactionFilterSet, PolicyFilterSet
from ..models import Carrier, CommissionTransaction, Policy

READ = "transactions.read"
WRITE = "transactions.write"

__all__ = [
    "CarrierType",
    "PolicyType",
    "CommissionTransactionType",
    "CommissionReportType",
    "OverrideCreate",
    "Query",
    "Mutation",
]


def _currency(info) -> str:
    return info.context.actor.organisation.currency


class CarrierType(TenantObjectType):
    """An insurance carrier that pays commissions. Scope `transactions.read`."""

    read_scope = READ
    list_selector = selectors.carrier_list

    statement_date_format = graphene.String(required=True, description="A strftime format, e.g. %m/%d/%Y.")
    default_rule_set_id = graphene.Int(description="The rule set that computes missing commission.")
    column_mapping = graphene.JSONString(required=True, description="Saved statement column mapping.")

    class Meta:
        model = Carrier
        name = "Carrier"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
            "name",
            "code",
            "statement_date_format",
            "default_rule_set_id",
            "column_mapping",
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_default_rule_set_id(carrier, info):
        return carrier.default_rule_set_id

    @staticmethod
    def resolve_statement_date_format(carrier, info):
        return carrier.statement_date_format


class PolicyProducerSplitType(graphene.ObjectType):
    """A writing producer of a policy and their split (REST: an item of a policy's `producers`)."""

    class Meta:
        name = "PolicyProducerSplit"

    producer_id = graphene.Int(required=True)
    display_name = graphene.String(required=True)
    split_percent = graphene.Decimal(required=True)

    @staticmethod
    def resolve_producer_id(link, info):
        return link.producer_id

    @staticmethod
    def resolve_display_name(link, info):
        return link.producer.display_name


class PolicyType(TenantObjectType):
    """An insurance policy and its writing producers. Scope `transactions.read`.

    Owners and admins see every policy; managers those written by a producer of their
    office; a producer their own, while their portal access is on.
    """

    read_scope = READ
    list_selector = selectors.policy_list

    carrier = TenantRelation(CarrierType, "carrier")
    line_of_business_id = graphene.Int()
    status = graphene.String(required=True, description="active, pending, cancelled or expired.")
    currency = graphene.String(required=True)
    producers = graphene.List(graphene.NonNull(PolicyProducerSplitType), required=True)

    class Meta:
        model = Policy
        name = "Policy"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
            "number",
            "carrier",
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
        )

    @staticmethod
    def resolve_line_of_business_id(policy, info):
        return policy.line_of_business_id

    @staticmethod
    def resolve_currency(policy, info):
        return _currency(info)

    @staticmethod
    def resolve_producers(policy, info):
        return policy.producer_links.all()


class CommissionOverrideType(graphene.ObjectType):
    """One override of a producer's amount (append-only history)."""

    class Meta:
        name = "CommissionOverride"

    database_id = graphene.Int(required=True)
    kind = graphene.String(required=True, description="flat, percent_of_premium or split.")
    value = graphene.Decimal(required=True)
    reason = graphene.String(required=True)
    previous_amount = graphene.Decimal(required=True)
    resulting_amount = graphene.Decimal(required=True)
    created_by = graphene.String(required=True)
    created_at = graphene.String(required=True)

    @staticmethod
    def resolve_database_id(override, info):
        return override.pk

    @staticmethod
    def resolve_created_by(override, info):
        return override.created_by_label

    @staticmethod
    def resolve_created_at(override, info):
        return override.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")


class CommissionTransactionType(TenantObjectType):
    """A commission ledger line. Scope `transactions.read`.

    Owners and admins see every line; managers those of their office's workspaces; a
    producer their own, while their portal access is on; HR and employees none.
    """

    read_scope = READ
    list_selector = selectors.transaction_list

    policy = TenantRelation(PolicyType, "policy")
    producer = TenantRelation(ProducerType, "producer", description="Null without `producers.read`.")
    carrier = TenantRelation(CarrierType, "carrier")
    workspace = TenantRelation(WorkspaceType, "workspace", description="Null without `workspaces.read`.")
    producer_id = graphene.Int(required=True)
    line_of_business_id = graphene.Int()
    category_id = graphene.Int()
    commission_rule_id = graphene.Int(description="The rule that computed the gross commission, if one did.")
    reverses_id = graphene.Int(
        description="A chargeback: the line whose commission it takes back; an adjustment: the line it corrects; "
        "null otherwise."
    )
    statement_period = graphene.String(required=True, description="YYYY-MM.")
    type = graphene.String(required=True, description="new, renewal, chargeback or adjustment.")
    status = graphene.String(required=True, description="pending, reconciled, approved, paid or disputed.")
    source = graphene.String(required=True, description="import, manual or api.")
    base_amount = graphene.Decimal(required=True, description="gross commission x split, before overrides.")
    currency = graphene.String(required=True)
    overrides = graphene.List(graphene.NonNull(CommissionOverrideType), required=True, description="Newest first.")
    payroll_run_id = graphene.Int(
        description="The payroll run that paid this line (or, while it is ready, will pay it); null otherwise."
    )

    class Meta:
        model = CommissionTransaction
        name = "CommissionTransaction"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
            "policy",
            "producer",
            "producer_id",
            "carrier",
            "workspace",
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
            "overrides",
            "payroll_run_id",
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_commission_rule_id(txn, info):
        return txn.commission_rule_id

    @staticmethod
    def resolve_producer_id(txn, info):
        return txn.producer_id

    @staticmethod
    def resolve_reverses_id(txn, info):
        return txn.reverses_id

    @staticmethod
    def resolve_line_of_business_id(txn, info):
        return txn.line_of_business_id

    @staticmethod
    def resolve_category_id(txn, info):
        return txn.category_id

    @staticmethod
    def resolve_statement_period(txn, info):
        return txn.statement_period.strftime("%Y-%m")

    @staticmethod
    def resolve_base_amount(txn, info):
        return services.producer_share(txn.gross_commission, txn.split_percent)

    @staticmethod
    def resolve_currency(txn, info):
        return _currency(info)

    @staticmethod
    def resolve_overrides(txn, info):
        return txn.overrides.all()

    @staticmethod
    def resolve_payroll_run_id(txn, info):
        return getattr(txn, "payroll_run_id", None)  # annotated by the list selector


class ReportFiguresType(graphene.ObjectType):
    """Totals of a set of ledger lines."""

    class Meta:
        name = "CommissionReportFigures"

    premium = graphene.Decimal(required=True)
    gross_commission = graphene.Decimal(required=True)
    producer_amount = graphene.Decimal(required=True)
    count = graphene.Int(required=True)


class ReportPeriodType(ReportFiguresType):
    """Totals for one period in the organisation's timezone (REST: an item of `periods`)."""

    class Meta:
        name = "CommissionReportPeriod"

    period = graphene.String(required=True, description="today, week, month, quarter, year or all_time.")
    start = graphene.Date(description="First day of the period; null for all_time.")
    end = graphene.Date(description="Today in the organisation's timezone; null for all_time.")


class ReportGroupType(ReportFiguresType):
    """Totals for one group (REST: an item of `groups`)."""

    class Meta:
        name = "CommissionReportGroup"

    id = graphene.Int(description="The grouped row's id; null for none and for statement months.")
    key = graphene.String(required=True)
    label = graphene.String(required=True)


class CommissionReportType(graphene.ObjectType):
    """`GET /v1/reports/commissions` in GraphQL: period totals and grouped totals."""

    class Meta:
        name = "CommissionReport"

    currency = graphene.String(required=True)
    timezone = graphene.String(required=True)
    today = graphene.Date(required=True)
    group_by = graphene.String(required=True)
    period = graphene.String()
    sort = graphene.String(required=True)
    periods = graphene.List(graphene.NonNull(ReportPeriodType), required=True)
    groups = graphene.List(graphene.NonNull(ReportGroupType), required=True)
    totals = graphene.Field(ReportFiguresType, required=True)


class Query(graphene.ObjectType):
    """Reads of the commission ledger."""

    commission_report = graphene.Field(
        CommissionReportType,
        required=True,
        group_by=graphene.String(required=True, description=", ".join(reports.GROUP_BY) + "."),
        period=graphene.String(description="Only lines of this period: " + ", ".join(reports.PERIODS) + "."),
        sort=graphene.String(description="Rank groups by: " + ", ".join(reports.SORT_KEYS) + "."),
        filter=filterset_input_type(CommissionTransactionFilterSet, "CommissionTransactionFilter")(
            description="The filters of `transactions`."
        ),
        description="Premium and commission totals by period and by group. Scope transactions.read.",
    )

    @staticmethod
    def resolve_commission_report(root, info, group_by, period=None, sort=None, filter=None):
        actor = require_scope(info, READ)
        try:
            return reports.commission_report(
                actor=actor, group_by=group_by, filters=filter_data(filter), period=period, sort=sort
            )
        except ValidationFailed as exc:
            raise validation_error(exc.errors) from exc

    carriers = TenantConnectionField(
        CarrierType, filterset_class=CarrierFilterSet, description="Carriers, by name. Scope transactions.read."
    )
    carrier = TenantObjectField(CarrierType, description="One carrier; null when not found.")
    policies = TenantConnectionField(
        PolicyType, filterset_class=PolicyFilterSet, description="Policies, by number. Scope transactions.read."
    )
    policy = TenantObjectField(PolicyType, description="One policy; null when not found.")
    transactions = TenantConnectionField(
        CommissionTransactionType,
        filterset_class=CommissionTransactionFilterSet,
        description="Ledger lines, newest first. Scope transactions.read.",
    )
    transaction = TenantObjectField(CommissionTransactionType, description="One ledger line; null when not found.")


class OverrideInput(graphene.InputObjectType):
    """An override of one line's producer amount (REST: `POST /v1/transactions/{id}/overrides`)."""

    transaction_id = graphene.ID(required=True, description="Integer id or global id of the transaction.")
    kind = graphene.String(required=True, description=", ".join(OverrideKind.values) + ".")
    value = graphene.Decimal(required=True, description="An amount for flat; a percentage for the others.")
    reason = graphene.String(required=True)


class OverrideCreate(TenantMutation):
    """Override a producer's amount (scope `transactions.write`); append-only, never compounding.
    A line that is approved or paid is a 409 problem."""

    required_scope = WRITE

    class Arguments:
        input = OverrideInput(required=True)

    Output = graphene.NonNull(CommissionTransactionType)

    @classmethod
    def perform_mutate(cls, info, actor, input):
        txn = scoped_target(actor, input.transaction_id, "CommissionTransaction", selectors.transaction_list)
        services.override_create(actor=actor, transaction=txn, kind=input.kind, value=input.value, reason=input.reason)
        return selectors.transaction_get(actor=actor, pk=txn.pk)


class Mutation(graphene.ObjectType):
    """Writes of the commission ledger."""

    create_override = OverrideCreate.Field()
