"""Reads of expense claims (issue 16 point 5), scoped as every read of time tracking
(``restrict_to`` on the models): expenses as timesheets (own; a manager their office's and direct
reports'; everyone for owners, admins and OAuth clients), categories for every member.

Payroll (a later issue) reads :func:`approved_unreimbursed_expenses` (re-exported by
``timetracking.selectors``) and pays them with ``timetracking.services.mark_reimbursed``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import QuerySet, Sum

from organisations.actors import Actor
from trackyoursheets.api.filters import apply_filterset

from .choices import ExpenseStatus
from .filters import ExpenseCategoryFilterSet, ExpenseFilterSet
from .models import Expense, ExpenseCategory

__all__ = [
    "expense_list",
    "expense_get",
    "expense_category_list",
    "expense_category_get",
    "approved_unreimbursed_expenses",
    "billable_expense_totals",
]


def expense_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Expense]:
    """Expenses the actor may see, newest day first, with employee (login, office), category,
    project and client."""
    qs = (
        Expense.objects.visible_to(actor)
        .select_related("employee__office", "employee__membership", "category", "project", "client", "organisation")
        .order_by("-date", "-id")
    )
    return apply_filterset(ExpenseFilterSet, filters, qs) if filters else qs


def expense_get(*, actor: Actor, pk: int) -> Expense:
    return expense_list(actor=actor).get(pk=pk)


def expense_category_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[ExpenseCategory]:
    qs = ExpenseCategory.objects.visible_to(actor).select_related("organisation").order_by("name", "id")
    return apply_filterset(ExpenseCategoryFilterSet, filters, qs) if filters else qs


def expense_category_get(*, actor: Actor, pk: int) -> ExpenseCategory:
    return expense_category_list(actor=actor).get(pk=pk)


def approved_unreimbursed_expenses(
    organisation, start: datetime.date, end: datetime.date, employee_ids: Iterable[int] | None = None
) -> QuerySet[Expense]:
    """Approved, not yet reimbursed expenses of ``organisation`` dated ``start``..``end``
    (inclusive), optionally of some employees: what a payroll run pays back (amounts in the
    organisation's currency: ``converted_amount``)."""
    qs = Expense.objects.filter(
        organisation=organisation, status=ExpenseStatus.APPROVED, date__gte=start, date__lte=end
    ).select_related("employee", "category")
    if employee_ids is not None:
        qs = qs.filter(employee_id__in=list(employee_ids))
    return qs.order_by("employee_id", "date", "id")


#: the statuses of an expense a client is billed for (approved by the employee's approver)
BILLED_STATUSES = (ExpenseStatus.APPROVED, ExpenseStatus.REIMBURSED)


def billable_expense_totals(*, expenses: QuerySet[Expense], by: str) -> dict:
    """Billable, approved (or reimbursed) expenses summed in the organisation's currency, keyed by
    ``project_id`` or ``client_id`` (``by``)."""
    rows = (
        expenses.filter(billable=True, status__in=BILLED_STATUSES)
        .order_by()
        .values(by)
        .annotate(total=Sum("converted_amount"))
    )
    return {row[by]: row["total"] for row in rows}
