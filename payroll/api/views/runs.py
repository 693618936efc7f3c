"""REST endpoints of payroll runs (issue 18): ``/v1/payroll/runs`` (list, create, detail with all
entries), the lifecycle actions, ``entries`` (paginated), ``diff``, ``acknowledge``, and the
reference data ``pay-schedules``, ``pay-codes``, ``overtime-rules``.

Thin: the services decide. Scope ``payroll.read`` for GET, ``payroll.write`` otherwise; the
actions honour ``If-Match`` (the detail's ETag, else 412) and ``Idempotency-Key``."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from trackyoursheets.api import viewsets as base
from trackyoursheets.api.filters import reject_unknown_parameters, supported_parameters
from trackyoursheets.api.schema import filter_parameters

from ... import selectors, services
from ...filters import (
    OvertimeRuleFilterSet,
    PayCodeFilterSet,
    PayrollEntryFilterSet,
    PayrollRunFilterSet,
    PayScheduleFilterSet,
)
from ...models import PayrollRun
from ..serializers.runs import (
    AcknowledgeInputSerializer,
    AcknowledgeResultSerializer,
    AdjustmentInputSerializer,
    OvertimeRuleInputSerializer,
    OvertimeRuleSerializer,
    PayCodeInputSerializer,
    PayCodeSerializer,
    PayrollEntrySerializer,
    PayrollRunDetailSerializer,
    PayrollRunDiffSerializer,
    PayrollRunInputSerializer,
    PayrollRunSerializer,
    PayScheduleInputSerializer,
    PayScheduleSerializer,
)

SCOPE_AREA = "payroll"
CONFLICT = OpenApiResponse(description="An illegal transition for the run's status (a problem naming it).")


@extend_schema_view(
    list=extend_schema(summary="List pay schedules with their employees and upcoming periods"),
    create=extend_schema(summary="Create a pay schedule (owners and admins)", request=PayScheduleInputSerializer),
    retrieve=extend_schema(summary="Get a pay schedule"),
    partial_update=extend_schema(
        summary="Change a pay schedule or its employees (an employee belongs to one schedule)",
        request=PayScheduleInputSerializer,
    ),
)
class PayScheduleViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    list_selector = selectors.pay_schedule_list
    serializer_class = PayScheduleSerializer
    input_serializer_class = PayScheduleInputSerializer
    filterset_class = PayScheduleFilterSet

    def perform_create(self, serializer):
        schedule = services.pay_schedule_create(actor=self.actor, **serializer.validated_data)
        return selectors.pay_schedule_list(actor=self.actor).get(pk=schedule.pk)

    def perform_update(self, instance, serializer):
        services.pay_schedule_update(actor=self.actor, pay_schedule=instance, data=dict(serializer.validated_data))
        return selectors.pay_schedule_list(actor=self.actor).get(pk=instance.pk)


@extend_schema_view(
    list=extend_schema(summary="List pay codes (the ten defaults, seeded with the first schedule, and custom codes)"),
    create=extend_schema(summary="Create a custom pay code with a multiplier and an external code"),
    retrieve=extend_schema(summary="Get a pay code"),
    partial_update=extend_schema(summary="Rename a pay code or change its multiplier or external code"),
)
class PayCodeViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    serializer_class = PayCodeSerializer
    input_serializer_class = PayCodeInputSerializer
    filterset_class = PayCodeFilterSet

    list_selector = selectors.pay_code_list

    def perform_create(self, serializer):
        return services.pay_code_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, instance, serializer):
        return services.pay_code_update(actor=self.actor, pay_code=instance, data=dict(serializer.validated_data))


@extend_schema_view(
    list=extend_schema(summary="List overtime rules (the organisation's and per office)"),
    create=extend_schema(summary="Create an overtime rule for the organisation or an office"),
    retrieve=extend_schema(summary="Get an overtime rule"),
    partial_update=extend_schema(summary="Change an overtime rule's thresholds or multipliers"),
)
class OvertimeRuleViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    list_selector = selectors.overtime_rule_list
    serializer_class = OvertimeRuleSerializer
    input_serializer_class = OvertimeRuleInputSerializer
    filterset_class = OvertimeRuleFilterSet

    def perform_create(self, serializer):
        return services.overtime_rule_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, instance, serializer):
        data = dict(serializer.validated_data)
        return services.overtime_rule_update(actor=self.actor, overtime_rule=instance, data=data)


@extend_schema_view(
    list=extend_schema(
        summary="List payroll runs (filter `status` — several allowed —, `pay_schedule_id`, `period_start`, ...)"
    ),
    create=extend_schema(
        summary="Create a draft run: a schedule and period, or off-cycle with employees and dates",
        request=PayrollRunInputSerializer,
        responses={201: PayrollRunDetailSerializer, 409: OpenApiResponse(description="Sources taken by another run.")},
    ),
    retrieve=extend_schema(summary="Get a run with ALL its entries (per employee: lines, hours by pay code, gross)"),
)
class PayrollRunViewSet(base.ListModelMixin, base.CreateModelMixin, base.RetrieveModelMixin, base.TenantViewSet):
    scope_area = SCOPE_AREA
    http_method_names = ["get", "post", "head", "options"]
    list_selector = selectors.payroll_run_list
    serializer_class = PayrollRunDetailSerializer
    input_serializer_class = PayrollRunInputSerializer
    filterset_class = PayrollRunFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PayrollRun.objects.none()
        if self.action == "retrieve" or self.request.headers.get("If-Match"):
            return selectors.payroll_run_detail_list(actor=self.actor)  # the detail (and its ETag)
        return selectors.payroll_run_list(actor=self.actor)

    def get_serializer_class(self):
        if self.action == "list":
            return PayrollRunSerializer
        return super().get_serializer_class()

    def perform_create(self, serializer):
        run = services.payroll_run_create(actor=self.actor, **serializer.validated_data)
        return selectors.payroll_run_get(actor=self.actor, pk=run.pk)

    def _after(self, run):
        return self.output(selectors.payroll_run_get(actor=self.actor, pk=run.pk))

    @extend_schema(
        summary="Approve a draft (draft → ready; owners and admins; the run is frozen)",
        request=None,
        responses={200: PayrollRunDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="approve")
    def approve(self, request, pk=None):
        return self._after(services.payroll_run_approve(actor=self.actor, run=self.get_object()))

    @extend_schema(
        summary="Mark a ready run paid (ready → paid; its ledger lines and time become paid)",
        request=None,
        responses={200: PayrollRunDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request, pk=None):
        return self._after(services.payroll_run_mark_paid(actor=self.actor, run=self.get_object()))

    @extend_schema(
        summary="Cancel a draft or ready run (its sources are released)",
        request=None,
        responses={200: PayrollRunDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="cancel")
    def cancel(self, request, pk=None):
        return self._after(services.payroll_run_cancel(actor=self.actor, run=self.get_object()))

    @extend_schema(
        summary="Recompute a draft from its sources",
        request=None,
        responses={200: PayrollRunDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="recalculate")
    def recalculate(self, request, pk=None):
        return self._after(services.payroll_run_recalculate(actor=self.actor, run=self.get_object()))

    @extend_schema(
        summary="Add a bonus, deduction or correction (with a reason) to a draft",
        request=AdjustmentInputSerializer,
        responses={200: PayrollRunDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="adjustments")
    def adjustments(self, request, pk=None):
        run = self.get_object()
        serializer = AdjustmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._after(services.payroll_adjustment_add(actor=self.actor, run=run, **serializer.validated_data))

    @extend_schema(
        summary="Record that a finance system synced a ready or paid run (who and when, with notes)",
        request=AcknowledgeInputSerializer,
        responses={201: AcknowledgeResultSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="acknowledge")
    def acknowledge(self, request, pk=None):
        run = self.get_object()
        serializer = AcknowledgeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ack = services.payroll_run_acknowledge(actor=self.actor, run=run, **serializer.validated_data)
        data = dict(AcknowledgeResultSerializer({**_ack_dict(ack), "run_id": run.pk}).data)
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="A run's entries, paginated (for very large runs), with their lines",
        parameters=filter_parameters(PayrollEntryFilterSet),
        responses=PayrollEntrySerializer(many=True),
    )
    @action(detail=True, methods=["get"], url_path="entries", filterset_class=None)
    def entries(self, request, pk=None):
        run = self.get_object()
        reject_unknown_parameters(request.query_params, supported_parameters(PayrollEntryFilterSet))
        entries = selectors.payroll_entry_list(actor=self.actor, run=run, filters=request.query_params)
        page = self.paginate_queryset(entries)
        context = self.get_serializer_context()
        return self.get_paginated_response(PayrollEntrySerializer(page, many=True, context=context).data)

    @extend_schema(
        summary="Who changed by how much against the previous run of the schedule", responses=PayrollRunDiffSerializer
    )
    @action(detail=True, methods=["get"], url_path="diff", filterset_class=None)
    def diff(self, request, pk=None):
        return Response(PayrollRunDiffSerializer(selectors.payroll_run_diff(run=self.get_object())).data)


def _ack_dict(ack) -> dict:
    return {
        "id": ack.pk,
        "notes": ack.notes,
        "by_label": ack.by_label,
        "client_id": ack.client_id,
        "created_at": ack.created_at,
    }
