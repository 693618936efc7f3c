"""Issue 12 point 4: payroll's services write their own audit rows, in the change's transaction,
named and coded as each entry point's public trail says (REST view action, GraphQL mutation)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from organisations.actors import Actor
from organisations.models import AuditEvent
from payroll import services
from tests.organisations.factories import ProducerFactory

from .factories import CategoryFactory, CommissionTransactionFactory

pytestmark = pytest.mark.django_db

D = Decimal

CREATE_OVERRIDE = """
mutation($input: OverrideInput!) {
  createOverride(input: $input) { databaseId producerAmount }
}
"""


@pytest.fixture
def txn(organisation):
    producer = ProducerFactory(workspace__office__organisation=organisation, default_split_percent=D("50"))
    return CommissionTransactionFactory(producer=producer)


def test_rest_override_is_one_row_named_by_the_view_action_with_its_status(api, txn):
    response = api.post(
        f"/v1/transactions/{txn.pk}/overrides", {"kind": "flat", "value": "12.00", "reason": "x"}, format="json"
    )

    assert response.status_code == 201, response.json()
    event = AuditEvent.objects.get()
    assert (event.source, event.action, event.status_code) == ("api", "commissiontransaction.overrides", 201)
    assert (event.object_type, event.object_id) == ("payroll.CommissionTransaction", str(txn.pk))
    assert event.changes["producer_amount"][1] == "12.00"


def test_rest_update_records_only_the_changed_fields(api, organisation):
    category = CategoryFactory(organisation=organisation, name="Auto")

    response = api.patch(f"/v1/categories/{category.pk}", {"name": "  Motor "}, format="json")

    assert response.status_code == 200, response.json()
    event = AuditEvent.objects.get()
    assert (event.action, event.changes) == ("category.partial_update", {"name": ["Auto", "Motor"]})


def test_graphql_override_is_recorded_under_the_mutation(api, gql, txn):
    variables = {"input": {"transactionId": str(txn.pk), "kind": "flat", "value": "3", "reason": "x"}}

    body = gql(api, CREATE_OVERRIDE, variables).json()

    assert "errors" not in body, body
    event = AuditEvent.objects.get()
    assert (event.source, event.action, event.object_id) == ("graphql", "OverrideCreate", str(txn.pk))


def test_a_refused_change_leaves_only_the_refusal(api, organisation):
    producer = ProducerFactory(workspace__office__organisation=organisation)
    paid = CommissionTransactionFactory(producer=producer, status="paid")

    response = api.post(
        f"/v1/transactions/{paid.pk}/overrides", {"kind": "flat", "value": "1", "reason": "x"}, format="json"
    )

    assert response.status_code == 409
    event = AuditEvent.objects.get()
    assert (event.status_code, event.changes) == (409, {})


def test_a_service_called_without_an_entry_point_writes_no_row(txn):
    bare = Actor(organisation=txn.organisation)  # no AuditContext: a test's or a shell's actor

    services.override_create(actor=bare, transaction=txn, kind="flat", value=D("1"), reason="Shell")

    assert AuditEvent.objects.count() == 0
