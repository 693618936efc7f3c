"""GraphQL of expense claims (issue 16 point 7): the ``expenses(filter, first, after)`` and
``expenseCategories`` connections, ``expense(id)``, and the ``createExpense``, ``submitExpense``,
``approveExpense`` (and ``rejectExpense``) mutations — the same selectors and services as REST.
Scope ``time.read`` / ``time.write``. Receipts are uploaded through REST (multipart). Mixed into
trackyoursheets/schema.py.
"""

from __future__ import annotations

from functools import partial

import graphene
from graphene import relay

from trackyoursheets.api.graphql import (
    CountableConnection,
    Related,
    TenantConnectionField,
    TenantMutation,
    TenantObjectField,
    TenantObjectType,
    object_action,
    scoped_related,
    scoped_target,
)

from . import expense_selectors, selectors, services
from .filters import ExpenseCategoryFilterSet, ExpenseFilterSet
from .graphql import READ, WRITE, _employee
from .models import Expense, ExpenseCategory

__all__ = ["ExpenseType", "ExpenseCategoryType", "Query", "Mutation"]

ERROR_FIELDS = {
    "employee": "employeeId",
    "employee_id": "employeeId",
    "category_id": "categoryId",
    "project_id": "projectId",
    "client_id": "clientId",
    "exchange_rate": "exchangeRate",
    "converted_amount": "convertedAmount",
}


class ExpenseCategoryType(TenantObjectType):
    """A kind of expense with its optional limit per expense and "receipt required above" amount
    (organisation's currency). Scope `time.read`; every member reads them."""

    read_scope = READ
    list_selector = expense_selectors.expense_category_list

    class Meta:
        model = ExpenseCategory
        name = "ExpenseCategory"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
            "name",
            "expense_limit",
            "receipt_required_above",
            "archived",
            "created_at",
            "updated_at",
        )


class ExpenseType(TenantObjectType):
    """An expense claim: `draft`, `submitted`, then `approved` or `rejected` (with a reason), then
    `reimbursed` (with a reference). `amount` is in `currency`; `convertedAmount` in the
    organisation's. Scope `time.read`; visible as timesheets are."""

    read_scope = READ
    list_selector = expense_selectors.expense_list

    employee_id = graphene.Int(required=True)
    category_id = graphene.Int(required=True)
    project_id = graphene.Int()
    client_id = graphene.Int()
    status = graphene.String(required=True, description="draft, submitted, approved, rejected or reimbursed.")
    decided_by = graphene.String(description="Who approved or rejected it.")
    has_receipt = graphene.Boolean(required=True)

    class Meta:
        model = Expense
        name = "Expense"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "database_id",
            "employee_id",
            "category_id",
            "date",
            "amount",
            "currency",
            "exchange_rate",
            "converted_amount",
            "project_id",
            "client_id",
            "billable",
            "description",
            "status",
            "has_receipt",
            "submitted_at",
            "decided_at",
            "decided_by",
            "rejection_reason",
            "reimbursed_at",
            "reimbursement_reference",
            "created_at",
            "updated_at",
        )

    @staticmethod
    def resolve_employee_id(expense, info):
        return expense.employee_id

    @staticmethod
    def resolve_category_id(expense, info):
        return expense.category_id

    @staticmethod
    def resolve_project_id(expense, info):
        return expense.project_id

    @staticmethod
    def resolve_client_id(expense, info):
        return expense.client_id

    @staticmethod
    def resolve_status(expense, info):
        return expense.status

    @staticmethod
    def resolve_decided_by(expense, info):
        return expense.decided_by_label or None

    @staticmethod
    def resolve_has_receipt(expense, info):
        return expense.has_receipt


class Query(graphene.ObjectType):
    """Reads of expenses and their categories."""

    expenses = TenantConnectionField(
        ExpenseType,
        filterset_class=ExpenseFilterSet,
        description="Expenses, newest day first (filters: employeeId, status, categoryId, ...). Scope time.read.",
    )
    expense = TenantObjectField(ExpenseType, description="One expense; null when not found.")
    expense_categories = TenantConnectionField(
        ExpenseCategoryType,
        filterset_class=ExpenseCategoryFilterSet,
        description="Expense categories by name (filters: name, archived). Scope time.read.",
    )
    expense_category = TenantObjectField(ExpenseCategoryType, description="One expense category; null when not found.")


# =============================================================================
# Mutations
# =============================================================================


def _target(actor, id):
    return scoped_target(actor, id, "Expense", expense_selectors.expense_list)


def _answer(actor, expense):
    return expense_selectors.expense_get(actor=actor, pk=expense.pk)


class ExpenseInput(graphene.InputObjectType):
    """A new expense, a draft (REST: `POST /v1/expenses`; receipts: REST multipart)."""

    employee_id = graphene.ID(description="Default: your own employee record.")
    user_id = graphene.Int(description="The employee by login.")
    category_id = graphene.ID(required=True)
    date = graphene.Date(required=True)
    amount = graphene.Decimal(required=True, description="In `currency`, with at most two decimals.")
    currency = graphene.String(description="ISO 4217; default the organisation's currency.")
    exchange_rate = graphene.Decimal(description="Required for another currency: 1 `currency` in the organisation's.")
    converted_amount = graphene.Decimal(description="Optional check: must equal amount x rate to the cent.")
    project_id = graphene.ID()
    client_id = graphene.ID()
    billable = graphene.Boolean()
    description = graphene.String()


class ExpenseCreate(TenantMutation):
    """File an expense (a draft): limits, currency and leavers are checked as in REST."""

    required_scope = WRITE
    error_field_names = ERROR_FIELDS

    class Arguments:
        input = ExpenseInput(required=True)

    Output = graphene.NonNull(ExpenseType)

    @classmethod
    def perform_mutate(cls, info, actor, input):
        employee = _employee(actor, input.employee_id, input.user_id)
        related = scoped_related(
            actor,
            {
                "categoryId": Related(input.category_id, "ExpenseCategory", expense_selectors.expense_category_list),
                "projectId": Related(input.get("project_id"), "Project", selectors.project_list),
                "clientId": Related(input.get("client_id"), "Client", selectors.client_list),
            },
        )
        optional = {
            k: input[k]
            for k in ("currency", "exchange_rate", "converted_amount", "billable", "description")
            if input.get(k) is not None
        }
        expense = services.expense_create(
            actor=actor,
            employee=employee,
            category=related["categoryId"],
            project=related.get("projectId"),
            client=related.get("clientId"),
            date=input.date,
            amount=input.amount,
            **optional,
        )
        return _answer(actor, expense)


_action = partial(
    object_action,
    scope=WRITE,
    output=ExpenseType,
    target=_target,
    answer=_answer,
    object_arg="expense",
)


ExpenseSubmit = _action(
    "ExpenseSubmit",
    """Submit a draft or rejected expense (REST: `POST /v1/expenses/{id}/submit`).""",
    action=services.expense_submit,
    error_field_names=ERROR_FIELDS,
    id_description="Integer id or global id of the expense.",
)


ExpenseApprove = _action(
    "ExpenseApprove",
    """Approve a submitted expense (REST: `POST /v1/expenses/{id}/approve`).""",
    action=services.expense_approve,
    id_description="Integer id or global id of the expense.",
)


ExpenseReject = _action(
    "ExpenseReject",
    """Reject a submitted expense with a reason (REST: `POST /v1/expenses/{id}/reject`).""",
    action=services.expense_reject,
    reason=True,
)


class Mutation(graphene.ObjectType):
    """Writes of expenses."""

    create_expense = ExpenseCreate.Field()
    submit_expense = ExpenseSubmit.Field()
    approve_expense = ExpenseApprove.Field()
    reject_expense = ExpenseReject.Field()
