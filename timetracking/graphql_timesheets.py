"""GraphQL of timesheets (issue 15 point 8): the ``timesheets(filter, first, after)`` connection
and ``timesheet(id)``, and the ``submitTimesheet``, ``approveTimesheet`` and ``rejectTimesheet``
mutations (plus ``unsubmitTimesheet`` and ``reopenTimesheet``) — the same selectors and services
as REST. Scope ``time.read`` / ``time.write``. Mixed into trackyoursheets/schema.py.
"""

from __future__ import annotations

from functools import partial

import graphene
from graphene import relay

from trackyoursheets.api.graphql import (
    CountableConnection,
    TenantConnectionField,
    TenantObjectField,
    TenantObjectType,
    object_action,
    scoped_target,
)

from . import selectors, services, sheet_totals
from .filters import TimesheetFilterSet
from .graphql import READ, WRITE
from .models import Timesheet

__all__ = ["TimesheetType", "Query", "Mutation"]


class TimesheetTotals(graphene.ObjectType):
    """Hours of a timesheet (decimal strings with two places)."""

    class Meta:
        name = "TimesheetTotals"

    hours = graphene.String(required=True)
    billable_hours = graphene.String(required=True)
    entries = graphene.Int(required=True)


class TimesheetDay(graphene.ObjectType):
    class Meta:
        name = "TimesheetDay"

    date = graphene.Date(required=True, description="A local date in the employee's office timezone.")
    hours = graphene.String(required=True)
    billable_hours = graphene.String(required=True)
    entries = graphene.Int(required=True)


class TimesheetOverLimit(graphene.ObjectType):
    """A day or week of the period over a contract's hours limit (as REST's ``over_limit``)."""

    class Meta:
        name = "TimesheetOverLimit"

    contract_id = graphene.Int(required=True)
    limit = graphene.String(required=True, description="weekly or daily.")
    from_ = graphene.Date(required=True, name="from", description="The first local day of the span.")
    to = graphene.Date(required=True, description="The last local day of the span.")
    hours = graphene.String(required=True, description="The hours of the span (two places).")
    limit_hours = graphene.String(required=True)


def _totals(bucket: sheet_totals.Bucket) -> dict:
    return {
        "hours": str(selectors.hours(bucket.seconds)),
        "billable_hours": str(selectors.hours(bucket.billable_seconds)),
        "entries": bucket.entries,
    }


class TimesheetType(TenantObjectType):
    """One employee's timesheet of one period (open, submitted, approved or rejected). Scope
    `time.read`; the same visibility as REST (own; a manager's people; the whole organisation for
    owners, admins and OAuth clients). `totals` and `days` read the period's entries (ask for them
    on one timesheet, not on a long list)."""

    read_scope = READ
    list_selector = selectors.timesheet_list

    employee_id = graphene.Int(required=True)
    status = graphene.String(required=True, description="open, submitted, approved or rejected.")
    decided_by = graphene.String(description="Who approved or rejected it last.")
    totals = graphene.Field(graphene.NonNull(TimesheetTotals))
    days = graphene.List(graphene.NonNull(TimesheetDay), required=True)
    flagged = graphene.Boolean(required=True, description="Some time of the period is beyond a contract's limit.")
    over_limit = graphene.List(
        graphene.NonNull(TimesheetOverLimit),
        required=True,
        description="Each day or week of the period over a contract's hours limit (time the organisation flags).",
    )

    class Meta:
        model = Timesheet
        name = "Timesheet"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
            "employee_id",
            "period_start",
            "period_end",
            "status",
            "submitted_at",
            "decided_at",
            "decided_by",
            "rejection_reason",
            "reopened_at",
            "reopen_reason",
            "totals",
            "days",
            "flagged",
            "over_limit",
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_employee_id(timesheet, info):
        return timesheet.employee_id

    @staticmethod
    def resolve_status(timesheet, info):
        return timesheet.status

    @staticmethod
    def resolve_decided_by(timesheet, info):
        return timesheet.decided_by_label or None

    @staticmethod
    def _content(timesheet):
        cached = getattr(timesheet, "_content", None)
        if cached is None:
            cached = timesheet._content = sheet_totals.timesheet_content(timesheet=timesheet)
        return cached

    @staticmethod
    def _over_limit(timesheet) -> list:
        cached = getattr(timesheet, "_over_limit", None)
        if cached is None:
            cached = timesheet._over_limit = services.over_limit_spans(
                organisation=timesheet.organisation,
                employee=timesheet.employee,
                first=timesheet.period_start,
                last=timesheet.period_end,
                settings=selectors.timesheet_settings_get(organisation=timesheet.organisation),
            )
        return cached

    @staticmethod
    def resolve_flagged(timesheet, info):
        return bool(TimesheetType._over_limit(timesheet))

    @staticmethod
    def resolve_over_limit(timesheet, info):
        return [
            TimesheetOverLimit(
                contract_id=breach.contract_id,
                limit=breach.limit,
                from_=breach.first_day,
                to=breach.last_day,
                hours=str(breach.hours),
                limit_hours=str(breach.limit_hours),
            )
            for breach in TimesheetType._over_limit(timesheet)
        ]

    @staticmethod
    def resolve_totals(timesheet, info):
        return TimesheetTotals(**_totals(TimesheetType._content(timesheet).total))

    @staticmethod
    def resolve_days(timesheet, info):
        return [TimesheetDay(date=day, **_totals(bucket)) for day, bucket in TimesheetType._content(timesheet).days]


class Query(graphene.ObjectType):
    """Reads of timesheets."""

    timesheets = TenantConnectionField(
        TimesheetType,
        filterset_class=TimesheetFilterSet,
        description="Timesheets, newest period first (filters: employeeId, periodStart, status, ...). Scope time.read.",
    )
    timesheet = TenantObjectField(TimesheetType, description="One timesheet; null when not found.")


# =============================================================================
# Mutations
# =============================================================================


def _target(actor, id):
    return scoped_target(actor, id, "Timesheet", selectors.timesheet_list)


def _answer(actor, timesheet):
    return selectors.timesheet_get(actor=actor, pk=timesheet.pk)


_action = partial(
    object_action,
    scope=WRITE,
    output=TimesheetType,
    target=_target,
    answer=_answer,
    object_arg="timesheet",
)


TimesheetSubmit = _action(
    "TimesheetSubmit",
    """Submit a timesheet for approval (REST: `POST /v1/timesheets/{id}/submit`); a 409 while a timer runs.""",
    action=services.timesheet_submit,
    id_description="Integer id or global id of the timesheet.",
)


TimesheetUnsubmit = _action(
    "TimesheetUnsubmit",
    """Take back a submitted timesheet (the employee; REST: `POST /v1/timesheets/{id}/unsubmit`).""",
    action=services.timesheet_unsubmit,
)


TimesheetApprove = _action(
    "TimesheetApprove",
    """Approve a submitted timesheet (REST: `POST /v1/timesheets/{id}/approve`); never one's own.""",
    action=services.timesheet_approve,
)


TimesheetReject = _action(
    "TimesheetReject",
    """Reject a submitted timesheet with a reason (REST: `POST /v1/timesheets/{id}/reject`).""",
    action=services.timesheet_reject,
    reason=True,
)


TimesheetReopen = _action(
    "TimesheetReopen",
    """Reopen an approved timesheet (owners and admins, with a reason; REST: `…/reopen`).""",
    action=services.timesheet_reopen,
    reason=True,
)


class Mutation(graphene.ObjectType):
    """Writes of timesheets."""

    submit_timesheet = TimesheetSubmit.Field()
    unsubmit_timesheet = TimesheetUnsubmit.Field()
    approve_timesheet = TimesheetApprove.Field()
    reject_timesheet = TimesheetReject.Field()
    reopen_timesheet = TimesheetReopen.Field()
