"""REST endpoints of leave (issue 16): thin, the services decide. Scope ``hr.read`` for GET,
``hr.write`` otherwise. Employees see their own balances and requests, managers their office's
and their reports', HR, owners and admins everything."""

from __future__ import annotations

import datetime
import zoneinfo

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from trackyoursheets.api import viewsets as base
from trackyoursheets.api.filters import apply_filterset, reject_unknown_parameters, supported_parameters
from trackyoursheets.api.schema import filter_parameters

from .. import leave_selectors, services
from ..filters import (
    HolidayGroupFilterSet,
    LeaveBalanceFilterSet,
    LeaveLedgerFilterSet,
    LeavePolicyFilterSet,
    LeaveRequestFilterSet,
    LeaveTypeFilterSet,
)
from ..models import LeaveAccount
from .serializers.leave import (
    HolidayGroupSerializer,
    LeaveAdjustmentInputSerializer,
    LeaveBalanceSerializer,
    LeaveLedgerEntrySerializer,
    LeavePolicySerializer,
    LeavePreviewSerializer,
    LeaveRejectSerializer,
    LeaveRequestInputSerializer,
    LeaveRequestSerializer,
    LeaveTypeSerializer,
)

SCOPE_AREA = "hr"


def _policy_list(*, actor):
    return leave_selectors.leave_policy_list(actor=actor)


@extend_schema_view(
    list=extend_schema(summary="List leave types (vacation, sick, …: paid or not, and their pay code name)"),
    create=extend_schema(summary="Add a leave type (HR, owners, admins)"),
    retrieve=extend_schema(summary="Get a leave type"),
    partial_update=extend_schema(summary="Change a leave type (HR, owners, admins)"),
)
class LeaveTypeViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    list_selector = leave_selectors.leave_type_list
    serializer_class = LeaveTypeSerializer
    filterset_class = LeaveTypeFilterSet

    def perform_create(self, serializer):
        return services.leave_type_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, instance, serializer):
        return services.leave_type_update(actor=self.actor, leave_type=instance, data=serializer.validated_data)


@extend_schema_view(
    list=extend_schema(summary="List leave policies (how each leave type is earned, and who it applies to)"),
    create=extend_schema(summary="Add a leave policy (HR, owners, admins)"),
    retrieve=extend_schema(summary="Get a leave policy"),
    partial_update=extend_schema(summary="Change a leave policy (HR, owners, admins)"),
)
class LeavePolicyViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    list_selector = _policy_list
    serializer_class = LeavePolicySerializer
    filterset_class = LeavePolicyFilterSet

    def perform_create(self, serializer):
        policy = services.leave_policy_create(actor=self.actor, **serializer.validated_data)
        return leave_selectors.leave_policy_list(actor=self.actor).get(pk=policy.pk)

    def perform_update(self, instance, serializer):
        services.leave_policy_update(actor=self.actor, policy=instance, data=serializer.validated_data)
        return leave_selectors.leave_policy_list(actor=self.actor).get(pk=instance.pk)


@extend_schema_view(
    list=extend_schema(summary="List holiday calendars with their dated holidays (half days flagged)"),
    create=extend_schema(summary="Add a holiday calendar with its holidays (HR, owners, admins)"),
    retrieve=extend_schema(summary="Get a holiday calendar"),
    partial_update=extend_schema(
        summary="Rename a holiday calendar, change its offices, or replace its holidays (HR, owners, admins)"
    ),
)
class HolidayGroupViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    list_selector = leave_selectors.holiday_group_list
    serializer_class = HolidayGroupSerializer
    filterset_class = HolidayGroupFilterSet

    def perform_create(self, serializer):
        group = services.holiday_group_create(actor=self.actor, **serializer.validated_data)
        return leave_selectors.holiday_group_list(actor=self.actor).get(pk=group.pk)

    def perform_update(self, instance, serializer):
        services.holiday_group_update(actor=self.actor, group=instance, data=serializer.validated_data)
        return leave_selectors.holiday_group_list(actor=self.actor).get(pk=instance.pk)


class _AsOf(serializers.Serializer):
    as_of = serializers.DateField(required=False)


@extend_schema_view(
    list=extend_schema(
        summary="List leave balances per employee and leave type: accrued, used, pending, available, as of a day"
    ),
    retrieve=extend_schema(summary="Get one leave balance"),
)
class LeaveBalanceViewSet(base.ListModelMixin, base.RetrieveModelMixin, base.TenantViewSet):
    scope_area = SCOPE_AREA
    serializer_class = LeaveBalanceSerializer
    filterset_class = LeaveBalanceFilterSet
    #: the ledger action lists other rows (tests/platform/test_list_filters.py reads it)
    list_filterset_class = None
    http_method_names = ["get", "head", "options"]

    def _as_of(self) -> datetime.date:
        parsed = _AsOf(data={k: v for k, v in self.request.query_params.items() if k == "as_of"})
        parsed.is_valid(raise_exception=True)
        zone = zoneinfo.ZoneInfo(self.actor.organisation.timezone or "UTC")
        return parsed.validated_data.get("as_of") or timezone.now().astimezone(zone).date()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LeaveAccount.objects.none()
        return leave_selectors.leave_balance_list(actor=self.actor, as_of=self._as_of())

    def list(self, request, *args, **kwargs):
        """The page's ids first, then only those rows with their sums: the ledger is summed for
        the 100 rows shown, never for the rows a deep page skips (three statements per page)."""
        queryset = self.filter_queryset(self.get_queryset())
        if base.prefers_minimal(request):
            return super().list(request, *args, **kwargs)
        ids = list(self.paginate_queryset(queryset.values_list("pk", flat=True)))
        rows = {account.pk: account for account in queryset.filter(pk__in=ids)}
        data = self.get_serializer([rows[pk] for pk in ids if pk in rows], many=True).data
        return self.get_paginated_response(data)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False) and self.request is not None:
            context["as_of"] = self._as_of()
        return context

    @extend_schema(
        summary="The ledger of one balance: every accrual, usage, adjustment, carry-over, expiry and cancellation",
        parameters=filter_parameters(LeaveLedgerFilterSet),
        responses=LeaveLedgerEntrySerializer(many=True),
    )
    @action(
        detail=True, methods=["get"], url_path="ledger", filterset_class=None, list_filterset_class=LeaveLedgerFilterSet
    )
    def ledger(self, request, pk=None):
        account = self.get_object()
        reject_unknown_parameters(request.query_params, supported_parameters(LeaveLedgerFilterSet))
        rows = apply_filterset(
            LeaveLedgerFilterSet, request.query_params, leave_selectors.leave_ledger_list(account=account), request
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(LeaveLedgerEntrySerializer(page, many=True).data)


class LeaveAdjustmentViewSet(base.TenantViewSet):
    scope_area = SCOPE_AREA
    serializer_class = LeaveLedgerEntrySerializer
    http_method_names = ["post", "options"]

    @extend_schema(
        summary="Adjust a leave balance by hand (HR, owners, admins; with a reason; audited)",
        request=LeaveAdjustmentInputSerializer,
        responses={201: LeaveLedgerEntrySerializer},
    )
    def create(self, request):
        serializer = LeaveAdjustmentInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        entry = services.leave_adjust(actor=self.actor, **serializer.validated_data)
        return self.output(entry, status_code=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="List leave requests (own; a manager's office and reports; everyone for HR and admins)"),
    retrieve=extend_schema(summary="Get a leave request"),
    create=extend_schema(
        summary="Request leave: full days, half days or hours; working days and hours come from the schedule and "
        "holidays; overlapping or uncovered requests are refused",
        request=LeaveRequestInputSerializer,
    ),
)
class LeaveRequestViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    http_method_names = ["get", "post", "head", "options"]
    list_selector = leave_selectors.leave_request_list
    serializer_class = LeaveRequestSerializer
    input_serializer_class = LeaveRequestInputSerializer
    filterset_class = LeaveRequestFilterSet

    def perform_create(self, serializer):
        request = services.leave_request_create(actor=self.actor, **serializer.validated_data)
        return leave_selectors.leave_request_get(actor=self.actor, pk=request.pk)

    def _after(self, request):
        return self.output(leave_selectors.leave_request_get(actor=self.actor, pk=request.pk))

    @extend_schema(
        summary="Preview a request before submitting it: its working days and hours, and the balance it leaves",
        request=LeaveRequestInputSerializer,
        responses=LeavePreviewSerializer,
    )
    @action(detail=False, methods=["post"], url_path="preview")
    def preview(self, request):
        serializer = LeaveRequestInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("notes", None)
        found = services.leave_preview(actor=self.actor, **data)
        return Response(LeavePreviewSerializer(LeavePreviewSerializer.payload(found)).data)

    @extend_schema(summary="Approve (requested → approved): the hours leave the balance", request=None)
    @action(detail=True, methods=["post"], url_path="approve")
    def approve(self, request, pk=None):
        return self._after(services.leave_request_approve(actor=self.actor, request=self.get_object()))

    @extend_schema(summary="Reject with a reason (requested → rejected)", request=LeaveRejectSerializer)
    @action(detail=True, methods=["post"], url_path="reject")
    def reject(self, request, pk=None):
        target = self.get_object()
        serializer = LeaveRejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._after(services.leave_request_reject(actor=self.actor, request=target, **serializer.validated_data))

    @extend_schema(
        summary="Cancel: the employee before it starts, HR, owners and admins any time (approved hours come back)",
        request=None,
    )
    @action(detail=True, methods=["post"], url_path="cancel")
    def cancel(self, request, pk=None):
        return self._after(services.leave_request_cancel(actor=self.actor, request=self.get_object()))
