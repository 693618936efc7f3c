import re

import pytest

pytestmark = pytest.mark.django_db

HEADER = "X-TrackYourSheets-Request-Id"


def test_every_response_carries_a_fresh_request_id(api, anonymous_api):
    ok = api.get("/v1/workspaces")
    error = anonymous_api.get("/v1/workspaces")
    page = anonymous_api.get("/")

    ids = [ok[HEADER], error[HEADER], page[HEADER]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", value) for value in ids)
    assert len(set(ids)) == 3


def test_a_well_formed_client_id_is_kept(api):
    response = api.get("/v1/workspaces", HTTP_X_TRACKYOURSHEETS_REQUEST_ID="sync-job-2026-11-22.0001")

    assert response[HEADER] == "sync-job-2026-11-22.0001"


def test_a_malformed_client_id_is_replaced(anonymous_api):
    response = anonymous_api.get("/v1/workspaces", HTTP_X_TRACKYOURSHEETS_REQUEST_ID="bad id\r\ninjected")

    assert re.fullmatch(r"[0-9a-f]{32}", response[HEADER])
    assert response.json()["instance"] == f"urn:trackyoursheets:request:{response[HEADER]}"


def test_the_request_id_is_stored_on_the_event_it_caused(api, office):
    from integrations.models import OutboxEvent

    response = api.post(
        "/v1/workspaces",
        {"name": "North", "office_id": office.pk},
        format="json",
        HTTP_X_TRACKYOURSHEETS_REQUEST_ID="create-north-000001",
    )

    assert response.status_code == 201
    assert OutboxEvent.objects.get().request_id == "create-north-000001"


def test_json_log_lines_carry_the_request_id(api, office):
    import json
    import logging

    from trackyoursheets.api.middleware import RequestIdLogFilter
    from trackyoursheets.logs import JsonFormatter

    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Collect()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdLogFilter())
    logger = logging.getLogger("trackyoursheets.audit")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        api.post(
            "/v1/workspaces",
            {"name": "Logged", "office_id": office.pk},
            format="json",
            HTTP_X_TRACKYOURSHEETS_REQUEST_ID="logged-request-01",
        )
    finally:
        logger.removeHandler(handler)

    entries = [json.loads(line) for line in lines]
    assert [e["request_id"] for e in entries] == ["logged-request-01"]
    assert entries[0]["message"].startswith("audit POST /v1/workspaces by oauth:")
