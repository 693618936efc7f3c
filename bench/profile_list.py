"""Where a list request's CPU goes: ``GET /v1/time-entries?page_size=100`` through Django's WSGI
stack in-process (the test client: every middleware, authentication with a real bearer token,
filters, pagination, rendering), profiled with cProfile after a warm-up.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tys_time_bench .venv/bin/python bench/profile_list.py

Needs the database bench/timetracking.py seeded. Prints the SQL statements of one request, the
CPU time per request, and the functions with the most cumulative and own CPU time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.timetracking import env_setup  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--path", default="/v1/time-entries?page_size=100")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--callers", default="", help="also print the callers of functions matching this")
    parser.add_argument("--save", default="", help="also write the profile to this file (for pstats)")
    args = parser.parse_args()
    env_setup(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tys_time_bench"))

    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from organisations.models import Organisation
    from tests.conftest import issue_token
    from tests.organisations.factories import OAuthApplicationFactory
    from trackyoursheets.api.scopes import SCOPES

    org = Organisation.objects.get(slug="bench-0")
    token = issue_token(OAuthApplicationFactory(organisation=org, scopes=" ".join(SCOPES)), ttl_seconds=3600)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")

    def get():
        response = client.get(args.path)
        assert response.status_code == 200, response.content[:300]

    for _ in range(20):
        get()
    with CaptureQueriesContext(connection) as queries:
        get()
    print(f"{len(queries)} SQL statements per request:")
    for query in queries:
        print("  ", query["sql"][:160])
    started = time.process_time()
    for _ in range(args.requests):
        get()
    print(f"CPU (this process, application + driver): {(time.process_time() - started) / args.requests * 1000:.2f} ms")
    profile = cProfile.Profile(time.process_time)  # CPU, not the wait for PostgreSQL
    profile.enable()
    for _ in range(args.requests):
        get()
    profile.disable()
    if args.save:
        profile.dump_stats(args.save)
    stats = pstats.Stats(profile).sort_stats(args.sort)
    stats.print_stats(args.top)
    if args.callers:
        stats.print_callers(args.callers)


if __name__ == "__main__":
    main()
