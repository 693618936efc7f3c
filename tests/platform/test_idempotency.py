"""Idempotency-Key: replay, mismatch, in-flight, concurrency, release on 5xx."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from integrations.models import OutboxEvent
from organisations.models import IdempotencyRecord, Workspace
from trackyoursheets.celery import app as celery_app

pytestmark = pytest.mark.django_db


def create(api, office, key, name="North", **extra):
    return api.post(
        "/v1/workspaces", {"name": name, "office_id": office.pk}, format="json", HTTP_IDEMPOTENCY_KEY=key, **extra
    )


def test_same_key_and_body_replays_without_a_second_row(api, office):
    first = create(api, office, "create-north-1")
    second = create(api, office, "create-north-1")

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Location"] == first["Location"]
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Workspace.objects.count() == 1
    assert OutboxEvent.objects.count() == 1


def test_json_key_order_and_spacing_do_not_matter(api, office):
    body_a = f'{{"name": "North", "office_id": {office.pk}}}'
    body_b = f'{{ "office_id":{office.pk},"name":"North" }}'

    api.post("/v1/workspaces", body_a, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-order")
    second = api.post("/v1/workspaces", body_b, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-order")

    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"


def test_same_key_different_body_is_422(api, office):
    create(api, office, "k-1", name="North")

    response = create(api, office, "k-1", name="South")

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/idempotency-key-reused")
    assert list(Workspace.objects.values_list("name", flat=True)) == ["North"]


def test_a_request_still_in_flight_is_409(api, office, organisation):
    # the first request's claim, as the middleware writes it while that request runs
    first = create(api, office, "k-running")
    IdempotencyRecord.objects.filter(key="k-running").update(
        state=IdempotencyRecord.State.IN_PROGRESS, locked_until=timezone.now() + timedelta(minutes=1)
    )

    response = create(api, office, "k-running")

    assert first.status_code == 201
    assert response.status_code == 409
    assert response.json()["type"].endswith("/idempotency-in-progress")


def test_validation_errors_are_replayed_too(api, office):
    # a blank name (with one office, office_id may be left out since issue 13 point 11)
    first = api.post("/v1/workspaces", {"name": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k-bad")
    second = api.post("/v1/workspaces", {"name": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k-bad")

    assert first.status_code == second.status_code == 422
    assert second.json() == first.json()
    assert second["Content-Type"] == "application/problem+json"


def test_keys_belong_to_the_credential(organisation, make_api_client, office):
    ours, another_client = make_api_client(organisation), make_api_client(organisation)

    a = create(ours, office, "shared-key", name="A")
    b = create(another_client, office, "shared-key", name="B")

    assert (a.status_code, b.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in b
    assert Workspace.objects.count() == 2


def test_a_key_expires_after_24_hours(api, office):
    create(api, office, "k-old", name="Old")
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = create(api, office, "k-old", name="Fresh")

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Workspace.objects.count() == 2


def test_a_beat_task_deletes_expired_keys(api, office, settings):
    """Issue 13 point 12: an expired key goes without its key coming back; a live one stays."""
    create(api, office, "k-expired", name="Old")
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    create(api, office, "k-live", name="New")
    entry = settings.CELERY_BEAT_SCHEDULE["idempotency-keys-purge"]

    deleted = celery_app.tasks[entry["task"]].apply().get()

    assert deleted == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["k-live"]
    assert entry["schedule"] <= 3600
    assert create(api, office, "k-live", name="New")["Idempotent-Replayed"] == "true"


def test_a_server_error_releases_the_key(api, settings):
    settings.ROOT_URLCONF = "tests.platform.crash_urls"
    api.raise_request_exception = False

    response = api.post("/v1/crash", {}, format="json", HTTP_IDEMPOTENCY_KEY="k-crash")

    assert response.status_code == 500
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "tab\there"])
def test_malformed_keys_are_400(api, office, key):
    response = create(api, office, key)

    assert response.status_code == 400
    assert response.json()["errors"] == {"Idempotency-Key": ["Must be 1 to 255 visible ASCII characters."]}
    assert Workspace.objects.count() == 0


def test_get_requests_ignore_the_header(api):
    response = api.get("/v1/workspaces", HTTP_IDEMPOTENCY_KEY="k-get")

    assert response.status_code == 200
    assert IdempotencyRecord.objects.count() == 0


def test_graphql_mutations_replay_with_the_header(api, office, gql):
    query = "mutation($input: WorkspaceInput!) { createWorkspace(input: $input) { name } }"
    variables = {"input": {"name": "GQL pod", "officeId": office.pk}}

    first = gql(api, query, variables, HTTP_IDEMPOTENCY_KEY="gql-1")
    second = gql(api, query, variables, HTTP_IDEMPOTENCY_KEY="gql-1")

    assert first.status_code == 200
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert Workspace.objects.filter(name="GQL pod").count() == 1


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_requests_with_one_key_create_one_row(organisation, make_api_client, office):
    api = make_api_client(organisation)
    auth = api._credentials["HTTP_AUTHORIZATION"]

    def attempt(_):
        from rest_framework.test import APIClient

        client = APIClient()
        try:
            response = client.post(
                "/v1/workspaces",
                {"name": "Race", "office_id": office.pk},
                format="json",
                HTTP_AUTHORIZATION=auth,
                HTTP_IDEMPOTENCY_KEY="race-1",
            )
            return response.status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(attempt, range(20)))

    assert Workspace.objects.filter(name="Race").count() == 1
    assert statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}
    assert OutboxEvent.objects.filter(topic="organisation.workspace.created").count() == 1
