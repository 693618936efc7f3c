"""Rate limits: headers, per-organisation and per-credential policies, Redis outage, and an
exact shared count across several server processes."""

import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import issue_token
from tests.organisations.factories import OAuthApplicationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_every_counted_response_carries_both_header_styles(organisation, make_api_client, settings):
    settings.API_CREDENTIAL_RATE_LIMIT_PER_MINUTE = 50
    api = make_api_client(organisation)

    response = api.get("/v1/workspaces")

    assert response["X-RateLimit-Limit"] == "50"
    assert response["X-RateLimit-Remaining"] == "49"
    assert 1 <= int(response["X-RateLimit-Reset"]) <= 60
    assert response["RateLimit-Policy"] == '"organisation";q=1000;w=60, "credential";q=50;w=60'
    assert response["RateLimit"] == f'"credential";r=49;t={response["X-RateLimit-Reset"]}'


def test_errors_are_counted_and_carry_the_headers(api):
    response = api.get("/v1/workspaces/12345")

    assert response.status_code == 404
    assert response["X-RateLimit-Remaining"] == "599"  # the credential policy (600) is the tighter


def test_credential_limit_applies_per_client(organisation, make_api_client, settings):
    settings.API_CREDENTIAL_RATE_LIMIT_PER_MINUTE = 2
    first_client, second_client = make_api_client(organisation), make_api_client(organisation)

    statuses = [first_client.get("/v1/workspaces").status_code for _ in range(3)]
    other = second_client.get("/v1/workspaces")

    assert statuses == [200, 200, 429]
    assert other.status_code == 200


def test_429_is_a_problem_with_retry_after(organisation, make_api_client):
    organisation.api_rate_limit_per_minute = 1
    organisation.save()
    api = make_api_client(organisation)
    api.get("/v1/workspaces")

    response = api.get("/v1/workspaces")

    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "https://docs.trackyoursheets.com/errors/rate-limited"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["RateLimit"].startswith('"organisation";r=0;')


def test_unreachable_redis_keeps_serving_and_logs_loudly(api, settings, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there

    response = api.get("/v1/workspaces")

    assert response.status_code == 200
    assert "X-RateLimit-Limit" not in response
    assert "Rate limiter unavailable" in caplog.text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.requires_postgres
@pytest.mark.requires_redis
@pytest.mark.django_db(transaction=True)
def test_limit_is_exact_across_four_server_processes():
    import httpx

    organisation = OrganisationFactory(api_rate_limit_per_minute=120)
    token = issue_token(OAuthApplicationFactory(organisation=organisation, scopes="workspaces.read"))
    db = settings.DATABASES["default"]
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{connection.settings_dict['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_CREDENTIAL_RATE_LIMIT_PER_MINUTE": "1000",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "trackyoursheets.wsgi",
            "-w",
            "4",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        url = f"http://127.0.0.1:{port}/v1/workspaces"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/v1/info", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

        def burst(_):
            with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
                return [client.get(url).status_code for _ in range(50)]

        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = [s for batch in pool.map(burst, range(4)) for s in batch]
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert statuses.count(200) == 120
    assert statuses.count(429) == 80
