"""Benchmark of the tracked-hours report (issue 15 point 6): ``GET /v1/reports/tracked-hours`` over
200,000 time entries, grouped by employee, project and day (target < 300 ms).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tys_i15_bulk .venv/bin/python bench/reports.py

PostgreSQL only. Seeds (or reuses, ``--reuse``; ``--seed-only`` stops there, to seed outside the
benchmark lock) bench/timesheets.py's organisation — 500 employees in 5 offices (New York time),
20 projects of 5 tasks, 40,000 entries over 8 weeks — and adds 32 earlier weeks of entries (COPY)
to reach 200,000, and bill rates at every level (client defaults, project and task rates,
contracts for 50 employees: ``add_rates``) so the amounts are priced. Then, for each
``group_by``, in-process: the SQL statements of one request and ``EXPLAIN (ANALYZE, BUFFERS)`` of
its aggregation (with the statement's own ``set_config`` settings); and through gunicorn (``-w 4
-k gthread --threads 4``) with 1 and 4 keep-alive clients for ``--seconds`` each: requests/s,
p50/p99 and the CPU time per request of the workers and of the database's backends. Two callers:
an organisation-wide OAuth client (sees rates: amounts are priced) and the same report narrowed
to one month (``start_date``/``end_date``).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import timesheets as base  # noqa: E402
from bench._harness import CpuMeter, drive, free_port, recreate_database, report, start_gunicorn, stop  # noqa: E402

TARGET_ENTRIES = 200_000
EXTRA_WEEKS = 32  # before bench/timesheets.py's 8 weeks: 500 x 40 weeks x 10 = 200,000
GROUPS = ("employee", "project", "day")


def add_entries(org) -> int:
    """Entries for ``EXTRA_WEEKS`` weeks before the timesheets' first week (no timesheets there)."""
    from django.db import connection
    from django.utils import timezone

    from hr.models import Employee
    from timetracking.models import Task, TimeEntry

    employees = list(Employee.objects.filter(organisation=org).order_by("pk"))
    tasks = list(Task.objects.filter(organisation=org).order_by("pk"))
    columns = (
        "organisation_id",
        "employee_id",
        "project_id",
        "task_id",
        "start_time",
        "end_time",
        "duration_seconds",
        "notes",
        "tags",
        "billable",
        "paid",
        "source",
        "external_id",
        "created_at",
        "updated_at",
    )
    rng = random.Random(6)
    now = timezone.now()
    first = base.FIRST_MONDAY - datetime.timedelta(days=7 * EXTRA_WEEKS)
    written = 0
    copy_sql = f"COPY {TimeEntry._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
        for employee in employees:
            for week in range(EXTRA_WEEKS):
                for day in range(5):
                    date = first + datetime.timedelta(days=7 * week + day)
                    for hour in (13, 18):
                        task = tasks[rng.randrange(len(tasks))]
                        start = datetime.datetime.combine(date, datetime.time(hour), tzinfo=datetime.UTC)
                        seconds = rng.choice((3600, 7200, 10800, 14400))
                        end = start + datetime.timedelta(seconds=seconds)
                        row = (org.pk, employee.pk, task.project_id, task.pk, start, end, seconds)
                        copy.write_row((*row, "Bench work", "", hour == 13, False, "import", "", now, now))
                        written += 1
    return written


def add_rates(org) -> int:
    """Bill rates at every level, so the report prices its hours the way a real organisation's
    does: each client a default rate, every other project its own rate, every fifth task its own
    rate, and contracts for 50 employees (25 for all projects, 25 for one project). Returns the
    contracts written (0 when they are there already)."""
    from decimal import Decimal

    from hr.models import Employee
    from timetracking.models import Client, Contract, Project, Task

    if Contract.objects.filter(organisation=org).exists():
        return 0
    Client.objects.filter(organisation=org).update(default_rate=Decimal("100.00"))
    for n, project in enumerate(Project.objects.filter(organisation=org).order_by("pk")):
        if n % 2 == 0:
            Project.objects.filter(pk=project.pk).update(hourly_rate=Decimal("120.00") + n)
    for n, task in enumerate(Task.objects.filter(organisation=org).order_by("pk")):
        if n % 5 == 0:
            Task.objects.filter(pk=task.pk).update(hourly_rate=Decimal("150.50"))
    first_project = Project.objects.filter(organisation=org).order_by("pk").first()
    employees = list(Employee.objects.filter(organisation=org).order_by("pk")[:50])
    Contract.objects.bulk_create(
        Contract(
            organisation=org,
            employee=employee,
            project=None if n < 25 else first_project,
            hourly_rate=Decimal("90.00") if n < 25 else Decimal("95.25"),
        )
        for n, employee in enumerate(employees)
    )
    return len(employees)


def explain(path: str, auth: dict) -> tuple[int, str]:
    """The statements of one request (in-process, warm) and EXPLAIN ANALYZE of the slowest one."""
    from django.db import connection, transaction
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=auth["Authorization"])
    client.get(path)
    captured: list[tuple[float, str, tuple]] = []

    def keep(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append((time.perf_counter() - t0, sql, params))

    with connection.execute_wrapper(keep):
        response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    _spent, sql, params = max(captured, key=lambda item: item[0])
    # the statement's own settings (``SELECT set_config(..., true)`` before it), in one transaction
    settings = [(s, p) for _t, s, p in captured if s.lstrip().upper().startswith("SELECT SET_CONFIG")]
    with transaction.atomic(), connection.cursor() as cursor:
        for setting, setting_params in settings:
            cursor.execute(setting, setting_params)
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return len(captured), plan


def run(args) -> None:
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)
    from django.core.management import call_command
    from django.db import connection

    if not args.reuse:
        recreate_database(os.environ["DATABASE_URL"])
    call_command("migrate", verbosity=0)
    from organisations.models import Organisation
    from timetracking.models import TimeEntry

    if not Organisation.objects.filter(slug=base.SLUG).exists():
        base.seed()
    org = Organisation.objects.get(slug=base.SLUG)
    if TimeEntry.objects.filter(organisation=org).count() < TARGET_ENTRIES:
        started = time.perf_counter()
        print(f"added {add_entries(org):,} entries in {time.perf_counter() - started:.1f} s")
    total = TimeEntry.objects.filter(organisation=org).count()
    print(f"{total:,} time entries; {add_rates(org)} contracts added")
    if args.seed_only:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        return
    auth = {"Authorization": f"Bearer {base.token_for(org)}", "Host": "127.0.0.1"}
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    month = "&start_date=2026-09-01&end_date=2026-09-30"
    paths = [(f"group_by={g}", f"/v1/reports/tracked-hours?group_by={g}") for g in GROUPS]
    paths += [(f"group_by={g}, one month", f"/v1/reports/tracked-hours?group_by={g}{month}") for g in GROUPS]
    plans = {}
    for label, path in paths:
        statements, plan = explain(path, auth)
        plans[label] = (statements, plan)
        if args.explain:
            print(f"--- {label}: {statements} statements; the aggregation:\n{plan}\n")
    connection.close()
    dsn = os.environ["DATABASE_URL"]
    port = free_port()
    server = start_gunicorn("trackyoursheets.wsgi", port)
    meter = CpuMeter(server, dsn)
    try:
        for label, path in paths:

            def make(n, i, path=path):
                return "GET", path, None, auth

            drive(port, make, 1, clients=1)  # warm up
            lone = drive(port, make, args.seconds, clients=1, meter=meter)
            report(f"GET tracked-hours {label}, 1 client", lone)
            statements, plan = plans[label]
            execution = next((line for line in plan.splitlines() if "Execution Time" in line), "").strip()
            print(f"{'':<52} {statements} SQL statements per request; aggregation {execution}")
            if args.clients > 1:
                busy = drive(port, make, args.seconds, clients=args.clients, meter=meter)
                report(f"  the same, {args.clients} clients", busy)
    finally:
        stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per scenario and client count")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    parser.add_argument("--seed-only", action="store_true", help="seed (outside the benchmark lock) and stop")
    parser.add_argument("--explain", action="store_true", help="print each aggregation's EXPLAIN ANALYZE")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("bench/reports.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    base.env_setup(database_url)
    run(args)


if __name__ == "__main__":
    main()
