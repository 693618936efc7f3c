"""The connection API: secrets encrypted at rest and never returned, the test action, scopes and
roles, and the query cost of a page of shifts."""

from __future__ import annotations

from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from integrations import crypto
from integrations.tracktik.models import TracktikConnection
from organisations.choices import Role

from . import fake_server as fk
from .conftest import connect, sync


def test_secrets_are_encrypted_at_rest_and_never_returned(api, organisation, fake):
    body = connect(api, fake)

    assert "client_secret" not in body and "password" not in body
    assert body["client_secret_set"] is True and body["password_set"] is True
    stored = TracktikConnection.objects.get(organisation=organisation)
    assert fk.CLIENT_SECRET not in stored.client_secret_encrypted and fk.PASSWORD not in stored.password_encrypted
    assert crypto.decrypt(stored.password_encrypted) == fk.PASSWORD
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT * FROM tracktik_tracktikconnection")
        row = " ".join(str(cell) for cell in cursor.fetchone())
    assert fk.CLIENT_SECRET not in row and fk.PASSWORD not in row
    fetched = api.get("/v1/integrations/tracktik").content.decode()
    assert fk.CLIENT_SECRET not in fetched and fk.PASSWORD not in fetched


def test_a_put_without_secrets_keeps_them_and_an_empty_one_clears_it(api, organisation, fake):
    connect(api, fake)

    kept = api.put("/v1/integrations/tracktik", {"sync_interval_minutes": 60}, format="json").json()
    cleared = api.put("/v1/integrations/tracktik", {"password": ""}, format="json").json()

    assert kept["password_set"] is True and kept["sync_interval_minutes"] == 60
    assert cleared["password_set"] is False and cleared["client_secret_set"] is True


def test_the_test_action_says_whether_the_credentials_work(api, organisation, fake):
    connect(api, fake)
    assert api.post("/v1/integrations/tracktik/test").json() == {"ok": True, "detail": "Connected.", "employees": 3}

    api.put("/v1/integrations/tracktik", {"password": "wrong"}, format="json")
    answer = api.post("/v1/integrations/tracktik/test").json()

    assert answer["ok"] is False and "refused the credentials (HTTP 401)" in answer["detail"]


def test_enabling_needs_the_connection_details(api):
    response = api.put("/v1/integrations/tracktik", {"enabled": True}, format="json")

    assert response.status_code == 422
    assert "enabled" in response.json()["errors"]


def test_scopes_and_roles(make_api_client, organisation, session_client, make_member):
    reader = make_api_client(organisation, scopes=("integrations.read",))
    assert reader.get("/v1/integrations/tracktik").status_code == 200
    refused = reader.put("/v1/integrations/tracktik", {"username": "x"}, format="json")
    assert refused.status_code == 403 and "integrations.write" in refused.json()["detail"]
    employee = session_client(make_member(organisation, Role.EMPLOYEE))
    assert employee.get("/v1/integrations/tracktik").status_code == 403


def test_a_page_of_shifts_costs_a_constant_number_of_queries(
    api, other_api, organisation, other_organisation, fake, connected
):
    fake.data["shifts"] += [
        fk.shift(5000 + n, 101 + n % 3, 11 + n % 2, 21 + 2 * (n % 2), f"2026-10-{1 + n % 28:02d}T06:00:00", 1)
        for n in range(92)
    ]
    with CaptureQueriesContext(db_connection) as one_page:
        assert sync(api, organisation)["created"] == 100
    fake.data["shifts"] += [
        fk.shift(6000 + n, 101 + n % 3, 11 + n % 2, 21 + 2 * (n % 2), f"2026-09-{1 + n % 28:02d}T06:00:00", 1)
        for n in range(200)
    ]
    # every shift of the three pages also has a work session and an unpaid break
    fake.data["work-sessions"] = [
        fk.work_session(n, s["id"], s["employee"], s["startedOn"][:19], 55) for n, s in enumerate(fake.data["shifts"])
    ]
    fake.data["break-sessions"] = [
        fk.break_session(n, s["id"], s["startedOn"][:19], 5) for n, s in enumerate(fake.data["shifts"])
    ]
    connect(other_api, fake)

    with CaptureQueriesContext(db_connection) as three_pages:
        assert sync(other_api, other_organisation)["created"] == 300

    per_page = (len(three_pages) - len(one_page)) / 2
    assert per_page <= 30, per_page  # not one per shift (100 a page)


def test_the_tracktik_feature_toggle_closes_the_connector(api, organisation, fake, connected):
    organisation.feature_toggles = {"tracktik": False}
    organisation.save()

    response = api.post("/v1/integrations/tracktik/sync", {}, format="json")

    assert response.status_code == 403
    assert "do not include the TrackTik connector" in response.json()["detail"]
