"""Expense pages (issue 16 point 8): an employee files an expense with a receipt from the page
(refusals on the form's fields), sees it in their list and submits it; the approval inbox lists
submitted expenses of the approver's people (approve, reject with a reason, the receipt link);
owners and admins manage categories and mark expenses reimbursed; roles and tenancy."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from organisations.choices import Role
from timetracking.models import Expense, ExpenseCategory

from .conftest import person
from .factories import ExpenseCategoryFactory, ExpenseFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"


@pytest.fixture
def travel(organisation):
    return ExpenseCategoryFactory(organisation=organisation, name="Travel", receipt_required_above=Decimal("25.00"))


def form(category, **extra):
    values = {"category_id": category.pk, "date": "2026-03-03", "amount": "42.10", "currency": "USD"}
    return {**values, **extra}


def test_an_employee_files_an_expense_with_a_receipt_and_submits_it(session_client, employee, travel, organisation):
    browser = session_client(employee.membership)

    page = browser.get("/app/time/expenses")
    receipt = SimpleUploadedFile("taxi.pdf", PDF, content_type="application/pdf")
    done = browser.post("/app/time/expenses", {**form(travel), "receipt": receipt, "submit_now": "1"}, follow=True)

    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    assert "data-receipt-drop" in page.content.decode()
    assert "Expense submitted for approval" in done.content.decode()
    expense = Expense.objects.get()
    assert (expense.employee, expense.status, expense.amount, expense.receipt_file_name) == (
        employee,
        "submitted",
        Decimal("42.10"),
        "taxi.pdf",
    )
    download = browser.get(f"/app/time/expenses/{expense.pk}/receipt")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_refusals_are_shown_on_the_form(session_client, employee, travel):
    browser = session_client(employee.membership)

    no_receipt = browser.post("/app/time/expenses", {**form(travel), "submit_now": "1"})
    wrong_type = browser.post(
        "/app/time/expenses",
        {**form(travel), "receipt": SimpleUploadedFile("r.pdf", b"<html></html>", content_type="application/pdf")},
    )
    no_rate = browser.post("/app/time/expenses", form(travel, currency="EUR"))

    assert "need a receipt" in no_receipt.content.decode()
    assert "not a PDF file" in wrong_type.content.decode()
    assert "exchange rate" in no_rate.content.decode()
    assert Expense.objects.filter(status="submitted").count() == 0


def test_the_inbox_lists_submitted_expenses_and_the_manager_decides(
    session_client, employee, manager, travel, organisation, london_office
):
    first = ExpenseFactory(employee=employee, category=travel, status="submitted", description="Taxi <b>")
    second = ExpenseFactory(employee=employee, category=travel, status="submitted")
    browser = session_client(manager.membership)

    inbox = browser.get("/app/time/approvals")
    approved = browser.post(f"/app/time/expenses/{first.pk}/approve", {"next": "/app/time/approvals"}, follow=True)
    rejected = browser.post(
        f"/app/time/expenses/{second.pk}/reject", {"reason": "No receipt", "next": "/app/time/approvals"}
    )

    assert "Taxi &lt;b&gt;" in inbox.content.decode() and 'id="expenses-heading"' in inbox.content.decode()
    assert "Expense approved" in approved.content.decode()
    assert rejected.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, second.rejection_reason) == ("approved", "rejected", "No receipt")
    stranger = session_client(person(organisation, london_office, Role.MANAGER, name="Max").membership)
    third = ExpenseFactory(employee=employee, category=travel, status="submitted")
    assert stranger.post(f"/app/time/expenses/{third.pk}/approve").status_code == 404
    assert stranger.get(f"/app/time/expenses/{third.pk}/receipt").status_code == 404


def test_admins_manage_categories_and_mark_reimbursed(session_client, admin, employee, travel, organisation):
    approved = ExpenseFactory(employee=employee, category=travel, status="approved")
    browser = session_client(admin.membership)

    page = browser.get("/app/time/expense-categories")
    added = browser.post("/app/time/expense-categories", {"name": "Meals", "expense_limit": "60.00"}, follow=True)
    archived = browser.post(f"/app/time/expense-categories/{travel.pk}/archive", follow=True)
    paid = browser.post(
        f"/app/time/expenses/{approved.pk}/mark-reimbursed",
        {"reference": "PAY-1", "next": "/app/time/expense-categories"},
        follow=True,
    )

    assert page.status_code == 200 and "Approved expenses to reimburse" in page.content.decode()
    assert "Category added" in added.content.decode()
    assert ExpenseCategory.objects.get(name="Meals").expense_limit == Decimal("60.00")
    assert "Category archived" in archived.content.decode()
    assert "Expense marked reimbursed" in paid.content.decode()
    approved.refresh_from_db()
    assert (approved.status, approved.reimbursement_reference) == ("reimbursed", "PAY-1")
    assert session_client(employee.membership).get("/app/time/expense-categories").status_code in (403, 404)
