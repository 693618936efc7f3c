"""Benchmark: commission analytics over a million ledger lines on PostgreSQL (issue 6 point 5).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tys_analytics_bench \\
        .venv/bin/python bench/commission_analytics.py [--rows 1000000] [--runs 7] [--explain]

Creates the database when it does not exist, migrates it, and (once; re-runs reuse the rows
unless ``--rebuild``) loads ``--rows`` commission transactions for one organisation with COPY
(50 producers in 8 workspaces of 2 offices, 12 carriers, 4 lines of business, 3 revenue
statuses, spread over the last two years) plus a second organisation with a twentieth as many,
then VACUUM ANALYZE (and ANALYZE of every table on each run). It times, as the median of
``--runs`` runs after a warm-up:

- the period totals (today, week, month, quarter, year to date, all time: ONE query) for an
  owner and for a manager (their office: half the lines);
- each grouping of ``GET /v1/reports/commissions`` (one query each);
- the whole report (both queries) through ``payroll.reports.commission_report``.

Target: each under 300 ms. Prints one table; ``--explain`` adds the query plans.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tys_analytics_bench"
ORG_SLUG = "bench-analytics"
OTHER_SLUG = "bench-analytics-other"
TARGET_MS = 300.0


def ensure_database(url: str) -> None:
    """CREATE DATABASE when it is missing (connecting to the server's ``postgres`` database)."""
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-0123456789abcdefghijklmnop")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackyoursheets.settings")
    import django

    django.setup()


# =============================================================================
# Data
# =============================================================================


def build_structure(slug: str, name: str, *, producers: int, carriers: int):
    """An organisation with 2 offices, 8 workspaces, producers, carriers and categories."""
    from organisations.models import Office, Organisation, Producer, Workspace
    from payroll.choices import CategoryKind
    from payroll.models import Carrier, Category

    org = Organisation.objects.create(name=name, slug=slug, plan="scale", timezone="America/New_York")
    offices = [Office.objects.create(organisation=org, name=f"Office {i}") for i in range(2)]
    workspaces = [
        Workspace.objects.create(organisation=org, office=offices[i % 2], name=f"Workspace {i}") for i in range(8)
    ]
    producer_rows = Producer.objects.bulk_create(
        [
            Producer(
                organisation=org,
                display_name=f"Producer {i:03d}",
                producer_code=f"P{i:03d}",
                workspace=workspaces[i % len(workspaces)],
            )
            for i in range(producers)
        ]
    )
    carrier_rows = Carrier.objects.bulk_create(
        [Carrier(organisation=org, name=f"Carrier {i:02d}", code=f"C{i:02d}") for i in range(carriers)]
    )
    lines = Category.objects.bulk_create(
        [
            Category(organisation=org, kind=CategoryKind.LINE_OF_BUSINESS, name=n)
            for n in ("Auto", "Home", "Renters", "Life")
        ]
    )
    statuses = Category.objects.bulk_create(
        [Category(organisation=org, kind=CategoryKind.REVENUE_STATUS, name=n) for n in ("Raw", "Existing", "Renewal")]
    )
    return org, offices, producer_rows, carrier_rows, lines, statuses


def load_lines(org, producers, carriers, lines, statuses, count: int, seed: int) -> float:
    """COPY ``count`` ledger lines into the table; returns seconds taken. Columns come from the
    model: every NOT NULL column gets a value, nullable ones we do not fill stay NULL."""
    from django.db import connection

    from payroll.models import CommissionTransaction

    rng = random.Random(seed)
    today = datetime.date.today()
    now = datetime.datetime.now(datetime.UTC)
    statuses_cycle = ["pending", "reconciled", "approved", "paid", "paid", "approved"]
    types = ["new", "new", "new", "renewal", "renewal", "adjustment"]
    sources = ["import", "import", "import", "manual", "api"]

    def row_values():
        producer = producers[rng.randrange(len(producers))]
        premium_cents = rng.randrange(5_000, 800_000)
        gross_cents = premium_cents * rng.choice((8, 10, 12, 15)) // 100
        split = rng.choice((50, 70, 80, 100))
        date = today - datetime.timedelta(days=rng.randrange(730))
        return {
            "organisation_id": org.pk,
            "created_at": now,
            "updated_at": now,
            "producer_id": producer.pk,
            "carrier_id": carriers[rng.randrange(len(carriers))].pk,
            "workspace_id": producer.workspace_id,
            "line_of_business_id": lines[rng.randrange(len(lines))].pk,
            "category_id": statuses[rng.randrange(len(statuses))].pk if rng.random() < 0.8 else None,
            "statement_period": date.replace(day=1),
            "transaction_date": date,
            "premium": Decimal(premium_cents) / 100,
            "gross_commission": Decimal(gross_cents) / 100,
            "split_percent": Decimal(split),
            "producer_amount": (Decimal(gross_cents) * split / 10000).quantize(Decimal("0.01")),
            "type": rng.choice(types),
            "status": rng.choice(statuses_cycle),
            "source": rng.choice(sources),
            "external_id": "",
            "notes": "",
        }

    sample = row_values()
    columns, db_columns = [], []
    for field in CommissionTransaction._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.attname in sample:
            columns.append(field.attname)
            db_columns.append(field.column)
        elif not field.null:
            raise SystemExit(f"bench does not know how to fill the NOT NULL column {field.column}")
    names = ", ".join(f'"{c}"' for c in db_columns)
    table = CommissionTransaction._meta.db_table
    started = time.perf_counter()
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for n in range(count):
            values = row_values()
            copy.write_row([values[c] for c in columns])
            if n and n % 200_000 == 0:
                print(f"  ... {n:,} lines")
    raw.commit()
    return time.perf_counter() - started


def ensure_data(rows: int, rebuild: bool):
    from django.db import connection

    from organisations.models import Organisation
    from payroll.models import CommissionTransaction

    org = Organisation.objects.filter(slug=ORG_SLUG).first()
    have = CommissionTransaction.objects.for_organisation(org).count() if org else 0
    if org is not None and have == rows and not rebuild:
        print(f"reusing {have:,} lines of {org.slug}")
        return org
    for slug in (ORG_SLUG, OTHER_SLUG):
        old = Organisation.objects.filter(slug=slug).first()
        if old is not None:
            with connection.cursor() as cursor:
                cursor.execute(
                    f'DELETE FROM "{CommissionTransaction._meta.db_table}" WHERE organisation_id = %s', [old.pk]
                )
            old.delete()
    org, _offices, producers, carriers, lines, statuses = build_structure(
        ORG_SLUG, "Bench Analytics", producers=50, carriers=12
    )
    seconds = load_lines(org, producers, carriers, lines, statuses, rows, seed=1)
    print(f"loaded {rows:,} lines with COPY in {seconds:.1f} s ({rows / seconds:,.0f} rows/s)")
    other, _o, p2, c2, l2, s2 = build_structure(OTHER_SLUG, "Bench Other", producers=10, carriers=4)
    load_lines(other, p2, c2, l2, s2, max(rows // 20, 1), seed=2)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f'VACUUM ANALYZE "{CommissionTransaction._meta.db_table}"')
    print(f"VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")
    return org


# =============================================================================
# Timing
# =============================================================================


def median_ms(fn, runs: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm-up (plans, caches)
    times = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(ctx.captured_queries)
    return statistics.median(times), queries


def explain(queryset_fn) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        queryset_fn()
    sql = ctx.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true", help="reload the lines even when they are there")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each query")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    ensure_database(url)
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from organisations.actors import Actor, system_actor
    from organisations.choices import Role
    from organisations.models import Membership, Office, User
    from payroll import reports, selectors

    org = ensure_data(args.rows, args.rebuild)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # every table: the manager's office join needs workspace statistics too
    owner = system_actor(org)
    user = User.objects.filter(email="bench-manager@bench.test").first() or User.objects.create_user(
        "bench-manager@bench.test", None
    )
    office = Office.objects.for_organisation(org).order_by("pk").first()
    membership = Membership.objects.filter(organisation=org, user=user).first() or Membership.objects.create(
        organisation=org, user=user, role=Role.MANAGER, office=office
    )
    manager = Actor(organisation=org, user=user, membership=membership, kind="session")
    today = reports.organisation_today(org)
    first_carrier = str(org_first_carrier(org))

    cases = [
        (
            "period totals (owner)",
            lambda: reports.period_totals(selectors.transaction_report_base(actor=owner), today=today),
        ),
        (
            "period totals (manager: one office)",
            lambda: reports.period_totals(selectors.transaction_report_base(actor=manager), today=today),
        ),
    ]
    for group_by in reports.GROUP_BY:
        cases.append(
            (
                f"group_by={group_by}",
                lambda g=group_by: reports.grouped_totals(selectors.transaction_report_base(actor=owner), group_by=g),
            )
        )
    cases += [
        (
            "group_by=producer, period=month (leaderboard)",
            lambda: reports.commission_report(actor=owner, group_by="producer", period="month"),
        ),
        ("whole report group_by=carrier", lambda: reports.commission_report(actor=owner, group_by="carrier")),
        (
            "whole report, filters status+carrier",
            lambda: reports.commission_report(
                actor=owner,
                group_by="producer",
                filters={"status": "paid", "carrier_id": first_carrier},
            ),
        ),
    ]

    total = selectors.transaction_report_base(actor=owner).count()
    print(f"\n{total:,} lines in the organisation; median of {args.runs} runs (ms), target < {TARGET_MS:.0f} ms\n")
    print(f"{'query':<48} {'median ms':>10} {'queries':>8}  ok")
    for label, fn in cases:
        ms, queries = median_ms(fn, args.runs)
        print(f"{label:<48} {ms:>10.1f} {queries:>8}  {'yes' if ms < TARGET_MS else 'NO'}")
        if args.explain:
            print(explain(fn))
            print()


def org_first_carrier(org) -> int:
    from payroll.models import Carrier

    return Carrier.objects.for_organisation(org).order_by("pk").values_list("pk", flat=True).first()


if __name__ == "__main__":
    main()
