"""Benchmark of the TrackTik sync (issue 19): approved shifts pulled from the fake TrackTik server
(tests/integrations/tracktik/fake_server.py, a real HTTP server on 127.0.0.1) into time entries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tys_tracktik_bench .venv/bin/python bench/tracktik.py \\
        --shifts 50000 --employees 1000

Recreates the database (PostgreSQL), creates one organisation and its connection, seeds the fake
server with ``--employees`` guards, 20 sites, 40 positions and ``--shifts`` approved shifts (one a
day per guard), then times, end to end (HTTP paging with ``include``, parsing, bulk writes, the
removal check, the run's bookkeeping):

- the first sync (every shift new: creates the employees, clients, projects, tasks and entries);
- a full resync with nothing changed (every shift compared, nothing written);

and prints shifts/s for each, against the targets of ≥ 2,000/s and ≥ 10,000/s.
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._harness import recreate_database  # noqa: E402

SITES = 20
POSITIONS_PER_SITE = 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shifts", type=int, default=50000)
    parser.add_argument("--employees", type=int, default=1000)
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it is dropped and recreated).")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-0123456789abcdefghijklmnop")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackyoursheets.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.pop("REDIS_URL", None)
    recreate_database(database_url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)

    from integrations.tracktik import services
    from integrations.tracktik.models import TracktikSyncRun
    from organisations.actors import system_actor
    from organisations.models import Organisation
    from organisations.plans import PlanCode
    from tests.integrations.tracktik import fake_server as fk

    fake = fk.FakeTracktik()  # served from a child process (below), so it does not share our GIL
    fake.cache_lists = True
    fake.data["employees"] = [fk.employee(1 + n) for n in range(args.employees)]
    fake.data["clients"] = [fk.client(1000 + s, f"SITE{s:02d}") for s in range(SITES)]
    fake.data["positions"] = [
        fk.position(2000 + s * POSITIONS_PER_SITE + p, f"Post {s}-{p}", f"P{p}", 1000 + s)
        for s in range(SITES)
        for p in range(POSITIONS_PER_SITE)
    ]
    first_day = datetime.datetime(2026, 1, 5, 6)
    fake.data["shifts"] = []
    for n in range(args.shifts):
        guard = n % args.employees
        day = n // args.employees
        site = guard % SITES
        start = first_day + datetime.timedelta(days=day)
        fake.data["shifts"].append(
            fk.shift(100000 + n, 1 + guard, 1000 + site, 2000 + site * POSITIONS_PER_SITE + n % 2, start.isoformat(), 8)
        )

    connections.close_all()
    server = multiprocessing.get_context("fork").Process(target=fake.server.serve_forever, daemon=True)
    server.start()

    organisation = Organisation.objects.create(name="Bench Security", slug="bench-tracktik", plan=PlanCode.SCALE)
    actor = system_actor(organisation)
    services.connection_update(
        actor=actor,
        data={
            "base_url": fake.url,
            "client_id": fk.CLIENT_ID,
            "client_secret": fk.CLIENT_SECRET,
            "username": fk.USERNAME,
            "password": fk.PASSWORD,
            "enabled": True,
        },
    )

    def timed(label: str, full: bool) -> None:
        began = time.perf_counter()
        run = services.sync_start(actor=actor, full=full)  # eager without a broker: runs on commit
        seconds = time.perf_counter() - began
        run = TracktikSyncRun.objects.get(pk=run.pk)
        assert run.status == "succeeded", (run.status, run.error)
        rate = args.shifts / seconds
        print(
            f"{label}: {args.shifts} shifts in {seconds:.1f} s = {rate:,.0f} shifts/s "
            f"(created {run.created_count}, updated {run.updated_count}, unchanged {run.unchanged_count}, "
            f"removed {run.removed_count}, errors {run.error_count})"
        )

    timed("first sync", full=False)
    timed("full resync, nothing changed", full=True)
    server.terminate()


if __name__ == "__main__":
    main()
