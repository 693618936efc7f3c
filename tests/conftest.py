"""Shared fixtures (STYLE §7.3): organisations, people per role, API and GraphQL clients.

Services: tests marked ``requires_postgres`` / ``requires_redis`` skip on a
developer machine without them, but *fail* when ``TYS_REQUIRE_SERVICES=1`` (set
by ``.ci/run`` for its PostgreSQL + Redis pass), so CI can never go green by
silently skipping them.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from oauth2_provider.models import AccessToken
from rest_framework.test import APIClient

from organisations.choices import Role
from trackyoursheets.api.scopes import SCOPES

from .organisations.factories import (
    DEFAULT_PASSWORD,
    MembershipFactory,
    OAuthApplicationFactory,
    OfficeFactory,
    OrganisationFactory,
)

ALL_SCOPES = tuple(SCOPES)
REQUIRE_SERVICES = os.environ.get("TYS_REQUIRE_SERVICES") == "1"


# =============================================================================
# Service markers
# =============================================================================


def _service_missing(item) -> str | None:
    if item.get_closest_marker("requires_postgres") and settings.DATABASES["default"]["ENGINE"] != (
        "django.db.backends.postgresql"
    ):
        return "needs PostgreSQL (set DATABASE_URL=postgres://...)"
    if item.get_closest_marker("requires_redis") and not settings.REDIS_URL:
        return "needs Redis (set REDIS_URL=redis://...)"
    return None


def pytest_runtest_setup(item):
    reason = _service_missing(item)
    if reason:
        if REQUIRE_SERVICES:
            pytest.fail(f"{item.nodeid} {reason}, and TYS_REQUIRE_SERVICES=1 forbids skipping it")
        pytest.skip(reason)


# =============================================================================
# Speed: fast password hashing in tests (production keeps Django's default)
# =============================================================================


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_login_counters(monkeypatch):
    """Login lockout counters per test, so one test's failed logins never lock out another's."""
    import uuid

    monkeypatch.setattr("organisations.forms.login.THROTTLE_NAMESPACE", f"test-{uuid.uuid4().hex}")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Every test starts with empty rate-limit windows (ids repeat between test databases)."""
    from trackyoursheets.api.throttling import reset_local_counters

    reset_local_counters()
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        keys = list(client.scan_iter("tys:rl:*"))
        if keys:
            client.delete(*keys)
        client.close()


# =============================================================================
# Organisations and people
# =============================================================================


@pytest.fixture
def celery_in_process():
    """Celery tasks run in this process (after commit, as with ``make run``) even when the suite has
    a broker (the PostgreSQL + Redis pass): for tests of what a task does, not of its delivery."""
    from trackyoursheets.celery import app as celery_app

    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Acme Insurance", slug="acme")


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Rival Brokers", slug="rival")


@pytest.fixture
def office(organisation):
    return OfficeFactory(organisation=organisation, name="Head Office")


@pytest.fixture
def make_member(db):
    """``make_member(organisation, role, office=None)`` -> an active Membership."""

    def make(organisation, role=Role.EMPLOYEE, office=None, **kwargs):
        return MembershipFactory(organisation=organisation, role=role, office=office, **kwargs)

    return make


@pytest.fixture
def owner(organisation, make_member):
    return make_member(organisation, Role.OWNER)


# =============================================================================
# Clients
# =============================================================================


def issue_token(application, scopes=None, user=None, ttl_seconds: int = 3600) -> str:
    """An access token as the token endpoint would issue it (the endpoint is tested on its own)."""
    raw = secrets.token_urlsafe(30)
    AccessToken.objects.create(
        token=raw,
        application=application,
        user=user,
        expires=timezone.now() + timedelta(seconds=ttl_seconds),
        scope=" ".join(scopes if scopes is not None else application.scopes.split()),
    )
    return raw


@pytest.fixture
def make_api_client(db):
    """``make_api_client(organisation, scopes=ALL_SCOPES)`` -> an APIClient holding a bearer token."""

    def make(organisation, scopes=ALL_SCOPES, **app_kwargs):
        application = OAuthApplicationFactory(organisation=organisation, scopes=" ".join(scopes), **app_kwargs)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(application)}")
        client.application = application
        return client

    return make


@pytest.fixture
def api(organisation, make_api_client):
    return make_api_client(organisation)


@pytest.fixture
def other_api(other_organisation, make_api_client):
    return make_api_client(other_organisation)


@pytest.fixture
def anonymous_api():
    return APIClient()


@pytest.fixture
def session_client(client):
    """``session_client(membership)`` -> a Django test client logged in as that member."""

    def make(membership):
        client.login(username=membership.user.email, password=DEFAULT_PASSWORD)
        return client

    return make


def graphql(client, query: str, variables: dict | None = None, **extra):
    """POST a GraphQL query and return the response (its ``.json()`` has data/errors)."""
    return client.post(
        "/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
        **extra,
    )


@pytest.fixture
def gql():
    return graphql


# =============================================================================
# Query counting
# =============================================================================


@pytest.fixture
def count_queries(db):
    """``count_queries(fn)`` -> number of SQL queries ``fn()`` ran."""
    from django.test.utils import CaptureQueriesContext

    def count(fn) -> int:
        with CaptureQueriesContext(connection) as ctx:
            fn()
        return len(ctx.captured_queries)

    return count
