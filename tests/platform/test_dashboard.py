"""Dashboards per role (issue 14 point 6) through the Django test client: each role gets its own
cards with the right figures, built from the cards every app registers; nobody sees another
organisation's numbers; developer links only for owners, admins and API users."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
import time_machine

from organisations.choices import Role
from tests.hr.factories import ComplaintFactory, EmployeeFactory, HRDocumentAcknowledgementFactory, HRDocumentFactory
from tests.organisations.factories import ProducerFactory
from tests.payroll.factories import CarrierFactory, CommissionTransactionFactory
from tests.timetracking.factories import ExpenseFactory, TimeEntryFactory, TimeRequestFactory, TimesheetFactory
from trackyoursheets.web.dashboard import registered_cards

pytestmark = pytest.mark.django_db

D = Decimal
#: a Wednesday; the week runs from Monday 8 June
NOW = datetime.datetime(2026, 6, 10, 15, 0, tzinfo=datetime.UTC)
MONDAY = datetime.datetime(2026, 6, 8, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    """Every row is made and read on Wednesday 10 June 2026."""
    with time_machine.travel(NOW, tick=False):
        yield


def cards(response) -> dict:
    return {item["card"].key: item["data"] for item in response.context["cards"]}


def value(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">([^<]*)<', html)
    assert match, f"{testid} not on the page"
    return match.group(1)


@pytest.fixture
def member_with_employee(organisation, office, make_member):
    def make(role, **kwargs):
        membership = make_member(organisation, role, office=office if role == Role.MANAGER else None)
        EmployeeFactory(office=office, membership=membership, **kwargs)
        return membership

    return make


def test_every_app_registers_its_cards():
    keys = {card.key for card in registered_cards()}

    assert {"time.my-week", "time.team-hours", "hr.documents-to-read", "hr.my-requests"} <= keys
    assert {"payroll.my-commission", "payroll.lines-to-approve", "payroll.imports-to-review"} <= keys
    assert {"payroll.premium-by-period", "hr.tickets-and-coverage"} <= keys


def test_employee_sees_their_week_timer_documents_and_requests(
    organisation, office, member_with_employee, session_client
):
    eli = member_with_employee(Role.EMPLOYEE, first_name="Eli")
    employee = eli.employee if hasattr(eli, "employee") else eli.employees.get()
    for hour in (0, 2, 4):  # three finished hours this week ...
        TimeEntryFactory(employee=employee, start_time=MONDAY + datetime.timedelta(hours=hour))
    TimeEntryFactory(employee=employee, start_time=MONDAY - datetime.timedelta(days=3))  # ... one last week
    running = TimeEntryFactory(employee=employee, start_time=NOW - datetime.timedelta(minutes=30), end_time=None)
    HRDocumentFactory(organisation=organisation, title="Handbook")
    read = HRDocumentFactory(organisation=organisation, title="Already read")
    HRDocumentAcknowledgementFactory(document=read, employee=employee)
    ComplaintFactory(organisation=organisation, reporter=eli, subject="Broken chair")
    ComplaintFactory(organisation=organisation, subject="Someone else's")

    response = session_client(eli).get("/app/")

    shown = cards(response)
    html = response.content.decode()
    assert list(shown) == ["time.my-week", "hr.documents-to-read", "hr.my-leave", "hr.my-requests"]
    assert shown["time.my-week"]["seconds"] == 3 * 3600
    assert value(html, "week-hours") == "3:00"
    assert "of 40 h this week" in html
    assert shown["time.my-week"]["running"] == running
    assert [d.title for d in shown["hr.documents-to-read"]["documents"]] == ["Handbook"]
    assert shown["hr.my-requests"]["open"] == 1
    assert "Broken chair" in html and "Someone else" not in html
    assert 'href="/api/docs"' not in html and 'href="/v1/health"' not in html


def test_a_member_without_an_employee_record_gets_no_time_or_document_cards(organisation, make_member, session_client):
    member = make_member(organisation, Role.EMPLOYEE)

    shown = cards(session_client(member).get("/app/"))

    assert "time.my-week" not in shown and "hr.documents-to-read" not in shown
    assert shown["hr.my-requests"]["open"] == 0


def test_manager_sees_team_hours_and_lines_to_approve_of_their_office(
    organisation, office, member_with_employee, session_client, other_organisation
):
    manager = member_with_employee(Role.MANAGER)
    teammate = EmployeeFactory(office=office, first_name="Tara", last_name="Team")
    outsider = EmployeeFactory(organisation=organisation, office__organisation=organisation, first_name="Otto")
    TimeEntryFactory(employee=teammate, start_time=MONDAY)
    TimeEntryFactory(employee=teammate, start_time=MONDAY + datetime.timedelta(hours=3))
    TimeEntryFactory(employee=outsider, start_time=MONDAY)
    stranger = EmployeeFactory(office__organisation=other_organisation)
    TimeEntryFactory(employee=stranger, start_time=MONDAY)
    carrier = CarrierFactory(organisation=organisation)
    mine = ProducerFactory(organisation=organisation, workspace__office=office)
    theirs = ProducerFactory(organisation=organisation)
    CommissionTransactionFactory(producer=mine, carrier=carrier)
    CommissionTransactionFactory(producer=mine, carrier=carrier, status="approved")
    CommissionTransactionFactory(producer=theirs, carrier=carrier)

    response = session_client(manager).get("/app/")

    shown = cards(response)
    assert shown["time.team-hours"]["total_seconds"] == 2 * 3600
    assert [row["name"] for row in shown["time.team-hours"]["people"]] == ["Tara Team"]
    assert shown["payroll.lines-to-approve"]["count"] == 1
    assert value(response.content.decode(), "lines-to-approve") == "1"
    assert "payroll.premium-by-period" not in shown and "payroll.imports-to-review" not in shown


def test_producer_sees_commission_this_month_and_latest_statements(organisation, make_member, session_client):
    login = make_member(organisation, Role.PRODUCER)
    pat = ProducerFactory(organisation=organisation, membership=login, portal_access=True)
    other = ProducerFactory(organisation=organisation)
    carrier = CarrierFactory(organisation=organisation)
    for month, amount in ((4, "10.00"), (5, "20.00"), (6, "30.00")):
        CommissionTransactionFactory(
            producer=pat,
            carrier=carrier,
            gross_commission=D(amount),
            transaction_date=datetime.date(2026, month, 3),
            statement_period=datetime.date(2026, month, 1),
        )
    CommissionTransactionFactory(
        producer=other, carrier=carrier, transaction_date=datetime.date(2026, 6, 4), gross_commission=D("999")
    )
    organisation.currency = "USD"
    organisation.save()

    response = session_client(login).get("/app/")

    shown = cards(response)
    html = response.content.decode()
    assert shown["payroll.my-commission"]["month"].producer_amount == D("30.00")
    assert value(html, "commission-this-month") == "$30.00"
    assert [s["label"] for s in shown["payroll.my-commission"]["statements"]] == ["2026-06", "2026-05", "2026-04"]
    assert 'href="/app/commissions/portal/statements/2026-06"' in html
    assert "payroll.lines-to-approve" not in shown


def test_owner_sees_premium_by_period_hours_and_imports_to_review(organisation, owner, session_client):
    carrier = CarrierFactory(organisation=organisation)
    producer = ProducerFactory(organisation=organisation)
    CommissionTransactionFactory(
        producer=producer,
        carrier=carrier,
        premium=D("500.00"),
        gross_commission=D("50"),
        transaction_date=datetime.date(2026, 6, 2),
    )
    CommissionTransactionFactory(
        producer=producer,
        carrier=carrier,
        premium=D("250.00"),
        gross_commission=D("25"),
        transaction_date=datetime.date(2026, 2, 2),
    )
    organisation.currency = "GBP"
    organisation.save()

    response = session_client(owner).get("/app/")

    shown = cards(response)
    html = response.content.decode()
    periods = {p.period: p for p in shown["payroll.premium-by-period"]["periods"]}
    assert list(periods) == ["month", "quarter", "year"]
    assert periods["month"].premium == D("500.00")
    assert periods["year"].premium == D("750.00")
    assert "£750.00" in html
    assert shown["payroll.imports-to-review"]["count"] == 0
    assert "time.team-hours" in shown
    assert 'href="/api/docs"' in html and 'href="/v1/health"' in html and 'href="/api-status.xml"' in html


def test_hr_sees_tickets_by_status_with_labels_and_coverage(organisation, office, member_with_employee, session_client):
    hana = member_with_employee(Role.HR)
    ComplaintFactory(organisation=organisation, status="open")
    ComplaintFactory(organisation=organisation, status="in_progress")
    ComplaintFactory(organisation=organisation, status="in_progress")
    handbook = HRDocumentFactory(organisation=organisation, title="Handbook")
    reader = EmployeeFactory(office=office)
    HRDocumentAcknowledgementFactory(document=handbook, employee=reader)

    response = session_client(hana).get("/app/")

    data = cards(response)["hr.tickets-and-coverage"]
    html = response.content.decode()
    assert {row["code"]: row["count"] for row in data["statuses"]}["in_progress"] == 2
    assert data["open"] == 3
    assert "In progress" in html and ">in_progress<" not in html
    assert [(row["title"], row["acknowledged"], row["audience"]) for row in data["coverage"]] == [("Handbook", 1, 2)]


def test_api_users_see_the_developer_links(organisation, make_member, session_client):
    member = make_member(organisation, Role.EMPLOYEE)
    member.api_tokens.create(organisation=organisation, name="script", prefix="tys_abc", token_hash="0" * 64, scopes="")

    html = session_client(member).get("/app/").content.decode()

    assert 'href="/api/docs"' in html and 'href="/v1/health"' in html


def test_manager_sees_what_waits_for_their_approval_never_their_own(
    organisation, office, member_with_employee, session_client, other_organisation
):
    """Issue 15: the timesheets and time requests of the approval inbox, counted on the dashboard."""
    manager = member_with_employee(Role.MANAGER)
    own = manager.employees.get()
    teammate = EmployeeFactory(office=office)
    outsider = EmployeeFactory(organisation=organisation, office__organisation=organisation)
    TimesheetFactory(employee=teammate, status="submitted")
    TimesheetFactory(employee=teammate, status="approved", period_start=datetime.date(2026, 3, 9))
    TimesheetFactory(employee=own, status="submitted")
    TimesheetFactory(employee=outsider, status="submitted")
    TimesheetFactory(employee=EmployeeFactory(office__organisation=other_organisation), status="submitted")
    TimeRequestFactory(employee=teammate)
    TimeRequestFactory(employee=teammate, status="rejected")
    TimeRequestFactory(employee=own)
    # expenses (issue 16): the two submitted by the teammate count; a draft, an approved one, the
    # manager's own, another office's and another tenant's do not
    ExpenseFactory.create_batch(2, employee=teammate, status="submitted")
    ExpenseFactory(employee=teammate, status="draft")
    ExpenseFactory(employee=teammate, status="approved")
    ExpenseFactory(employee=own, status="submitted")
    ExpenseFactory(employee=outsider, status="submitted")
    ExpenseFactory(employee=EmployeeFactory(office__organisation=other_organisation), status="submitted")

    response = session_client(manager).get("/app/")

    shown = cards(response)
    assert shown["time.waiting-approval"] == {
        "timesheets": 1,
        "requests": 1,
        "expenses": 2,
        "inbox_url": "/app/time/approvals",
    }
    html = response.content.decode()
    assert value(html, "timesheets-waiting") == "1" and value(html, "requests-waiting") == "1"
    text = " ".join(re.sub("<[^>]+>", " ", html).split())
    assert value(html, "expenses-waiting") == "2" and "2 expenses submitted" in text
    employee = member_with_employee(Role.EMPLOYEE)
    assert "time.waiting-approval" not in cards(session_client(employee).get("/app/"))
