"""Fixtures of the statement import tests: in-process Celery, private files in a temporary
directory, a small book of business, and helpers that upload through the public API."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest

from organisations.choices import Role
from tests.organisations.factories import ProducerFactory, WorkspaceFactory
from tests.payroll.factories import CarrierFactory, PolicyFactory, PolicyProducerFactory


@pytest.fixture(autouse=True)
def _imports_in_process(settings, tmp_path, celery_in_process):
    """Tasks run eagerly (after commit, as with ``make run``) and files go to a throw-away directory."""
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"


@pytest.fixture
def workspace(office):
    return WorkspaceFactory(office=office, name="North pod")


@pytest.fixture
def alice(workspace):
    return ProducerFactory(
        workspace=workspace, display_name="Alice Agent", email="alice@example.test", producer_code="A-100",
        default_split_percent=Decimal("50"),
    )  # fmt: skip


@pytest.fixture
def bob(workspace):
    return ProducerFactory(
        workspace=workspace, display_name="Bob Broker", email="bob@example.test", producer_code="B-200",
        default_split_percent=Decimal("100"),
    )  # fmt: skip


@pytest.fixture
def carrier(organisation):
    return CarrierFactory(organisation=organisation, name="Acme Mutual", code="ACM", statement_date_format="%m/%d/%Y")


@pytest.fixture
def policy(carrier, alice):
    return PolicyProducerFactory(
        policy=PolicyFactory(carrier=carrier, number="POL-1001"), producer=alice, split_percent=Decimal("60")
    ).policy


@pytest.fixture
def book(alice, bob, policy):
    """Two producers, one policy written by Alice (60 %)."""
    return {"alice": alice, "bob": bob, "policy": policy}


def csv_file(text: str, name: str = "statement.csv") -> io.BytesIO:
    handle = io.BytesIO(text.encode())
    handle.name = name
    return handle


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """``upload(client, csv_text_or_file, **fields)`` -> the 202 response, processed (after commit) in-process."""

    def post(client, content, name="statement.csv", headers=None, **fields):
        body = {"file": csv_file(content, name) if isinstance(content, str) else content}
        for key, value in fields.items():
            body[key] = json.dumps(value) if isinstance(value, dict) else value
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/v1/transactions/import", body, format="multipart", **(headers or {}))

    return post


@pytest.fixture
def post_json(django_capture_on_commit_callbacks):
    """``post_json(client, body)`` -> the response of a JSON import, processed in-process."""

    def post(client, body, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/v1/transactions/import", body, format="json", **extra)

    return post


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def manager_api(make_api_client, make_member, organisation, office):
    """A manager of ``office`` holding a personal token with every scope."""
    from rest_framework.test import APIClient

    from organisations import services
    from organisations.actors import system_actor

    def make(role=Role.MANAGER, member_office=office):
        membership = make_member(organisation, role, office=member_office)
        created = services.api_token_create(
            actor=system_actor(organisation), membership=membership, name="Script",
            scopes=["transactions.read", "transactions.write"],
        )  # fmt: skip
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {created.token}")
        client.membership = membership
        return client

    return make
