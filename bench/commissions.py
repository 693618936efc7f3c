"""Benchmark: commission statement imports end to end (issue 6 point 3).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tys_imports_bench .venv/bin/python bench/commissions.py
    .venv/bin/python bench/commissions.py --rows 10000,50000,100000 [--tracemalloc]

Creates a throw-away database next to ``DATABASE_URL``'s (PostgreSQL; dropped afterwards) or,
without one, a temporary SQLite file, migrates it, and then for each ``--rows`` size runs one
child process that seeds an organisation (``--producers`` producers, ``--policies`` policies
with writing producers, one carrier), writes a CSV statement of that many rows (2 % chargebacks,
1 % unknown producers, a few bad dates) and imports it the way the API does:

1. ``import_batch_create`` stores the file and checks its header (the request);
2. ``import_batch_process`` (the Celery task, run in-process) reads, normalises, matches and
   deduplicates every row into import rows;
3. ``import_batch_finalise`` (skipping the unresolved rows) writes the reconciled ledger lines.

It prints rows/s for the processing, the finalise and the whole (1 + 2 + 3), the CPU time
the Python process spent (the rest of the wall time is the database's share, or waiting for a
busy machine), and the child's memory: peak RSS and its growth over the RSS before the
import (or, with ``--tracemalloc``, the peak of Python allocations during the import, which
is slower to measure). A flat memory
profile shows as the same growth for 10,000 and 100,000 rows.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _env(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=env.get("SECRET_KEY", "bench-only-not-a-secret-0123456789abcdefghijklmnop"),
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
        CELERY_TASK_ALWAYS_EAGER="1",
        DJANGO_SETTINGS_MODULE="trackyoursheets.settings",
    )
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    return env


def create_postgres_database(url: str, *, in_place: bool = False):
    """A fresh database next to ``url``'s (or, ``in_place``, ``url``'s own, dropped first);
    returns its URL and a function that drops it."""
    import environ
    import psycopg

    config = environ.Env.db_url_config(url)
    name = config["NAME"] if in_place else f"tys_bench_{uuid.uuid4().hex[:8]}"
    admin = {"host": config["HOST"], "port": config["PORT"] or 5432, "user": config["USER"], "dbname": "postgres"}
    if config.get("PASSWORD"):
        admin["password"] = config["PASSWORD"]
    with psycopg.connect(**admin, autocommit=True) as conn:
        if in_place:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{url.rsplit('/', 1)[0]}/{name}", drop


def rss_mb() -> float:
    """The current resident set size (Linux), in MB."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def write_statement(path: Path, rows: int, policies: list[str], codes: list[str], seed: int) -> None:
    """A carrier statement as the carriers send them: $ amounts, thousands separators, (negatives)."""
    rng = random.Random(seed)
    with path.open("w", newline="") as handle:
        handle.write("Policy Number,Agent Code,Insured,Written Premium,Comm Amt,Process Date,Transaction ID,Type\n")
        for n in range(rows):
            premium = rng.randint(200, 9_000) + rng.randint(0, 99) / 100
            commission = round(premium * rng.choice((0.08, 0.1, 0.12, 0.15)), 2)
            kind = "NB" if n % 3 else "RN"
            if n % 50 == 7:
                commission, kind = -commission, "CB"
            code = codes[n % len(codes)] if n % 100 != 3 else f"UNKNOWN-{n}"
            day = 1 + n % 28
            date = f"01/{day:02d}/2026" if n % 997 != 5 else f"2026.01.{day:02d}"  # a few unreadable dates
            amount = f"({abs(commission):,.2f})" if commission < 0 else f"${commission:,.2f}"
            handle.write(
                f'{policies[n % len(policies)]},{code},Customer {n},"${premium:,.2f}","{amount}",{date},'
                f"TX-{seed}-{n},{kind}\n"
            )


def child(size: int, producers: int, policies: int, trace: bool, profile_path: str = "") -> dict:
    """One measurement in this (fresh) process; returns the figures as a dict."""
    import django

    django.setup()
    from decimal import Decimal

    from django.core.files import File

    from organisations import services as organisation_services
    from organisations.actors import system_actor
    from organisations.models import Office, Producer, Workspace
    from payroll import services as import_services
    from payroll.models import Carrier, CommissionTransaction, ImportBatch, Policy, PolicyProducer

    organisation = organisation_services.organisation_create(
        name=f"Bench {uuid.uuid4().hex[:6]}", owner_email=f"owner-{uuid.uuid4().hex[:8]}@bench.test",
        owner_password=None, plan="scale",
    ).organisation  # fmt: skip
    actor = system_actor(organisation)
    office = Office.objects.create(organisation=organisation, name="HQ")
    workspaces = Workspace.objects.bulk_create(
        [Workspace(organisation=organisation, office=office, name=f"Pod {i}") for i in range(20)]
    )
    people = Producer.objects.bulk_create(
        [
            Producer(
                organisation=organisation, display_name=f"Producer {i:05d}", producer_code=f"AG{i:05d}",
                email=f"p{i}@bench.test", workspace=workspaces[i % len(workspaces)],
                default_split_percent=Decimal("80"),
            )
            for i in range(producers)
        ]
    )  # fmt: skip
    carrier = Carrier.objects.create(
        organisation=organisation, name="Bench Mutual", code="BM", statement_date_format="%m/%d/%Y"
    )
    book = Policy.objects.bulk_create(
        [
            Policy(
                organisation=organisation, carrier=carrier, number=f"BM-{i:07d}",
                effective_date="2025-06-01", premium=Decimal("1000.00"),
            )
            for i in range(policies)
        ],
        batch_size=5000,
    )  # fmt: skip
    PolicyProducer.objects.bulk_create(
        [
            PolicyProducer(organisation=organisation, policy=p, producer=people[i % len(people)])
            for i, p in enumerate(book)
        ],
        batch_size=5000,
    )
    tmp = Path(tempfile.mkdtemp(prefix="tys-bench-statement-"))
    path = tmp / f"statement-{size}.csv"
    write_statement(path, size, [p.number for p in book], [p.producer_code for p in people], seed=size)
    file_mb = path.stat().st_size / 1e6
    del book, people

    import gc

    gc.collect()
    rss_before = rss_mb()
    if trace:
        import tracemalloc

        tracemalloc.start()
    profile = None
    if profile_path:
        import cProfile

        profile = cProfile.Profile(time.process_time)  # CPU, not the waits for PostgreSQL
        profile.enable()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    with path.open("rb") as handle:
        batch = import_services.import_batch_create(actor=actor, upload=File(handle, name=path.name), carrier=carrier)
    # with eager Celery the task ran on commit, inside import_batch_create; run it if it did not
    batch = import_services.import_batch_process(batch_id=batch.pk, organisation_id=organisation.pk) or batch
    processed = time.perf_counter()
    batch = ImportBatch.objects.get(pk=batch.pk)
    assert batch.status == "review", (batch.status, batch.failure_reason)
    import_services.import_batch_finalise(actor=actor, batch=batch, skip_unresolved=True)
    finished = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    if profile is not None:
        profile.disable()
        profile.dump_stats(f"{profile_path}.{size}")
    traced = None
    if trace:
        traced = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000
    batch = ImportBatch.objects.get(pk=batch.pk)
    lines = CommissionTransaction.objects.filter(import_row__batch=batch).count()
    assert batch.status == "finalised" and lines == batch.transaction_count, (batch.status, lines)
    return {
        "rows": size,
        "file_mb": round(file_mb, 1),
        "matched": batch.matched_rows,
        "skipped": batch.skipped_rows,
        "chargebacks": batch.chargeback_rows,
        "lines": lines,
        "process_s": round(processed - started, 2),
        "finalise_s": round(finished - processed, 2),
        "total_s": round(finished - started, 2),
        "python_cpu_s": round(cpu, 2),
        "rss_before_mb": round(rss_before, 1),
        "rss_peak_mb": round(peak, 1),
        "traced_peak_mb": round(traced, 1) if traced is not None else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="10000,50000,100000", help="statement sizes, comma-separated")
    parser.add_argument("--producers", type=int, default=500)
    parser.add_argument("--policies", type=int, default=20_000)
    parser.add_argument("--tracemalloc", action="store_true", help="also measure Python allocations (slower)")
    parser.add_argument(
        "--in-place",
        action="store_true",
        help="measure in DATABASE_URL's own database (dropped, recreated and dropped again) instead of a new one",
    )
    parser.add_argument("--profile", default="", help="write a cProfile (CPU time) of each child's import here")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--no-analytics",
        action="store_true",
        help="skip the analytics half (bench/commission_analytics.py over 1,000,000 lines, PostgreSQL only)",
    )
    args = parser.parse_args()

    if args.child:
        print(json.dumps(child(args.child, args.producers, args.policies, args.tracemalloc, args.profile)))
        return

    url = os.environ.get("DATABASE_URL", "")
    drop = None
    if url.startswith("postgres"):
        url, drop = create_postgres_database(url, in_place=args.in_place)
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='tys-bench-')}/bench.sqlite3"
        print("No PostgreSQL DATABASE_URL: measuring on SQLite (the target is for PostgreSQL).")
    env = _env(url)
    try:
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        vendor = "PostgreSQL" if url.startswith("postgres") else "SQLite"
        print(f"database={vendor} producers={args.producers} policies={args.policies}")
        header = (
            f"{'rows':>8} {'file MB':>8} {'process s':>10} {'finalise s':>11} {'total s':>8} {'rows/s':>8} "
            f"{'Python CPU s':>13} {'RSS before':>11} {'RSS peak':>9} {'growth':>7}"
        )
        if args.tracemalloc:
            header += f" {'traced peak':>12}"
        print(header)
        for size in (int(s) for s in args.rows.split(",")):
            command = [sys.executable, __file__, "--child", str(size), "--producers", str(args.producers),
                       "--policies", str(args.policies)]  # fmt: skip
            if args.tracemalloc:
                command.append("--tracemalloc")
            if args.profile:
                command += ["--profile", args.profile]
            out = subprocess.run(command, env=env, check=True, capture_output=True, text=True, cwd=ROOT).stdout
            r = json.loads(out.strip().splitlines()[-1])
            line = (
                f"{r['rows']:>8,} {r['file_mb']:>8} {r['process_s']:>10} {r['finalise_s']:>11} {r['total_s']:>8} "
                f"{r['rows'] / r['total_s']:>8,.0f} {r['python_cpu_s']:>13} {r['rss_before_mb']:>11} "
                f"{r['rss_peak_mb']:>9} "
                f"{r['rss_peak_mb'] - r['rss_before_mb']:>7.1f}"
            )
            if args.tracemalloc:
                line += f" {r['traced_peak_mb']:>12}"
            print(line)
            print(
                f"{'':>8} matched {r['matched']:,}, skipped (unresolved) {r['skipped']:,}, "
                f"chargebacks {r['chargebacks']:,}, ledger lines {r['lines']:,}"
            )
    finally:
        if drop is not None:
            drop()
    original = os.environ.get("DATABASE_URL", "")
    if original.startswith("postgres") and not args.no_analytics:
        # the second half of the benchmark: the analytics queries over a million lines,
        # in a database of their own that later runs reuse (loading it takes a minute)
        print("\nAnalytics over 1,000,000 ledger lines (bench/commission_analytics.py):")
        analytics_url = original.rstrip("/") + "_analytics"
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "commission_analytics.py")],
            env={**os.environ, "DATABASE_URL": analytics_url},
            check=True,
            cwd=ROOT,
        )


if __name__ == "__main__":
    main()
