"""Benchmark of leave (issue 16): the accrual task, the balances list and the working-day count.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tys_leave_bench .venv/bin/python bench/leave.py

PostgreSQL only. Recreates the database and seeds one organisation of ``--employees`` (default
10,000) employees in 10 offices (hire dates spread over five years), a monthly vacation policy
and a holiday calendar, then a year of history: twelve months of accruals posted by the service
itself (``hr.services.post_accruals``, as the beat task does), plus 2,000 leave requests. Then:

- the accrual task for one month (``hr.tasks.leave_accruals_task`` for 2026-11-30: one new row per
  employee), against the target of < 10 s, and a second run of the same, which must post nothing;
- ``GET /v1/hr/leave-balances?page_size=100`` through gunicorn (the README's settings, 4 keep-alive
  clients for ``--seconds``): requests/s, p50/p99, CPU per request, and the SQL statements of a page
  of 10 and of 100 (the same: queries are constant in the page size);
- the working days of a year-long request (``leave_count_for`` over 2026-01-01..2026-12-31 with the
  office's holidays), median of 50, against the target of < 50 ms.

``--reuse`` keeps an already seeded database.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._harness import CpuMeter, drive, free_port, recreate_database, report, start_gunicorn, stop  # noqa: E402
from bench.timesheets import env_setup, statements_per_request, token_for  # noqa: E402

OFFICES = 10
SLUG = "bench-leave"
HISTORY_DAY = datetime.date(2026, 10, 31)
TASK_DAY = "2026-11-30"


def seed(employees: int) -> None:
    from decimal import Decimal

    from hr.models import Employee, Holiday, HolidayGroup, LeavePolicy, LeaveRequest, LeaveType
    from hr.services import post_accruals
    from organisations.models import Office, Organisation

    started = time.perf_counter()
    org = Organisation.objects.create(name="Bench leave", slug=SLUG, plan="scale", timezone="UTC")
    offices = Office.objects.bulk_create(
        Office(organisation=org, name=f"Office {n}", timezone="Europe/London") for n in range(OFFICES)
    )
    people = Employee.objects.bulk_create(
        (
            Employee(
                organisation=org,
                office=offices[i % OFFICES],
                first_name=f"E{i}",
                last_name=f"Bench {i:05d}",
                email=f"e{i}@bench.test",
                hire_date=datetime.date(2021, 1, 1) + datetime.timedelta(days=(i * 37) % 2000),
            )
            for i in range(employees)
        ),
        batch_size=2000,
    )
    vacation = LeaveType.objects.create(organisation=org, name="Vacation", pay_code_name="Vacation")
    LeavePolicy.objects.create(
        organisation=org,
        name="Vacation monthly",
        leave_type=vacation,
        accrual_method="monthly",
        annual_hours=Decimal("120"),
        carry_over_cap_hours=Decimal("40"),
        starts_on=datetime.date(2025, 11, 1),
    )
    group = HolidayGroup.objects.create(organisation=org, name="UK")
    Holiday.objects.bulk_create(
        Holiday(organisation=org, group=group, date=datetime.date(2026, month, 10), name=f"Holiday {month}")
        for month in range(1, 13)
    )
    posted = post_accruals(organisation=org, on=HISTORY_DAY)
    LeaveRequest.objects.bulk_create(
        (
            LeaveRequest(
                organisation=org,
                employee=people[i * 5],
                leave_type=vacation,
                start_date=datetime.date(2026, 12, 7),
                end_date=datetime.date(2026, 12, 8),
                working_days=2,
                hours=16,
                days=[["2026-12-07", "8.00"], ["2026-12-08", "8.00"]],
            )
            for i in range(min(2000, employees // 5))
        ),
        batch_size=2000,
    )
    print(f"seeded {employees:,} employees, {posted:,} accrual rows (a year) in {time.perf_counter() - started:.1f} s")


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
    from hr.leave_selectors import leave_count_for
    from hr.models import Employee, LeaveLedgerEntry
    from hr.tasks import leave_accruals_task
    from organisations.models import Organisation

    if not Organisation.objects.filter(slug=SLUG).exists():
        seed(args.employees)
    org = Organisation.objects.get(slug=SLUG)
    LeaveLedgerEntry.objects.filter(organisation=org, accrual_key="month:2026-11").delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    for label in ("first run", "second run"):
        t0 = time.perf_counter()
        posted = leave_accruals_task.apply(kwargs={"on": TASK_DAY, "organisation_id": org.pk}).get()
        elapsed = time.perf_counter() - t0
        print(
            f"accrual task for one month ({label}): {posted:,} rows posted in {elapsed * 1000:.0f} ms (target < 10 s)"
        )

    employee = Employee.objects.filter(organisation=org).select_related("office", "organisation").first()
    timings = []
    for _ in range(50):
        t0 = time.perf_counter()
        count = leave_count_for(
            employee=employee, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31), unit="full_days"
        )
        timings.append((time.perf_counter() - t0) * 1000)
    print(
        f"working days of 2026-01-01..2026-12-31 ({count.working_days} days, {count.hours} h): median"
        f" {statistics.median(timings):.2f} ms, max {max(timings):.2f} ms over 50 (target < 50 ms)"
    )

    auth = {"Authorization": f"Bearer {token_for(org)}", "Host": "127.0.0.1"}
    url = "/v1/hr/leave-balances?page_size=100"
    small = statements_per_request("/v1/hr/leave-balances?page_size=10", auth)
    large = statements_per_request(url, auth)
    connection.close()
    port = free_port()
    server = start_gunicorn("trackyoursheets.wsgi", port)
    meter = CpuMeter(server, os.environ["DATABASE_URL"])
    try:
        pages = max(1, min(50, Employee.objects.filter(organisation=org).count() // 100))

        def get_page(n, i):
            return "GET", f"{url}&page={1 + (n * 13 + i) % pages}", None, auth

        drive(port, get_page, 2)
        figures = drive(port, get_page, args.seconds, meter=meter)
        report(f"GET {url} (pages 1-{pages})", figures)
        print(f"{'':<52} SQL statements: {small[0]} for a page of 10, {large[0]} for a page of 100 (in-process)")
        lone = drive(port, get_page, max(5.0, args.seconds / 2), clients=1, meter=meter)
        report("  the same, 1 client (latency of a lone request)", lone)
    finally:
        stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tys_leave_bench")
    if not database_url.startswith("postgres"):
        sys.exit("bench/leave.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    env_setup(database_url)
    run(args)


if __name__ == "__main__":
    main()
