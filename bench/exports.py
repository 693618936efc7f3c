"""Benchmark of report exports (issue 17): time entries to CSV (rows/s, peak RSS growth), time
entries to XLSX, and the commissions leadership PDF over the whole ledger.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tys_exports_bench .venv/bin/python bench/exports.py \
        --entries 1000000 --xlsx-rows 200000 --ledger 1000000

PostgreSQL only. Recreates the database (unless ``--reuse``), seeds one organisation with 200
employees, 20 projects, ``--entries`` time entries and ``--ledger`` commission lines (20 carriers,
200 producers) through ``COPY``, then runs each export in this process exactly as the Celery task
does (``integrations.exports.services.export_run``: the report's scoped selector, the writer, the
checksum, the private storage, the ready event), as an organisation-wide OAuth client. Targets:
CSV >= 50,000 rows/s with < 100 MB peak RSS growth; 200,000 XLSX rows < 20 s; the PDF < 5 s.
The XLSX export is ``time_entries`` narrowed to its first ``--xlsx-rows`` rows by ``end_date``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._harness import recreate_database  # noqa: E402

SLUG = "bench-exports"
EMPLOYEES = 200
PROJECTS = 20
START = datetime.datetime(2024, 1, 1, 8, tzinfo=datetime.UTC)


def env_setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-0123456789abcdefghijklmnop")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackyoursheets.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("PRIVATE_FILES_ROOT", str(ROOT / "var" / "bench-private"))
    os.environ.pop("REDIS_URL", None)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def copy_rows(table: str, columns: tuple[str, ...], rows) -> None:
    from django.db import connection

    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def seed(entries: int, ledger: int) -> None:
    from django.utils import timezone

    from hr.models import Employee
    from organisations.models import Office, Organisation, Producer, Workspace
    from payroll.models import Carrier, CommissionTransaction
    from timetracking.models import Client, Project, TimeEntry

    started = time.perf_counter()
    org = Organisation.objects.create(name="Bench exports", slug=SLUG, plan="scale", timezone="UTC")
    office = Office.objects.create(organisation=org, name="Head office", timezone="America/New_York")
    employees = Employee.objects.bulk_create(
        Employee(organisation=org, office=office, first_name=f"E{i}", last_name="Bench", email=f"e{i}@bench.test")
        for i in range(EMPLOYEES)
    )
    client = Client.objects.create(organisation=org, name="Client")
    projects = Project.objects.bulk_create(
        Project(organisation=org, client=client, name=f"Project {p}") for p in range(PROJECTS)
    )
    now = timezone.now()
    rng = random.Random(17)

    def entry_rows():
        for n in range(entries):
            start = START + datetime.timedelta(minutes=37 * n)
            seconds = rng.randrange(900, 4 * 3600, 60)
            yield (
                org.pk, employees[n % EMPLOYEES].pk, projects[n % PROJECTS].pk, None, start,
                start + datetime.timedelta(seconds=seconds), seconds, f"Work {n}, \"quoted\"", "", n % 3 != 0,
                False, "manual", "", now, now,
            )  # fmt: skip

    copy_rows(
        TimeEntry._meta.db_table,
        ("organisation_id", "employee_id", "project_id", "task_id", "start_time", "end_time", "duration_seconds",
         "notes", "tags", "billable", "paid", "source", "external_id", "created_at", "updated_at"),
        entry_rows(),
    )  # fmt: skip
    workspace = Workspace.objects.create(organisation=org, office=office, name="Pod")
    carriers = Carrier.objects.bulk_create(
        Carrier(organisation=org, name=f"Carrier {c:02d}", code=f"C{c:02d}") for c in range(20)
    )
    producers = Producer.objects.bulk_create(
        Producer(organisation=org, workspace=workspace, display_name=f"Producer {p:03d}") for p in range(200)
    )

    def ledger_rows():
        for n in range(ledger):
            day = datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 730)
            premium = rng.randrange(10_000, 500_000) / 100
            gross = round(premium / 10, 2)
            yield (
                org.pk, producers[n % 200].pk, carriers[(n * 7) % 20].pk, workspace.pk, day.replace(day=1), day,
                premium, gross, 100, gross, "new", "pending", "import", "", "", now, now,
            )  # fmt: skip

    copy_rows(
        CommissionTransaction._meta.db_table,
        ("organisation_id", "producer_id", "carrier_id", "workspace_id", "statement_period", "transaction_date",
         "premium", "gross_commission", "split_percent", "producer_amount", "type", "status", "source",
         "external_id", "notes", "created_at", "updated_at"),
        ledger_rows(),
    )  # fmt: skip
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded {entries:,} entries and {ledger:,} ledger lines in {time.perf_counter() - started:.1f} s")


def run_export(org, report: str, fmt: str, filters: dict | None = None):
    from integrations.exports import services
    from integrations.models import ReportExport
    from organisations.actors import system_actor

    actor = system_actor(org)
    export = ReportExport.objects.create(
        organisation=org,
        report=report,
        format=fmt,
        filters=filters or {},
        actor_kind="oauth",
        actor_scopes=sorted(actor.scopes),
        actor_label="bench",
    )
    before = rss_mb()
    started = time.perf_counter()
    cpu = time.process_time()
    ok = services.export_run(export.pk)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    export.refresh_from_db()
    if not ok:
        raise SystemExit(f"{report}.{fmt} failed: {export.error}")
    return export, wall, cpu, rss_mb() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    parser.add_argument("--ledger", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database")
    parser.add_argument("--scenarios", default="csv,xlsx,pdf", help="which exports to run (csv, xlsx, pdf)")
    args = parser.parse_args()
    env_setup(os.environ["DATABASE_URL"])
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)
    from django.core.management import call_command

    if not args.reuse:
        recreate_database(os.environ["DATABASE_URL"])
    call_command("migrate", verbosity=0)
    from organisations.models import Organisation

    if not Organisation.objects.filter(slug=SLUG).exists():
        seed(args.entries, args.ledger)
    org = Organisation.objects.get(slug=SLUG)
    print(f"load average {os.getloadavg()[0]:.2f}; RSS after setup {rss_mb():.0f} MB")

    scenarios = set(args.scenarios.split(","))
    if "csv" in scenarios:
        export, wall, cpu, growth = run_export(org, "time_entries", "csv")
        print(
            f"time_entries CSV: {export.row_count:,} rows, {export.size / 1e6:.1f} MB in {wall:.1f} s wall "
            f"({export.row_count / wall:,.0f} rows/s; {cpu:.1f} s CPU); peak RSS growth {growth:.1f} MB"
        )
    if "xlsx" in scenarios:
        # whole local days up to the day of the --xlsx-rows-th entry
        last = (START + datetime.timedelta(minutes=37 * (args.xlsx_rows - 1))).date()
        export, wall, cpu, growth = run_export(org, "time_entries", "xlsx", {"end_date": str(last)})
        print(
            f"time_entries XLSX: {export.row_count:,} rows, {export.size / 1e6:.1f} MB in {wall:.1f} s wall "
            f"({cpu:.1f} s CPU); peak RSS growth {growth:.1f} MB"
        )
    if "pdf" in scenarios:
        export, wall, cpu, growth = run_export(org, "commission_summary", "pdf")
        print(
            f"commissions leadership PDF over {export.row_count:,} ledger lines: {export.size / 1e3:.0f} kB "
            f"in {wall:.2f} s wall ({cpu:.2f} s CPU)"
        )


if __name__ == "__main__":
    main()
