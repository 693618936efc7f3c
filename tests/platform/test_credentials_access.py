"""Issue 13 point 12, through HTTP: every request made with an impersonation token is on the
audit trail (reads included), and owners and admins grant integration clients their
organisation through the API and the Integrations page."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from organisations.choices import Role
from organisations.models import AuditEvent
from tests.organisations.factories import MembershipFactory, ProducerFactory

pytestmark = pytest.mark.django_db

IMPERSONATOR_SCOPES = ("impersonation", "producers.read", "producers.write", "workspaces.read")


def bearer(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


@pytest.fixture
def impersonator(organisation, make_api_client):
    return make_api_client(organisation, scopes=IMPERSONATOR_SCOPES)


@pytest.fixture
def as_producer(impersonator, organisation):
    membership = MembershipFactory(organisation=organisation, role=Role.PRODUCER)
    producer = ProducerFactory(workspace__office__organisation=organisation, membership=membership)
    response = impersonator.post("/v1/impersonations", {"producer_id": producer.pk}, format="json")
    assert response.status_code == 201, response.content
    client = bearer(response.json()["access_token"])
    client.producer = producer
    return client


def impersonation_rows():
    return list(
        AuditEvent.objects.filter(impersonated_producer__isnull=False)
        .order_by("id")
        .values_list("method", "path", "action", "status_code", "source")
    )


def test_every_impersonation_read_is_audited(as_producer, impersonator):
    producer = as_producer.producer

    listed = as_producer.get("/v1/producers")
    one = as_producer.get(f"/v1/producers/{producer.pk}")
    missing = as_producer.get("/v1/producers/999999")

    assert (listed.status_code, one.status_code, missing.status_code) == (200, 200, 404)
    assert impersonation_rows() == [
        ("GET", "/v1/producers", "impersonation.read", 200, "api"),
        ("GET", f"/v1/producers/{producer.pk}", "impersonation.read", 200, "api"),
        ("GET", "/v1/producers/999999", "impersonation.read", 404, "api"),
    ]
    row = AuditEvent.objects.filter(impersonated_producer=producer).order_by("id").first()
    assert row.application == impersonator.application
    assert row.request_id == listed["X-TrackYourSheets-Request-Id"]


def test_a_refused_impersonation_write_is_audited_once(as_producer):
    producer = as_producer.producer

    response = as_producer.patch(f"/v1/producers/{producer.pk}", {"display_name": "X"}, format="json")

    assert response.status_code == 403
    assert [(m, p, s) for m, p, _a, s, _src in impersonation_rows()] == [
        ("PATCH", f"/v1/producers/{producer.pk}", 403)
    ]


def test_impersonation_graphql_reads_are_audited(as_producer):
    response = as_producer.post("/graphql", {"query": "{ producers { edges { node { id } } } }"}, format="json")

    assert response.status_code == 200, response.content
    assert impersonation_rows() == [("POST", "/graphql", "impersonation.request", 200, "graphql")]


def test_other_credentials_reading_write_no_rows(impersonator):
    impersonator.get("/v1/producers")

    assert AuditEvent.objects.count() == 0
