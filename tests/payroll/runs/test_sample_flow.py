"""The API guide's "Sample integration flow", verbatim, through HTTP: a finance middleware with
OAuth client credentials polls ``GET /v1/payroll/runs?status=ready``, reads each run's entries with
``GET /v1/payroll/runs/{id}``, acknowledges with ``{"notes": "Synced to NetSuite"}``, and listens
for ``payroll.run.approved`` webhooks on a real receiver."""

from __future__ import annotations

import json

import pytest

from organisations import services as organisation_services

from .helpers import MONDAY, approve_week, hourly, project_of, salaried, weekly_schedule, work

pytestmark = pytest.mark.django_db


def finance_token(client, organisation) -> str:
    """Step 1: the middleware retrieves an access token (client credentials, JSON body)."""
    created = organisation_services.api_client_create(
        organisation=organisation, name="NetSuite sync", scopes=["payroll.read", "payroll.write"]
    )
    body = {
        "client_id": created.application.client_id,
        "client_secret": created.client_secret,
        "grant_type": "client_credentials",
        "scope": "payroll.read payroll.write",
    }
    response = client.post("/oauth/token", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["access_token"], created.application.client_id


def test_the_sample_integration_flow_as_written(
    client, api, organisation, office, receiver, django_capture_on_commit_callbacks
):
    project = project_of(organisation)
    alice, bob = hourly(office, "20.00", first_name="Alice"), hourly(office, "30.00", first_name="Bob")
    carol = salaried(office, "52000.00", first_name="Carol")
    for employee in (alice, bob):
        approve_week(employee)
    for n in range(5):
        work(alice, project, MONDAY.replace(day=2 + n), 9)  # 45 h: 40 regular + 5 overtime
        work(bob, project, MONDAY.replace(day=2 + n), 8)  # 40 h regular
    schedule = weekly_schedule(organisation, [alice, bob, carol])
    hook = api.post("/v1/webhooks", {"url": receiver.url("/hook"), "topics": ["payroll.run.approved"]}, format="json")
    assert hook.status_code == 201, hook.json()

    # an owner's integration creates and approves the run
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            "/v1/payroll/runs", {"pay_schedule_id": schedule.pk, "period_start": "2026-03-02"}, format="json"
        )
    assert created.status_code == 201, created.json()
    run = created.json()
    assert run["status"] == "draft"
    assert (run["period_start"], run["period_end"]) == ("2026-03-02", "2026-03-08")
    with django_capture_on_commit_callbacks(execute=True):
        approved = api.post(f"/v1/payroll/runs/{run['id']}/approve", HTTP_IF_MATCH=created["ETag"])
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "ready"

    # 5. the webhook arrives (draft -> ready)
    [delivered] = receiver.wait_for(1)
    assert delivered.json["topic"] == "payroll.run.approved"
    assert delivered.json["data"]["id"] == run["id"]
    assert delivered.json["data"]["status"] == "ready"
    assert delivered.json["data"]["totals"]["gross"] == approved.json()["gross_total"]

    # 1. the middleware's token
    token, client_id = finance_token(client, organisation)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    # 2. on schedule, find approved runs
    ready = client.get("/v1/payroll/runs?status=ready", **auth)
    assert ready.status_code == 200, ready.json()
    assert [r["id"] for r in ready.json()["results"]] == [run["id"]]
    for listed in ready.json()["results"]:
        # 3. each run's detailed entries
        detail = client.get(f"/v1/payroll/runs/{listed['id']}", **auth)
        assert detail.status_code == 200
        body = detail.json()
        entries = {e["employee_id"]: e for e in body["entries"]}
        assert set(entries) == {alice.pk, bob.pk, carol.pk}
        # Alice: 40 h × 20 + 5 h × 20 × 1.5 = 800 + 150; Bob: 40 × 30 = 1200; Carol: 52000 / 52 = 1000
        assert entries[alice.pk]["gross"] == "950.00"
        assert entries[alice.pk]["hours_by_code"] == {"regular": "40.00", "overtime": "5.00"}
        assert entries[bob.pk]["gross"] == "1200.00"
        assert entries[carol.pk]["gross"] == "1000.00"
        assert body["gross_total"] == "3150.00"
        assert body["totals_by_code"] == {"overtime": "150.00", "regular": "3000.00"}
        overtime = next(line for line in entries[alice.pk]["lines"] if line["pay_code"] == "overtime")
        assert (overtime["hours"], overtime["rate"], overtime["multiplier"], overtime["amount"]) == (
            "5.00",
            "20.0000",
            "1.500",
            "150.00",
        )
        assert overtime["explanation"].startswith("5.00 h × 20")
        assert {s["kind"] for s in overtime["sources"]} == {"timesheet", "time_entry"}
        # 4. acknowledge after a successful export
        ack = client.post(
            f"/v1/payroll/runs/{listed['id']}/acknowledge",
            data=json.dumps({"notes": "Synced to NetSuite"}),
            content_type="application/json",
            **auth,
        )
        assert ack.status_code == 201, ack.json()
        assert ack.json()["notes"] == "Synced to NetSuite"
        assert ack.json()["client_id"] == client_id

    # HR sees the sync status on the run
    seen = api.get(f"/v1/payroll/runs/{run['id']}").json()["acknowledgements"]
    assert [(a["notes"], a["client_id"]) for a in seen] == [("Synced to NetSuite", client_id)]

    # ready -> paid fires payroll.run.approved again, with status paid
    with django_capture_on_commit_callbacks(execute=True):
        paid = api.post(f"/v1/payroll/runs/{run['id']}/mark-paid")
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    second = receiver.wait_for(2)[1]
    assert (second.json["topic"], second.json["data"]["status"]) == ("payroll.run.approved", "paid")
    assert client.get("/v1/payroll/runs?status=ready", **auth).json()["results"] == []
    both = client.get("/v1/payroll/runs?status=ready&status=paid", **auth).json()["results"]
    assert [r["id"] for r in both] == [run["id"]]
