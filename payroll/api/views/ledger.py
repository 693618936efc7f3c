"""REST endpoints of the commission ledger: thin, declarative, services do the work.

Scope ``transactions.read`` / ``transactions.write`` for every endpoint (carriers,
categories, policies and rule sets included).
"""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from trackyoursheets.api import viewsets as base
from trackyoursheets.api.errors import ValidationFailed
from trackyoursheets.api.schema import filter_parameters

from ... import reports, selectors, services
from ...filters import (
    CarrierFilterSet,
    CategoryFilterSet,
    CommissionRuleSetFilterSet,
    CommissionTransactionFilterSet,
    PolicyFilterSet,
)
from ..serializers import (
    BulkOverrideInputSerializer,
    BulkOverrideResultSerializer,
    CarrierInputSerializer,
    CarrierSerializer,
    CategorySerializer,
    CommissionReportSerializer,
    CommissionRuleSetInputSerializer,
    CommissionRuleSetSerializer,
    CommissionTransactionInputSerializer,
    CommissionTransactionSerializer,
    CommissionTransactionUpdateSerializer,
    OverrideInputSerializer,
    PolicyInputSerializer,
    PolicySerializer,
    TransitionInputSerializer,
)

SCOPE_AREA = "transactions"


@extend_schema_view(
    list=extend_schema(summary="List categories (lines of business and revenue statuses)"),
    create=extend_schema(summary="Create a category (owners and admins)"),
    retrieve=extend_schema(summary="Get a category"),
    partial_update=extend_schema(summary="Rename a category or change its default flag"),
)
class CategoryViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    list_selector = selectors.category_list
    serializer_class = CategorySerializer
    filterset_class = CategoryFilterSet

    def perform_create(self, serializer):
        return services.category_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, instance, serializer):
        return services.category_update(actor=self.actor, category=instance, data=serializer.validated_data)


@extend_schema_view(
    list=extend_schema(summary="List carriers"),
    create=extend_schema(summary="Create a carrier (owners and admins)", request=CarrierInputSerializer),
    retrieve=extend_schema(summary="Get a carrier"),
    partial_update=extend_schema(
        summary="Update a carrier (date format, default rule set, saved column mapping, ...)",
        request=CarrierInputSerializer,
    ),
)
class CarrierViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    list_selector = selectors.carrier_list
    serializer_class = CarrierSerializer
    input_serializer_class = CarrierInputSerializer
    filterset_class = CarrierFilterSet

    def perform_create(self, serializer):
        return services.carrier_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, instance, serializer):
        return services.carrier_update(actor=self.actor, carrier=instance, data=serializer.validated_data)


@extend_schema_view(
    list=extend_schema(summary="List commission rule sets with their rules (owners, admins, managers)"),
    create=extend_schema(summary="Create a rule set with its rules", request=CommissionRuleSetInputSerializer),
    retrieve=extend_schema(summary="Get a rule set with its rules"),
    partial_update=extend_schema(
        summary="Update a rule set (rules, when given, replace all)", request=CommissionRuleSetInputSerializer
    ),
)
class CommissionRuleSetViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    list_selector = selectors.rule_set_list
    serializer_class = CommissionRuleSetSerializer
    input_serializer_class = CommissionRuleSetInputSerializer
    filterset_class = CommissionRuleSetFilterSet

    def perform_create(self, serializer):
        rule_set = services.rule_set_create(actor=self.actor, **serializer.validated_data)
        return selectors.rule_set_get(actor=self.actor, pk=rule_set.pk)

    def perform_update(self, instance, serializer):
        services.rule_set_update(actor=self.actor, rule_set=instance, data=serializer.validated_data)
        return selectors.rule_set_get(actor=self.actor, pk=instance.pk)


@extend_schema_view(
    list=extend_schema(summary="List policies"),
    create=extend_schema(summary="Create a policy with its writing producers", request=PolicyInputSerializer),
    retrieve=extend_schema(summary="Get a policy"),
    partial_update=extend_schema(
        summary="Update a policy (producers, when given, replace all)", request=PolicyInputSerializer
    ),
)
class PolicyViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    list_selector = selectors.policy_list
    serializer_class = PolicySerializer
    input_serializer_class = PolicyInputSerializer
    filterset_class = PolicyFilterSet

    def perform_create(self, serializer):
        policy = services.policy_create(actor=self.actor, **serializer.validated_data)
        return selectors.policy_get(actor=self.actor, pk=policy.pk)

    def perform_update(self, instance, serializer):
        services.policy_update(actor=self.actor, policy=instance, data=serializer.validated_data)
        return selectors.policy_get(actor=self.actor, pk=instance.pk)


@extend_schema_view(
    list=extend_schema(summary="List commission transactions (the ledger)"),
    create=extend_schema(
        summary="Add a ledger line (manual or api); a missing gross commission comes from the rules",
        request=CommissionTransactionInputSerializer,
    ),
    retrieve=extend_schema(summary="Get a ledger line with its override history"),
    partial_update=extend_schema(
        summary="Update a pending or disputed ledger line", request=CommissionTransactionUpdateSerializer
    ),
)
class CommissionTransactionViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    list_selector = selectors.transaction_list
    serializer_class = CommissionTransactionSerializer
    input_serializer_class = CommissionTransactionInputSerializer
    update_serializer_class = CommissionTransactionUpdateSerializer
    filterset_class = CommissionTransactionFilterSet
    #: overrides are created (201), as the responses say
    audit_status_codes = {
        **base.TenantModelViewSet.audit_status_codes,
        "overrides": status.HTTP_201_CREATED,
        "bulk_overrides": status.HTTP_201_CREATED,
    }

    def perform_create(self, serializer):
        txn = services.transaction_create(actor=self.actor, **serializer.validated_data)
        return selectors.transaction_get(actor=self.actor, pk=txn.pk)

    def perform_update(self, instance, serializer):
        services.transaction_update(actor=self.actor, transaction=instance, data=serializer.validated_data)
        return selectors.transaction_get(actor=self.actor, pk=instance.pk)

    @extend_schema(
        summary="Override the producer's amount (append-only; the gross is never overwritten)",
        request=OverrideInputSerializer,
        responses={201: CommissionTransactionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="overrides")
    def overrides(self, request, pk=None):
        txn = self.get_object()
        serializer = OverrideInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.override_create(actor=self.actor, transaction=txn, **serializer.validated_data)
        return self.output(selectors.transaction_get(actor=self.actor, pk=txn.pk), status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Move a ledger line to another status (409 when the move is not allowed)",
        request=TransitionInputSerializer,
        responses=CommissionTransactionSerializer,
    )
    @action(detail=True, methods=["post"], url_path="transition")
    def transition(self, request, pk=None):
        txn = self.get_object()
        serializer = TransitionInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.transaction_transition(actor=self.actor, transaction=txn, status=serializer.validated_data["status"])
        return self.output(selectors.transaction_get(actor=self.actor, pk=txn.pk))

    @extend_schema(
        summary="The same override on many ledger lines, all or nothing",
        request=BulkOverrideInputSerializer,
        responses={201: BulkOverrideResultSerializer},
    )
    @action(detail=False, methods=["post"], url_path="overrides/bulk")
    def bulk_overrides(self, request):
        serializer = BulkOverrideInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        transactions = data.pop("transaction_ids")
        services.override_bulk_create(actor=self.actor, transactions=transactions, **data)
        ids = [txn.pk for txn in transactions]
        rows = selectors.transaction_list(actor=self.actor).filter(pk__in=ids)
        body = {"results": CommissionTransactionSerializer(rows, many=True, context=self.get_serializer_context()).data}
        return Response(body, status=status.HTTP_201_CREATED)


# =============================================================================
# Reports (issue 6 point 5)
# =============================================================================


class CommissionReportView(APIView):
    """``GET /v1/reports/commissions``: period totals and grouped totals of the ledger lines
    the caller may see (scope ``transactions.read``)."""

    required_scope = "transactions.read"
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        operation_id="reports_commissions",
        summary="Premium and commission totals by period and grouped by a dimension",
        description=(
            "Totals (premium, gross commission, producer amount, line count) of the ledger lines you may see, "
            "for today, this week (from Monday), month, quarter, year to date and all time in the organisation's "
            "timezone, and grouped by `group_by`. Takes every filter of `GET /v1/transactions`; `period` limits "
            "the groups to one period; `sort` ranks dimension groups (largest first). A bad value is a 422 problem."
        ),
        parameters=[
            OpenApiParameter("group_by", OpenApiTypes.STR, required=True, enum=list(reports.GROUP_BY)),
            OpenApiParameter(
                "period", OpenApiTypes.STR, enum=list(reports.PERIODS), description="Only lines of this period."
            ),
            OpenApiParameter(
                "sort", OpenApiTypes.STR, enum=list(reports.SORT_KEYS), description="Rank groups by (default premium)."
            ),
            *filter_parameters(CommissionTransactionFilterSet),
        ],
        responses=CommissionReportSerializer,
    )
    def get(self, request):
        params = request.query_params
        if not params.get("group_by"):
            raise ValidationFailed({"group_by": [_("This field is required.")]})
        report = reports.commission_report(
            actor=request.auth,
            group_by=params["group_by"],
            filters=params,
            period=params.get("period") or None,
            sort=params.get("sort") or None,
        )
        return Response(CommissionReportSerializer(report).data)
