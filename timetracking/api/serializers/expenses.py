"""REST shapes of expense claims and their categories (issue 16 point 5)."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from rest_framework import serializers

from trackyoursheets.api.fields import ChoiceField, ScopedPrimaryKeyRelatedField

from ... import expense_selectors, selectors
from ...choices import ExpenseStatus
from ...models import DESCRIPTION_MAX_LENGTH, REASON_MAX_LENGTH, REFERENCE_MAX_LENGTH, Expense, ExpenseCategory
from .entries import EmployeeInputMixin

RECEIPT_HELP = "A PNG or JPEG image or a PDF file (checked by content; size-limited). Multipart only."


def Money(**kwargs):  # noqa: N802
    return serializers.DecimalField(max_digits=12, decimal_places=2, **kwargs)


class ExpenseCategorySerializer(serializers.ModelSerializer):
    # an expense category (no docstring: it would become the OpenAPI description)

    expense_limit = Money(
        min_value=0, allow_null=True, required=False, help_text="Largest expense, organisation's currency."
    )
    receipt_required_above = Money(
        min_value=0, allow_null=True, required=False, help_text="Expenses above this amount need a receipt."
    )

    class Meta:
        model = ExpenseCategory
        fields = ["id", "name", "expense_limit", "receipt_required_above", "archived", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"name": {"max_length": 100}}


class ExpenseCategoryUpdateSerializer(ExpenseCategorySerializer):
    class Meta(ExpenseCategorySerializer.Meta):
        extra_kwargs = {"name": {"max_length": 100, "required": False}}


class ExpenseSerializer(serializers.ModelSerializer):
    # an expense claim (no docstring: it would become the OpenAPI description)

    employee_id = serializers.IntegerField(read_only=True)
    employee_name = serializers.SerializerMethodField()
    category_id = serializers.IntegerField(read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    project_id = serializers.IntegerField(read_only=True, allow_null=True)
    client_id = serializers.IntegerField(read_only=True, allow_null=True)
    amount = Money(read_only=True, help_text="In `currency`.")
    currency = serializers.CharField(read_only=True, help_text="ISO 4217 code of the amount.")
    exchange_rate = serializers.DecimalField(
        max_digits=16,
        decimal_places=6,
        read_only=True,
        allow_null=True,
        help_text="1 `currency` in the organisation's.",
    )
    converted_amount = Money(read_only=True, help_text="In the organisation's currency (amount x rate, half up).")
    organisation_currency = serializers.CharField(source="organisation.currency", read_only=True)
    status = ChoiceField(choices=ExpenseStatus.choices, read_only=True)
    receipt = serializers.SerializerMethodField(help_text="The receipt's name, type, size and download URL.")
    decided_by = serializers.CharField(source="decided_by_label", read_only=True)

    class Meta:
        model = Expense
        fields = [
            "id",
            "employee_id",
            "employee_name",
            "category_id",
            "category_name",
            "date",
            "amount",
            "currency",
            "exchange_rate",
            "converted_amount",
            "organisation_currency",
            "project_id",
            "client_id",
            "billable",
            "description",
            "status",
            "receipt",
            "submitted_at",
            "decided_at",
            "decided_by",
            "rejection_reason",
            "reimbursed_at",
            "reimbursement_reference",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_employee_name(self, expense) -> str:
        return str(expense.employee)

    def get_receipt(self, expense) -> dict | None:
        if not expense.has_receipt:
            return None
        return {
            "file_name": expense.receipt_file_name,
            "content_type": expense.receipt_content_type,
            "size": expense.receipt_size,
            "download_url": reverse("expense-receipt", args=[expense.pk]),
        }


class ExpenseInputSerializer(EmployeeInputMixin):
    category_id = ScopedPrimaryKeyRelatedField(selector=expense_selectors.expense_category_list, source="category")
    date = serializers.DateField(help_text="The day of the expense (not in the future).")
    amount = Money(min_value=Decimal("0.01"), help_text="In `currency`.")
    currency = serializers.RegexField(
        r"^[A-Z]{3}$", max_length=3, required=False, help_text="ISO 4217; default the organisation's currency."
    )
    exchange_rate = serializers.DecimalField(
        max_digits=16,
        decimal_places=6,
        min_value=Decimal("0.000001"),
        required=False,
        allow_null=True,
        help_text="Required when `currency` is not the organisation's: 1 `currency` in the organisation's.",
    )
    converted_amount = Money(
        min_value=0, required=False, allow_null=True, help_text="Optional check: must equal amount x rate to the cent."
    )
    project_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.project_list, source="project", required=False, allow_null=True
    )
    client_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.client_list, source="client", required=False, allow_null=True
    )
    billable = serializers.BooleanField(required=False, default=False, help_text="Billed to the project's client.")
    description = serializers.CharField(required=False, allow_blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    receipt = serializers.FileField(required=False, help_text=RECEIPT_HELP)


class ExpenseUpdateSerializer(serializers.Serializer):
    category_id = ScopedPrimaryKeyRelatedField(
        selector=expense_selectors.expense_category_list, source="category", required=False
    )
    date = serializers.DateField(required=False)
    amount = Money(min_value=Decimal("0.01"), required=False)
    currency = serializers.RegexField(r"^[A-Z]{3}$", max_length=3, required=False)
    exchange_rate = serializers.DecimalField(
        max_digits=16, decimal_places=6, min_value=Decimal("0.000001"), required=False, allow_null=True
    )
    converted_amount = Money(min_value=0, required=False, allow_null=True)
    project_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.project_list, source="project", required=False, allow_null=True
    )
    client_id = ScopedPrimaryKeyRelatedField(
        selector=selectors.client_list, source="client", required=False, allow_null=True
    )
    billable = serializers.BooleanField(required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    receipt = serializers.FileField(required=False, help_text=RECEIPT_HELP)


class ExpenseReceiptSerializer(serializers.Serializer):
    receipt = serializers.FileField(help_text=RECEIPT_HELP)


class ExpenseRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, help_text="Shown to the employee.")


class ExpenseReimburseSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=REFERENCE_MAX_LENGTH, help_text="The payment's reference.")


__all__ = [
    "ExpenseCategorySerializer",
    "ExpenseCategoryUpdateSerializer",
    "ExpenseSerializer",
    "ExpenseInputSerializer",
    "ExpenseUpdateSerializer",
    "ExpenseReceiptSerializer",
    "ExpenseRejectSerializer",
    "ExpenseReimburseSerializer",
]
