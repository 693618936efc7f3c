"""Statement imports through the REST API (issue 6 point 3): upload -> processing (the Celery task,
in-process) -> review -> match -> finalise / roll back, with the ledger checked after each step."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from integrations.models import OutboxEvent
from organisations.choices import Role
from payroll.models import Carrier, CommissionTransaction, ImportAlias, ImportBatch, ImportRow
from tests.organisations.factories import OfficeFactory, ProducerFactory, WorkspaceFactory
from tests.payroll.factories import (
    CarrierFactory,
    CommissionRuleFactory,
    CommissionTransactionFactory,
    PolicyFactory,
    PolicyProducerFactory,
)

from .conftest import csv_file

pytestmark = pytest.mark.django_db

D = Decimal
HEADER = "Policy Number,Agent Code,Insured,Written Premium,Comm Amt,Process Date\n"


def batch_of(api, response) -> dict:
    assert response.status_code == 202, response.json()
    return api.get(response["Location"]).json()


def rows_of(api, batch: dict, **params) -> list[dict]:
    query = "&".join(f"{k}={v}" for k, v in {"page_size": 100, **params}.items())
    return api.get(f"/v1/imports/{batch['id']}/rows?{query}").json()["results"]


def ledger(**filters):
    return CommissionTransaction.objects.filter(**filters).order_by("id")


# =============================================================================
# Upload, processing, shape
# =============================================================================


def test_upload_is_accepted_processed_and_reviewed(api, upload, book, carrier):
    text = HEADER + 'POL-1001,A-100,Jane Roe,"$1,200.00",$120.00,01/15/2026\n'

    response = upload(api, text, carrier_id=carrier.pk)

    assert response.status_code == 202
    assert response["Location"] == f"http://testserver/v1/imports/{response.json()['id']}"
    assert response.json()["url"] == response["Location"]
    batch = api.get(response["Location"]).json()
    assert batch["status"] == "review"
    assert batch["progress"] == {"processed": 1, "expected": 1, "percent": 100}
    assert batch["counts"] == {
        "total": 1, "matched": 1, "unmatched": 0, "duplicates": 0, "errors": 0, "skipped": 0, "chargebacks": 0,
        "transactions": 0,
    }  # fmt: skip
    assert batch["totals"] == {"premium": "1200.00", "gross_commission": "120.00"}
    assert batch["currency"] == "USD"
    assert batch["column_mapping"] == {
        "policy_number": "Policy Number", "producer_code": "Agent Code", "customer_name": "Insured",
        "premium": "Written Premium", "gross_commission": "Comm Amt", "transaction_date": "Process Date",
    }  # fmt: skip
    [row] = rows_of(api, batch)
    assert {k: row[k] for k in ("line", "status", "match_method", "confidence", "policy_id", "producer_id")} == {
        "line": 2, "status": "matched", "match_method": "producer_code", "confidence": "1.00",
        "policy_id": book["policy"].pk, "producer_id": book["alice"].pk,
    }  # fmt: skip
    assert row["split_percent"] == "60.0000"  # Alice's split on the policy
    assert row["transaction_date"] == "2026-01-15"
    assert row["statement_period"] == "2026-01"
    assert row["raw"]["Written Premium"] == "$1,200.00"
    assert ledger().count() == 0  # nothing reaches the ledger before finalise


def test_finalise_writes_reconciled_lines(api, upload, book, carrier):
    text = HEADER + "POL-1001,A-100,Jane Roe,1000,100.00,01/15/2026\nPOL-X,B-200,John Doe,500,50.00,01/20/2026\n"
    batch = batch_of(api, upload(api, text, carrier_id=carrier.pk))

    response = api.post(f"/v1/imports/{batch['id']}/finalise", {}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "finalised"
    assert response.json()["counts"]["transactions"] == 2
    lines = list(ledger())
    assert [(t.producer_id, t.policy_id, t.gross_commission, t.split_percent, t.producer_amount) for t in lines] == [
        (book["alice"].pk, book["policy"].pk, D("100.00"), D("60.0000"), D("60.00")),
        (book["bob"].pk, None, D("50.00"), D("100.0000"), D("50.00")),
    ]
    assert {(t.status, t.source, t.statement_period.isoformat()) for t in lines} == {
        ("reconciled", "import", "2026-01-01")
    }
    assert [row["transaction_ids"] for row in rows_of(api, batch)] == [[lines[0].pk], [lines[1].pk]]


def test_header_without_an_amount_column_is_refused(api, upload, carrier):
    response = upload(api, "Policy,Agent\nP-1,A\n", carrier_id=carrier.pk)

    assert response.status_code == 422
    assert "No commission or premium column" in response.json()["errors"]["file"][0]
    assert ImportBatch.objects.count() == 0


def test_a_statement_needs_a_carrier(api, upload):
    response = upload(api, "Policy,Commission\nP-1,10\n")

    assert response.status_code == 422
    assert "carrier_id" in response.json()["errors"]


def test_unsupported_file_is_refused(api, upload, carrier):
    response = upload(api, csv_file("%PDF-1.7 binary", "statement.pdf"), carrier_id=carrier.pk)

    assert response.status_code == 422
    assert response.json()["errors"]["file"] == ["Upload a CSV (.csv) file or an Excel workbook (.xlsx)."]


def test_an_oversized_statement_is_a_413_problem(api, upload, carrier, settings):
    settings.UPLOAD_MAX_BYTES = 1000

    response = upload(api, csv_file("Policy,Commission\n" + "P-1,10.00\n" * 100), carrier_id=carrier.pk)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/payload-too-large")
    assert response.json()["errors"] == {"file": ["Larger than 1000 bytes."]}
    assert ImportBatch.objects.count() == 0
    assert not any(p.is_file() for p in (settings.PRIVATE_FILES_ROOT).rglob("*"))


def test_unknown_field_in_the_mapping_is_refused(api, upload, carrier):
    response = upload(api, "A,B\n1,2\n", carrier_id=carrier.pk, column_mapping={"A": "salary"})

    assert response.status_code == 422
    assert "salary" in response.json()["errors"]["column_mapping"][0]


# =============================================================================
# Column mapping
# =============================================================================


def test_headers_match_case_and_space_insensitively(api, upload, book, carrier):
    text = "  POLICY_NUMBER ,producercode,COMMISSION,transaction date\nPOL-1001,A-100,10.00,01/15/2026\n"

    batch = batch_of(api, upload(api, text, carrier_id=carrier.pk))

    assert batch["column_mapping"] == {
        "policy_number": "POLICY_NUMBER", "producer_code": "producercode", "gross_commission": "COMMISSION",
        "transaction_date": "transaction date",
    }  # fmt: skip
    assert rows_of(api, batch)[0]["status"] == "matched"


def test_saved_carrier_mapping_is_used_and_the_upload_mapping_wins(api, upload, book, carrier):
    carrier.column_mapping = {"Comm Paid": "gross_commission", "Agt": "producer_code", "Extra": "premium"}
    carrier.save()
    text = "Policy,Agt,Comm Paid,Extra,Date\nPOL-1001,A-100,12.00,999,01/15/2026\n"

    batch = batch_of(api, upload(api, text, carrier_id=carrier.pk, column_mapping={"Extra": "ignore"}))

    assert batch["column_mapping"] == {
        "policy_number": "Policy", "producer_code": "Agt", "gross_commission": "Comm Paid",
        "transaction_date": "Date",
    }  # fmt: skip
    [row] = rows_of(api, batch)
    assert (row["gross_commission"], row["premium"]) == ("12.00", None)


def test_save_mapping_keeps_it_on_the_carrier(api, upload, carrier):
    upload(
        api, "Pol,Paid\nP,1\n", carrier_id=carrier.pk, column_mapping={"Paid": "gross_commission"}, save_mapping=True
    )

    carrier.refresh_from_db()
    assert carrier.column_mapping == {"Paid": "gross_commission"}


# =============================================================================
# Normalisation and matching, table-driven through the API
# =============================================================================

NORMALISATION = [
    # (premium cell, commission cell, rate cell, expected premium, expected gross, expected type)
    ('"$1,234.56"', "$123.45", "", "1234.56", "123.45", "new"),
    ("1000", "(12.50)", "", "1000.00", "-12.50", "chargeback"),
    ("1000", "12.50-", "", "1000.00", "-12.50", "chargeback"),
    ("1000", "", "15", "1000.00", "150.00", "new"),
    ("1000", "", "0.15", "1000.00", "150.00", "new"),
    ("1000", "", "12.5%", "1000.00", "125.00", "new"),
    ('"USD 2,000"', "", "0.5%", "2000.00", "10.00", "new"),
]


@pytest.mark.parametrize(("premium", "commission", "rate", "want_premium", "want_gross", "want_type"), NORMALISATION)
def test_amounts_are_normalised(
    api, upload, book, carrier, premium, commission, rate, want_premium, want_gross, want_type
):  # noqa: E501
    text = f"Policy,Agent Code,Premium,Commission,Rate,Date\nPOL-1001,A-100,{premium},{commission},{rate},01/15/2026\n"

    [row] = rows_of(api, batch_of(api, upload(api, text, carrier_id=carrier.pk)))

    assert (row["premium"], row["gross_commission"], row["type"]) == (want_premium, want_gross, want_type)


DATES = [
    # (carrier format, cell, expected date or the error's expected format)
    ("%m/%d/%Y", "03/04/2026", "2026-03-04"),
    ("%d/%m/%Y", "03/04/2026", "2026-04-03"),
    ("%d.%m.%Y", "03.04.2026", "2026-04-03"),
    ("%m/%d/%Y", "2026-03-04", "2026-03-04"),  # ISO is never ambiguous
    ("%Y-%m-%d", "03/04/2026", "YYYY-MM-DD"),  # never guessed: an error naming the format
    ("%m/%d/%Y", "13/04/2026", "MM/DD/YYYY"),
]


@pytest.mark.parametrize(("fmt", "cell", "expected"), DATES)
def test_dates_follow_the_carriers_format(api, upload, organisation, book, fmt, cell, expected):
    carrier = CarrierFactory(organisation=organisation, statement_date_format=fmt)
    text = f"Policy,Agent Code,Commission,Date\nX-1,A-100,10.00,{cell}\n"

    [row] = rows_of(api, batch_of(api, upload(api, text, carrier_id=carrier.pk)))

    if expected[0].isdigit():
        assert (row["status"], row["transaction_date"]) == ("matched", expected)
    else:
        assert row["status"] == "error"
        assert row["errors"] == [
            f'Transaction date: "{cell}" is not a date in the format {expected} (the statement date format).'
        ]  # noqa: E501


def test_statement_period_comes_from_the_upload_else_the_row(api, upload, book, carrier):
    text = (
        "Policy,Agent Code,Commission,Date,Period\nPOL-1001,A-100,1,01/15/2026,2025-12\nPOL-1001,A-100,2,01/15/2026,\n"
    )

    given = rows_of(api, batch_of(api, upload(api, text, carrier_id=carrier.pk, statement_period="2026-02")))
    ImportBatch.objects.all().delete()
    from_rows = rows_of(api, batch_of(api, upload(api, text, carrier_id=carrier.pk)))

    assert [r["statement_period"] for r in given] == ["2026-02", "2026-02"]
    assert [r["statement_period"] for r in from_rows] == ["2025-12", "2026-01"]


def test_gross_comes_from_the_rules_when_the_row_has_none(api, upload, book, carrier):
    CommissionRuleFactory(rule_set__organisation=carrier.organisation, carrier=carrier, rate=D("12"))
    text = "Policy,Agent Code,Premium,Date\nPOL-1001,A-100,1000,01/15/2026\nPOL-1001,A-100,,01/16/2026\n"

    rows = rows_of(api, batch_of(api, upload(api, text, carrier_id=carrier.pk)))

    assert (rows[0]["gross_commission"], rows[0]["commission_rule_id"] is not None) == ("120.00", True)
    assert rows[1]["status"] == "error"
    assert rows[1]["errors"][0].startswith("No gross commission")


MATCHING = [
    # (columns, values, expected producer fixture, method, confidence)
    ("Agent Code", "a-100", "alice", "producer_code", "1.00"),
    ("Agent Email", "ALICE@example.test", "alice", "email", "0.95"),
    ("Agent", "  bob   BROKER ", "bob", "name", "0.90"),
    ("Agent", "Nobody Known", None, "", "0.00"),
]


@pytest.mark.parametrize(("column", "value", "who", "method", "confidence"), MATCHING)
def test_producers_match_by_code_email_or_name(api, upload, book, carrier, column, value, who, method, confidence):
    text = f"{column},Commission,Date\n{value},10,01/15/2026\n"  # no policy number: the producer alone decides

    [row] = rows_of(api, batch_of(api, upload(api, text, carrier_id=carrier.pk)))

    assert row["producer_id"] == (book[who].pk if who else None)
    assert (row["status"], row["match_method"], row["confidence"]) == (
        "matched" if who else "unmatched",
        method,
        confidence,
    )


def test_policy_match_finds_its_writing_producer(api, upload, book, carrier):
    text = "Policy,Commission,Date\n pol-1001 ,10,01/15/2026\n"

    [row] = rows_of(api, batch_of(api, upload(api, text, carrier_id=carrier.pk)))

    assert (row["policy_id"], row["producer_id"], row["match_method"], row["confidence"]) == (
        book["policy"].pk,
        book["alice"].pk,
        "policy",
        "0.95",
    )


def test_the_workspaces_only_producer_is_the_last_resort(api, upload, organisation, carrier):
    workspace = WorkspaceFactory(office__organisation=organisation)
    only = ProducerFactory(workspace=workspace)
    ProducerFactory(workspace__office__organisation=organisation)  # another workspace's
    text = "Customer,Commission,Date\nJane,10,01/15/2026\n"

    [row] = rows_of(api, batch_of(api, upload(api, text, carrier_id=carrier.pk, workspace_id=workspace.pk)))

    assert (row["producer_id"], row["match_method"], row["confidence"]) == (only.pk, "only_producer", "0.60")


def test_a_policy_with_two_writers_becomes_one_line_each(api, upload, carrier, alice, bob):
    policy = PolicyFactory(carrier=carrier, number="SHARED-1")
    PolicyProducerFactory(policy=policy, producer=alice, split_percent=D("70"))
    PolicyProducerFactory(policy=policy, producer=bob, split_percent=D("30"))
    batch = batch_of(api, upload(api, "Policy,Commission,Date\nSHARED-1,200.00,01/15/2026\n", carrier_id=carrier.pk))

    api.post(f"/v1/imports/{batch['id']}/finalise", {}, format="json")

    # each writer's line is their part of the row (issue 13 point 5), all of it theirs
    assert [(t.producer_id, t.gross_commission, t.split_percent, t.producer_amount) for t in ledger()] == [
        (alice.pk, D("140.00"), D("100.0000"), D("140.00")),
        (bob.pk, D("60.00"), D("100.0000"), D("60.00")),
    ]


# =============================================================================
# Duplicates
# =============================================================================


def test_the_same_statement_twice_changes_nothing(api, upload, book, carrier):
    text = HEADER + "POL-1001,A-100,Jane,1000,100.00,01/15/2026\nPOL-2,B-200,John,500,50.00,01/16/2026\n"
    first = batch_of(api, upload(api, text, carrier_id=carrier.pk))
    api.post(f"/v1/imports/{first['id']}/finalise", {}, format="json")
    before = list(ledger().values_list("id", "gross_commission"))

    second = batch_of(api, upload(api, text, carrier_id=carrier.pk))
    finalised = api.post(f"/v1/imports/{second['id']}/finalise", {}, format="json")

    assert second["counts"]["duplicates"] == 2
    assert second["totals"] == {"premium": "0.00", "gross_commission": "0.00"}
    assert [r["warnings"][0] for r in rows_of(api, second)] == [
        f"Already imported (import #{first['id']}, line 2).",
        f"Already imported (import #{first['id']}, line 3).",
    ]
    assert [r["duplicate_of_id"] for r in rows_of(api, second)] == [r["id"] for r in rows_of(api, first)]
    assert finalised.json()["counts"]["transactions"] == 0
    assert list(ledger().values_list("id", "gross_commission")) == before


def test_a_row_repeated_in_the_file_and_a_known_external_id_are_duplicates(api, upload, book, carrier):
    CommissionTransactionFactory(producer=book["bob"], carrier=carrier, external_id="EXT-9")
    text = (
        "Policy,Agent Code,Commission,Date,Transaction ID\n"
        "POL-1001,A-100,10,01/15/2026,\nPOL-1001,A-100,10,01/15/2026,\nPOL-1001,A-100,11,01/15/2026,EXT-9\n"
    )

    rows = rows_of(api, batch_of(api, upload(api, text, carrier_id=carrier.pk)))

    assert [r["status"] for r in rows] == ["matched", "duplicate", "duplicate"]
    assert rows[1]["warnings"][0] == "Repeats line 2 of this file."
    assert rows[1]["duplicate_of_id"] == rows[0]["id"]
    assert rows[2]["warnings"][0] == "A ledger transaction with external id EXT-9 already exists."


# =============================================================================
# Multi-carrier files
# =============================================================================


def test_a_file_with_three_carriers_is_split_into_three_batches(api, upload, book, carrier, organisation):
    text = (
        "Carrier,Policy,Agent Code,Commission,Date\n"
        "Acme Mutual,POL-1001,A-100,10,2026-01-15\n"
        " acm ,POL-1001,A-100,11,2026-01-16\n"
        "Beacon Life,B-1,B-200,20,2026-01-15\n"
        "Cobalt Re,C-1,B-200,30,2026-01-15\n"
        ",C-2,B-200,40,2026-01-15\n"
    )

    parent = batch_of(api, upload(api, text))

    assert parent["status"] == "split"
    assert parent["counts"]["total"] == 5 and parent["counts"]["errors"] == 1
    assert parent["errors"] == [
        {"row_id": parent["errors"][0]["row_id"], "batch_id": parent["id"], "line": 6,
         "reasons": ["Carrier: empty; every row of a file with a carrier column needs one."]},
    ]  # fmt: skip
    children = [api.get(f"/v1/imports/{pk}").json() for pk in parent["children_ids"]]
    assert [(c["carrier_name"], c["counts"]["total"], c["totals"]["gross_commission"]) for c in children] == [
        ("Acme Mutual", 2, "21.00"),
        ("Beacon Life", 1, "20.00"),
        ("Cobalt Re", 1, "30.00"),
    ]
    assert {c["status"] for c in children} == {"review"}
    assert set(Carrier.objects.filter(organisation=organisation).values_list("name", "code")) == {
        ("Acme Mutual", "ACM"), ("Beacon Life", "BEACONLIFE"), ("Cobalt Re", "COBALTRE"),
    }  # fmt: skip

    finalised = api.post(f"/v1/imports/{parent['id']}/finalise", {"skip_unresolved": True}, format="json")

    assert finalised.status_code == 200, finalised.json()
    assert sorted(ledger().values_list("carrier__name", "gross_commission")) == [
        ("Acme Mutual", D("10.00")), ("Acme Mutual", D("11.00")), ("Beacon Life", D("20.00")),
        ("Cobalt Re", D("30.00")),
    ]  # fmt: skip
    assert {api.get(f"/v1/imports/{pk}").json()["status"] for pk in parent["children_ids"]} == {"finalised"}


# =============================================================================
# Chargebacks, finalise and rollback
# =============================================================================


def test_a_chargeback_is_linked_to_the_line_it_takes_back(api, upload, book, carrier):
    sale = batch_of(api, upload(api, "Policy,Commission,Date\nPOL-1001,100.00,01/15/2026\n", carrier_id=carrier.pk))
    api.post(f"/v1/imports/{sale['id']}/finalise", {}, format="json")
    original = ledger().get()
    refund = "Policy,Commission,Date,Type\nPOL-1001,(100.00),02/15/2026,CB\nPOL-1001,-5,02/16/2026,new\n"

    batch = batch_of(api, upload(api, refund, carrier_id=carrier.pk))
    api.post(f"/v1/imports/{batch['id']}/finalise", {}, format="json")

    assert batch["counts"]["chargebacks"] == 2
    chargebacks = list(ledger(type="chargeback"))
    assert [(t.gross_commission, t.reverses_id, t.producer_amount) for t in chargebacks] == [
        (D("-100.00"), original.pk, D("-60.00")),
        (D("-5.00"), original.pk, D("-3.00")),
    ]


def test_a_positive_chargeback_is_an_error(api, upload, book, carrier):
    [row] = rows_of(
        api,
        batch_of(api, upload(api, "Policy,Commission,Date,Type\nPOL-1001,5,01/15/2026,CB\n", carrier_id=carrier.pk)),
    )

    assert row["status"] == "error"
    assert row["errors"] == ["Gross commission: a chargeback takes commission back, so it must be negative."]


def test_nothing_is_finalised_while_rows_need_attention(api, upload, book, carrier):
    text = (
        "Policy,Agent,Commission,Date\nPOL-1001,,10,01/15/2026\nNEW-1,Stranger,20,01/15/2026\nNEW-2,,oops,01/15/2026\n"
    )
    batch = batch_of(api, upload(api, text, carrier_id=carrier.pk))

    refused = api.post(f"/v1/imports/{batch['id']}/finalise", {}, format="json")

    assert refused.status_code == 409
    assert refused["Content-Type"] == "application/problem+json"
    assert [(r["line"], r["status"]) for r in refused.json()["rows"]] == [(3, "unmatched"), (4, "error")]
    assert ledger().count() == 0
    assert api.get(f"/v1/imports/{batch['id']}").json()["status"] == "review"

    skipped = api.post(f"/v1/imports/{batch['id']}/finalise", {"skip_unresolved": True}, format="json")

    assert (skipped.json()["counts"]["skipped"], skipped.json()["counts"]["transactions"]) == (2, 1)
    assert ledger().count() == 1


def test_every_bad_row_is_reported_with_its_line(api, upload, book, carrier):
    text = (
        "Policy,Agent Code,Premium,Commission,Date,Type\n"
        "POL-1001,A-100,abc,10,01/15/2026,new\n"
        "POL-1001,A-100,100,12,5,01/15/2026,new\n"
        "POL-1001,A-100,100,10,2026/13/01,new\n"
        "POL-1001,A-100,100,10,01/15/2026,bonus\n"
        "POL-1001,A-100,100,10,01/15/2026,new\n"
    )

    batch = batch_of(api, upload(api, text, carrier_id=carrier.pk))

    assert [(e["line"], e["reasons"]) for e in batch["errors"]] == [
        (2, ['Premium: "abc" is not an amount.']),
        (3, ['Transaction date: "5" is not a date in the format MM/DD/YYYY (the statement date format).',
             'Type: "01/15/2026" is not a transaction type; use new, renewal, chargeback or adjustment.']),
        (4, ['Transaction date: "2026/13/01" is not a date in the format MM/DD/YYYY (the statement date format).']),
        (5, ['Type: "bonus" is not a transaction type; use new, renewal, chargeback or adjustment.']),
    ]  # fmt: skip
    assert batch["counts"]["errors"] == 4 and batch["counts"]["matched"] == 1


def test_rollback_of_a_finalised_import_removes_its_lines_and_frees_the_statement(api, upload, book, carrier):
    text = "Policy,Commission,Date\nPOL-1001,10,01/15/2026\n"
    batch = batch_of(api, upload(api, text, carrier_id=carrier.pk))
    api.post(f"/v1/imports/{batch['id']}/finalise", {}, format="json")
    manual = CommissionTransactionFactory(producer=book["bob"], carrier=carrier)

    response = api.post(f"/v1/imports/{batch['id']}/rollback")

    assert response.status_code == 200
    assert response.json()["status"] == "rolled_back"
    assert list(ledger().values_list("id", flat=True)) == [manual.pk]
    again = batch_of(api, upload(api, text, carrier_id=carrier.pk))
    assert again["counts"]["matched"] == 1  # no longer a duplicate
    assert api.post(f"/v1/imports/{batch['id']}/rollback").status_code == 409


def test_rollback_is_refused_once_a_line_was_approved(api, upload, book, carrier):
    batch = batch_of(api, upload(api, "Policy,Commission,Date\nPOL-1001,10,01/15/2026\n", carrier_id=carrier.pk))
    api.post(f"/v1/imports/{batch['id']}/finalise", {}, format="json")
    line = ledger().get()
    assert api.post(f"/v1/transactions/{line.pk}/transition", {"status": "approved"}, format="json").status_code == 200

    response = api.post(f"/v1/imports/{batch['id']}/rollback")

    assert response.status_code == 409
    assert response.json()["transaction_ids"] == [line.pk]
    assert ledger().get().pk == line.pk
    assert api.get(f"/v1/imports/{batch['id']}").json()["status"] == "finalised"


def test_a_finalised_import_cannot_be_finalised_again(api, upload, book, carrier):
    batch = batch_of(api, upload(api, "Policy,Commission,Date\nPOL-1001,10,01/15/2026\n", carrier_id=carrier.pk))
    api.post(f"/v1/imports/{batch['id']}/finalise", {}, format="json")

    again = api.post(f"/v1/imports/{batch['id']}/finalise", {}, format="json")

    assert again.status_code == 409
    assert again.json()["current_status"] == "finalised"
    assert ledger().count() == 1


# =============================================================================
# The exception queue and alias learning
# =============================================================================


def test_matching_a_row_learns_the_alias_for_the_next_statement(api, upload, book, carrier):
    text = "Policy,Agent,Commission,Date\nNEW-1,Ally A.,10,01/15/2026\nNEW-2,ally a.,20,01/16/2026\n"
    batch = batch_of(api, upload(api, text, carrier_id=carrier.pk))
    queue = rows_of(api, batch, needs_attention="true")
    assert [r["line"] for r in queue] == [2, 3]

    matched = api.post(
        f"/v1/imports/{batch['id']}/rows/{queue[0]['id']}/match", {"producer_id": book["alice"].pk}, format="json"
    )

    assert matched.status_code == 200, matched.json()
    assert (matched.json()["match_method"], matched.json()["confidence"]) == ("person", "1.00")
    assert rows_of(api, batch, needs_attention="true") == []  # the same text matched at once
    assert rows_of(api, batch)[1]["match_method"] == "alias"
    assert ImportAlias.objects.get().text == "allya."
    nxt = batch_of(
        api, upload(api, "Policy,Agent,Commission,Date\nNEW-3, ALLY A. ,30,01/20/2026\n", carrier_id=carrier.pk)
    )
    [row] = rows_of(api, nxt)
    assert (row["producer_id"], row["match_method"]) == (book["alice"].pk, "alias")


def test_a_corrected_policy_number_is_learned_for_the_carrier(api, upload, book, carrier):
    batch = batch_of(api, upload(api, "Policy,Commission,Date\nP1001,10,01/15/2026\n", carrier_id=carrier.pk))
    [row] = rows_of(api, batch)

    api.post(f"/v1/imports/{batch['id']}/rows/{row['id']}/match", {"policy_id": book["policy"].pk}, format="json")
    later = batch_of(api, upload(api, "Policy,Commission,Date\np1001,11,01/16/2026\n", carrier_id=carrier.pk))

    assert rows_of(api, later)[0]["policy_id"] == book["policy"].pk
    assert rows_of(api, later)[0]["producer_id"] == book["alice"].pk


def test_rows_can_be_skipped_but_errors_cannot_be_matched(api, upload, book, carrier):
    batch = batch_of(api, upload(api, "Policy,Commission,Date\nX,oops,01/15/2026\n", carrier_id=carrier.pk))
    [row] = rows_of(api, batch)
    url = f"/v1/imports/{batch['id']}/rows/{row['id']}/match"

    refused = api.post(url, {"producer_id": book["bob"].pk}, format="json")
    skipped = api.post(url, {"skip": True}, format="json")

    assert refused.status_code == 409
    assert skipped.json()["status"] == "skipped"
    assert api.get(f"/v1/imports/{batch['id']}").json()["counts"]["skipped"] == 1


def test_a_policy_of_another_carrier_is_refused(api, upload, book, carrier, organisation):
    other = PolicyFactory(carrier=CarrierFactory(organisation=organisation))
    batch = batch_of(api, upload(api, "Policy,Commission,Date\nX,1,01/15/2026\n", carrier_id=carrier.pk))
    [row] = rows_of(api, batch)

    response = api.post(f"/v1/imports/{batch['id']}/rows/{row['id']}/match", {"policy_id": other.pk}, format="json")

    assert response.status_code == 422
    assert response.json()["errors"]["policy_id"] == ["This policy belongs to another carrier than the statement."]


# =============================================================================
# XLSX, JSON payouts, Idempotency-Key, events
# =============================================================================


def test_xlsx_upload(api, upload, book, carrier):
    import datetime

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Policy Number", "Agent Code", "Premium", "Commission", "Date"])
    sheet.append(["POL-1001", "A-100", 1200.5, 120, datetime.datetime(2026, 1, 15)])
    sheet.append([None, None, None, None, None])
    sheet.append([1002, "B-200", "$300.00", "(30.00)", "01/16/2026"])
    content = io.BytesIO()
    workbook.save(content)
    content.seek(0)
    content.name = "statement.xlsx"

    batch = batch_of(api, upload(api, content, carrier_id=carrier.pk))

    assert batch["source"] == "xlsx"
    rows = rows_of(api, batch)
    assert [
        (r["line"], r["policy_number"], r["premium"], r["gross_commission"], r["transaction_date"]) for r in rows
    ] == [
        (2, "POL-1001", "1200.50", "120.00", "2026-01-15"),
        (4, "1002", "300.00", "-30.00", "2026-01-16"),
    ]


def test_json_payouts(api, post_json, book, carrier):
    payouts = [
        {
            "external_id": "PAY-1",
            "policy_number": "POL-1001",
            "gross_commission": "25.00",
            "transaction_date": "2026-01-05",
        },
        {
            "external_id": "PAY-2",
            "producer_email": "bob@example.test",
            "gross_commission": 12.5,
            "transaction_date": "2026-01-06",
        },
        "not an object",
    ]

    bare = post_json(api, payouts)
    wrapped = post_json(api, {"payouts": payouts[:2], "carrier_id": carrier.pk})

    assert bare.status_code == 422  # a bare array has no carrier_id
    assert wrapped.status_code == 202
    batch = api.get(wrapped["Location"]).json()
    assert batch["source"] == "json"
    assert [(r["line"], r["producer_id"], r["gross_commission"]) for r in rows_of(api, batch)] == [
        (1, book["alice"].pk, "25.00"),
        (2, book["bob"].pk, "12.50"),
    ]
    again = post_json(api, {"payouts": payouts[:2], "carrier_id": carrier.pk, "statement_period": "2026-01"})
    assert api.get(again["Location"]).json()["counts"]["duplicates"] == 2  # the same external ids


def test_a_payout_that_is_no_object_is_refused(api, post_json, carrier):
    response = post_json(api, {"payouts": [{"gross_commission": "1"}, 7], "carrier_id": carrier.pk})

    assert response.status_code == 422


def test_idempotency_key_replay_creates_one_batch(api, upload, book, carrier):
    text = "Policy,Commission,Date\nPOL-1001,10,01/15/2026\n"
    headers = {"HTTP_IDEMPOTENCY_KEY": "statement-2026-01"}

    first = upload(api, text, carrier_id=carrier.pk, headers=headers)
    second = upload(api, text, carrier_id=carrier.pk, headers=headers)

    assert (first.status_code, second.status_code) == (202, 202)
    assert second["Idempotent-Replayed"] == "true"
    assert second.json()["id"] == first.json()["id"]
    assert ImportBatch.objects.count() == 1


def test_the_completed_event_is_recorded_once_per_batch(api, upload, book, carrier):
    text = "Carrier,Policy,Commission,Date\nAcme Mutual,POL-1001,10.50,2026-01-15\nBeacon,B-1,(2.00),2026-01-15\n"

    parent = batch_of(api, upload(api, text))

    events = list(OutboxEvent.objects.filter(topic="import.batch.completed").order_by("id"))
    assert [e.payload["id"] for e in events] == parent["children_ids"]
    assert events[0].payload == {
        "id": parent["children_ids"][0], "parent_id": parent["id"], "carrier_id": carrier.pk, "workspace_id": None,
        "source": "csv", "status": "review", "statement_period": None,
        "url": f"/v1/imports/{parent['children_ids'][0]}",
        "counts": {"total": 1, "matched": 1, "unmatched": 0, "duplicates": 0, "errors": 0, "skipped": 0,
                   "chargebacks": 0, "transactions": 0},
        "totals": {"premium": "0.00", "gross_commission": "10.50", "currency": "USD"},
    }  # fmt: skip
    assert not OutboxEvent.objects.filter(topic="payroll.transaction.created").exists()

    api.post(f"/v1/imports/{parent['id']}/finalise", {"skip_unresolved": True}, format="json")

    assert OutboxEvent.objects.filter(topic="import.batch.completed").count() == 2
    assert OutboxEvent.objects.filter(topic="import.batch.finalised").count() == 2
    assert not OutboxEvent.objects.filter(topic="payroll.transaction.created").exists()


# =============================================================================
# Roles and tenancy
# =============================================================================


def test_a_manager_imports_for_their_office_only(api, upload, manager_api, organisation, office, carrier, alice):
    elsewhere = ProducerFactory(workspace__office=OfficeFactory(organisation=organisation), producer_code="Z-9")
    manager = manager_api()
    text = "Policy,Agent Code,Commission,Date\nN-1,A-100,10,01/15/2026\nN-2,Z-9,20,01/15/2026\n"
    owners = batch_of(api, upload(api, text, carrier_id=carrier.pk))

    mine = batch_of(manager, upload(manager, text.replace("N-", "M-"), carrier_id=carrier.pk))

    assert [r["producer_id"] for r in rows_of(manager, mine)] == [alice.pk, None]  # Z-9 is another office's
    listed = [b["id"] for b in manager.get("/v1/imports").json()["results"]]
    assert listed == [mine["id"]]
    assert manager.get(f"/v1/imports/{owners['id']}").status_code == 404
    [stranger] = rows_of(manager, mine, needs_attention="true")
    refused = manager.post(
        f"/v1/imports/{mine['id']}/rows/{stranger['id']}/match", {"producer_id": elsewhere.pk}, format="json"
    )
    assert refused.status_code == 422  # another office's producer is not one they can see


@pytest.mark.parametrize("role", [Role.PRODUCER, Role.HR, Role.EMPLOYEE])
def test_other_roles_see_nothing_and_cannot_import(api, upload, manager_api, book, carrier, role):
    batch = batch_of(api, upload(api, "Policy,Commission,Date\nPOL-1001,10,01/15/2026\n", carrier_id=carrier.pk))
    client = manager_api(role=role)

    listed = client.get("/v1/imports")
    created = upload(client, "Policy,Commission,Date\nPOL-1001,11,01/15/2026\n", carrier_id=carrier.pk)

    assert (listed.status_code, listed.json()["results"]) == (200, [])
    assert client.get(f"/v1/imports/{batch['id']}").status_code == 404
    assert created.status_code == 403
    assert client.post(f"/v1/imports/{batch['id']}/finalise", {}, format="json").status_code == 404


def test_writes_need_the_write_scope(make_api_client, organisation, upload, carrier):
    reader = make_api_client(organisation, scopes=["transactions.read"])

    response = upload(reader, "Policy,Commission\nP,1\n", carrier_id=carrier.pk)

    assert response.status_code == 403
    assert response.json()["required_scope"] == "transactions.write"


def test_another_tenants_rows_are_404(api, other_api, upload, book, carrier):
    batch = batch_of(api, upload(api, "Policy,Commission,Date\nX-1,10,01/15/2026\n", carrier_id=carrier.pk))
    [row] = rows_of(api, batch)
    theirs = batch_of(
        other_api,
        upload(
            other_api,
            "Policy,Commission,Date\nX-1,10,2026-01-15\n",
            carrier_id=CarrierFactory(organisation=other_api.application.organisation).pk,
        ),
    )  # noqa: E501
    [their_row] = rows_of(other_api, theirs)

    responses = [
        api.get(f"/v1/imports/{theirs['id']}/rows/{their_row['id']}"),
        api.post(f"/v1/imports/{theirs['id']}/rows/{their_row['id']}/match", {"skip": True}, format="json"),
        api.post(f"/v1/imports/{batch['id']}/rows/{their_row['id']}/match", {"skip": True}, format="json"),
        api.get(f"/v1/imports/{batch['id']}/rows/{their_row['id']}"),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert ImportRow.objects.get(pk=their_row["id"]).status == "unmatched"
    assert api.get(f"/v1/imports/{batch['id']}/rows/{row['id']}").status_code == 200


def test_carrier_or_workspace_of_another_tenant_is_refused(api, upload, other_organisation):
    their_carrier = CarrierFactory(organisation=other_organisation)
    their_workspace = WorkspaceFactory(office__organisation=other_organisation)

    responses = [
        upload(api, "Policy,Commission\nP,1\n", carrier_id=their_carrier.pk),
        upload(api, "Policy,Commission,Carrier\nP,1,X\n", workspace_id=their_workspace.pk),
    ]

    assert [r.status_code for r in responses] == [422, 422]
    assert all("object does not exist" in str(r.json()["errors"]) for r in responses)
    assert ImportBatch.objects.count() == 0


def test_a_file_is_stored_privately(api, upload, carrier, settings):
    response = upload(api, csv_file("Policy,Commission\nP,1\n"), carrier_id=carrier.pk)

    batch = ImportBatch.objects.get(pk=response.json()["id"])
    path = settings.PRIVATE_FILES_ROOT / batch.file_path
    assert path.read_text() == "Policy,Commission\nP,1\n"
    assert str(batch.file_path).startswith(f"imports/{carrier.organisation_id}/")
