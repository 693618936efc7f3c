"""GraphQL of the TrackTik connector (issue 19 point 6): the ``tracktikSyncRuns`` and
``tracktikContracts`` connections, ``tracktikBillingReport(week:)`` and the ``syncTracktik``
mutation — the same selectors and services as REST. Scope ``integrations.read`` /
``integrations.write``; owners and admins only.
Mixed into trackyoursheets/schema.py."""

from __future__ import annotations

import graphene
from graphene import relay

from trackyoursheets.api.graphql import (
    CountableConnection,
    TenantConnectionField,
    TenantMutation,
    TenantObjectField,
    TenantObjectType,
)
from trackyoursheets.api.graphql.problems import domain_error_to_graphql, require_scope
from trackyoursheets.exceptions import DomainError

from . import selectors, services
from .filters import TracktikContractFilterSet, TracktikSyncRunFilterSet
from .models import TracktikContract, TracktikSyncRun

__all__ = ["Mutation", "Query", "TracktikContractType", "TracktikSyncRunType"]

READ = "integrations.read"
WRITE = "integrations.write"


class TracktikSyncRunType(TenantObjectType):
    """A TrackTik sync run: status, progress, counts, the first record errors, the failure reason."""

    read_scope = READ
    list_selector = selectors.sync_run_list

    status = graphene.String(required=True, description="queued, running, succeeded or failed.")
    progress = graphene.Int(required=True, description="Percent done (0-100).")
    created = graphene.Int(required=True)
    updated = graphene.Int(required=True)
    unchanged = graphene.Int(required=True)
    removed = graphene.Int(required=True)
    flagged = graphene.Int(required=True)
    errors = graphene.JSONString(description="The first 200 record errors (record_type, record_id, message).")
    reason = graphene.String(description="Why the run failed.")

    class Meta:
        model = TracktikSyncRun
        name = "TracktikSyncRun"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
            "status",
            "full",
            "window_start",
            "progress",
            "created",
            "updated",
            "unchanged",
            "removed",
            "flagged",
            "error_count",
            "errors",
            "reason",
            "duration_ms",
            "started_at",
            "finished_at",
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_status(run, info):
        return run.status

    @staticmethod
    def resolve_progress(run, info):
        return run.progress_percent

    @staticmethod
    def resolve_created(run, info):
        return run.created_count

    @staticmethod
    def resolve_updated(run, info):
        return run.updated_count

    @staticmethod
    def resolve_unchanged(run, info):
        return run.unchanged_count

    @staticmethod
    def resolve_removed(run, info):
        return run.removed_count

    @staticmethod
    def resolve_flagged(run, info):
        return run.flagged_count

    @staticmethod
    def resolve_errors(run, info):
        return run.errors

    @staticmethod
    def resolve_reason(run, info):
        return run.error or None


class TracktikContractType(TenantObjectType):
    """A TrackTik contract as last synced (read-only: contracts are edited in TrackTik)."""

    read_scope = READ
    list_selector = selectors.contract_list

    site_id = graphene.Int(description="The TrackTik client/site (our id); null when it is not synced.")
    site_name = graphene.String()
    client_id = graphene.Int(description="Our client the site belongs to.")
    position_rates = graphene.JSONString(
        required=True, description="Bill rate per TrackTik position id; they come before billRate."
    )

    class Meta:
        model = TracktikContract
        name = "TracktikContract"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
            "tracktik_id",
            "custom_id",
            "name",
            "start_date",
            "end_date",
            "status",
            "bill_rate",
            "position_rates",
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_site_id(contract, info):
        return contract.site_id

    @staticmethod
    def resolve_site_name(contract, info):
        return contract.site.name if contract.site is not None else None

    @staticmethod
    def resolve_client_id(contract, info):
        return contract.site.client_id if contract.site is not None else None

    @staticmethod
    def resolve_position_rates(contract, info):
        return contract.position_rates or {}


class TracktikBillingLine(graphene.ObjectType):
    """Hours of one position and pay type at a site, priced."""

    position = graphene.String(required=True)
    post_position_code = graphene.String(required=True)
    pay_type = graphene.String(required=True, description="regular, overtime or holiday.")
    hours = graphene.Decimal(required=True)
    rate = graphene.Decimal(required=True)
    factor = graphene.Decimal(required=True)
    amount = graphene.Decimal(required=True)
    shift_ids = graphene.List(graphene.NonNull(graphene.Int), required=True, description="TrackTik shift ids.")


class TracktikBillingSite(graphene.ObjectType):
    site_id = graphene.Int(required=True)
    custom_id = graphene.String(required=True)
    name = graphene.String(required=True)
    hours = graphene.Decimal(required=True)
    amount = graphene.Decimal(required=True)
    lines = graphene.List(graphene.NonNull(TracktikBillingLine), required=True)


class TracktikBillingClient(graphene.ObjectType):
    client_id = graphene.Int(required=True)
    client_name = graphene.String(required=True)
    hours = graphene.Decimal(required=True)
    amount = graphene.Decimal(required=True)
    sites = graphene.List(graphene.NonNull(TracktikBillingSite), required=True)


class TracktikBillingTotals(graphene.ObjectType):
    hours = graphene.Decimal(required=True)
    amount = graphene.Decimal(required=True)
    regular_hours = graphene.Decimal(required=True)
    overtime_hours = graphene.Decimal(required=True)
    holiday_hours = graphene.Decimal(required=True)


class TracktikBillingReport(graphene.ObjectType):
    """The weekly billing report by client (REST: `GET /v1/reports/tracktik-billing`)."""

    week_start = graphene.Date(required=True)
    week_end = graphene.Date(required=True)
    currency = graphene.String(required=True)
    clients = graphene.List(graphene.NonNull(TracktikBillingClient), required=True)
    totals = graphene.Field(TracktikBillingTotals, required=True)

    @staticmethod
    def resolve_clients(report, info):
        return [
            TracktikBillingClient(
                **{k: v for k, v in c.items() if k != "sites"},
                sites=[
                    TracktikBillingSite(
                        **{k: v for k, v in s.items() if k not in ("lines", "tracktik_id")},
                        lines=[
                            TracktikBillingLine(**{k: v for k, v in x.items() if k != "position_id"})
                            for x in s["lines"]
                        ],
                    )
                    for s in c["sites"]
                ],
            )
            for c in report["clients"]
        ]

    @staticmethod
    def resolve_totals(report, info):
        return TracktikBillingTotals(**report["totals"])

    @staticmethod
    def resolve_week_start(report, info):
        return report["week_start"]

    @staticmethod
    def resolve_week_end(report, info):
        return report["week_end"]

    @staticmethod
    def resolve_currency(report, info):
        return report["currency"]


class Query(graphene.ObjectType):
    """Reads of the TrackTik connector."""

    tracktik_sync_runs = TenantConnectionField(
        TracktikSyncRunType,
        filterset_class=TracktikSyncRunFilterSet,
        description="TrackTik sync runs, newest first. Scope integrations.read; owners and admins.",
    )
    tracktik_sync_run = TenantObjectField(
        TracktikSyncRunType, description="One TrackTik sync run; null when not found."
    )
    tracktik_contracts = TenantConnectionField(
        TracktikContractType,
        filterset_class=TracktikContractFilterSet,
        description="TrackTik contracts as last synced, by site and start date. Scope integrations.read; "
        "owners and admins.",
    )
    tracktik_contract = TenantObjectField(
        TracktikContractType, description="One TrackTik contract; null when not found."
    )
    tracktik_billing_report = graphene.Field(
        TracktikBillingReport,
        week=graphene.Date(required=True, description="A day of the week; the week starts on its Monday."),
        description="Approved TrackTik hours per client/site, position and pay type × bill rate. "
        "Scope integrations.read.",
    )

    @staticmethod
    def resolve_tracktik_billing_report(root, info, week):
        actor = require_scope(info, READ)
        try:
            return selectors.billing_report(actor=actor, week=week)
        except DomainError as exc:
            raise domain_error_to_graphql(exc) from exc


class TracktikSync(TenantMutation):
    """Sync now: queue a TrackTik sync run (REST: `POST /v1/integrations/tracktik/sync`)."""

    required_scope = WRITE

    class Arguments:
        full = graphene.Boolean(description="Re-read every shift from the connection's first day.")

    Output = graphene.NonNull(TracktikSyncRunType)

    @classmethod
    def perform_mutate(cls, info, actor, full=False):
        return services.sync_start(actor=actor, full=bool(full))


class Mutation(graphene.ObjectType):
    """Writes of the TrackTik connector."""

    sync_tracktik = TracktikSync.Field()
