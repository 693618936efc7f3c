"""Reads of expense claims (issue 16 point 5), scoped as every read of time tracking
(``restrict_to`` on the models): expenses as timesheets (own; a manager their office's and direct
reports'; everyone for owners, admins and OAuth clients), categories for every member.

Payroll (a later issue) reads :func:`approved_unreimbursed_expenses` (re-exported by
``timetracking.selectors``) and pays them with ``timetracking.services.mark_reimbursed``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import QuerySet, Sum

from organisations.actors import Actor
from trackyoursheets.api.filters import apply_filterset
from trackyoursheets.bulk import filter_in

from .choices import ExpenseStatus
from .filters import ExpenseCategoryFilterSet, ExpenseFilterSet
from .models import Client, Expense, ExpenseCategory, Project

__all__ = [
    "expense_list",
    "expense_get",
    "expense_category_list",
    "expense_category_get",
    "approved_unreimbursed_expenses",
    "billable_expense_totals",
    "add_billable_expenses",
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
        qs = filter_in(qs, "employee_id", employee_ids)
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


def add_billable_expenses(
    summary: dict,
    *,
    actor: Actor,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    project_id: int | None = None,
    employee_id: int | None = None,
    user_id: int | None = None,
) -> dict:
    """The summary report (``selectors.summary_report``) with the billable, approved expenses the
    actor may see over the same days and filters: ``billable_expenses`` in total, on each project
    row (a project with expenses and no time gets a row of its own), and ``by_client`` (an expense
    on a project counts for the project's client)."""
    expenses = Expense.objects.visible_to(actor)
    if start_date is not None:
        expenses = expenses.filter(date__gte=start_date)
    if end_date is not None:
        expenses = expenses.filter(date__lte=end_date)
    if project_id is not None:
        expenses = expenses.filter(project_id=project_id)
    if employee_id is not None:
        expenses = expenses.filter(employee_id=employee_id)
    if user_id is not None:
        expenses = expenses.filter(employee__membership__user_id=user_id)
    zero = Decimal("0.00")
    by_project = billable_expense_totals(expenses=expenses, by="project_id")
    by_client = billable_expense_totals(expenses=expenses, by="client_id")
    rows = summary["by_project"]
    for row in rows:
        row["billable_expenses"] = by_project.pop(row["project_id"], zero)
    missing = [pk for pk in by_project if pk is not None]
    for project in Project.objects.filter(organisation=actor.organisation, pk__in=missing).order_by("name", "pk"):
        rows.append(
            {
                "project_id": project.pk,
                "project_name": project.name,
                "client_id": project.client_id,
                "hours": zero,
                "billable_hours": zero,
                "entries": 0,
                "amount": zero,
                "billable_expenses": by_project[project.pk],
            }
        )
    clients = Client.objects.filter(organisation=actor.organisation, pk__in=[pk for pk in by_client if pk])
    names = dict(clients.values_list("pk", "name"))
    summary["by_client"] = sorted(
        (
            {"client_id": pk, "client_name": names.get(pk, ""), "billable_expenses": total}
            for pk, total in by_client.items()
            if pk is not None
        ),
        key=lambda r: (r["client_name"].lower(), r["client_id"]),
    )
    summary["billable_expenses"] = sum(by_client.values(), zero)
    return summary
