"""The HR reports of report exports (issue 17), registered from ``apps.py``.

``hr_directory`` is ``GET /v1/hr/employees`` (HR, owners and admins: everyone with pay fields;
a manager their office without them; anyone else themselves); ``hr_acknowledgements`` is
``GET /v1/hr/documents/{document_id}/acknowledgements`` (HR portal roles only). Confidential HR
tickets are not exported. ``leave_requests`` and ``leave_balances`` are ``GET /v1/hr/leave-requests``
and ``GET /v1/hr/leave-balances`` (an employee their own, a manager their office's, HR, owners and
admins everyone; balances as of ``as_of``, today in the organisation's timezone by default).
"""

from __future__ import annotations

import dataclasses
import datetime
import zoneinfo
from functools import partial

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.exports.registry import Column, Report, Rows, actor_request, query_dict, serializer_renderer
from integrations.exports.registry import queryset_report as _queryset_report
from trackyoursheets.api.errors import ValidationFailed
from trackyoursheets.api.filters import apply_filterset, reject_unknown_parameters, supported_parameters

from . import leave_selectors, selectors
from .api.serializers import PAY_FIELDS, EmployeeSerializer
from .api.serializers.documents import AcknowledgementStatusSerializer
from .api.serializers.leave import LeaveBalanceSerializer, LeaveRequestSerializer
from .filters import AcknowledgementStateFilterSet, EmployeeFilterSet, LeaveBalanceFilterSet, LeaveRequestFilterSet
from .policies import can_see_pay

__all__ = ["REPORTS"]

AREA = "hr"
_TYPES = {
    "id": "int",
    "office_id": "int",
    "manager_id": "int",
    "membership_id": "int",
    "employee_id": "int",
    "hire_date": "date",
    "termination_date": "date",
    "pay_rate": "money",
    "acknowledged": "bool",
    "acknowledged_at": "datetime",
    "created_at": "datetime",
    "updated_at": "datetime",
    # leave
    "leave_type_id": "int",
    "start_date": "date",
    "end_date": "date",
    "hours_per_day": "hours",
    "working_days": "hours",
    "hours": "hours",
    "decided_at": "datetime",
    "cancelled_at": "datetime",
    "accrued": "hours",
    "used": "hours",
    "pending": "hours",
    "balance": "hours",
    "available": "hours",
    "as_of": "date",
}
_DIRECTORY_COLUMNS = tuple(Column(n, type=_TYPES.get(n, "text")) for n in EmployeeSerializer.Meta.fields)


def _directory_visible(actor) -> frozenset[str] | None:
    """Pay fields only for HR, owners, admins and integrations (absent from the API otherwise)."""
    if can_see_pay(actor):
        return None
    return frozenset(c.name for c in _DIRECTORY_COLUMNS if c.name not in PAY_FIELDS)


HR_DIRECTORY = _queryset_report(
    name="hr_directory",
    title=_("Employee directory"),
    area=AREA,
    columns=_DIRECTORY_COLUMNS,
    selector=selectors.employee_list,
    filterset=EmployeeFilterSet,
    renderer=serializer_renderer(EmployeeSerializer),
    visible=_directory_visible,
    chunk=1000,
    description=_("GET /v1/hr/employees; pay fields only for HR, owners and admins."),
)


_ACK_FILTERS = supported_parameters(AcknowledgementStateFilterSet) - {"page", "page_size", "per_page"}


def _acknowledgement_rows_qs(actor, filters):
    reject_unknown_parameters(filters, _ACK_FILTERS | {"document_id"})
    try:
        document = selectors.document_get(actor=actor, pk=int(filters.get("document_id") or 0))
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise ValidationFailed({"document_id": [_("Name a document you may see.")]}) from None
    rows = selectors.acknowledgement_status_list(actor=actor, document=document)
    wanted = {k: v for k, v in filters.items() if k != "document_id"}
    return apply_filterset(AcknowledgementStateFilterSet, query_dict(wanted), rows, actor_request(actor))


def _acknowledgement_rows(actor, filters) -> Rows:
    queryset = _acknowledgement_rows_qs(actor, filters)
    rows = [dict(r) for r in AcknowledgementStatusSerializer(list(queryset), many=True).data]
    return Rows(total=len(rows), chunks=[rows])


HR_ACKNOWLEDGEMENTS = Report(
    name="hr_acknowledgements",
    title=_("Document acknowledgements"),
    area=AREA,
    columns=tuple(Column(n, type=_TYPES.get(n, "text")) for n in AcknowledgementStatusSerializer().fields),
    rows=_acknowledgement_rows,
    validate=lambda actor, filters: _acknowledgement_rows_qs(actor, filters).exists() or None,
    description=_("Who has and has not acknowledged a document (document_id required; HR portal roles)."),
    filter_names=tuple(sorted(_ACK_FILTERS | {"document_id"})),
)


# =============================================================================
# Leave: GET /v1/hr/leave-requests and GET /v1/hr/leave-balances
# =============================================================================

LEAVE_REQUESTS = _queryset_report(
    name="leave_requests",
    title=_("Leave requests"),
    area=AREA,
    columns=tuple(Column(n, type=_TYPES.get(n, "text")) for n in LeaveRequestSerializer.Meta.fields),
    selector=leave_selectors.leave_request_list,
    filterset=LeaveRequestFilterSet,
    renderer=serializer_renderer(LeaveRequestSerializer),
    chunk=1000,
    description=_("GET /v1/hr/leave-requests: your own; a manager their office's; HR, owners and admins all."),
)


def _as_of(actor, filters) -> datetime.date:
    value = filters.get("as_of")
    if value:
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            raise ValidationFailed({"as_of": [_("Enter a valid date.")]}) from None
    zone = zoneinfo.ZoneInfo(actor.organisation.timezone or "UTC")
    return timezone.now().astimezone(zone).date()


def _balance_report(as_of: datetime.date):
    """The balances list as of one day (the selector sums the ledger to it, the serializer shows it)."""

    def renderer(actor):
        def render(accounts: list) -> list[dict]:
            context = {"actor": actor, "as_of": as_of}
            return list(LeaveBalanceSerializer(accounts, many=True, context=context).data)

        return render

    return _queryset_report(
        name="leave_balances",
        title=_("Leave balances"),
        area=AREA,
        columns=tuple(Column(n, type=_TYPES.get(n, "text")) for n in LeaveBalanceSerializer.Meta.fields),
        selector=partial(leave_selectors.leave_balance_list, as_of=as_of),
        filterset=LeaveBalanceFilterSet,
        renderer=renderer,
        chunk=1000,
        description=_("GET /v1/hr/leave-balances (as_of: today by default): accrued, used, pending, available."),
    )


_BALANCES = _balance_report(datetime.date(2000, 1, 1))  # its columns and filters; rows are as of the day asked

LEAVE_BALANCES = dataclasses.replace(
    _BALANCES,
    rows=lambda actor, filters: _balance_report(_as_of(actor, filters)).rows(actor, filters),
    validate=lambda actor, filters: _balance_report(_as_of(actor, filters)).validate(actor, filters),
)

REPORTS = (HR_DIRECTORY, HR_ACKNOWLEDGEMENTS, LEAVE_REQUESTS, LEAVE_BALANCES)
