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

and prints shifts/s for each, against the targets of ≥ 2,000/s and ≥ 10,000/s, with the process
CPU, our PostgreSQL backend's CPU and the load average. The fake server (a child process) renders
each page once, before the timing (``cache_lists``), so the figures are our side's. ``--lock
/work/bench.lock`` holds that lock around the two timed syncs only (the seeding runs outside it);
``--profile PATH`` writes cProfile stats of the first sync.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime
import fcntl
import multiprocessing
import os
import pstats
import resource
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
    parser.add_argument("--lock", default="", help="flock this file around the timed syncs only (/work/bench.lock)")
    parser.add_argument("--profile", default="", help="write cProfile stats of the first sync to this path")
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

    # the fake server renders each page once: do it now, outside the timing (it measures our side)
    from integrations.tracktik.services.connection import client_for, connection_for
    from integrations.tracktik.services.shifts import SHIFT_PARAMS

    with client_for(connection_for(organisation)) as warm:
        for path, params in (("/shifts", SHIFT_PARAMS), ("/employees", {"sort": "id"})):
            for _page in warm.pages(path, params):
                pass

    def backend_cpu() -> float:
        """CPU seconds of our PostgreSQL backend so far (/proc of the server's process)."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def server_cpu() -> float:
        """CPU seconds of the fake TrackTik server (the child process) so far."""
        try:
            fields = Path(f"/proc/{server.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def timed(label: str, full: bool, profile: str = "") -> None:
        load = os.getloadavg()
        db_before, cpu_before, server_before = backend_cpu(), cpu(), server_cpu()
        profiler = cProfile.Profile() if profile else None
        began = time.perf_counter()
        with profiler or contextlib.nullcontext():
            run = services.sync_start(actor=actor, full=full)  # eager without a broker: runs on commit
        seconds = time.perf_counter() - began
        process_cpu, db_cpu = cpu() - cpu_before, backend_cpu() - db_before
        fake_cpu = server_cpu() - server_before
        if profiler is not None:
            profiler.dump_stats(profile)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        run = TracktikSyncRun.objects.get(pk=run.pk)
        assert run.status == "succeeded", (run.status, run.error)
        rate = args.shifts / seconds
        print(
            f"{label}: {args.shifts} shifts in {seconds:.1f} s = {rate:,.0f} shifts/s "
            f"(created {run.created_count}, updated {run.updated_count}, unchanged {run.unchanged_count}, "
            f"removed {run.removed_count}, errors {run.error_count}); process CPU {process_cpu:.1f} s, "
            f"PostgreSQL backend CPU {db_cpu:.1f} s, fake server CPU {fake_cpu:.1f} s, "
            f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
        )

    with open(args.lock, "w") if args.lock else contextlib.nullcontext() as lock:
        if lock is not None:
            print(f"waiting for {args.lock} ...", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        timed("first sync", full=False, profile=args.profile)
        timed("full resync, nothing changed", full=True)
    server.terminate()


if __name__ == "__main__":
    main()
