"""Benchmark of time tracking (issue 7): lists, writes, a 100,000-row CSV import and the summary
report, against a framework-free floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tys_time_bench .venv/bin/python bench/timetracking.py

PostgreSQL only. Recreates the database, seeds 1,000,000 time entries over 5 organisations and
500 employees (COPY), starts gunicorn with the README's settings (``-w 4 -k gthread --threads
4``) for our app and for the floor (bench/timetracking_floor.py: the SQL our view runs, captured
as it runs it, the same JSON body and Link header, checked before measuring; orjson, no
framework), and drives each scenario with 4 concurrent keep-alive clients for ``--seconds``
(default 20); each list is also timed with one client (the latency of a lone request).
Prints requests/s with p50/p99 latency per scenario and the CPU time per request of the
application's workers and of the database's backends (stable on a busy machine, where requests/s
is not; see bench/_harness.py's CpuMeter), our list throughput as a ratio of the floor's, the
import's rows/s and peak memory, and the summary report's latency.
``--reuse`` keeps an already seeded database; ``--scenarios lists`` (or post, summary, import)
runs a subset while iterating (all of them for the record).
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
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# the shared harness, importable once the repository root is on the path
from bench._harness import (  # noqa: E402
    CpuMeter,
    drive,
    free_port,
    recreate_database,
    report,
    start_gunicorn,
    stop,
)

ORGS = 5
EMPLOYEES_PER_ORG = 100
ENTRIES_PER_EMPLOYEE = 2000  # 5 x 100 x 2000 = 1,000,000
PROJECTS_PER_ORG = 20
TASKS_PER_PROJECT = 5
BASE = datetime.datetime(2024, 1, 1, 8, 0, tzinfo=datetime.UTC)
#: the servers' own logs (request lines, warnings) go here, not between the figures
LOG = open(os.path.join(tempfile.gettempdir(), "tys-bench-timetracking.log"), "ab")  # noqa: SIM115


def env_setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-0123456789abcdefghijklmnop")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("API_DEFAULT_RATE_LIMIT_PER_MINUTE", "100000000")
    os.environ.setdefault("API_CREDENTIAL_RATE_LIMIT_PER_MINUTE", "100000000")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackyoursheets.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # the figures, not the request log
    os.environ.pop("REDIS_URL", None)


# =============================================================================
# Seeding
# =============================================================================


def seed() -> dict:
    from django.db import connection
    from django.utils import timezone

    from hr.models import Employee
    from organisations.models import Office, Organisation
    from tests.conftest import issue_token
    from tests.organisations.factories import OAuthApplicationFactory
    from timetracking.models import Client, Project, Task, TimeEntry
    from trackyoursheets.api.scopes import SCOPES

    started = time.perf_counter()
    orgs = []
    for o in range(ORGS):
        org = Organisation.objects.create(name=f"Bench {o}", slug=f"bench-{o}", plan="scale", timezone="UTC")
        office = Office.objects.create(organisation=org, name="HQ", timezone="America/New_York")
        employees = Employee.objects.bulk_create(
            Employee(
                organisation=org, office=office, first_name=f"E{i}", last_name=f"O{o}", email=f"e{i}.o{o}@bench.test"
            )
            for i in range(EMPLOYEES_PER_ORG)
        )
        clients = Client.objects.bulk_create(
            Client(organisation=org, name=f"Client {c}", default_rate=60) for c in range(4)
        )
        projects = Project.objects.bulk_create(
            Project(organisation=org, client=clients[p % 4], name=f"Project {p}", hourly_rate=100 if p % 2 else None)
            for p in range(PROJECTS_PER_ORG)
        )
        tasks = Task.objects.bulk_create(
            Task(organisation=org, project=p, name=f"Task {t}") for p in projects for t in range(TASKS_PER_PROJECT)
        )
        application = OAuthApplicationFactory(organisation=org, scopes=" ".join(SCOPES))
        token = issue_token(application, ttl_seconds=24 * 3600)
        orgs.append({"org": org, "employees": employees, "projects": projects, "tasks": tasks, "token": token})

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
    rng = random.Random(7)
    copy_sql = f"COPY {TimeEntry._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
        for item in orgs:
            tasks = item["tasks"]
            for employee in item["employees"]:
                for n in range(ENTRIES_PER_EMPLOYEE):
                    task = tasks[rng.randrange(len(tasks))]
                    start = BASE + datetime.timedelta(hours=4 * n)
                    seconds = rng.choice((1800, 3600, 5400, 7200, 9000))
                    copy.write_row(
                        (
                            employee.organisation_id,
                            employee.pk,
                            task.project_id,
                            task.pk,
                            start,
                            start + datetime.timedelta(seconds=seconds),
                            seconds,
                            "Bench work",
                            "bench,seed",
                            n % 5 != 0,
                            False,
                            "import",
                            "",
                            now,
                            now,
                        )
                    )
    print(
        f"seeded {ORGS * EMPLOYEES_PER_ORG * ENTRIES_PER_EMPLOYEE:,} entries in {time.perf_counter() - started:.1f} s"
    )
    return orgs


def load_seed() -> list[dict]:
    from hr.models import Employee
    from organisations.models import Organisation
    from tests.conftest import issue_token
    from tests.organisations.factories import OAuthApplicationFactory
    from timetracking.models import Project, Task
    from trackyoursheets.api.scopes import SCOPES

    orgs = []
    for org in Organisation.objects.filter(slug__startswith="bench-").order_by("slug"):
        application = OAuthApplicationFactory(organisation=org, scopes=" ".join(SCOPES))
        orgs.append(
            {
                "org": org,
                "employees": list(Employee.objects.filter(organisation=org).order_by("pk")),
                "projects": list(Project.objects.filter(organisation=org).order_by("pk")),
                "tasks": list(Task.objects.filter(organisation=org).order_by("pk")),
                "token": issue_token(application, ttl_seconds=24 * 3600),
            }
        )
    return orgs


# =============================================================================
# Scenarios
# =============================================================================


def floor_queries(orgs, pages: dict[str, str]) -> str:
    """The SQL our list runs for each page (the count and the page, captured as the view runs
    them: same selector, same filters, same columns), for the floor app."""
    from django.db import connection

    from organisations.actors import Actor
    from organisations.models import OAuthApplication
    from timetracking import selectors
    from timetracking.api.serializers import TimeEntryListPage

    org = orgs[0]["org"]
    actor = Actor(organisation=org, kind="oauth", application=OAuthApplication.objects.filter(organisation=org).first())
    queries = {}
    for query_string, _label in pages.items():
        params = dict(p.split("=", 1) for p in query_string.split("&") if p and not p.startswith("page_size"))
        listed = TimeEntryListPage(selectors.time_entry_list(actor=actor, filters=params).select_related(None))
        captured = []

        def capture(execute, sql, sql_params, many, context, captured=captured):
            captured.append((sql, list(sql_params)))
            return execute(sql, sql_params, many, context)

        with connection.execute_wrapper(capture):
            listed.count()
            listed[0:100]
        (count_sql, count_params), (sql, sql_params) = captured[-2:]
        queries[query_string] = {"sql": sql, "params": sql_params, "count_sql": count_sql, "count_params": count_params}
    # the platform keeps only a checksum of access tokens
    queries["__auth__"] = (
        "SELECT id FROM oauth2_provider_accesstoken"
        " WHERE token_checksum = encode(sha256(convert_to(%s, 'UTF8')), 'hex')"
    )
    path = Path(tempfile.mkdtemp(prefix="tys-floor-")) / "queries.json"
    path.write_text(json.dumps(queries, default=str))
    return str(path)


def same_page(ours_port: int, floor_port: int, path: str, headers: dict) -> None:
    """The floor must answer what we answer (same body, same Link header), or the ratio means nothing."""
    answers = []
    for port in (ours_port, floor_port):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("GET", path, headers={**headers, "Host": "127.0.0.1"})
        response = conn.getresponse()
        answers.append((json.loads(response.read()), response.getheader("Link")))
        conn.close()
    if answers[0] != answers[1]:
        ours, floor = (repr(answer)[:600] for answer in answers)
        raise SystemExit(f"the floor does not answer {path} as we do:\nours  {ours}\nfloor {floor}")


def run(args) -> None:
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)  # the figures, not the request log
    from django.core.management import call_command
    from django.db import connection

    if not args.reuse:
        recreate_database(os.environ["DATABASE_URL"])
    call_command("migrate", verbosity=0)
    from organisations.models import Organisation

    orgs = load_seed() if args.reuse and Organisation.objects.filter(slug="bench-0").exists() else seed()
    from timetracking.models import TimeEntry

    # what earlier runs wrote (posts in 2030, imports from 2031) would overlap this run's
    TimeEntry.objects.filter(start_time__gte=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)).delete()
    with connection.cursor() as cursor:  # visibility map and statistics, as autovacuum would leave them
        cursor.execute("VACUUM ANALYZE")
    connection.close()

    first = orgs[0]
    project = first["projects"][3]
    pages = {
        "page_size=100": "no filter",
        f"page_size=100&start_date=2024-06-01&end_date=2024-06-30&project_id={project.pk}": "date range + project",
    }
    auth = {"Authorization": f"Bearer {first['token']}"}
    floor_sql = floor_queries(orgs, pages)
    connection.close()
    dsn = os.environ["DATABASE_URL"]

    ours_port, floor_port = free_port(), free_port()
    ours = start_gunicorn("trackyoursheets.wsgi", ours_port)
    floor = start_gunicorn(
        "bench.timetracking_floor:app", floor_port, {"TYS_FLOOR_SQL": floor_sql, "TYS_FLOOR_DSN": dsn}
    )
    ours_meter, floor_meter = CpuMeter(ours, dsn), CpuMeter(floor, dsn)
    results = {}
    try:
        for query_string, label in pages.items():
            if "lists" not in args.scenarios:
                break

            def get(n, i, qs=query_string):
                return "GET", f"/v1/time-entries?{qs}", None, auth

            same_page(ours_port, floor_port, f"/v1/time-entries?{query_string}", auth)
            drive(ours_port, get, 2)  # warm up
            drive(floor_port, get, 2)
            results[f"ours {label}"] = drive(ours_port, get, args.seconds, meter=ours_meter)
            results[f"floor {label}"] = drive(floor_port, get, args.seconds, meter=floor_meter)
            report(f"GET /v1/time-entries?page_size=100 ({label})", results[f"ours {label}"])
            report(f"floor ({label})", results[f"floor {label}"])
            print(f"{'':<52} ours / floor = {results[f'ours {label}']['rps'] / results[f'floor {label}']['rps']:.0%}")
            # with 4 closed-loop clients on 2 cores p50 is about 4 / throughput: the latency of
            # one request on its own is this
            results[f"ours {label} 1 client"] = drive(
                ours_port, get, max(5.0, args.seconds / 4), clients=1, meter=ours_meter
            )
            report("  the same, 1 client (latency of a lone request)", results[f"ours {label} 1 client"])

        employees = first["employees"]

        def post(n, i):
            employee = employees[n]
            start = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(hours=2 * i)
            body = json.dumps(
                {
                    "employee_id": employee.pk,
                    "project_id": project.pk,
                    "start_time": start.isoformat(),
                    "end_time": (start + datetime.timedelta(hours=1)).isoformat(),
                    "notes": "bench",
                    "tags": "a,b",
                }
            )
            return "POST", "/v1/time-entries", body, {**auth, "Content-Type": "application/json"}

        if "post" in args.scenarios:
            results["post"] = drive(ours_port, post, args.seconds, meter=ours_meter)
            report("POST /v1/time-entries", results["post"])
        if "summary" in args.scenarios:
            summary(ours_port, auth, args.summary_runs)
        if "import" in args.scenarios:
            import_figures(orgs[4], ours_port, args.import_rows)
    finally:
        stop(ours)
        stop(floor)


def summary(port: int, auth: dict, runs: int) -> None:
    """The summary report over one organisation's entries, one request at a time."""
    summary_times = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for n in range(runs + 1):
        t0 = time.perf_counter()
        conn.request("GET", "/v1/reports/summary", headers=auth)
        response = conn.getresponse()
        body = json.loads(response.read())
        if n:  # the first run warms the caches
            summary_times.append((time.perf_counter() - t0) * 1000)
    print(
        f"GET /v1/reports/summary over {body['summary']['total_entries']:,} entries: "
        f"p50 {statistics.median(summary_times):.0f} ms, max {max(summary_times):.0f} ms "
        f"({runs} runs, {len(body['summary']['by_project'])} projects, "
        f"{len(body['summary']['by_employee'])} employees)"
    )


def csv_text(item: dict, rows: int, year: int) -> str:
    lines = ["date,start,end,project,task,notes,tags,billable,employee_email"]
    employees = item["employees"]
    projects = {p.pk: p for p in item["projects"]}
    tasks = item["tasks"]
    for n in range(rows):
        employee = employees[n % len(employees)]
        day = datetime.date(year, 1, 1) + datetime.timedelta(days=n // len(employees))
        task = tasks[n % len(tasks)]
        lines.append(
            f"{day.isoformat()},09:00,10:30,{projects[task.project_id].name},{task.name},Imported,"
            f'"x,y",true,{employee.email}'
        )
    return "\n".join(lines) + "\n"


def import_figures(item: dict, port: int, rows: int) -> None:
    """Through HTTP (a 202 job, run by the eager task inside the gunicorn worker) for rows/s;
    in-process with tracemalloc at two sizes to show how memory grows."""
    text = csv_text(item, rows, 2031)
    auth = {"Authorization": f"Bearer {item['token']}", "Content-Type": "text/csv"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    t0 = time.perf_counter()
    conn.request("POST", "/v1/time-entries/import-csv", body=text.encode(), headers=auth)
    response = conn.getresponse()
    job = json.loads(response.read())
    while job.get("status") in ("pending", "running"):
        time.sleep(0.2)
        conn.request("GET", f"/v1/time-entries/imports/{job['id']}", headers=auth)
        job = json.loads(conn.getresponse().read())
    elapsed = time.perf_counter() - t0
    print(
        f"CSV import of {rows:,} rows over HTTP: {response.status}, {job.get('status')}, "
        f"{job.get('created'):,} created in {elapsed:.1f} s = {rows / elapsed:,.0f} rows/s"
    )

    from organisations.actors import system_actor
    from timetracking import importer

    actor = system_actor(item["org"])
    for size, year in ((rows // 10, 2040), (rows, 2050)):
        sample = csv_text(item, size, year)
        tracemalloc.start()
        t0 = time.perf_counter()
        report_ = importer.import_csv(actor=actor, text=sample)
        elapsed = time.perf_counter() - t0
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        text_mb = len(sample.encode()) / 2**20
        print(
            f"CSV import of {size:,} rows in-process (tracemalloc on, slower): {report_.created:,} created, "
            f"peak {peak / 2**20:.1f} MiB for a {text_mb:.1f} MiB file ({elapsed:.1f} s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="per scenario (at least 20 for the record)")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--summary-runs", type=int, default=10)
    parser.add_argument(
        "--scenarios",
        type=lambda text: set(text.split(",")),
        default={"lists", "post", "summary", "import"},
        help="comma-separated subset of lists,post,summary,import (default: all; all for the record)",
    )
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tys_time_bench")
    if not database_url.startswith("postgres"):
        sys.exit("bench/timetracking.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    env_setup(database_url)
    run(args)


if __name__ == "__main__":
    main()
