"""Benchmark of payroll runs (issue 18): create + compute a draft (source claims and explanations
included), approve, and read the run's entries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tys_payroll_bench .venv/bin/python bench/payroll.py \
        --employees 5000 --producers 500 --commission-lines 100000

PostgreSQL only. Recreates the database and seeds one organisation: ``--employees`` hourly
employees on one bi-weekly schedule with two approved weekly timesheets each and 10 entries a
week (2 a working day, COPY), ``--producers`` producers linked to employees (same login) with
``--commission-lines`` approved ledger lines (one in twenty a chargeback). Then, in-process:
``payroll_run_create`` of the period (wall time and SQL statements; target < 5 s at 5,000
employees) and ``payroll_run_approve``; then gunicorn with the README's settings and, with 4
keep-alive clients for ``--seconds``, ``GET /v1/payroll/runs/{id}/entries?page_size=100`` (a
different page each request): requests/s, p50/p99, CPU per request. ``--leave-requests``
approved one-day paid leave requests and ``--expenses`` approved expenses are seeded too (added
to an already seeded database by ``--reuse``). The create prints its CPU (this process and the
PostgreSQL backend) and the load average. ``--seed-only`` stops after seeding. The CSV export of the
approved run (the ``payroll_run`` report, issue 18 point 7) is timed in-process as the export job
writes it (the report's rows through the CSV writer): rows/s. ``--reuse`` keeps an already
seeded database. The database is vacuumed and analysed before the timed create (see
``vacuum_analyze``).
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._harness import CpuMeter, drive, free_port, recreate_database, report, start_gunicorn, stop  # noqa: E402

FIRST_MONDAY = datetime.date(2026, 9, 7)
SLUG = "bench-payroll"


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


def seed(employees_n: int, producers_n: int, lines_n: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from hr.models import Employee
    from organisations.models import Membership, Office, Organisation, Producer, Workspace
    from payroll.models import Carrier, CommissionTransaction, PaySchedule, PayScheduleAssignment
    from timetracking.models import Client, Project, TimeEntry, Timesheet

    started = time.perf_counter()
    org = Organisation.objects.create(name="Bench payroll", slug=SLUG, plan="scale", timezone="UTC")
    office = Office.objects.create(organisation=org, name="Office", timezone="America/New_York")
    workspace = Workspace.objects.create(organisation=org, office=office, name="Sales")
    users = get_user_model().objects.bulk_create(
        get_user_model()(email=f"p{i}@bench.test", full_name=f"P {i}") for i in range(producers_n)
    )
    memberships = Membership.objects.bulk_create(
        Membership(organisation=org, user=u, role="producer", status="active", office=office) for u in users
    )
    employees = Employee.objects.bulk_create(
        Employee(
            organisation=org,
            office=office,
            first_name=f"E{i}",
            last_name="Bench",
            pay_type="hourly",
            pay_rate=Decimal("20.00") + i % 7,
            membership=memberships[i] if i < producers_n else None,
        )
        for i in range(employees_n)
    )
    producers = Producer.objects.bulk_create(
        Producer(organisation=org, display_name=f"P {i}", workspace=workspace, membership=m)
        for i, m in enumerate(memberships)
    )
    carrier = Carrier.objects.create(organisation=org, name="Carrier", code="C")
    schedule = PaySchedule.objects.create(
        organisation=org, name="Bi-weekly", frequency="biweekly", anchor_date=FIRST_MONDAY
    )
    PayScheduleAssignment.objects.bulk_create(
        PayScheduleAssignment(organisation=org, pay_schedule=schedule, employee=e) for e in employees
    )
    client = Client.objects.create(organisation=org, name="Client")
    project = Project.objects.create(organisation=org, client=client, name="Project")
    now = timezone.now()
    columns = (
        "organisation_id",
        "employee_id",
        "project_id",
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
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {TimeEntry._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for employee in employees:
            for day in range(14):
                date = FIRST_MONDAY + datetime.timedelta(days=day)
                if date.weekday() >= 5:
                    continue
                for hour, seconds in ((13, 4 * 3600), (18, 5 * 3600)):  # 9 h a day: 45 h a week, 5 h overtime
                    start = datetime.datetime.combine(date, datetime.time(hour), tzinfo=datetime.UTC)
                    end = start + datetime.timedelta(seconds=seconds)
                    copy.write_row(
                        (
                            org.pk,
                            employee.pk,
                            project.pk,
                            start,
                            end,
                            seconds,
                            "",
                            "",
                            True,
                            False,
                            "import",
                            "",
                            now,
                            now,
                        )
                    )
    Timesheet.objects.bulk_create(
        Timesheet(
            organisation=org,
            employee=e,
            period_start=FIRST_MONDAY + datetime.timedelta(days=7 * w),
            period_end=FIRST_MONDAY + datetime.timedelta(days=7 * w + 6),
            status="approved",
        )
        for e in employees
        for w in range(2)
    )
    CommissionTransaction.objects.bulk_create(
        (
            CommissionTransaction(
                organisation=org,
                producer=producers[i % producers_n],
                carrier=carrier,
                workspace=workspace,
                statement_period=datetime.date(2026, 9, 1),
                transaction_date=datetime.date(2026, 9, 10),
                type="chargeback" if i % 20 == 0 else "new",
                status="approved",
                premium=Decimal("100.00"),
                gross_commission=Decimal("-5.00") if i % 20 == 0 else Decimal("10.00"),
                split_percent=Decimal("100"),
                producer_amount=Decimal("-5.00") if i % 20 == 0 else Decimal("10.00"),
            )
            for i in range(lines_n)
        ),
        batch_size=5000,
    )
    print(
        f"seeded {employees_n} employees ({employees_n * 20:,} entries), {producers_n} producers,"
        f" {lines_n:,} ledger lines in {time.perf_counter() - started:.1f} s"
    )


def seed_leave_and_expenses(org, leave_n: int, expenses_n: int) -> None:
    """``leave_n`` approved one-day paid leave requests (8 h, Vacation) and ``expenses_n`` approved
    expenses of 25.00 over the first employees, in the period (once: skipped when present)."""
    from hr.models import Employee, LeaveRequest, LeaveType
    from timetracking.models import Expense, ExpenseCategory

    if LeaveRequest.objects.filter(organisation=org).exists() or Expense.objects.filter(organisation=org).exists():
        return
    started = time.perf_counter()
    employees = list(Employee.objects.filter(organisation=org).order_by("pk").values_list("pk", flat=True))
    vacation = LeaveType.objects.create(
        organisation=org, name="Vacation", kind="vacation", paid=True, pay_code_name="Vacation"
    )
    LeaveRequest.objects.bulk_create(
        (
            LeaveRequest(
                organisation=org,
                employee_id=employees[i % len(employees)],
                leave_type=vacation,
                start_date=FIRST_MONDAY + datetime.timedelta(days=11),  # the second Friday
                end_date=FIRST_MONDAY + datetime.timedelta(days=11),
                working_days=1,
                hours=Decimal("8.00"),
                days=[[str(FIRST_MONDAY + datetime.timedelta(days=11)), "8.00"]],
                status="approved",
            )
            for i in range(leave_n)
        ),
        batch_size=1000,
    )
    category = ExpenseCategory.objects.create(organisation=org, name="Travel")
    Expense.objects.bulk_create(
        (
            Expense(
                organisation=org,
                employee_id=employees[(i * 7) % len(employees)],
                category=category,
                date=FIRST_MONDAY + datetime.timedelta(days=i % 10),
                amount=Decimal("25.00"),
                currency=org.currency,
                converted_amount=Decimal("25.00"),
                status="approved",
            )
            for i in range(expenses_n)
        ),
        batch_size=1000,
    )
    print(f"seeded {leave_n:,} leave requests and {expenses_n:,} expenses in {time.perf_counter() - started:.1f} s")


def token_for(org) -> str:
    from tests.conftest import issue_token
    from tests.organisations.factories import OAuthApplicationFactory
    from trackyoursheets.api.scopes import SCOPES

    application = OAuthApplicationFactory(organisation=org, scopes=" ".join(SCOPES))
    return issue_token(application, ttl_seconds=24 * 3600)


def vacuum_analyze() -> None:
    """``VACUUM ANALYZE`` of the seeded database, as autovacuum would have done by then in
    production: a freshly seeded table has no statistics (the day totals' plan then scans the
    entries by organisation and takes 1.3 s instead of 0.2 s), and the previous benchmark run's
    cancel left its 113,000 claims' old index entries behind, which every new claim of the same
    source checks (about 1 s more) until a vacuum removes them. Then a ``CHECKPOINT``, so that
    writing out the pages the seed, the vacuum and the previous run dirtied does not land inside
    the timed create."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")


def timed_create(org, schedule):
    """``payroll_run_create`` of the first period in-process: (run, seconds, SQL statements), and
    the CPU it cost (this process, and the PostgreSQL backend serving it) printed."""
    from django.db import connection

    from bench._harness import CLOCK_TICKS, _cpu_ticks
    from organisations.actors import system_actor
    from payroll import services

    counted = []

    def count(execute, sql, params, many, context):
        counted.append(sql)
        return execute(sql, params, many, context)

    connection.ensure_connection()
    backend = connection.connection.info.backend_pid
    db0, cpu0, t0 = _cpu_ticks(backend) or 0, time.process_time(), time.perf_counter()
    with connection.execute_wrapper(count):
        run = services.payroll_run_create(actor=system_actor(org), pay_schedule=schedule, period_start=FIRST_MONDAY)
    seconds = time.perf_counter() - t0
    cpu, db = time.process_time() - cpu0, ((_cpu_ticks(backend) or 0) - db0) / CLOCK_TICKS
    print(f"create CPU: python {cpu:.2f} s, PostgreSQL backend {db:.2f} s; load average {os.getloadavg()}")
    return run, seconds, len(counted)


def timed_csv_export(org, run_) -> None:
    """The ``payroll_run`` report of ``run_`` written as the export job does (rows, then the CSV
    writer), to a temporary file: rows/s."""
    import tempfile

    from integrations.exports import registry
    from integrations.exports.writers import write_csv
    from organisations.actors import system_actor

    report_ = registry.get_report("payroll_run")
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as handle:
        rows = report_.rows(system_actor(org), {"run_id": run_.pk})
        written = write_csv(handle, report_.columns, rows, progress=lambda *_: None)
        size = handle.tell()
    seconds = time.perf_counter() - t0
    print(
        f"CSV export (payroll_run): {written:,} rows, {size / 1e6:.1f} MB in {seconds:.2f} s,"
        f" {written / seconds:,.0f} rows/s"
    )


def run(args) -> None:
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)
    from django.core.management import call_command

    if not args.reuse:
        recreate_database(os.environ["DATABASE_URL"])
    call_command("migrate", verbosity=0)
    from organisations.actors import system_actor
    from organisations.models import Organisation
    from payroll import services
    from payroll.models import PayrollRun, PaySchedule

    if not Organisation.objects.filter(slug=SLUG).exists():
        seed(args.employees, args.producers, args.commission_lines)
    org = Organisation.objects.get(slug=SLUG)
    seed_leave_and_expenses(org, args.leave_requests, args.expenses)
    if args.seed_only:
        return
    schedule = PaySchedule.objects.get(organisation=org)
    for old in PayrollRun.objects.filter(organisation=org).exclude(status__in=["cancelled", "paid"]):
        services.payroll_run_cancel(actor=system_actor(org), run=old)
    vacuum_analyze()
    run_, seconds, statements = timed_create(org, schedule)
    print(
        f"create + compute the draft: {seconds:.2f} s, {statements} SQL statements,"
        f" {run_.employee_count} employees, {run_.lines.count():,} lines, {run_.claims.count():,} claims,"
        f" gross {run_.gross_total}"
    )
    t0 = time.perf_counter()
    services.payroll_run_approve(actor=system_actor(org), run=run_)
    print(f"approve: {(time.perf_counter() - t0) * 1000:.0f} ms")
    timed_csv_export(org, run_)
    auth = {"Authorization": f"Bearer {token_for(org)}", "Host": "127.0.0.1"}
    pages = max(1, (run_.employee_count + 99) // 100)
    port = free_port()
    server = start_gunicorn("trackyoursheets.wsgi", port)
    try:
        meter = CpuMeter(server, os.environ["DATABASE_URL"])

        def entries_page(client, i):
            page = 1 + (client * 7 + i) % pages
            return "GET", f"/v1/payroll/runs/{run_.pk}/entries?page_size=100&page={page}", None, auth

        drive(port, entries_page, 3)  # warm-up: each worker's first request loads the app
        report("GET /v1/payroll/runs/{id}/entries (100 a page)", drive(port, entries_page, args.seconds, meter=meter))
    finally:
        stop(server)
    services.payroll_run_cancel(actor=system_actor(org), run=run_)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=5000)
    parser.add_argument("--producers", type=int, default=500)
    parser.add_argument("--commission-lines", type=int, default=100_000)
    parser.add_argument("--leave-requests", type=int, default=1000)
    parser.add_argument("--expenses", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--seed-only", action="store_true", help="seed (unless --reuse finds it seeded) and stop")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("PostgreSQL only: set DATABASE_URL=postgres://...")
    env_setup(database_url)
    run(args)


if __name__ == "__main__":
    main()
