"""Fixtures of the TrackTik tests: a fake TrackTik server on 127.0.0.1 with a small security
firm in it, a connection to it, and ``sync()`` which asks for a run through the API and runs
its task in this process (``.apply()``)."""

from __future__ import annotations

import pytest

from integrations.tracktik.tasks import tracktik_sync_task

from . import fake_server as fk
from .fake_server import FakeTracktik

#: Monday of the week the seeded shifts are in
WEEK = "2026-11-02"


def seed(fake: FakeTracktik) -> None:
    """3 guards, 2 sites (CA AMS, NY HQ), 3 positions, 8 approved shifts and 1 draft."""
    fake.data["employees"] = [fk.employee(101), fk.employee(102), fk.employee(103)]
    fake.data["clients"] = [fk.client(11, "CA AMS", "Amsterdam Campus"), fk.client(12, "NY HQ", "New York HQ")]
    fake.data["positions"] = [
        fk.position(21, "Front Desk", "FD1", 11),
        fk.position(22, "Patrol", "PT1", 11),
        fk.position(23, "Lobby", "LB1", 12),
    ]
    fake.data["bill-items"] = [
        {"id": 1, "position": 21, "client": 11, "billRate": "30.00"},
        {"id": 2, "position": 22, "client": 11, "billRate": "25.50"},
        {"id": 3, "client": 12, "billRate": "40.00"},
    ]
    fake.data["shifts"] = [
        # guard 101: 4 × 12 h at CA AMS front desk = 48 h (40 regular + 8 overtime)
        fk.shift(1001, 101, 11, 21, "2026-11-02T06:00:00", 12),
        fk.shift(1002, 101, 11, 21, "2026-11-03T06:00:00", 12),
        fk.shift(1003, 101, 11, 21, "2026-11-04T06:00:00", 12),
        fk.shift(1004, 101, 11, 21, "2026-11-05T06:00:00", 12),
        # guard 102: patrol 8 h + a holiday 8 h
        fk.shift(1005, 102, 11, 22, "2026-11-02T08:00:00", 8),
        fk.shift(1006, 102, 11, 22, "2026-11-03T08:00:00", 8, holiday=True),
        # guard 103: NY lobby 7.5 h twice
        fk.shift(1007, 103, 12, 23, "2026-11-02T09:00:00", 7.5),
        fk.shift(1008, 103, 12, 23, "2026-11-03T09:00:00", 7.5),
        # not approved: never synced
        fk.shift(1009, 103, 12, 23, "2026-11-04T09:00:00", 7.5, status="PENDING"),
    ]


@pytest.fixture(autouse=True)
def _fast_client(settings):
    """Short timeouts and waits so the retry tests take a fraction of a second."""
    settings.TRACKTIK_TIMEOUT_SECONDS = 0.5
    settings.TRACKTIK_RETRY_ATTEMPTS = 4
    settings.TRACKTIK_BACKOFF_BASE_SECONDS = 0.01
    settings.TRACKTIK_MAX_WAIT_SECONDS = 0.05


@pytest.fixture
def fake():
    server = FakeTracktik().start()
    seed(server)
    yield server
    server.stop()


def connect(api, fake, **extra):
    body = {
        "base_url": fake.url,
        "client_id": fk.CLIENT_ID,
        "client_secret": fk.CLIENT_SECRET,
        "username": fk.USERNAME,
        "password": fk.PASSWORD,
        "enabled": True,
        **extra,
    }
    response = api.put("/v1/integrations/tracktik", body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


@pytest.fixture
def connected(api, fake):
    return connect(api, fake)


def sync(api, organisation, *, full: bool = False) -> dict:
    response = api.post("/v1/integrations/tracktik/sync", {"full": full}, format="json")
    assert response.status_code == 202, response.json()
    tracktik_sync_task.apply(args=(response.json()["id"], organisation.pk))
    return api.get(f"/v1/integrations/tracktik/runs/{response.json()['id']}").json()
