"""REST endpoints of timesheets (issue 15): ``/v1/timesheets`` (list, detail, ``current``, open a
period with POST), the workflow actions, ``bulk-approve`` and ``/v1/timesheet-settings``.

Thin: the services decide. Scope ``time.read`` for GET, ``time.write`` otherwise. The actions
honour ``If-Match`` (the detail's ETag, else 412) and ``Idempotency-Key`` like every write.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from trackyoursheets.api import viewsets as base

from .. import selectors, services, sheet_totals
from ..filters import TimesheetFilterSet
from .serializers.timesheets import (
    TimesheetBulkApproveResultSerializer,
    TimesheetBulkApproveSerializer,
    TimesheetDetailSerializer,
    TimesheetOpenSerializer,
    TimesheetReasonSerializer,
    TimesheetSerializer,
    TimesheetSettingsSerializer,
)
from .views import SCOPE_AREA, WHOLE_ID, TimeAPIView

OPEN_PARAMS = [
    OpenApiParameter("employee_id", WHOLE_ID, description="Whose (default: your own).", required=False),
    OpenApiParameter("user_id", WHOLE_ID, description="Whose, by login.", required=False),
    OpenApiParameter("date", OpenApiTypes.DATE, description="Any day of the period (default: today).", required=False),
    OpenApiParameter("period_start", OpenApiTypes.DATE, description="The period's first day.", required=False),
]


@extend_schema_view(
    list=extend_schema(summary="List timesheets (own; a manager's people; everyone for owners and admins)"),
    retrieve=extend_schema(summary="Get a timesheet: totals by day, project, task and billable, and its entries"),
    create=extend_schema(
        summary="Open the timesheet of a period (created on first use; 201 when created, 200 when it existed)",
        request=TimesheetOpenSerializer,
        responses={201: TimesheetDetailSerializer, 200: TimesheetDetailSerializer},
    ),
)
class TimesheetViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    http_method_names = ["get", "post", "head", "options"]
    list_selector = selectors.timesheet_list
    serializer_class = TimesheetDetailSerializer
    filterset_class = TimesheetFilterSet

    def get_serializer_class(self):
        if self.action == "list":
            return TimesheetSerializer
        return super().get_serializer_class()

    def list(self, request, *args, **kwargs):
        """The envelope of ListModelMixin; the page's totals are read in one query for all its rows."""
        if base.prefers_minimal(request):
            return super().list(request, *args, **kwargs)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {**self.get_serializer_context(), "list_totals": sheet_totals.page_totals(page)}
        return self.get_paginated_response(TimesheetSerializer(page, many=True, context=context).data)

    def _open(self, data):
        serializer = TimesheetOpenSerializer(data=data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        timesheet, created = services.timesheet_open(actor=self.actor, **serializer.validated_data)
        timesheet = selectors.timesheet_get(actor=self.actor, pk=timesheet.pk)
        location = self.request.build_absolute_uri(f"/v1/timesheets/{timesheet.pk}")
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return self.output(timesheet, status_code=code, headers={"Location": location})

    def create(self, request, *args, **kwargs):
        return self._open(request.data)

    @extend_schema(
        summary="The timesheet of the period holding today (or `date`, or `period_start`), created on first read",
        parameters=OPEN_PARAMS,
        responses=TimesheetDetailSerializer,
    )
    @action(detail=False, methods=["get"], url_path="current", filterset_class=None)
    def current(self, request):
        response = self._open(request.query_params)
        response.status_code = status.HTTP_200_OK
        return response

    def _after(self, timesheet):
        return self.output(selectors.timesheet_get(actor=self.actor, pk=timesheet.pk))

    @extend_schema(summary="Submit for approval (open or rejected → submitted; 409 while a timer runs)", request=None)
    @action(detail=True, methods=["post"], url_path="submit")
    def submit(self, request, pk=None):
        return self._after(services.timesheet_submit(actor=self.actor, timesheet=self.get_object()))

    @extend_schema(summary="Take back a submitted timesheet (the employee; submitted → open)", request=None)
    @action(detail=True, methods=["post"], url_path="unsubmit")
    def unsubmit(self, request, pk=None):
        return self._after(services.timesheet_unsubmit(actor=self.actor, timesheet=self.get_object()))

    @extend_schema(
        summary="Approve (the employee's manager, a manager of their office, owners, admins; never oneself)",
        request=None,
    )
    @action(detail=True, methods=["post"], url_path="approve")
    def approve(self, request, pk=None):
        return self._after(services.timesheet_approve(actor=self.actor, timesheet=self.get_object()))

    @extend_schema(summary="Reject with a reason (submitted → rejected)", request=TimesheetReasonSerializer)
    @action(detail=True, methods=["post"], url_path="reject")
    def reject(self, request, pk=None):
        timesheet = self.get_object()
        serializer = TimesheetReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._after(
            services.timesheet_reject(actor=self.actor, timesheet=timesheet, **serializer.validated_data)
        )

    @extend_schema(
        summary="Reopen an approved timesheet (owners and admins, with a reason; audited)",
        request=TimesheetReasonSerializer,
    )
    @action(detail=True, methods=["post"], url_path="reopen")
    def reopen(self, request, pk=None):
        timesheet = self.get_object()
        serializer = TimesheetReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._after(
            services.timesheet_reopen(actor=self.actor, timesheet=timesheet, **serializer.validated_data)
        )

    @extend_schema(
        summary="Approve many submitted timesheets (at most 500); the others are skipped with a reason",
        request=TimesheetBulkApproveSerializer,
        responses=TimesheetBulkApproveResultSerializer,
    )
    @action(detail=False, methods=["post"], url_path="bulk-approve", filterset_class=None)
    def bulk_approve(self, request):
        serializer = TimesheetBulkApproveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.timesheet_bulk_approve(actor=self.actor, timesheet_ids=serializer.validated_data["ids"])
        return Response(
            {
                "approved": result.approved,
                "approved_count": len(result.approved),
                "skipped": result.skipped,
                "skipped_count": len(result.skipped),
            }
        )


class TimesheetSettingsView(TimeAPIView):
    @extend_schema(
        summary="The organisation's timesheet settings (period type, anchor, automatic lock)",
        responses=TimesheetSettingsSerializer,
    )
    def get(self, request):
        settings = selectors.timesheet_settings_get(organisation=self.actor.organisation)
        return Response(TimesheetSettingsSerializer(settings).data)

    @extend_schema(
        summary="Change the timesheet settings (owners and admins; the period type is fixed once timesheets exist)",
        request=TimesheetSettingsSerializer,
        responses={200: TimesheetSettingsSerializer, 409: OpenApiResponse(description="Timesheets exist.")},
    )
    def patch(self, request):
        serializer = TimesheetSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        settings = services.timesheet_settings_update(actor=self.actor, data=serializer.validated_data)
        return Response(TimesheetSettingsSerializer(settings).data)

    @extend_schema(
        summary="Change the timesheet settings (same as PATCH)",
        request=TimesheetSettingsSerializer,
        responses=TimesheetSettingsSerializer,
    )
    def put(self, request):
        return self.patch(request)
