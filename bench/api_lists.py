"""Benchmark: list endpoints of the REST API and GraphQL, in-process.

    .venv/bin/python bench/api_lists.py [--rows 500] [--requests 200]

Builds a throw-away SQLite database (or uses DATABASE_URL when set), seeds one
organisation with ``--rows`` workspaces (two agents each) and producers, then times
``--requests`` calls per endpoint through Django's WSGI handler (no network) and
prints requests/s, p50/p99 latency and the SQL query count of one call.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="tys-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-0123456789abcdefghijklmnop")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("API_DEFAULT_RATE_LIMIT_PER_MINUTE", "1000000")
    os.environ.setdefault("API_CREDENTIAL_RATE_LIMIT_PER_MINUTE", "10000000")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackyoursheets.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)

    from organisations import services
    from organisations.choices import Role
    from organisations.models import Membership, Office, Producer, User, Workspace, WorkspaceAgent
    from trackyoursheets.api.scopes import SCOPES

    created = services.organisation_create(
        name="Bench Agency", owner_email="owner@bench.test", owner_password=None, plan="scale"
    )
    org = created.organisation
    office = Office.objects.create(organisation=org, name="HQ")
    users = User.objects.bulk_create([User(email=f"agent{i}@bench.test") for i in range(args.rows * 2)])
    members = Membership.objects.bulk_create([Membership(organisation=org, user=u, role=Role.PRODUCER) for u in users])
    workspaces = Workspace.objects.bulk_create(
        [Workspace(organisation=org, office=office, name=f"Pod {i:05d}") for i in range(args.rows)]
    )
    WorkspaceAgent.objects.bulk_create(
        [
            WorkspaceAgent(organisation=org, workspace=w, membership=members[2 * i + k])
            for i, w in enumerate(workspaces)
            for k in (0, 1)
        ]
    )
    Producer.objects.bulk_create(
        [
            Producer(organisation=org, display_name=f"Producer {i:05d}", workspace=workspaces[i], producer_code=f"P{i}")
            for i in range(args.rows)
        ]
    )
    client_app = services.api_client_create(organisation=org, name="bench", scopes=list(SCOPES)).application
    token, _ = services.access_token_issue(application=client_app)

    # keep one connection, as CONN_MAX_AGE does in production (and so queries can be counted)
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    graphql_body = (
        '{"query": "{ workspaces(first: 100) { edges { node { name office { name } agents { email } } } } }"}'
    )
    cases = [
        ("GET /v1/workspaces?page_size=100", lambda: client.get("/v1/workspaces?page_size=100")),
        ("GET /v1/producers?page_size=100", lambda: client.get("/v1/producers?page_size=100")),
        ("GET /v1/workspaces/{id}", lambda: client.get(f"/v1/workspaces/{workspaces[0].pk}")),
        (
            "POST /graphql workspaces(first: 100)",
            lambda: client.post("/graphql", graphql_body, content_type="application/json"),
        ),
    ]
    print(f"rows={args.rows} requests={args.requests} database={connection.vendor}")
    print(f"{'endpoint':42} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'queries':>8}")
    for name, call in cases:
        assert call().status_code == 200, name
        executed: list[str] = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            call()
        timings = []
        started = time.perf_counter()
        for _ in range(args.requests):
            t0 = time.perf_counter()
            call()
            timings.append((time.perf_counter() - t0) * 1000)
        elapsed = time.perf_counter() - started
        timings.sort()
        p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
        print(
            f"{name:42} {args.requests / elapsed:8.1f} {statistics.median(timings):8.2f} {p99:8.2f} {len(executed):8d}"
        )


if __name__ == "__main__":
    main()
