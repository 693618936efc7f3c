"""REST endpoints of expense claims (issue 16 point 5): ``/v1/expenses`` (with ``submit``,
``approve``, ``reject``, ``mark-reimbursed`` and ``receipt``) and ``/v1/expense-categories``.
Thin: the services decide. Scope ``time.read`` for GET, ``time.write`` otherwise.

A receipt is uploaded as ``multipart/form-data``: the ``receipt`` file part of ``POST
/v1/expenses`` or ``PATCH /v1/expenses/{id}``, or alone with ``POST /v1/expenses/{id}/receipt``;
``GET /v1/expenses/{id}/receipt`` downloads it (whoever may see the expense)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from trackyoursheets.api import viewsets as base

from .. import expense_selectors, services
from ..filters import ExpenseCategoryFilterSet, ExpenseFilterSet
from ..receipts import receipt_response
from ..services.expenses import RECEIPT_TYPES
from .serializers.expenses import (
    ExpenseCategorySerializer,
    ExpenseCategoryUpdateSerializer,
    ExpenseInputSerializer,
    ExpenseReceiptSerializer,
    ExpenseReimburseSerializer,
    ExpenseRejectSerializer,
    ExpenseSerializer,
    ExpenseUpdateSerializer,
)
from .views import SCOPE_AREA


@extend_schema_view(
    list=extend_schema(summary="List expenses (own; a manager's people; everyone for owners and admins)"),
    retrieve=extend_schema(summary="Get an expense"),
    create=extend_schema(
        summary="File an expense (a draft); JSON, or multipart with a `receipt` file",
        request={"application/json": ExpenseInputSerializer, "multipart/form-data": ExpenseInputSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a draft or rejected expense (409 otherwise); multipart to replace the receipt",
        request={"application/json": ExpenseUpdateSerializer, "multipart/form-data": ExpenseUpdateSerializer},
    ),
    destroy=extend_schema(summary="Delete a draft or rejected expense (409 otherwise)"),
)
class ExpenseViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    list_selector = expense_selectors.expense_list
    serializer_class = ExpenseSerializer
    input_serializer_class = ExpenseInputSerializer
    update_serializer_class = ExpenseUpdateSerializer
    filterset_class = ExpenseFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def _fresh(self, expense):
        return expense_selectors.expense_get(actor=self.actor, pk=expense.pk)

    def perform_create(self, serializer):
        return self._fresh(services.expense_create(actor=self.actor, **serializer.validated_data))

    def perform_update(self, instance, serializer):
        data = dict(serializer.validated_data)
        receipt = data.pop("receipt", None)
        return self._fresh(services.expense_update(actor=self.actor, expense=instance, data=data, receipt=receipt))

    def perform_destroy(self, instance):
        services.expense_delete(actor=self.actor, expense=instance)

    def _after(self, expense):
        return self.output(self._fresh(expense))

    @extend_schema(summary="Submit a draft or rejected expense for approval", request=None)
    @action(detail=True, methods=["post"], url_path="submit")
    def submit(self, request, pk=None):
        return self._after(services.expense_submit(actor=self.actor, expense=self.get_object()))

    @extend_schema(summary="Approve a submitted expense (its approvers; never your own)", request=None)
    @action(detail=True, methods=["post"], url_path="approve")
    def approve(self, request, pk=None):
        return self._after(services.expense_approve(actor=self.actor, expense=self.get_object()))

    @extend_schema(summary="Reject a submitted expense with a reason", request=ExpenseRejectSerializer)
    @action(detail=True, methods=["post"], url_path="reject")
    def reject(self, request, pk=None):
        target = self.get_object()
        serializer = ExpenseRejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._after(services.expense_reject(actor=self.actor, expense=target, **serializer.validated_data))

    @extend_schema(
        summary="Mark an approved expense reimbursed, with the payment's reference (owners, admins)",
        request=ExpenseReimburseSerializer,
    )
    @action(detail=True, methods=["post"], url_path="mark-reimbursed")
    def mark_reimbursed(self, request, pk=None):
        target = self.get_object()
        serializer = ExpenseReimburseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._after(
            services.expense_mark_reimbursed(actor=self.actor, expense=target, **serializer.validated_data)
        )

    @extend_schema(
        methods=["GET"],
        summary="Download the receipt (whoever may see the expense)",
        responses={
            (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The receipt, as its type.")
            for content_type in RECEIPT_TYPES
        },
    )
    @extend_schema(
        methods=["POST"],
        summary="Attach or replace the receipt of a draft or rejected expense (multipart)",
        request={"multipart/form-data": ExpenseReceiptSerializer},
        responses={200: ExpenseSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="receipt")
    def receipt(self, request, pk=None):
        expense = self.get_object()
        if request.method == "GET":
            return receipt_response(expense)
        serializer = ExpenseReceiptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._after(services.expense_receipt_set(actor=self.actor, expense=expense, **serializer.validated_data))


@extend_schema_view(
    list=extend_schema(summary="List expense categories (every member)"),
    retrieve=extend_schema(summary="Get an expense category"),
    create=extend_schema(summary="Add an expense category (owners, admins)", request=ExpenseCategorySerializer),
    partial_update=extend_schema(
        summary="Change, archive or restore an expense category (owners, admins)",
        request=ExpenseCategoryUpdateSerializer,
    ),
)
class ExpenseCategoryViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    list_selector = expense_selectors.expense_category_list
    serializer_class = ExpenseCategorySerializer
    input_serializer_class = ExpenseCategorySerializer
    update_serializer_class = ExpenseCategoryUpdateSerializer
    filterset_class = ExpenseCategoryFilterSet

    def perform_create(self, serializer):
        return services.expense_category_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, instance, serializer):
        return services.expense_category_update(actor=self.actor, category=instance, data=serializer.validated_data)
