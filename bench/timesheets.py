"""Benchmark of timesheets (issue 15): the approval inbox, a timesheet's detail and bulk approval.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tys_i15_timesheets_bench .venv/bin/python bench/timesheets.py

PostgreSQL only. Recreates the database and seeds one organisation of 500 employees (5 offices,
New York time) with 8 weekly periods of entries each (2 a working day: 40,000 entries, COPY) and
their timesheets: the first 7 weeks approved, the last one submitted (500 in the inbox). Starts
gunicorn with the README's settings (``-w 4 -k gthread --threads 4``) and drives, with 4
concurrent keep-alive clients for ``--seconds`` (default 20) each:

- the approval inbox, ``GET /v1/timesheets?status=submitted&page_size=100`` (rows with totals);
- a timesheet's detail, ``GET /v1/timesheets/{id}`` (days, projects, tasks and 10 entries), a
  different timesheet each request;

and prints requests/s, p50/p99 latency, the CPU time per request of the gunicorn workers and of
the database's backends (stable on a busy machine, where requests/s is not: bench/_harness.py's
CpuMeter) and the SQL statements per request (counted in-process on the same requests). Then
``POST /v1/timesheets/bulk-approve`` of the 500 submitted timesheets, one request, ``--bulk-runs``
times (the timesheets are put back to submitted between runs), against the target of < 2 s.
``--reuse`` keeps an already seeded database.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._harness import CpuMeter, drive, free_port, recreate_database, report, start_gunicorn, stop  # noqa: E402

EMPLOYEES = 500
OFFICES = 5
WEEKS = 8
PROJECTS = 20
TASKS_PER_PROJECT = 5
FIRST_MONDAY = datetime.date(2026, 9, 7)
SLUG = "bench-timesheets"


def env_setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-0123456789abcdefghijklmnop")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("API_DEFAULT_RATE_LIMIT_PER_MINUTE", "100000000")
    os.environ.setdefault("API_CREDENTIAL_RATE_LIMIT_PER_MINUTE", "100000000")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackyoursheets.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.pop("REDIS_URL", None)


def seed() -> None:
    from django.db import connection
    from django.utils import timezone

    from hr.models import Employee
    from organisations.models import Office, Organisation
    from timetracking.models import Client, Project, Task, TimeEntry, Timesheet

    started = time.perf_counter()
    org = Organisation.objects.create(name="Bench timesheets", slug=SLUG, plan="scale", timezone="UTC")
    offices = Office.objects.bulk_create(
        Office(organisation=org, name=f"Office {n}", timezone="America/New_York") for n in range(OFFICES)
    )
    employees = Employee.objects.bulk_create(
        Employee(
            organisation=org,
            office=offices[i % OFFICES],
            first_name=f"E{i}",
            last_name="Bench",
            email=f"e{i}@bench.test",
        )
        for i in range(EMPLOYEES)
    )
    clients = Client.objects.bulk_create(Client(organisation=org, name=f"Client {c}") for c in range(4))
    projects = Project.objects.bulk_create(
        Project(organisation=org, client=clients[p % 4], name=f"Project {p}") for p in range(PROJECTS)
    )
    tasks = Task.objects.bulk_create(
        Task(organisation=org, project=p, name=f"Task {t}") for p in projects for t in range(TASKS_PER_PROJECT)
    )
    now = timezone.now()
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
    rng = random.Random(15)
    entries = 0
    copy_sql = f"COPY {TimeEntry._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
        for employee in employees:
            for week in range(WEEKS):
                for day in range(5):
                    date = FIRST_MONDAY + datetime.timedelta(days=7 * week + day)
                    for hour in (13, 18):  # 09:00 and 14:00 in New York (EDT), 08:00 and 13:00 (EST)
                        task = tasks[rng.randrange(len(tasks))]
                        start = datetime.datetime.combine(date, datetime.time(hour), tzinfo=datetime.UTC)
                        seconds = rng.choice((3600, 7200, 10800, 14400))
                        copy.write_row(
                            (
                                org.pk,
                                employee.pk,
                                task.project_id,
                                task.pk,
                                start,
                                start + datetime.timedelta(seconds=seconds),
                                seconds,
                                "Bench work",
                                "",
                                hour == 13,
                                False,
                                "import",
                                "",
                                now,
                                now,
                            )
                        )
                        entries += 1
    Timesheet.objects.bulk_create(
        Timesheet(
            organisation=org,
            employee=employee,
            period_start=FIRST_MONDAY + datetime.timedelta(days=7 * week),
            period_end=FIRST_MONDAY + datetime.timedelta(days=7 * week + 6),
            status="approved" if week < WEEKS - 1 else "submitted",
            submitted_at=now,
            decided_at=now if week < WEEKS - 1 else None,
        )
        for employee in employees
        for week in range(WEEKS)
    )
    print(
        f"seeded {EMPLOYEES} employees, {entries:,} entries, {EMPLOYEES * WEEKS:,} timesheets"
        f" in {time.perf_counter() - started:.1f} s"
    )


def token_for(org) -> str:
    from tests.conftest import issue_token
    from tests.organisations.factories import OAuthApplicationFactory
    from trackyoursheets.api.scopes import SCOPES

    application = OAuthApplicationFactory(organisation=org, scopes=" ".join(SCOPES))
    return issue_token(application, ttl_seconds=24 * 3600)


def statements_per_request(
    path: str, auth: dict, method: str = "GET", body: str | None = None, *, warm: bool = True
) -> tuple[int, int]:
    """The SQL statements one request runs, in-process (``warm``: the second of two requests), and
    its status."""
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=auth["Authorization"])
    call = getattr(client, method.lower())
    kwargs = {"data": body, "content_type": "application/json"} if body is not None else {}
    if warm:
        call(path, **kwargs)
    counted = []

    def count(execute, sql, params, many, context):
        counted.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = call(path, **kwargs)
    return len(counted), response.status_code


def in_process_breakdown(ids: list[int], auth: dict) -> None:
    """One bulk approval in this process: wall and CPU time, and how much of the wall time is the
    after-commit webhook fan-out, which runs inline without a broker (``REDIS_URL`` unset: Celery's
    eager mode, as in development) and in a Celery worker in production (one publish per event)."""
    from django.test import Client

    from integrations import outbox
    from timetracking.models import Timesheet

    Timesheet.objects.filter(pk__in=ids).update(status="submitted", decided_at=None, decided_by=None)
    spent = [0.0]
    dispatch, dispatch_batch = outbox._dispatch, outbox._dispatch_batch

    def timing(function):
        def timed(*args):
            t0 = time.perf_counter()
            function(*args)
            spent[0] += time.perf_counter() - t0

        return timed

    outbox._dispatch, outbox._dispatch_batch = timing(dispatch), timing(dispatch_batch)
    try:
        client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=auth["Authorization"])
        t0, cpu = time.perf_counter(), time.process_time()
        response = client.post(
            "/v1/timesheets/bulk-approve", data=json.dumps({"ids": ids}), content_type="application/json"
        )
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu
    finally:
        outbox._dispatch, outbox._dispatch_batch = dispatch, dispatch_batch
    print(
        f"bulk-approve of {len(ids)} in-process: HTTP {response.status_code}, {wall * 1000:.0f} ms wall,"
        f" {cpu * 1000:.0f} ms CPU (this process); of the wall time {spent[0] * 1000:.0f} ms is the eager"
        f" after-commit webhook fan-out, {(wall - spent[0]) * 1000:.0f} ms the request's own transaction"
    )


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
    from timetracking.models import Timesheet

    if not Organisation.objects.filter(slug=SLUG).exists():
        seed()
    org = Organisation.objects.get(slug=SLUG)
    last_week = FIRST_MONDAY + datetime.timedelta(days=7 * (WEEKS - 1))
    submitted = list(
        Timesheet.objects.filter(organisation=org, period_start=last_week).order_by("pk").values_list("pk", flat=True)
    )
    Timesheet.objects.filter(pk__in=submitted).update(status="submitted", decided_at=None, decided_by=None)
    detail_ids = list(
        Timesheet.objects.filter(organisation=org, status="approved").order_by("pk").values_list("pk", flat=True)
    )
    auth = {"Authorization": f"Bearer {token_for(org)}", "Host": "127.0.0.1"}
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    inbox = "/v1/timesheets?status=submitted&page_size=100"
    queries = {
        "inbox": statements_per_request(inbox, auth),
        "detail": statements_per_request(f"/v1/timesheets/{detail_ids[0]}", auth),
    }
    connection.close()
    dsn = os.environ["DATABASE_URL"]
    port = free_port()
    server = start_gunicorn("trackyoursheets.wsgi", port)
    meter = CpuMeter(server, dsn)
    try:

        def get_inbox(n, i):
            return "GET", inbox, None, auth

        def get_detail(n, i):
            return "GET", f"/v1/timesheets/{detail_ids[(n * 7919 + i * 31) % len(detail_ids)]}", None, auth

        for name, make, label in (
            ("inbox", get_inbox, f"GET {inbox}"),
            ("detail", get_detail, "GET /v1/timesheets/{id} (10 entries)"),
        ):
            drive(port, make, 2)  # warm up
            figures = drive(port, make, args.seconds, meter=meter)
            report(label, figures)
            statements, status = queries[name]
            print(f"{'':<52} {statements} SQL statements per request (HTTP {status}, in-process)")
            lone = drive(port, make, max(5.0, args.seconds / 4), clients=1, meter=meter)
            report("  the same, 1 client (latency of a lone request)", lone)

        timings = []
        for _run in range(args.bulk_runs):
            Timesheet.objects.filter(pk__in=submitted).update(status="submitted", decided_at=None, decided_by=None)
            connection.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            body = json.dumps({"ids": submitted})
            meter.start()
            t0 = time.perf_counter()
            conn.request(
                "POST", "/v1/timesheets/bulk-approve", body=body, headers={**auth, "Content-Type": "application/json"}
            )
            response = conn.getresponse()
            answer = json.loads(response.read())
            elapsed = time.perf_counter() - t0
            cpu = meter.stop(1)
            conn.close()
            approved = len(answer.get("approved", []))
            timings.append(elapsed)
            print(
                f"POST /v1/timesheets/bulk-approve of {len(submitted)}: HTTP {response.status}, {approved} approved,"
                f" {len(answer.get('skipped', []))} skipped, {elapsed * 1000:.0f} ms"
                f" (CPU: application {cpu['app_cpu_ms']:.0f} ms, database {cpu['db_cpu_ms']:.0f} ms)"
            )
        if timings:
            print(
                f"bulk-approve of {len(submitted)}: median {statistics.median(timings) * 1000:.0f} ms,"
                f" max {max(timings) * 1000:.0f} ms over {len(timings)} runs (target < 2000 ms)"
            )
        in_process_breakdown(submitted, auth)
        Timesheet.objects.filter(pk__in=submitted).update(status="submitted", decided_at=None, decided_by=None)
        body = json.dumps({"ids": submitted})
        statements, status = statements_per_request("/v1/timesheets/bulk-approve", auth, "POST", body, warm=False)
        print(f"bulk-approve of {len(submitted)}: {statements} SQL statements (HTTP {status}, in-process)")
    finally:
        stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="per scenario (at least 20 for the record)")
    parser.add_argument("--bulk-runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tys_i15_timesheets_bench")
    if not database_url.startswith("postgres"):
        sys.exit("bench/timesheets.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    env_setup(database_url)
    run(args)


if __name__ == "__main__":
    main()
