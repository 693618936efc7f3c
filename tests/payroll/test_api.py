"""REST wiring of the ledger: shapes, money as strings with a currency, scopes, filters,
409 for illegal transitions and edits, overrides (single and bulk) and their tenancy."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payroll.models import CommissionOverride, CommissionTransaction
from tests.organisations.factories import ProducerFactory

from .factories import (
    CarrierFactory,
    CategoryFactory,
    CommissionRuleFactory,
    CommissionTransactionFactory,
    PolicyFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def producer(organisation):
    return ProducerFactory(workspace__office__organisation=organisation, default_split_percent=D("50"))


@pytest.fixture
def carrier(organisation):
    return CarrierFactory(organisation=organisation, name="Acme Mutual", code="ACM")


@pytest.fixture
def txn(producer):
    return CommissionTransactionFactory(producer=producer)


# =============================================================================
# Reference data, rule sets and policies
# =============================================================================


def test_carrier_create_and_update(api):
    created = api.post(
        "/v1/carriers",
        {"name": "Beacon", "code": "BCN", "statement_date_format": "%d/%m/%Y", "column_mapping": {"Comm": "gross"}},
        format="json",
    )
    duplicate = api.post("/v1/carriers", {"name": "Other", "code": "BCN"}, format="json")
    patched = api.patch(f"/v1/carriers/{created.json()['id']}", {"name": "Beacon Re"}, format="json")

    assert created.status_code == 201, created.json()
    body = created.json()
    assert {k: body[k] for k in ("name", "code", "statement_date_format", "default_rule_set_id", "column_mapping")} == {
        "name": "Beacon",
        "code": "BCN",
        "statement_date_format": "%d/%m/%Y",
        "default_rule_set_id": None,
        "column_mapping": {"Comm": "gross"},
    }
    assert duplicate.status_code == 422
    assert patched.json()["name"] == "Beacon Re"


def test_rule_set_with_nested_rules(api, organisation, carrier):
    auto = CategoryFactory(organisation=organisation, name="Auto")

    response = api.post(
        "/v1/commission-rules",
        {
            "name": "Standard",
            "version": 2,
            "effective_from": "2026-01-01",
            "rules": [
                {"basis": "percent_of_premium", "rate": "12.5", "line_of_business_id": auto.pk, "priority": 10},
                {"basis": "flat", "amount": "25.00", "carrier_id": carrier.pk, "business_type": "renewal"},
            ],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["version"], body["active"], body["currency"]) == ("Standard", 2, True, "USD")
    assert [(r["basis"], r["rate"], r["amount"], r["line_of_business_id"], r["carrier_id"]) for r in body["rules"]] == [
        ("percent_of_premium", "12.5000", None, auto.pk, None),
        ("flat", None, "25.00", None, carrier.pk),
    ]


def test_rule_set_rule_errors_name_the_rule(api):
    response = api.post(
        "/v1/commission-rules",
        {"name": "Bad", "effective_from": "2026-01-01", "rules": [{"basis": "flat"}]},
        format="json",
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {"rules[0].amount": ["A flat rule needs an amount."]}


def test_policy_with_producers_whose_splits_total_100(api, carrier, producer):
    second = ProducerFactory(workspace=producer.workspace)
    body = {
        "number": "POL-1",
        "carrier_id": carrier.pk,
        "premium": "1200.00",
        "effective_date": "2026-01-01",
        "expiry_date": "2026-12-31",
        "producers": [
            {"producer_id": producer.pk, "split_percent": "70"},
            {"producer_id": second.pk, "split_percent": "20"},
        ],
    }

    refused = api.post("/v1/policies", body, format="json")
    body["producers"][1]["split_percent"] = "30"
    created = api.post("/v1/policies", body, format="json")

    assert refused.status_code == 422
    assert refused.json()["errors"] == {"producers": ["The splits must total 100; they total 90."]}
    assert created.status_code == 201
    assert created.json()["premium"] == "1200.00"
    assert created.json()["currency"] == "USD"
    assert [(p["producer_id"], p["split_percent"]) for p in created.json()["producers"]] == [
        (producer.pk, "70.0000"),
        (second.pk, "30.0000"),
    ]


def test_another_tenants_related_ids_are_refused_as_missing(api, other_organisation, producer, carrier):
    theirs = CarrierFactory(organisation=other_organisation)
    their_producer = ProducerFactory(workspace__office__organisation=other_organisation)

    responses = [
        api.post(
            "/v1/policies", {"number": "X", "carrier_id": theirs.pk, "effective_date": "2026-01-01"}, format="json"
        ),
        api.post(
            "/v1/transactions",
            {
                "producer_id": their_producer.pk,
                "carrier_id": carrier.pk,
                "transaction_date": "2026-01-15",
                "gross_commission": "1.00",
            },
            format="json",
        ),
        api.post(
            "/v1/transactions",
            {
                "producer_id": producer.pk,
                "carrier_id": theirs.pk,
                "transaction_date": "2026-01-15",
                "gross_commission": "1.00",
            },
            format="json",
        ),
    ]

    assert [r.status_code for r in responses] == [422, 422, 422]
    assert all("object does not exist" in str(r.json()["errors"]) for r in responses)


# =============================================================================
# Transactions
# =============================================================================


def test_create_a_line_whose_gross_comes_from_the_rules(api, organisation, producer, carrier):
    CommissionRuleFactory(rule_set__organisation=organisation, rate=D("10"))

    response = api.post(
        "/v1/transactions",
        {
            "producer_id": producer.pk,
            "carrier_id": carrier.pk,
            "transaction_date": "2026-02-14",
            "premium": "1234.56",
            "producer_amount": "9999.99",
            "status": "paid",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["Location"].endswith(f"/v1/transactions/{body['id']}")
    assert {
        k: body[k]
        for k in (
            "statement_period",
            "premium",
            "gross_commission",
            "split_percent",
            "base_amount",
            "producer_amount",
            "currency",
            "status",
            "source",
            "type",
            "workspace_id",
        )
    } == {
        "statement_period": "2026-02",
        "premium": "1234.56",
        "gross_commission": "123.46",
        "split_percent": "50.0000",
        "base_amount": "61.73",
        "producer_amount": "61.73",
        "currency": "USD",
        "status": "pending",
        "source": "api",
        "type": "new",
        "workspace_id": producer.workspace_id,
    }


def test_carrier_defaults_to_the_policys(api, producer, organisation):
    policy = PolicyFactory(carrier__organisation=organisation)

    response = api.post(
        "/v1/transactions",
        {
            "producer_id": producer.pk,
            "policy_id": policy.pk,
            "transaction_date": "2026-01-15",
            "gross_commission": "10.00",
            "source": "manual",
        },
        format="json",
    )
    missing = api.post(
        "/v1/transactions", {"producer_id": producer.pk, "transaction_date": "2026-01-15"}, format="json"
    )

    assert (response.json()["carrier_id"], response.json()["source"]) == (policy.carrier_id, "manual")
    assert missing.status_code == 422
    assert missing.json()["errors"] == {"carrier_id": ["This field is required without policy_id."]}


def test_patch_while_pending_and_409_once_approved(api, txn):
    patched = api.patch(
        f"/v1/transactions/{txn.pk}", {"gross_commission": "300.00", "split_percent": "40"}, format="json"
    )
    CommissionTransaction.objects.filter(pk=txn.pk).update(status="approved")
    refused = api.patch(f"/v1/transactions/{txn.pk}", {"notes": "late"}, format="json")

    assert patched.status_code == 200
    assert patched.json()["producer_amount"] == "120.00"
    assert refused.status_code == 409
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["current_status"] == "approved"


def test_transition_legal_and_illegal(api, txn):
    legal = api.post(f"/v1/transactions/{txn.pk}/transition", {"status": "reconciled"}, format="json")
    illegal = api.post(f"/v1/transactions/{txn.pk}/transition", {"status": "paid"}, format="json")
    unknown = api.post(f"/v1/transactions/{txn.pk}/transition", {"status": "lost"}, format="json")

    assert (legal.status_code, legal.json()["status"]) == (200, "reconciled")
    assert illegal.status_code == 409
    assert illegal.json()["allowed"] == ["approved", "disputed", "pending"]
    assert unknown.status_code == 422
    assert CommissionTransaction.objects.get(pk=txn.pk).status == "reconciled"


def test_override_twice_does_not_compound(api, txn):
    url = f"/v1/transactions/{txn.pk}/overrides"
    first = api.post(url, {"kind": "split", "value": "50", "reason": "Shared sale"}, format="json")
    second = api.post(url, {"kind": "split", "value": "50", "reason": "Shared sale"}, format="json")

    assert first.status_code == 201, first.json()
    body = second.json()
    assert (body["gross_commission"], body["base_amount"], body["producer_amount"]) == ("100.00", "100.00", "50.00")
    assert body["latest_override"]["resulting_amount"] == "50.00"
    assert [(o["kind"], o["value"], o["previous_amount"]) for o in body["overrides"]] == [
        ("split", "50.0000", "50.00"),
        ("split", "50.0000", "100.00"),
    ]


def test_bulk_override(api, producer):
    lines = [CommissionTransactionFactory(producer=producer) for _ in range(3)]

    response = api.post(
        "/v1/transactions/overrides/bulk",
        {"transaction_ids": [t.pk for t in lines], "kind": "flat", "value": "12.34", "reason": "Campaign"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert sorted(row["producer_amount"] for row in response.json()["results"]) == ["12.34"] * 3
    assert CommissionOverride.objects.count() == 3


def test_bulk_override_refuses_another_tenants_ids(api, producer, other_organisation):
    ours = CommissionTransactionFactory(producer=producer)
    theirs = CommissionTransactionFactory(producer__workspace__office__organisation=other_organisation)

    response = api.post(
        "/v1/transactions/overrides/bulk",
        {"transaction_ids": [ours.pk, theirs.pk], "kind": "flat", "value": "1.00", "reason": "x"},
        format="json",
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {"transaction_ids": [f'Invalid pk "{theirs.pk}" - object does not exist.']}
    assert CommissionOverride.objects.count() == 0


def test_filters(api, organisation, producer):
    other = ProducerFactory(workspace__office__organisation=organisation)
    jan = CommissionTransactionFactory(producer=producer)
    feb = CommissionTransactionFactory(
        producer=producer, statement_period="2026-02-01", transaction_date="2026-02-10", status="disputed"
    )
    theirs = CommissionTransactionFactory(producer=other, type="renewal")

    def ids(query):
        response = api.get(f"/v1/transactions?{query}")
        assert response.status_code == 200, response.json()
        return sorted(row["id"] for row in response.json()["results"])

    assert ids(f"producer_id={producer.pk}") == sorted([jan.pk, feb.pk])
    assert ids("statement_period=2026-02") == [feb.pk]
    assert ids("status=disputed") == [feb.pk]
    assert ids("type=renewal") == [theirs.pk]
    assert ids("date_from=2026-02-01&date_to=2026-02-28") == [feb.pk]
    assert ids(f"office_id={other.workspace.office_id}") == [theirs.pk]
    assert ids(f"carrier_id={jan.carrier_id}") == [jan.pk]
    assert api.get("/v1/transactions?statement_period=2026-13").status_code == 422


def test_scopes(make_api_client, organisation, txn):
    reader = make_api_client(organisation, scopes=["transactions.read"])
    nobody = make_api_client(organisation, scopes=["workspaces.read"])

    assert reader.get("/v1/transactions").status_code == 200
    assert reader.get("/v1/carriers").status_code == 200
    assert reader.patch(f"/v1/transactions/{txn.pk}", {"notes": "x"}, format="json").status_code == 403
    assert reader.post(f"/v1/transactions/{txn.pk}/overrides", {}, format="json").status_code == 403
    assert nobody.get("/v1/transactions").status_code == 403
    assert nobody.get("/v1/commission-rules").status_code == 403


def test_rule_set_update_replaces_rules_only_when_given(api, organisation):
    rule = CommissionRuleFactory(rule_set__organisation=organisation, rate=D("10"))
    url = f"/v1/commission-rules/{rule.rule_set.pk}"

    renamed = api.patch(url, {"active": False}, format="json")
    replaced = api.patch(url, {"rules": [{"basis": "flat", "amount": "5.00"}]}, format="json")

    assert [r["rate"] for r in renamed.json()["rules"]] == ["10.0000"]
    assert renamed.json()["active"] is False
    assert [(r["basis"], r["amount"]) for r in replaced.json()["rules"]] == [("flat", "5.00")]


def test_a_categorys_kind_cannot_change(api, organisation):
    category = CategoryFactory(organisation=organisation, name="Auto")

    response = api.patch(f"/v1/categories/{category.pk}", {"kind": "revenue_status"}, format="json")
    listed = api.get("/v1/categories?kind=line_of_business")

    assert response.status_code == 422
    assert response.json()["errors"] == {"kind": ["The kind of a category cannot change."]}
    assert [row["name"] for row in listed.json()["results"]] == ["Auto"]
