"""Every list page's CSV download with a report is that report's file (issue 17 point 7): the
page's download equals the CSV export of the same report with the page's filters (header and
rows, cell for cell), and another organisation's rows never appear in it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from integrations.models import ReportExport
from organisations.choices import Role
from organisations.models import AuditEvent
from tests.hr.factories import LeaveAccountFactory, LeaveRequestFactory
from tests.organisations.factories import ProducerFactory
from tests.payroll.factories import CarrierFactory, CommissionTransactionFactory
from tests.timetracking.conftest import person
from tests.timetracking.factories import ExpenseFactory, ProjectFactory, TimeEntryFactory

pytestmark = pytest.mark.django_db


def exported(client, committed, report: str, filters: dict) -> str:
    """The report's CSV export with ``filters``, requested from the Exports page."""
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    form = client.get(f"/app/exports/?report={report}&{query}").context["form"]
    with committed():
        response = client.post(
            "/app/exports/",
            {"report": report, "format": "csv", "filters": form.initial["filters"], "delimiter": ","},
        )
    assert response.status_code == 302, response.content
    export = ReportExport.objects.latest("pk")
    assert export.status == "ready", export.error
    return b"".join(client.get(f"/app/exports/{export.pk}/download").streaming_content).decode()


def _entries(ada, stranger):
    project = ProjectFactory(client__organisation=ada.organisation, name="Chosen")
    TimeEntryFactory(employee=ada, project=project)
    TimeEntryFactory(employee=ada, project=project)
    TimeEntryFactory(employee=ada)
    TimeEntryFactory(employee=stranger)
    return "/app/time/entries?sort=-date&page=1", "time_entries", {"project_id": project.pk}, 2


def _ledger(ada, stranger):
    for organisation, status in ((ada.organisation, "pending"), (ada.organisation, "approved")):
        CommissionTransactionFactory(
            producer=ProducerFactory(organisation=organisation),
            carrier=CarrierFactory(organisation=organisation),
            status=status,
        )
    CommissionTransactionFactory(
        producer=ProducerFactory(organisation=stranger.organisation),
        carrier=CarrierFactory(organisation=stranger.organisation),
        status="pending",
    )
    return "/app/commissions/ledger?per_page=10", "commission_transactions", {"status": "pending"}, 1


def _audit(ada, stranger):
    for organisation, kind in (
        (ada.organisation, "workspace"),
        (ada.organisation, "office"),
        (stranger.organisation, "workspace"),
    ):
        AuditEvent.objects.create(
            organisation=organisation,
            source=AuditEvent.Source.API,
            actor_label="X",
            action=f"{kind}.update",
            object_type=kind,
        )
    return "/app/audit", "audit_events", {"object_type": "workspace"}, 1


def _expenses(ada, stranger):
    ExpenseFactory(employee=ada, amount=Decimal("12.50"))
    ExpenseFactory(employee=ada, date=datetime.date(2026, 3, 4), description="=SUM(1)")
    ExpenseFactory(employee=stranger)
    return "/app/time/expenses", "expenses", {"employee_id": ada.pk}, 2


def _leave_requests(ada, stranger):
    LeaveRequestFactory(employee=ada)
    LeaveRequestFactory(employee=stranger)
    return "/app/hr/leave", "leave_requests", {"employee_id": ada.pk}, 1


def _leave_balances(ada, stranger):
    LeaveAccountFactory(employee=ada)
    LeaveAccountFactory(employee=stranger)
    return "/app/hr/leave-balances", "leave_balances", {}, 1


@pytest.mark.parametrize(
    "make", [_entries, _ledger, _audit, _expenses, _leave_requests, _leave_balances], ids=lambda f: f.__name__[1:]
)
def test_a_page_download_is_its_reports_export(
    make, organisation, other_organisation, office, session_client, committed
):
    ada = person(organisation, office, Role.OWNER, name="Ada")
    stranger = person(other_organisation, None, name="Stranger")
    url, report, filters, count = make(ada, stranger)
    client = session_client(ada.membership)
    separator = "&" if "?" in url else "?"
    query = "&".join(f"{name}={value}" for name, value in filters.items())

    response = client.get(f"{url}{separator}{query}&export=csv" if query else f"{url}{separator}export=csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    page = b"".join(response.streaming_content).decode()
    file = exported(client, committed, report, filters)
    lines = page.splitlines()
    assert len(lines) == 1 + count  # this organisation's rows the filters select, never the stranger's
    if "=SUM(1)" in file:  # the page's download neutralises formulas; the report file holds the value
        assert "'=SUM(1)" in page
        page = page.replace("'=SUM(1)", "=SUM(1)")
    assert page == file
