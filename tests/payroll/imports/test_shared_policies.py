"""Money on shared policies (issue 13 point 5), through the public API: a statement whose rows
name policies written by several producers (50/50 and 33.33/33.33/33.34) is imported and
finalised, and the ledger, the batch totals and ``/v1/reports/commissions`` (REST and GraphQL)
all equal the statement to the cent; a chargeback names the line it takes back (``reverses_id``).
Also the one check of a manual match (duplicate D4), refused alike by REST and GraphQL."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.organisations.factories import ProducerFactory
from tests.payroll.factories import CarrierFactory, PolicyFactory, PolicyProducerFactory

pytestmark = pytest.mark.django_db

D = Decimal

STATEMENT = (
    "Policy,Premium,Commission,Date\n"
    "HALF-1,1000.01,300.01,01/15/2026\n"  # 50/50: 500.01 + 500.00, 150.01 + 150.00
    "THIRDS-1,999.99,100.01,01/16/2026\n"  # 33.33/33.33/33.34
    "THIRDS-1,0,-100.01,01/20/2026\n"  # a chargeback of it: each writer's line takes back theirs
    "POL-1001,1200.00,120.00,01/21/2026\n"  # Alice's own policy (60 %): one line, as before
)
STATEMENT_PREMIUM = D("1000.01") + D("999.99") + D("0") + D("1200.00")
STATEMENT_GROSS = D("300.01") + D("100.01") - D("100.01") + D("120.00")


@pytest.fixture
def carol(workspace):
    return ProducerFactory(workspace=workspace, display_name="Carol Closer", producer_code="C-300")


@pytest.fixture
def shared(carrier, alice, bob, carol, book):
    half = PolicyFactory(carrier=carrier, number="HALF-1")
    PolicyProducerFactory(policy=half, producer=alice, split_percent=D("50"))
    PolicyProducerFactory(policy=half, producer=bob, split_percent=D("50"))
    thirds = PolicyFactory(carrier=carrier, number="THIRDS-1")
    PolicyProducerFactory(policy=thirds, producer=alice, split_percent=D("33.33"))
    PolicyProducerFactory(policy=thirds, producer=bob, split_percent=D("33.33"))
    PolicyProducerFactory(policy=thirds, producer=carol, split_percent=D("33.34"))
    return {"half": half, "thirds": thirds}


@pytest.fixture
def finalised(api, upload, carrier, shared):
    response = upload(api, STATEMENT, carrier_id=carrier.pk)
    assert response.status_code == 202, response.json()
    batch_id = response.json()["id"]
    done = api.post(f"/v1/imports/{batch_id}/finalise", {}, format="json")
    assert done.status_code == 200, done.json()
    return done.json()


def ledger_lines(api) -> list[dict]:
    body = api.get("/v1/transactions?page_size=100").json()
    assert body["pagination"]["total"] == len(body["results"])
    return sorted(body["results"], key=lambda line: line["id"])


def total(lines, field) -> Decimal:
    return sum((D(line[field]) for line in lines), D("0"))


def test_each_writer_line_carries_its_share_and_the_ledger_equals_the_statement(
    api, finalised, shared, alice, bob, carol
):
    lines = ledger_lines(api)

    assert (total(lines, "premium"), total(lines, "gross_commission")) == (STATEMENT_PREMIUM, STATEMENT_GROSS)
    assert total(lines, "producer_amount") == D("300.01") + D("120.00") * D("0.6")  # writers get all of their part
    by_policy = {}
    for line in lines:
        by_policy.setdefault((line["policy_number"], line["type"]), []).append(
            (
                line["producer_id"],
                line["premium"],
                line["gross_commission"],
                line["split_percent"],
                line["producer_amount"],
            )
        )
    assert by_policy[("HALF-1", "new")] == [
        (alice.pk, "500.01", "150.01", "100.0000", "150.01"),  # the odd cent to the first writer
        (bob.pk, "500.00", "150.00", "100.0000", "150.00"),
    ]
    assert by_policy[("THIRDS-1", "new")] == [
        (alice.pk, "333.30", "33.33", "100.0000", "33.33"),
        (bob.pk, "333.30", "33.33", "100.0000", "33.33"),
        (carol.pk, "333.39", "33.35", "100.0000", "33.35"),
    ]
    assert by_policy[("THIRDS-1", "chargeback")] == [
        (alice.pk, "0.00", "-33.33", "100.0000", "-33.33"),
        (bob.pk, "0.00", "-33.33", "100.0000", "-33.33"),
        (carol.pk, "0.00", "-33.35", "100.0000", "-33.35"),
    ]
    assert by_policy[("POL-1001", "new")] == [(alice.pk, "1200.00", "120.00", "60.0000", "72.00")]


def test_the_batch_totals_equal_its_ledger_lines(api, finalised):
    batch = api.get(f"/v1/imports/{finalised['id']}").json()
    lines = ledger_lines(api)
    rows = api.get(f"/v1/imports/{finalised['id']}/rows?page_size=100").json()["results"]

    assert batch["totals"] == {"premium": str(STATEMENT_PREMIUM), "gross_commission": str(STATEMENT_GROSS)}
    assert (total(lines, "premium"), total(lines, "gross_commission")) == (
        D(batch["totals"]["premium"]),
        D(batch["totals"]["gross_commission"]),
    )
    assert batch["counts"]["transactions"] == len(lines) == 9
    by_id = {line["id"]: line for line in lines}
    for row in rows:  # each statement row equals the lines made from it, to the cent
        made = [by_id[pk] for pk in row["transaction_ids"]]
        assert total(made, "gross_commission") == D(row["gross_commission"]), row["line"]
        assert total(made, "premium") == D(row["premium"] or "0"), row["line"]


def test_the_commission_report_equals_the_statement(api, gql, finalised, alice, bob, carol):
    report = api.get("/v1/reports/commissions?group_by=producer").json()

    assert report["totals"]["premium"] == str(STATEMENT_PREMIUM)
    assert report["totals"]["gross_commission"] == str(STATEMENT_GROSS)
    assert report["totals"]["count"] == 9
    groups = {group["id"]: group for group in report["groups"]}
    assert groups[carol.pk]["gross_commission"] == "0.00"  # 33.35 written, 33.35 taken back
    assert groups[bob.pk]["gross_commission"] == "150.00"
    assert groups[alice.pk]["gross_commission"] == "270.01"  # 150.01 + 120.00
    body = gql(api, '{ commissionReport(groupBy: "carrier") { totals { premium grossCommission count } } }').json()
    assert body["data"]["commissionReport"]["totals"] == {
        "premium": str(STATEMENT_PREMIUM),
        "grossCommission": str(STATEMENT_GROSS),
        "count": 9,
    }


def test_a_chargeback_names_the_line_it_reverses_in_rest_and_graphql(api, gql, finalised, alice, carol):
    lines = ledger_lines(api)
    sales = {
        line["producer_id"]: line for line in lines if line["policy_number"] == "THIRDS-1" and line["type"] == "new"
    }
    chargebacks = [line for line in lines if line["type"] == "chargeback"]

    assert [(c["producer_id"], c["reverses_id"]) for c in chargebacks] == [
        (producer, sales[producer]["id"]) for producer in sorted(sales, key=lambda pk: sales[pk]["id"])
    ]
    assert {line["reverses_id"] for line in lines if line["type"] != "chargeback"} == {None}
    carols = next(c for c in chargebacks if c["producer_id"] == carol.pk)
    assert api.get(f"/v1/transactions/{carols['id']}").json()["reverses_id"] == sales[carol.pk]["id"]
    assert api.get(f"/v1/transactions/{sales[carol.pk]['id']}").json()["reverses_id"] is None

    query = "query($id: ID!) { transaction(id: $id) { databaseId type reversesId } }"
    assert gql(api, query, {"id": str(carols["id"])}).json()["data"]["transaction"] == {
        "databaseId": carols["id"], "type": "chargeback", "reversesId": sales[carol.pk]["id"]
    }  # fmt: skip
    assert gql(api, query, {"id": str(sales[alice.pk]["id"])}).json()["data"]["transaction"]["reversesId"] is None
    listed = gql(api, '{ transactions(filter: {type: "chargeback"}) { edges { node { reversesId } } } }').json()
    assert sorted(edge["node"]["reversesId"] for edge in listed["data"]["transactions"]["edges"]) == sorted(
        sales[pk]["id"] for pk in sales
    )


def test_reverses_id_is_in_the_openapi_schema(client):
    response = client.get("/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    field = json.loads(response.content)["components"]["schemas"]["CommissionTransaction"]["properties"]["reverses_id"]

    assert field["type"] == "integer"
    assert field["nullable"] is True
    assert field["readOnly"] is True


# =============================================================================
# D4: the one check of a manual match, refused alike by REST and GraphQL
# =============================================================================

MATCH = """
mutation($input: ImportRowMatchInput!) { matchImportRow(input: $input) { status producerId } }
"""


@pytest.fixture
def queued_row(api, upload, carrier):
    response = upload(api, "Policy,Agent,Commission,Date\nNEW-1,Stranger,5.00,01/16/2026\n", carrier_id=carrier.pk)
    batch_id = response.json()["id"]
    [row] = api.get(f"/v1/imports/{batch_id}/rows").json()["results"]
    assert row["status"] == "unmatched"
    return row


def test_a_match_naming_neither_producer_nor_policy_is_refused_alike(api, gql, queued_row):
    rest = api.post(f"/v1/imports/{queued_row['batch_id']}/rows/{queued_row['id']}/match", {}, format="json")
    graph = gql(api, MATCH, {"input": {"rowId": str(queued_row["id"])}}).json()

    assert rest.status_code == 422
    assert graph["errors"][0]["extensions"]["status"] == 422
    message = "Pick a producer, a policy, or both (or skip the row)."
    assert rest.json()["errors"] == {"producer_id": [message]}
    assert graph["errors"][0]["extensions"]["errors"] == {"producerId": [message]}


def test_a_match_to_another_carriers_policy_is_refused_alike(api, gql, queued_row, organisation, alice):
    foreign = PolicyFactory(carrier=CarrierFactory(organisation=organisation, code="OTH"), number="OTH-1")
    body = {"policy_id": foreign.pk, "producer_id": alice.pk}

    rest = api.post(f"/v1/imports/{queued_row['batch_id']}/rows/{queued_row['id']}/match", body, format="json")
    graph = gql(
        api,
        MATCH,
        {"input": {"rowId": str(queued_row["id"]), "policyId": str(foreign.pk), "producerId": str(alice.pk)}},
    ).json()

    message = "This policy belongs to another carrier than the statement."
    assert (rest.status_code, rest.json()["errors"]) == (422, {"policy_id": [message]})
    assert graph["errors"][0]["extensions"]["errors"] == {"policyId": [message]}
    assert api.get(f"/v1/imports/{queued_row['batch_id']}/rows/{queued_row['id']}").json()["status"] == "unmatched"
