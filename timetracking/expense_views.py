"""Expense pages under ``/app/time/`` (issue 16 point 8):

- ``time:expenses``                 file an expense with a receipt (drag and drop with a preview,
  static/js/receipt-drop.js; a plain file input without JS) and my expenses (the shared Table);
- ``time:expense-action``           submit, delete (the employee), approve, reject with a reason
  (approvers), mark reimbursed with a reference (owners, admins): one button each;
- ``time:expense-receipt``          download a receipt (whoever may see the expense);
- ``time:expense-categories``       owners and admins: add and archive categories, and mark
  approved expenses reimbursed;
- the approval inbox (``time:approvals``) lists submitted expenses of the approver's people
  (:func:`submitted_expense_table`).

Thin: reads through the expense selectors, writes through the same services as REST and GraphQL.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisations.choices import OWNER_ADMIN
from trackyoursheets.web import SERVICE_ERRORS, error_text, scoped_or_404
from trackyoursheets.web.forms import add_service_errors
from trackyoursheets.web.tables import BADGE, DATE, MONEY, Column, Table, TablePageMixin

from . import expense_selectors, services
from .choices import ExpenseStatus
from .expense_forms import ExpenseCategoryForm, ExpenseForm
from .receipts import receipt_response
from .views import TimePage


def _spent(expense) -> str:
    if expense.currency == expense.organisation.currency:
        return ""
    return f"{expense.amount} {expense.currency} x {expense.exchange_rate}"


def _decision(expense) -> str:
    if expense.status == ExpenseStatus.REJECTED:
        return expense.rejection_reason
    if expense.status == ExpenseStatus.REIMBURSED:
        return expense.reimbursement_reference
    return expense.decided_by_label if expense.status == ExpenseStatus.APPROVED else ""


EXPENSE_COLUMNS = (
    Column("date", gettext_lazy("Day"), kind=DATE, sort="date"),
    Column("category", gettext_lazy("Category"), accessor="category.name", sort=("category__name",)),
    Column(
        "amount",
        gettext_lazy("Amount"),
        accessor="converted_amount",
        kind=MONEY,
        sort="converted_amount",
        total=True,
        detail=_spent,
    ),
    Column("project", gettext_lazy("Project"), accessor="project.name"),
    Column("billable", gettext_lazy("Billable"), accessor=lambda e: _("yes") if e.billable else ""),
    Column("description", gettext_lazy("Description")),
    Column("receipt", gettext_lazy("Receipt"), template="timetracking/_expense_receipt_cell.html", export=False),
)


class MyExpenseTable(Table):
    """The reader's own expenses: status, the decision, submit and delete while editable."""

    name = "expenses"
    report = "expenses"  # its report export: the Export button
    default_sort = "-date"
    noun = gettext_lazy("expenses")
    empty_text = gettext_lazy("No expenses yet.")
    columns = (
        *EXPENSE_COLUMNS,
        Column("status", gettext_lazy("Status"), kind=BADGE, sort="status"),
        Column("decision", gettext_lazy("Decided by / reason / reference"), accessor=_decision),
        Column("actions", gettext_lazy("Actions"), template="timetracking/_expense_own_cell.html", export=False),
    )


class SubmittedExpenseTable(Table):
    """Submitted expenses of an approver's people (the approval inbox): approve, reject with a reason."""

    name = "expenses-to-decide"
    default_sort = "date"
    noun = gettext_lazy("expenses")
    empty_text = gettext_lazy("No expenses to decide.")
    exportable = False
    columns = (
        Column("person", gettext_lazy("Person"), accessor=lambda e: str(e.employee)),
        *EXPENSE_COLUMNS,
        Column("actions", gettext_lazy("Decide"), template="timetracking/_expense_decide_cell.html", export=False),
    )


class ApprovedExpenseTable(Table):
    """Approved expenses to pay back (owners, admins): mark reimbursed with a reference."""

    name = "expenses-to-reimburse"
    report = "expenses"  # its report export (status approved, the page's): the Export button and CSV
    default_sort = "date"
    noun = gettext_lazy("expenses")
    empty_text = gettext_lazy("No approved expenses to reimburse.")
    columns = (
        Column("person", gettext_lazy("Person"), accessor=lambda e: str(e.employee)),
        *EXPENSE_COLUMNS,
        Column(
            "actions", gettext_lazy("Reimburse"), template="timetracking/_expense_reimburse_cell.html", export=False
        ),
    )


def submitted_expense_table(page: TimePage) -> SubmittedExpenseTable:
    """The inbox's "Expenses" section: submitted expenses the reader may decide (not their own)."""
    rows = expense_selectors.expense_list(actor=page.actor).filter(status=ExpenseStatus.SUBMITTED)
    if page.actor.membership is not None:
        rows = rows.exclude(employee__membership=page.actor.membership)
    return SubmittedExpenseTable(page.request, rows, prefix="expenses-", currency=page.actor.organisation.currency)


class ExpensesPage(TablePageMixin, TimePage):
    template_name = "timetracking/expenses.html"

    def form(self, data=None, files=None) -> ExpenseForm:
        initial = {"date": self.today(), "currency": self.actor.organisation.currency}
        return ExpenseForm(data, files, actor=self.actor, initial=initial)

    def get_context_data(self, form: ExpenseForm | None = None, **kwargs):
        context = super().get_context_data(**kwargs)
        context["employee"] = self.employee
        if self.employee is None:
            return context
        rows = expense_selectors.expense_list(actor=self.actor).filter(employee=self.employee)
        context.update(
            form=form or self.form(),
            table=MyExpenseTable(
                self.request,
                rows,
                currency=self.actor.organisation.currency,
                report_filters={"employee_id": self.employee.pk},
            ),
            home_currency=self.actor.organisation.currency,
        )
        return context

    def post(self, request, *args, **kwargs):
        if self.employee is None:
            return self.back("time:expenses")
        form = self.form(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                expense = services.expense_create(
                    actor=self.actor,
                    employee=self.employee,
                    category=data["category_id"],
                    date=data["date"],
                    amount=data["amount"],
                    currency=data["currency"],
                    exchange_rate=data["exchange_rate"],
                    project=data["project_id"],
                    billable=data["billable"],
                    description=data["description"],
                    receipt=data["receipt"],
                )
                if request.POST.get("submit_now"):
                    services.expense_submit(actor=self.actor, expense=expense)
            except SERVICE_ERRORS as error:
                add_service_errors(form, error, ExpenseForm.SERVICE_FIELDS)
            else:
                submitted = request.POST.get("submit_now")
                messages.success(request, _("Expense submitted for approval.") if submitted else _("Expense saved."))
                return self.back("time:expenses")
        return self.render_to_response(self.get_context_data(form=form))


ACTIONS = {
    "submit": (services.expense_submit, None, gettext_lazy("Expense submitted for approval.")),
    "delete": (services.expense_delete, None, gettext_lazy("Expense deleted.")),
    "approve": (services.expense_approve, None, gettext_lazy("Expense approved.")),
    "reject": (services.expense_reject, "reason", gettext_lazy("Expense rejected.")),
    "mark-reimbursed": (services.expense_mark_reimbursed, "reference", gettext_lazy("Expense marked reimbursed.")),
}


class ExpenseActionPage(TimePage):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        found = ACTIONS.get(self.kwargs["action"])
        if found is None:
            raise Http404(_("Not found."))
        service, field, done = found
        expense = scoped_or_404(expense_selectors.expense_get, actor=self.actor, pk=self.kwargs["pk"])
        try:
            extra = {field: request.POST.get(field, "")} if field else {}
            service(actor=self.actor, expense=expense, **extra)
        except SERVICE_ERRORS as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, done)
        back = request.POST.get("next", "")
        if not back.startswith("/app/time/") or "//" in back:
            back = reverse("time:expenses")
        return HttpResponseRedirect(back)


class ExpenseReceiptPage(TimePage):
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        expense = scoped_or_404(expense_selectors.expense_get, actor=self.actor, pk=self.kwargs["pk"])
        return receipt_response(expense)


class ExpenseCategoriesPage(TablePageMixin, TimePage):
    template_name = "timetracking/expense_categories.html"
    allowed_roles = OWNER_ADMIN

    def get_context_data(self, form: ExpenseCategoryForm | None = None, **kwargs):
        context = super().get_context_data(**kwargs)
        approved = expense_selectors.expense_list(actor=self.actor).filter(status=ExpenseStatus.APPROVED)
        context.update(
            form=form or ExpenseCategoryForm(),
            categories=expense_selectors.expense_category_list(actor=self.actor),
            approved=ApprovedExpenseTable(
                self.request,
                approved,
                prefix="approved-",
                currency=self.actor.organisation.currency,
                report_filters={"status": ExpenseStatus.APPROVED},
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = ExpenseCategoryForm(request.POST)
        if form.is_valid():
            try:
                services.expense_category_create(actor=self.actor, **form.cleaned_data)
            except SERVICE_ERRORS as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Category added."))
                return self.back("time:expense-categories")
        return self.render_to_response(self.get_context_data(form=form))


class ExpenseCategoryArchivePage(TimePage):
    http_method_names = ["post"]
    allowed_roles = OWNER_ADMIN

    def post(self, request, *args, **kwargs):
        category = scoped_or_404(expense_selectors.expense_category_get, actor=self.actor, pk=self.kwargs["pk"])
        try:
            services.expense_category_update(
                actor=self.actor, category=category, data={"archived": not category.archived}
            )
        except SERVICE_ERRORS as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Category archived.") if category.archived else _("Category restored."))
        return self.back("time:expense-categories")
