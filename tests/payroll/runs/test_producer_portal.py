"""The commission lines a payroll run paid link to that run (issue 18 point 9): the producer
portal shows the run and links to the producer's own payslip of it ("My pay"), REST and GraphQL
expose ``payroll_run_id`` on the ledger line; never another organisation's run."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from organisations.choices import Role
from payroll.models import PayrollRun, PayrollSourceClaim
from tests.organisations.factories import OfficeFactory, ProducerFactory
from tests.payroll.factories import CommissionTransactionFactory
from tests.timetracking.conftest import person

from .helpers import MONDAY, hourly, make_run, weekly_schedule

pytestmark = pytest.mark.django_db

LINE = """
query($first: Int) { transactions(first: $first) { edges { node { databaseId payrollRunId } } } }
"""


@pytest.fixture
def paid(api, organisation, office):
    """A producer (an hourly employee too, same login) with two approved lines: one dated in a
    weekly run's period (paid by it), one after it (not paid)."""
    seller = person(organisation, office, role=Role.PRODUCER, name="Paula")
    seller.pay_type, seller.pay_rate = "hourly", Decimal("20.00")
    seller.save()
    producer = ProducerFactory(
        organisation=organisation, membership=seller.membership, workspace__office=office, portal_access=True
    )
    sale = CommissionTransactionFactory(
        producer=producer, status="approved", gross_commission=Decimal("250.00"), transaction_date=MONDAY
    )
    later = CommissionTransactionFactory(
        producer=producer,
        status="approved",
        gross_commission=Decimal("90.00"),
        transaction_date=MONDAY + datetime.timedelta(days=30),
    )
    schedule = weekly_schedule(organisation, [seller])
    run = api.post("/v1/payroll/runs", {"pay_schedule_id": schedule.pk, "period_start": "2026-03-02"}, format="json")
    assert run.status_code == 201, run.json()
    return {"seller": seller, "sale": sale, "later": later, "run": PayrollRun.objects.get(pk=run.json()["id"])}


def test_rest_and_graphql_name_the_run_that_paid_a_line(api, gql, paid):
    run, sale, later = paid["run"], paid["sale"], paid["later"]
    # a draft does not pay yet
    assert api.get(f"/v1/transactions/{sale.pk}").json()["payroll_run_id"] is None
    assert api.post(f"/v1/payroll/runs/{run.pk}/approve").status_code == 200
    assert api.get(f"/v1/transactions/{sale.pk}").json()["payroll_run_id"] == run.pk  # ready: will pay it
    assert api.post(f"/v1/payroll/runs/{run.pk}/mark-paid").status_code == 200

    assert api.get(f"/v1/transactions/{sale.pk}").json()["payroll_run_id"] == run.pk
    assert api.get(f"/v1/transactions/{later.pk}").json()["payroll_run_id"] is None
    listed = {row["id"]: row["payroll_run_id"] for row in api.get("/v1/transactions").json()["results"]}
    assert listed == {sale.pk: run.pk, later.pk: None}
    body = gql(api, LINE, {"first": 10}).json()
    assert "errors" not in body, body
    nodes = {e["node"]["databaseId"]: e["node"]["payrollRunId"] for e in body["data"]["transactions"]["edges"]}
    assert nodes == {sale.pk: run.pk, later.pk: None}


def test_payroll_run_id_is_read_only_and_in_the_openapi_schema(client):
    schema = client.get("/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    field = schema["components"]["schemas"]["CommissionTransaction"]["properties"]["payroll_run_id"]
    assert field["readOnly"] is True and field["nullable"] is True


def test_the_portal_links_a_paid_line_to_the_producers_payslip_of_the_run(api, client, paid):
    run, seller = paid["run"], paid["seller"]
    api.post(f"/v1/payroll/runs/{run.pk}/approve")
    api.post(f"/v1/payroll/runs/{run.pk}/mark-paid")
    client.force_login(seller.membership.user)

    page = client.get("/app/commissions/portal/sales").content.decode()
    assert f'href="/app/payroll/my-pay#run-{run.pk}"' in page
    assert f"Payroll run #{run.pk}, 2026-03-02 – 2026-03-08" in page
    assert f"paid on {run.pay_date}" in page
    assert page.count("/app/payroll/my-pay#run-") == 1  # the later line is not paid
    my_pay = client.get("/app/payroll/my-pay").content.decode()
    assert f'id="run-{run.pk}"' in my_pay and "250.00" in my_pay
    # a producer does not open the payroll console
    assert client.get(f"/app/payroll/runs/{run.pk}").status_code in (403, 404)


def test_another_organisations_run_never_shows(api, client, paid, other_organisation, other_api):
    """A claim of another organisation on the same object id (another ledger) is not this line's run."""
    sale, seller = paid["sale"], paid["seller"]
    rival = make_run(other_organisation, employees=[hourly(OfficeFactory(organisation=other_organisation))])
    PayrollRun.objects.filter(pk=rival.pk).update(status="paid")
    PayrollSourceClaim.objects.create(
        organisation=other_organisation, run=rival, kind="commission_line", object_id=sale.pk
    )
    assert api.get(f"/v1/transactions/{sale.pk}").json()["payroll_run_id"] is None
    assert other_api.get(f"/v1/transactions/{sale.pk}").status_code == 404
    client.force_login(seller.membership.user)
    page = client.get("/app/commissions/portal/sales").content.decode()
    assert f"#run-{rival.pk}" not in page and "Payroll run #" not in page
