"""GraphQL of payroll runs (issue 18 point 8): ``payrollRuns(status: [PayrollRunStatus!], first,
after)`` and ``payrollRun(id)`` with entries and lines; the mutations ``createPayrollRun(input:
PayrollRunInput!): PayrollRun!``, ``approvePayrollRun``, ``markPayrollRunPaid``,
``cancelPayrollRun``, ``recalculatePayrollRun`` and ``acknowledgePayrollRun`` — the same selectors
and services as REST. Scope ``payroll.read`` / ``payroll.write``."""

from __future__ import annotations

from functools import partial

import graphene
from graphene import relay

from trackyoursheets.api.errors import ValidationFailed
from trackyoursheets.api.graphql import (
    CountableConnection,
    TenantConnectionField,
    TenantMutation,
    TenantObjectField,
    TenantObjectType,
    decode_id,
    object_action,
    scoped_target,
    validation_error,
)

from .. import selectors, services
from ..choices import PayrollRunStatus
from ..models import PayrollRun
from ..services.sources import hours_text

READ = "payroll.read"
WRITE = "payroll.write"

__all__ = ["PayrollRunType", "Query", "Mutation"]

PayrollRunStatusEnum = graphene.Enum(
    "PayrollRunStatus", [(value.upper(), value) for value in PayrollRunStatus.values], description="A run's status."
)


class SourceRefType(graphene.ObjectType):
    class Meta:
        name = "PayrollSourceRef"

    kind = graphene.String(required=True)
    id = graphene.Int(required=True)
    url = graphene.String()


class PayrollLineType(graphene.ObjectType):
    """One line of pay with where it comes from and how it was computed."""

    class Meta:
        name = "PayrollLine"

    database_id = graphene.Int(required=True)
    pay_code = graphene.String(required=True)
    external_code = graphene.String(required=True)
    source_kind = graphene.String(required=True)
    hours = graphene.String()
    seconds = graphene.Int()
    rate = graphene.Decimal()
    multiplier = graphene.Decimal(required=True)
    amount = graphene.Decimal(required=True)
    explanation = graphene.String(required=True)
    sources = graphene.List(graphene.NonNull(SourceRefType), required=True)

    @staticmethod
    def resolve_database_id(line, info):
        return line.pk

    @staticmethod
    def resolve_pay_code(line, info):
        return line.pay_code.code

    @staticmethod
    def resolve_external_code(line, info):
        return line.pay_code.external_code

    @staticmethod
    def resolve_hours(line, info):
        return hours_text(line.seconds) if line.seconds is not None else None

    @staticmethod
    def resolve_sources(line, info):
        return [SourceRefType(kind=s["kind"], id=s["id"], url=s.get("url")) for s in line.source_refs]


class CodeAmountType(graphene.ObjectType):
    class Meta:
        name = "PayrollCodeAmount"

    code = graphene.String(required=True)
    value = graphene.String(required=True)


class PayrollEntryType(graphene.ObjectType):
    """One employee in a run: gross, hours and amounts by pay code, warnings, lines."""

    class Meta:
        name = "PayrollEntry"

    database_id = graphene.Int(required=True)
    employee_id = graphene.Int(required=True)
    employee_name = graphene.String(required=True)
    gross = graphene.Decimal(required=True)
    hours_by_code = graphene.List(graphene.NonNull(CodeAmountType), required=True)
    amounts_by_code = graphene.List(graphene.NonNull(CodeAmountType), required=True)
    warnings = graphene.List(graphene.NonNull(graphene.String), required=True, description="Warning codes.")
    lines = graphene.List(graphene.NonNull(PayrollLineType), required=True)

    @staticmethod
    def resolve_database_id(entry, info):
        return entry.pk

    @staticmethod
    def resolve_employee_name(entry, info):
        return entry.employee.display_name

    @staticmethod
    def resolve_hours_by_code(entry, info):
        return [CodeAmountType(code=k, value=v) for k, v in entry.hours_by_code.items()]

    @staticmethod
    def resolve_amounts_by_code(entry, info):
        return [CodeAmountType(code=k, value=v) for k, v in entry.amounts_by_code.items()]

    @staticmethod
    def resolve_warnings(entry, info):
        return [w["code"] for w in entry.warnings]

    @staticmethod
    def resolve_lines(entry, info):
        return entry.lines.all()


class PayrollAcknowledgementType(graphene.ObjectType):
    class Meta:
        name = "PayrollAcknowledgement"

    notes = graphene.String(required=True)
    by = graphene.String(required=True)
    client_id = graphene.String(required=True)
    acknowledged_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_by(ack, info):
        return ack.by_label

    @staticmethod
    def resolve_acknowledged_at(ack, info):
        return ack.created_at


class PayrollRunType(TenantObjectType):
    """A payroll run (draft, ready, paid or cancelled) with its entries. Scope `payroll.read`;
    owners, admins, HR and OAuth clients read runs."""

    read_scope = READ
    list_selector = selectors.payroll_run_detail_list

    status = PayrollRunStatusEnum(required=True)
    pay_schedule_id = graphene.Int()
    currency = graphene.String(required=True)
    entries = graphene.List(graphene.NonNull(PayrollEntryType), required=True)
    acknowledgements = graphene.List(graphene.NonNull(PayrollAcknowledgementType), required=True)

    class Meta:
        model = PayrollRun
        name = "PayrollRun"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
            "status",
            "pay_schedule_id",
            "period_start",
            "period_end",
            "pay_date",
            "off_cycle",
            "stale",
            "gross_total",
            "currency",
            "employee_count",
            "approved_at",
            "paid_at",
            "entries",
            "acknowledgements",
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_status(run, info):
        return run.status

    @staticmethod
    def resolve_pay_schedule_id(run, info):
        return run.pay_schedule_id

    @staticmethod
    def resolve_currency(run, info):
        return info.context.actor.organisation.currency

    @staticmethod
    def resolve_entries(run, info):
        return run.entries.all()

    @staticmethod
    def resolve_acknowledgements(run, info):
        return run.acknowledgements.all()


class PayrollRunConnectionField(TenantConnectionField):
    """``payrollRuns(status: [PayrollRunStatus!])``: the contract's argument, several allowed."""

    def resolve_rows(self, root, info, **args):
        status = [getattr(s, "value", s) for s in args.get("status") or []]
        try:
            return selectors.payroll_run_detail_list(
                actor=info.context.actor, filters={"status": status} if status else None
            )
        except ValidationFailed as exc:
            raise validation_error(exc.errors) from exc


class Query(graphene.ObjectType):
    """Reads of payroll runs."""

    payroll_runs = PayrollRunConnectionField(
        PayrollRunType,
        status=graphene.List(graphene.NonNull(PayrollRunStatusEnum), description="Any of these statuses."),
        description="Payroll runs, newest period first. Scope payroll.read.",
    )
    payroll_run = TenantObjectField(PayrollRunType, description="One run with its entries; null when not found.")


# =============================================================================
# Mutations
# =============================================================================


def _target(actor, id):
    return scoped_target(actor, id, "PayrollRun", selectors.payroll_run_list)


def _answer(actor, run):
    return selectors.payroll_run_get(actor=actor, pk=run.pk)


class PayrollAdjustmentInput(graphene.InputObjectType):
    employee_id = graphene.ID(required=True)
    kind = graphene.String(required=True, description="bonus, deduction or correction.")
    amount = graphene.Decimal(required=True)
    reason = graphene.String(required=True)


class PayrollRunInput(graphene.InputObjectType):
    """A scheduled run (`payScheduleId`, `periodStart`) or an off-cycle run (`employeeIds`,
    `periodStart`, `periodEnd`)."""

    pay_schedule_id = graphene.ID()
    period_start = graphene.Date()
    period_end = graphene.Date()
    pay_date = graphene.Date()
    employee_ids = graphene.List(graphene.NonNull(graphene.ID))
    notes = graphene.String()
    adjustments = graphene.List(graphene.NonNull(PayrollAdjustmentInput))


class PayrollRunCreate(TenantMutation):
    """Create a draft run (REST: `POST /v1/payroll/runs`). Scope `payroll.write`."""

    required_scope = WRITE
    error_field_names = {"pay_schedule_id": "payScheduleId", "employee_ids": "employeeIds"}

    class Arguments:
        input = PayrollRunInput(required=True)

    # the contract: createPayrollRun(input: PayrollRunInput!): PayrollRun!
    Output = graphene.NonNull(PayrollRunType)

    @classmethod
    def perform_mutate(cls, info, actor, input):
        schedule = None
        if input.get("pay_schedule_id"):
            schedule = scoped_target(actor, input.pay_schedule_id, "PaySchedule", selectors.pay_schedule_list)
        adjustments = [
            {
                "employee_id": decode_id(a.employee_id, "Employee"),
                "kind": a.kind,
                "amount": a.amount,
                "reason": a.reason,
            }
            for a in input.get("adjustments") or []
        ]
        run = services.payroll_run_create(
            actor=actor,
            pay_schedule=schedule,
            period_start=input.get("period_start"),
            period_end=input.get("period_end"),
            pay_date=input.get("pay_date"),
            employee_ids=[decode_id(pk, "Employee") for pk in input.get("employee_ids") or []],
            adjustments=adjustments,
            notes=input.get("notes") or "",
        )
        return _answer(actor, run)


_action = partial(
    object_action,
    scope=WRITE,
    output=PayrollRunType,
    target=_target,
    answer=_answer,
    object_arg="run",
)


PayrollRunApprove = _action(
    "PayrollRunApprove",
    """Approve a draft (draft → ready). Scope `payroll.write`; owners, admins, OAuth clients.""",
    action=services.payroll_run_approve,
)


PayrollRunMarkPaid = _action(
    "PayrollRunMarkPaid",
    """Mark a ready run paid (ready → paid). Scope `payroll.write`.""",
    action=services.payroll_run_mark_paid,
)


PayrollRunCancel = _action(
    "PayrollRunCancel",
    """Cancel a draft or ready run (its sources are released). Scope `payroll.write`.""",
    action=services.payroll_run_cancel,
)


PayrollRunRecalculate = _action(
    "PayrollRunRecalculate",
    """Recompute a draft from its sources. Scope `payroll.write`.""",
    action=services.payroll_run_recalculate,
)


class PayrollRunAckInput(graphene.InputObjectType):
    id = graphene.ID(required=True)
    notes = graphene.String()


class PayrollRunAcknowledge(TenantMutation):
    """Record that you synced a ready or paid run (REST: `POST /v1/payroll/runs/{id}/acknowledge`)."""

    required_scope = WRITE

    class Arguments:
        input = PayrollRunAckInput(required=True)

    Output = graphene.NonNull(PayrollRunType)

    @classmethod
    def perform_mutate(cls, info, actor, input):
        run = _target(actor, input.id)
        services.payroll_run_acknowledge(actor=actor, run=run, notes=input.get("notes") or "")
        return _answer(actor, run)


class Mutation(graphene.ObjectType):
    """Writes of payroll runs."""

    create_payroll_run = PayrollRunCreate.Field()
    approve_payroll_run = PayrollRunApprove.Field()
    mark_payroll_run_paid = PayrollRunMarkPaid.Field()
    cancel_payroll_run = PayrollRunCancel.Field()
    recalculate_payroll_run = PayrollRunRecalculate.Field()
    acknowledge_payroll_run = PayrollRunAcknowledge.Field()
