"""/v1/info and /v1/health (no authentication)."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_info_lists_entry_points_and_scopes(anonymous_api):
    body = anonymous_api.get("/v1/info").json()

    assert body["api_version"] == "v1"
    assert body["links"]["token"] == "http://testserver/oauth/token"
    assert body["links"]["openapi"] == "http://testserver/v1/schema"
    assert "workspaces.read" in body["scopes"]
    assert "impersonation" in body["scopes"]


def test_health_checks_the_database(anonymous_api):
    response = anonymous_api.get("/v1/health")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["checks"]["redis"] == ("ok" if settings.REDIS_URL else "not_configured")


@pytest.mark.requires_redis
def test_health_checks_redis_when_configured(anonymous_api):
    response = anonymous_api.get("/v1/health")

    assert response.json()["checks"]["redis"] == "ok"


def test_health_reports_an_unreachable_redis_as_503(anonymous_api, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = anonymous_api.get("/v1/health")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "30"
    assert response.json()["checks"] == {"database": "ok", "redis": "unavailable"}


@pytest.mark.requires_postgres
def test_the_suite_runs_on_postgresql(anonymous_api):
    from django.db import connection

    assert connection.vendor == "postgresql"
    assert anonymous_api.get("/v1/health").json()["checks"]["database"] == "ok"
