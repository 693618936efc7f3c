"""Expense claims (issue 16 point 5) through REST with personal tokens of each role: money in
Decimal and conversions to the cent, category limits and receipts, every transition and who may
do it (employee, colleague, manager of another office, their office's manager, admin, another
tenant), events and audit rows, the payroll-facing selector and bulk service."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from integrations.models import OutboxEvent
from integrations.outbox import is_registered
from organisations.actors import system_actor
from organisations.choices import Role
from organisations.models import AuditEvent
from timetracking import selectors, services
from timetracking.models import Expense

from .conftest import person, token_client
from .factories import ExpenseCategoryFactory, ExpenseFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 32
DAY = "2026-03-03"


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    return settings.PRIVATE_FILES_ROOT


@pytest.fixture
def owner(organisation):
    return person(organisation, None, Role.OWNER, name="Olive")


@pytest.fixture
def other_office_manager(organisation, london_office):
    return person(organisation, london_office, Role.MANAGER, name="Max")


@pytest.fixture
def travel(organisation):
    return ExpenseCategoryFactory(
        organisation=organisation, name="Travel", expense_limit=Decimal("500.00"), receipt_required_above="25.00"
    )


def upload(name="receipt.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def file_expense(api, category, **body):
    payload = {"category_id": category.pk, "date": DAY, "amount": "12.50", "description": "Taxi"}
    payload.update(body)
    fmt = "multipart" if "receipt" in body else "json"
    return api.post("/v1/expenses", payload, format=fmt)


@pytest.fixture
def draft(employee, travel):
    return ExpenseFactory(employee=employee, category=travel, amount=Decimal("12.50"))


@pytest.fixture
def submitted(employee, travel):
    return ExpenseFactory(employee=employee, category=travel, status="submitted")


# ----------------------------------------------------------------------------- create and money


def test_an_employee_files_a_draft_in_the_organisation_currency(as_employee, employee, travel, organisation):
    response = file_expense(as_employee, travel)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["employee_id"], body["status"], body["amount"], body["currency"]) == (
        employee.pk,
        "draft",
        "12.50",
        organisation.currency,
    )
    assert body["converted_amount"] == "12.50" and body["exchange_rate"] is None and body["receipt"] is None
    assert Expense.objects.get().amount == Decimal("12.50")
    assert AuditEvent.objects.filter(action="expense.create").count() == 1
    assert not OutboxEvent.objects.filter(topic__startswith="time.expense").exists()  # a draft is private


@pytest.mark.parametrize(
    ("amount", "rate", "converted"),
    [
        ("10.00", "1.085", "10.85"),
        ("0.05", "1.1", "0.06"),  # 0.055 rounds half up, once
        ("33.33", "0.333333", "11.11"),
        ("99.99", "1.234565", "123.44"),
    ],
)
def test_another_currency_records_the_rate_and_the_amount_converted_to_the_cent(
    as_employee, travel, amount, rate, converted
):
    response = file_expense(as_employee, travel, amount=amount, currency="EUR", exchange_rate=rate)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["currency"], body["exchange_rate"], body["converted_amount"]) == (
        "EUR",
        f"{Decimal(rate):.6f}",
        converted,
    )
    assert Expense.objects.get().converted_amount == Decimal(converted)


def test_another_currency_needs_a_rate_and_a_converted_amount_that_agrees(as_employee, travel):
    missing = file_expense(as_employee, travel, currency="EUR")
    wrong = file_expense(
        as_employee, travel, amount="10.00", currency="EUR", exchange_rate="1.085", converted_amount="10.84"
    )
    right = file_expense(
        as_employee, travel, amount="10.00", currency="EUR", exchange_rate="1.085", converted_amount="10.85"
    )

    assert missing.status_code == 422 and "exchange_rate" in str(missing.json())
    assert wrong.status_code == 422 and "converted_amount" in str(wrong.json())
    assert right.status_code == 201


def test_amounts_must_be_positive_decimals_with_cents(as_employee, travel):
    assert file_expense(as_employee, travel, amount="0").status_code == 422
    assert file_expense(as_employee, travel, amount="1.005").status_code == 422
    assert file_expense(as_employee, travel, currency="eur").status_code == 422


def test_the_category_limit_is_checked_in_the_organisation_currency(as_employee, travel):
    at_limit = file_expense(as_employee, travel, amount="500.00")
    over = file_expense(as_employee, travel, amount="500.01")
    converted_over = file_expense(as_employee, travel, amount="400.00", currency="GBP", exchange_rate="1.26")

    assert at_limit.status_code == 201
    assert over.status_code == 422 and "limited to 500.00" in str(over.json())
    assert converted_over.status_code == 422  # 504.00 in the organisation's currency


def test_an_archived_category_takes_no_new_expenses(as_employee, travel):
    travel.archived = True
    travel.save()

    assert file_expense(as_employee, travel).status_code == 422


def test_a_future_day_and_a_billable_expense_without_project_are_refused(as_employee, travel, project):
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()

    assert file_expense(as_employee, travel, date=future).status_code == 422
    assert file_expense(as_employee, travel, billable=True).status_code == 422
    billed = file_expense(as_employee, travel, billable=True, project_id=project.pk)
    assert billed.status_code == 201 and billed.json()["client_id"] == project.client_id


def test_people_who_left_cannot_file(as_admin, employee, travel):
    employee.status = "terminated"
    employee.termination_date = datetime.date(2026, 3, 1)
    employee.save()

    response = file_expense(as_admin, travel, employee_id=employee.pk)

    assert response.status_code == 422 and "left on 2026-03-01" in str(response.json())


def test_another_tenant_category_or_project_is_not_found(as_employee, other_organisation):
    theirs = ExpenseCategoryFactory(organisation=other_organisation)

    assert file_expense(as_employee, theirs).status_code == 422


# ----------------------------------------------------------------------------- receipts


def test_a_receipt_uploads_with_the_expense_and_downloads_for_its_readers(
    as_employee, as_manager, employee, travel, private_files, organisation, london_office
):
    response = file_expense(as_employee, travel, receipt=upload("../../etc/taxi receipt.pdf"))

    assert response.status_code == 201, response.json()
    receipt = response.json()["receipt"]
    assert (receipt["file_name"], receipt["content_type"], receipt["size"]) == (
        "taxi receipt.pdf",
        "application/pdf",
        len(PDF),
    )
    stored = Expense.objects.get().receipt_storage_path
    assert stored.startswith(f"expenses/{organisation.pk}/") and "taxi" not in stored and ".." not in stored
    download = as_manager.get(receipt["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    stranger = token_client(person(organisation, london_office, name="Lou"))
    assert stranger.get(receipt["download_url"]).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("receipt.pdf", b"<html><script>alert(1)</script></html>", "not a PDF file"),
        ("photo.png", PDF, "not a PNG file"),
        ("notes.txt", b"just text", "PNG or JPEG image or a PDF"),
        ("receipt.exe", b"MZ\x90\x00", "Upload a PDF"),
        (".pdf", PDF, "Upload a PDF"),  # no name left once the leading dot goes
        ("..\\..\\boot.exe", PDF, "Upload a PDF"),
    ],
)
def test_a_receipt_is_checked_by_content(as_employee, travel, name, content, message, private_files):
    response = file_expense(as_employee, travel, receipt=upload(name, content))

    assert response.status_code == 422, response.json()
    assert message in str(response.json()) and "receipt" in str(response.json())
    assert not Expense.objects.exists()
    assert not private_files.exists() or not any(p.is_file() for p in private_files.rglob("*"))


def test_an_oversized_receipt_is_a_413(as_employee, travel, settings):
    settings.UPLOAD_MAX_BYTES = 100

    response = file_expense(as_employee, travel, receipt=upload("big.png", PNG + b"\x00" * 200, "image/png"))

    assert response.status_code == 413
    assert not Expense.objects.exists()


def test_a_receipt_is_replaced_on_a_draft_and_required_above_the_category_amount(as_employee, travel, employee):
    expense = ExpenseFactory(employee=employee, category=travel, amount=Decimal("30.00"))

    without = as_employee.post(f"/v1/expenses/{expense.pk}/submit")
    attached = as_employee.post(
        f"/v1/expenses/{expense.pk}/receipt", {"receipt": upload("r.png", PNG)}, format="multipart"
    )
    submitted = as_employee.post(f"/v1/expenses/{expense.pk}/submit")

    assert without.status_code == 422 and "need a receipt" in str(without.json())
    assert attached.status_code == 200 and attached.json()["receipt"]["content_type"] == "image/png"
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    late = as_employee.post(f"/v1/expenses/{expense.pk}/receipt", {"receipt": upload()}, format="multipart")
    assert late.status_code == 409


# ----------------------------------------------------------------------------- edit and delete


def test_drafts_are_edited_and_deleted_submitted_ones_are_not(as_employee, draft, submitted, travel):
    edited = as_employee.patch(f"/v1/expenses/{draft.pk}", {"amount": "20.00", "description": "Train"}, format="json")

    assert edited.status_code == 200 and (edited.json()["amount"], edited.json()["converted_amount"]) == (
        "20.00",
        "20.00",
    )
    assert as_employee.patch(f"/v1/expenses/{submitted.pk}", {"amount": "1.00"}, format="json").status_code == 409
    assert as_employee.delete(f"/v1/expenses/{submitted.pk}").status_code == 409
    assert as_employee.delete(f"/v1/expenses/{draft.pk}").status_code == 204
    assert not Expense.objects.filter(pk=draft.pk).exists()


# ----------------------------------------------------------------------------- workflow × role


def test_the_full_workflow_with_events_without_personal_data(as_employee, as_manager, as_admin, draft):
    steps = [
        (as_employee, "submit", None, "submitted"),
        (as_manager, "approve", None, "approved"),
        (as_admin, "mark-reimbursed", {"reference": "PAY-2026-03"}, "reimbursed"),
    ]
    for api, verb, body, status in steps:
        response = api.post(f"/v1/expenses/{draft.pk}/{verb}", body, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == status
    assert response.json()["reimbursement_reference"] == "PAY-2026-03"
    topics = list(OutboxEvent.objects.order_by("id").values_list("topic", flat=True))
    assert topics == ["time.expense.submitted", "time.expense.approved", "time.expense.reimbursed"]
    assert all(is_registered(topic) for topic in topics)
    payload = OutboxEvent.objects.last().payload
    assert set(payload) == {"id", "employee_id", "category_id", "project_id", "client_id", "status"}
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"expense.submit", "expense.approve", "expense.mark_reimbursed"} <= actions


def test_a_rejected_expense_is_edited_and_submitted_again(as_employee, as_manager, submitted):
    rejected = as_manager.post(f"/v1/expenses/{submitted.pk}/reject", {"reason": "Wrong day"}, format="json")

    assert rejected.status_code == 200 and rejected.json()["rejection_reason"] == "Wrong day"
    assert as_manager.post(f"/v1/expenses/{submitted.pk}/reject", {"reason": "Again"}, format="json").status_code == 409
    assert as_employee.patch(f"/v1/expenses/{submitted.pk}", {"date": "2026-03-02"}, format="json").status_code == 200
    assert as_employee.post(f"/v1/expenses/{submitted.pk}/submit").json()["status"] == "submitted"
    assert OutboxEvent.objects.filter(topic="time.expense.rejected").count() == 1


@pytest.mark.parametrize("verb", ["approve", "reject"])
def test_who_may_decide(
    verb, organisation, employee, manager, admin, owner, colleague, other_office_manager, submitted
):
    body = {"reason": "No"} if verb == "reject" else None
    expected = {employee: 403, colleague: 404, other_office_manager: 404}
    for who, status in expected.items():
        response = token_client(who).post(f"/v1/expenses/{submitted.pk}/{verb}", body, format="json")
        assert response.status_code == status, (who, response.json())
    assert token_client(manager).post(f"/v1/expenses/{submitted.pk}/{verb}", body, format="json").status_code == 200
    for who in (admin, owner):  # already decided: a 409 for the next approver
        assert token_client(who).post(f"/v1/expenses/{submitted.pk}/{verb}", body, format="json").status_code == 409


def test_a_direct_manager_in_another_office_decides_and_nobody_approves_themself(
    organisation, london_office, employee, manager, travel
):
    boss = person(organisation, london_office, Role.MANAGER, name="Bea")
    employee.manager = boss
    employee.save()
    theirs = ExpenseFactory(employee=employee, category=travel, status="submitted")
    own = ExpenseFactory(employee=manager, category=travel, status="submitted")

    assert token_client(boss).post(f"/v1/expenses/{theirs.pk}/approve").status_code == 200
    assert token_client(manager).post(f"/v1/expenses/{own.pk}/approve").status_code == 403


def test_illegal_transitions_are_409(as_employee, as_admin, draft, submitted):
    assert as_admin.post(f"/v1/expenses/{draft.pk}/approve").status_code == 409
    assert (
        as_admin.post(f"/v1/expenses/{draft.pk}/mark-reimbursed", {"reference": "X"}, format="json").status_code == 409
    )
    assert as_employee.post(f"/v1/expenses/{submitted.pk}/submit").status_code == 409


def test_only_owners_and_admins_mark_reimbursed(as_manager, as_employee, employee, travel):
    approved = ExpenseFactory(employee=employee, category=travel, status="approved")

    assert (
        as_manager.post(f"/v1/expenses/{approved.pk}/mark-reimbursed", {"reference": "X"}, format="json").status_code
        == 403
    )
    assert (
        as_employee.post(f"/v1/expenses/{approved.pk}/mark-reimbursed", {"reference": "X"}, format="json").status_code
        == 403
    )


def test_visibility_own_office_everyone(organisation, employee, colleague, londoner, manager, admin, travel):
    mine = ExpenseFactory(employee=employee, category=travel)
    ExpenseFactory(employee=colleague, category=travel)
    ExpenseFactory(employee=londoner, category=travel)

    def ids(who):
        return {row["id"] for row in token_client(who).get("/v1/expenses").json()["results"]}

    assert ids(employee) == {mine.pk}
    assert len(ids(manager)) == 2
    assert len(ids(admin)) == 3
    assert token_client(employee).get(f"/v1/expenses?status=draft&category_id={travel.pk}").status_code == 200
    assert token_client(employee).get("/v1/expenses?nonsense=1").status_code == 422


# ----------------------------------------------------------------------------- categories


def test_categories_are_managed_by_admins_and_read_by_everyone(as_admin, as_employee, as_manager):
    created = as_admin.post(
        "/v1/expense-categories",
        {"name": "Meals", "expense_limit": "60.00", "receipt_required_above": "20.00"},
        format="json",
    )

    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert as_employee.get("/v1/expense-categories").json()["results"][0]["name"] == "Meals"
    assert as_manager.post("/v1/expense-categories", {"name": "Fuel"}, format="json").status_code == 403
    archived = as_admin.patch(f"/v1/expense-categories/{pk}", {"archived": True}, format="json")
    assert archived.status_code == 200 and archived.json()["archived"] is True
    assert as_admin.post("/v1/expense-categories", {"name": "Meals"}, format="json").status_code in (409, 422)


# ----------------------------------------------------------------------------- payroll's read and write


def test_payroll_reads_approved_unreimbursed_expenses_and_marks_them_paid(organisation, employee, colleague, travel):
    due = ExpenseFactory(employee=employee, category=travel, status="approved", date=datetime.date(2026, 3, 3))
    other = ExpenseFactory(employee=colleague, category=travel, status="approved", date=datetime.date(2026, 3, 4))
    ExpenseFactory(employee=employee, category=travel, status="submitted")
    ExpenseFactory(employee=employee, category=travel, status="approved", date=datetime.date(2026, 4, 1))

    found = selectors.approved_unreimbursed_expenses(
        organisation, datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)
    )
    assert {e.pk for e in found} == {due.pk, other.pk}
    only = selectors.approved_unreimbursed_expenses(
        organisation, datetime.date(2026, 3, 1), datetime.date(2026, 3, 31), employee_ids=[employee.pk]
    )
    assert [e.pk for e in only] == [due.pk]

    services.mark_reimbursed(list(found), "RUN-7", system_actor(organisation))

    assert set(Expense.objects.filter(reimbursement_reference="RUN-7").values_list("pk", flat=True)) == {
        due.pk,
        other.pk,
    }
    assert OutboxEvent.objects.filter(topic="time.expense.reimbursed").count() == 2
    assert not selectors.approved_unreimbursed_expenses(
        organisation, datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)
    )


# ----------------------------------------------------------------------------- summary report


def test_the_summary_report_includes_approved_billable_expenses_by_project_and_client(
    as_admin, as_employee, employee, colleague, travel, project, client_row, organisation
):
    def claim(who, amount, **extra):
        values = {"employee": who, "category": travel, "amount": Decimal(amount), "converted_amount": Decimal(amount)}
        return ExpenseFactory(**{**values, **extra})

    claim(employee, "10.05", project=project, client=client_row, billable=True, status="approved")
    claim(colleague, "0.10", project=project, client=client_row, billable=True, status="reimbursed")
    claim(employee, "7.00", client=client_row, billable=True, status="approved")  # the client only
    claim(employee, "99.00", project=project, client=client_row, billable=False, status="approved")
    claim(employee, "55.00", project=project, client=client_row, billable=True, status="submitted")
    claim(
        employee,
        "3.00",
        project=project,
        client=client_row,
        billable=True,
        status="approved",
        date=datetime.date(2026, 4, 1),
    )

    summary = as_admin.get("/v1/reports/summary?start_date=2026-03-01&end_date=2026-03-31").json()["summary"]

    assert summary["billable_expenses"] == "17.15"
    assert [(r["project_id"], r["billable_expenses"], r["hours"]) for r in summary["by_project"]] == [
        (project.pk, "10.15", "0.00")
    ]
    assert summary["by_client"] == [
        {"client_id": client_row.pk, "client_name": "Acme Corp", "billable_expenses": "17.15"}
    ]
    own = as_employee.get("/v1/reports/summary?start_date=2026-03-01&end_date=2026-03-31").json()["summary"]
    assert own["billable_expenses"] == "17.05"  # an employee sees their own expenses only
