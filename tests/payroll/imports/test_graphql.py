"""Statement imports through GraphQL (issue 6 point 7): the same services, scopes and tenancy as REST."""

from __future__ import annotations

import json

import pytest

from payroll.models import CommissionTransaction, ImportBatch

pytestmark = pytest.mark.django_db

IMPORT = """
mutation($input: ImportTransactionsInput!) {
  importTransactions(input: $input) { databaseId status counts { total matched unmatched } carrier { name } }
}
"""
BATCH = """
query($id: ID!) {
  importBatch(id: $id) {
    databaseId status progressPercent grossTotal currency errors { line reasons }
    counts { total matched unmatched errors transactions }
  }
  importRows(filter: {batchId: $id, needsAttention: true}) { totalCount edges { node { databaseId line status } } }
}
"""


def run(gql, client, query, variables, committed=None):
    if committed is None:
        return gql(client, query, variables).json()
    with committed():
        return gql(client, query, variables).json()


def test_import_match_and_finalise(api, gql, committed, book, carrier):
    csv = (
        "Policy,Agent,Commission,Date\nPOL-1001,,10.00,01/15/2026\nNEW-1,Stranger,5.00,01/16/2026\nX,,bad,01/16/2026\n"
    )

    created = run(gql, api, IMPORT, {"input": {"csv": csv, "carrierId": str(carrier.pk)}}, committed)

    assert "errors" not in created, created
    batch_id = created["data"]["importTransactions"]["databaseId"]
    body = run(gql, api, BATCH, {"id": str(batch_id)})
    assert body["data"]["importBatch"]["status"] == "review"
    assert body["data"]["importBatch"]["counts"] == {
        "total": 3, "matched": 1, "unmatched": 1, "errors": 1, "transactions": 0
    }  # fmt: skip
    assert body["data"]["importBatch"]["errors"] == [
        {"line": 4, "reasons": ['Gross commission: "bad" is not an amount.']}
    ]
    queue = [e["node"] for e in body["data"]["importRows"]["edges"]]
    assert [(r["line"], r["status"]) for r in queue] == [(3, "unmatched"), (4, "error")]

    matched = run(gql, api, """
      mutation($input: ImportRowMatchInput!) { matchImportRow(input: $input) { status matchMethod producerId } }
    """, {"input": {"rowId": str(queue[0]["databaseId"]), "producerId": str(book["bob"].pk)}})  # fmt: skip
    refused = run(gql, api, """
      mutation($input: ImportBatchActionInput!) { finaliseImportBatch(input: $input) { status } }
    """, {"input": {"batchId": str(batch_id)}})  # fmt: skip
    finalised = run(gql, api, """
      mutation($input: ImportBatchActionInput!) {
        finaliseImportBatch(input: $input) { status counts { transactions skipped } }
      }
    """, {"input": {"batchId": str(batch_id), "skipUnresolved": True}})  # fmt: skip

    assert matched["data"]["matchImportRow"] == {
        "status": "matched",
        "matchMethod": "person",
        "producerId": book["bob"].pk,
    }
    assert refused["errors"][0]["extensions"]["status"] == 409
    assert finalised["data"]["finaliseImportBatch"] == {
        "status": "finalised",
        "counts": {"transactions": 2, "skipped": 1},
    }
    assert CommissionTransaction.objects.count() == 2

    rolled = run(gql, api, """
      mutation($input: ImportBatchActionInput!) { rollbackImportBatch(input: $input) { status } }
    """, {"input": {"batchId": str(batch_id)}})  # fmt: skip

    assert rolled["data"]["rollbackImportBatch"] == {"status": "rolled_back"}
    assert CommissionTransaction.objects.count() == 0


def test_json_payouts(api, gql, committed, book, carrier):
    payouts = [{"policy_number": "POL-1001", "gross_commission": "7.25", "transaction_date": "2026-01-03"}]

    body = run(gql, api, IMPORT, {"input": {"payouts": json.dumps(payouts), "carrierId": str(carrier.pk)}}, committed)

    batch = ImportBatch.objects.get(pk=body["data"]["importTransactions"]["databaseId"])
    assert (batch.source, batch.status, str(batch.gross_total)) == ("json", "review", "7.25")


def test_validation_errors_name_the_input(api, gql, carrier, other_organisation):
    from tests.payroll.factories import CarrierFactory

    theirs = CarrierFactory(organisation=other_organisation)

    no_amount = gql(api, IMPORT, {"input": {"csv": "Policy\nP-1\n", "carrierId": str(carrier.pk)}}).json()
    foreign = gql(api, IMPORT, {"input": {"csv": "Policy,Commission\nP,1\n", "carrierId": str(theirs.pk)}}).json()

    assert no_amount["errors"][0]["extensions"]["status"] == 422
    assert "csv" in no_amount["errors"][0]["extensions"]["errors"]
    assert foreign["errors"][0]["extensions"]["errors"] == {
        "carrierId": [f'Invalid pk "{theirs.pk}" - object does not exist.']
    }
    assert ImportBatch.objects.count() == 0


def test_scopes(make_api_client, organisation, gql, carrier):
    reader = make_api_client(organisation, scopes=["transactions.read"])
    nobody = make_api_client(organisation, scopes=["workspaces.read"])

    write = gql(reader, IMPORT, {"input": {"csv": "Policy,Commission\nP,1\n", "carrierId": str(carrier.pk)}}).json()
    read = gql(nobody, "{ importBatches(first: 5) { totalCount } }").json()

    assert write["errors"][0]["extensions"]["required_scope"] == "transactions.write"
    assert read["errors"][0]["extensions"]["required_scope"] == "transactions.read"


def test_import_batches_list_costs_the_same_for_one_or_many(api, gql, organisation, count_queries):
    from .factories import make_import

    query = "{ importBatches(first: 100) { edges { node { databaseId status carrier { name } childrenIds counts { total } errors { line } } } } }"  # noqa: E501
    make_import(organisation, n=0)
    one = count_queries(lambda: gql(api, query))
    for n in range(1, 6):
        make_import(organisation, n=n)

    many = count_queries(lambda: gql(api, query))

    assert len(gql(api, query).json()["data"]["importBatches"]["edges"]) == 6
    assert many == one
