"""Commission analytics (issue 6 point 5): period totals in the organisation's timezone in one
query, grouped totals in one query each, the FilterSet of /v1/transactions, 422s, role
visibility and tenancy, through ``GET /v1/reports/commissions`` and GraphQL."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine

from organisations.actors import system_actor
from organisations.choices import Role
from payroll import reports
from payroll.models import CommissionTransaction
from tests.organisations.factories import MembershipFactory, OfficeFactory, ProducerFactory, WorkspaceFactory

from .factories import CarrierFactory, CategoryFactory, CommissionTransactionFactory

pytestmark = pytest.mark.django_db

D = Decimal
URL = "/v1/reports/commissions"
#: 02:00 UTC on 1 July 2026 is still Tuesday 30 June (Q2) in New York: the UTC date would put
#: "today" in another day, week-day and quarter
NOW = datetime.datetime(2026, 7, 1, 2, 0, tzinfo=datetime.UTC)

#: (transaction date, premium): each period gets its own lines; gross = premium / 10, split 50%
BOOK = [
    (datetime.date(2026, 6, 30), D("100.00")),  # today in New York (Tuesday)
    (datetime.date(2026, 7, 1), D("1000.00")),  # "today" in UTC: tomorrow in New York, all time only
    (datetime.date(2026, 6, 29), D("200.00")),  # Monday: this week
    (datetime.date(2026, 6, 28), D("400.00")),  # Sunday: last week, this month
    (datetime.date(2026, 6, 1), D("800.00")),  # first of the month
    (datetime.date(2026, 4, 1), D("1600.00")),  # first day of the quarter
    (datetime.date(2026, 3, 31), D("3200.00")),  # last day of Q1: this year only
    (datetime.date(2026, 1, 1), D("6400.00")),  # first day of the year
    (datetime.date(2025, 12, 31), D("12800.00")),  # last year: all time only
]
#: hand-computed premium per period (today, week, month, quarter, year, all time)
EXPECTED_PREMIUM = {
    "today": D("100.00"),
    "week": D("300.00"),
    "month": D("1500.00"),
    "quarter": D("3100.00"),
    "year": D("12700.00"),
    "all_time": D("26500.00"),
}
EXPECTED_COUNT = {"today": 1, "week": 2, "month": 4, "quarter": 5, "year": 7, "all_time": 9}


@pytest.fixture
def new_york(organisation):
    organisation.timezone = "America/New_York"
    organisation.save(update_fields=["timezone"])
    return organisation


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def producer(new_york):
    return ProducerFactory(workspace__office__organisation=new_york, display_name="Paula Producer")


def line(producer, date, premium, **kwargs):
    kwargs.setdefault("gross_commission", premium / 10)
    kwargs.setdefault("split_percent", D("50"))
    return CommissionTransactionFactory(
        producer=producer,
        transaction_date=date,
        statement_period=date.replace(day=1),
        premium=premium,
        **kwargs,
    )


@pytest.fixture
def book(producer):
    return [line(producer, date, premium) for date, premium in BOOK]


@pytest.fixture
def reader(frozen, make_api_client, new_york):
    """An OAuth client of the organisation, made while the clock is frozen."""
    return make_api_client(new_york)


def money(value: Decimal) -> str:
    return str(value.quantize(D("0.01")))


# =============================================================================
# Periods
# =============================================================================


def test_period_totals_use_the_organisations_timezone(reader, book):
    response = reader.get(f"{URL}?group_by=carrier")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["today"], body["timezone"], body["currency"]) == ("2026-06-30", "America/New_York", "USD")
    periods = {p["period"]: p for p in body["periods"]}
    assert list(periods) == ["today", "week", "month", "quarter", "year", "all_time"]
    assert {k: p["premium"] for k, p in periods.items()} == {k: money(v) for k, v in EXPECTED_PREMIUM.items()}
    assert {k: p["gross_commission"] for k, p in periods.items()} == {
        k: money(v / 10) for k, v in EXPECTED_PREMIUM.items()
    }
    assert {k: p["producer_amount"] for k, p in periods.items()} == {
        k: money(v / 20) for k, v in EXPECTED_PREMIUM.items()
    }
    assert {k: p["count"] for k, p in periods.items()} == EXPECTED_COUNT
    assert [(p["start"], p["end"]) for p in body["periods"]] == [
        ("2026-06-30", "2026-06-30"),
        ("2026-06-29", "2026-06-30"),  # the week starts on Monday
        ("2026-06-01", "2026-06-30"),
        ("2026-04-01", "2026-06-30"),  # Q2 in New York (Q3 had begun in UTC)
        ("2026-01-01", "2026-06-30"),
        (None, None),
    ]


def test_in_utc_the_same_instant_is_another_day_week_and_quarter(reader, book, new_york):
    new_york.timezone = "UTC"
    new_york.save(update_fields=["timezone"])

    periods = {p["period"]: p for p in reader.get(f"{URL}?group_by=carrier").json()["periods"]}

    assert periods["today"]["premium"] == "1000.00"  # Wednesday 1 July
    assert periods["week"]["premium"] == "1300.00"  # from Monday 29 June: 29 and 30 June, 1 July
    assert periods["quarter"]["premium"] == "1000.00"  # Q3 began on 1 July
    assert periods["all_time"]["premium"] == "26500.00"


def test_week_boundary_on_a_monday_just_after_midnight_local(make_api_client, producer, new_york):
    line(producer, datetime.date(2026, 6, 28), D("10.00"))  # Sunday
    line(producer, datetime.date(2026, 6, 29), D("20.00"))  # Monday
    # 04:30 UTC on Monday 29 June is 00:30 on Monday in New York
    with time_machine.travel(datetime.datetime(2026, 6, 29, 4, 30, tzinfo=datetime.UTC), tick=False):
        body = make_api_client(new_york).get(f"{URL}?group_by=producer").json()
    # 03:30 UTC the same day is still Sunday 23:30 in New York: the week began on 22 June
    with time_machine.travel(datetime.datetime(2026, 6, 29, 3, 30, tzinfo=datetime.UTC), tick=False):
        sunday = make_api_client(new_york).get(f"{URL}?group_by=producer").json()

    week = {p["period"]: p for p in body["periods"]}["week"]
    assert (week["start"], week["premium"], week["count"]) == ("2026-06-29", "20.00", 1)
    sunday_week = {p["period"]: p for p in sunday["periods"]}["week"]
    assert (sunday_week["start"], sunday_week["premium"], sunday_week["count"]) == ("2026-06-22", "10.00", 1)


def test_period_totals_are_one_query_whatever_the_number_of_lines(frozen, new_york, producer, count_queries):
    actor = system_actor(new_york)
    lines = CommissionTransaction.objects.visible_to(actor)
    today = reports.organisation_today(new_york)
    line(producer, today, D("1.00"))
    one = count_queries(lambda: reports.period_totals(lines, today=today))
    for n in range(30):
        line(ProducerFactory(workspace=producer.workspace), today - datetime.timedelta(days=n * 9), D("2.00"))

    many = count_queries(lambda: reports.period_totals(lines, today=today))

    assert one == many == 1


def test_the_whole_report_is_two_queries_whatever_the_number_of_groups(frozen, new_york, count_queries):
    actor = system_actor(new_york)
    workspace = WorkspaceFactory(office__organisation=new_york)
    CommissionTransactionFactory(producer=ProducerFactory(workspace=workspace))
    few = {g: count_queries(lambda g=g: reports.commission_report(actor=actor, group_by=g)) for g in reports.GROUP_BY}
    for _n in range(25):
        CommissionTransactionFactory(
            producer=ProducerFactory(workspace=WorkspaceFactory(office=workspace.office)),
            category=CategoryFactory(organisation=new_york, kind="revenue_status"),
            line_of_business=CategoryFactory(organisation=new_york),
        )

    many = {g: count_queries(lambda g=g: reports.commission_report(actor=actor, group_by=g)) for g in reports.GROUP_BY}

    assert few == many == dict.fromkeys(reports.GROUP_BY, 2)


# =============================================================================
# Groups
# =============================================================================


@pytest.fixture
def mixed(new_york):
    """Two carriers, two producers in two workspaces, categories and lines of business."""
    office = OfficeFactory(organisation=new_york)
    north = WorkspaceFactory(office=office, name="North")
    south = WorkspaceFactory(office=office, name="South")
    ann = ProducerFactory(workspace=north, display_name="Ann")
    bob = ProducerFactory(workspace=south, display_name="Bob")
    alpha = CarrierFactory(organisation=new_york, name="Alpha")
    beta = CarrierFactory(organisation=new_york, name="Beta")
    auto = CategoryFactory(organisation=new_york, name="Auto")
    home = CategoryFactory(organisation=new_york, name="Home")
    renewal = CategoryFactory(organisation=new_york, name="Renewal", kind="revenue_status")
    jan, feb = datetime.date(2026, 1, 10), datetime.date(2026, 2, 10)
    line(ann, jan, D("100.00"), carrier=alpha, line_of_business=auto, category=renewal)
    line(ann, feb, D("200.00"), carrier=beta, line_of_business=home, status="approved")
    line(bob, feb, D("400.00"), carrier=alpha, line_of_business=auto, type="renewal")
    return {"ann": ann, "bob": bob, "alpha": alpha, "beta": beta, "north": north, "south": south}


def groups(client, query: str) -> list[tuple]:
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200, response.json()
    return [(g["label"], g["premium"], g["producer_amount"], g["count"]) for g in response.json()["groups"]]


@pytest.mark.parametrize(
    ("group_by", "expected"),
    [
        ("carrier", [("Alpha", "500.00", "25.00", 2), ("Beta", "200.00", "10.00", 1)]),
        ("producer", [("Bob", "400.00", "20.00", 1), ("Ann", "300.00", "15.00", 2)]),
        ("workspace", [("South", "400.00", "20.00", 1), ("North", "300.00", "15.00", 2)]),
        ("category", [("(none)", "600.00", "30.00", 2), ("Renewal", "100.00", "5.00", 1)]),
        ("line_of_business", [("Auto", "500.00", "25.00", 2), ("Home", "200.00", "10.00", 1)]),
        ("period", [("2026-01", "100.00", "5.00", 1), ("2026-02", "600.00", "30.00", 2)]),
    ],
)
def test_each_group_by(reader, mixed, group_by, expected):
    assert groups(reader, f"group_by={group_by}") == expected


def test_group_ids_keys_and_totals(reader, mixed):
    body = reader.get(f"{URL}?group_by=producer").json()

    assert [(g["id"], g["key"]) for g in body["groups"]] == [
        (mixed["bob"].pk, str(mixed["bob"].pk)),
        (mixed["ann"].pk, str(mixed["ann"].pk)),
    ]
    assert body["totals"] == {
        "premium": "700.00",
        "gross_commission": "70.00",
        "producer_amount": "35.00",
        "count": 3,
    }
    months = reader.get(f"{URL}?group_by=period").json()["groups"]
    assert [(g["id"], g["key"]) for g in months] == [(None, "2026-01"), (None, "2026-02")]


def test_filters_of_the_ledger_apply_to_groups_and_periods(reader, mixed):
    by_carrier = reader.get(f"{URL}?group_by=carrier&producer_id={mixed['ann'].pk}").json()

    assert [(g["label"], g["premium"]) for g in by_carrier["groups"]] == [("Beta", "200.00"), ("Alpha", "100.00")]
    assert {p["period"]: p["premium"] for p in by_carrier["periods"]}["all_time"] == "300.00"
    assert groups(reader, f"group_by=producer&carrier_id={mixed['alpha'].pk}&type=renewal") == [
        ("Bob", "400.00", "20.00", 1)
    ]
    assert groups(reader, "group_by=carrier&status=approved") == [("Beta", "200.00", "10.00", 1)]
    assert groups(reader, f"group_by=carrier&workspace_id={mixed['north'].pk}&statement_period=2026-01") == [
        ("Alpha", "100.00", "5.00", 1)
    ]
    assert groups(reader, "group_by=period&date_from=2026-02-01&date_to=2026-02-28") == [
        ("2026-02", "600.00", "30.00", 2)
    ]


def test_period_limits_the_groups_and_sort_ranks_them(reader, producer, mixed):
    line(producer, datetime.date(2026, 6, 30), D("50.00"), carrier=mixed["beta"], gross_commission=D("40.00"))

    this_month = reader.get(f"{URL}?group_by=carrier&period=month").json()
    by_count = groups(reader, "group_by=carrier&sort=count")

    assert [(g["label"], g["premium"]) for g in this_month["groups"]] == [("Beta", "50.00")]
    assert this_month["period"] == "month"
    assert this_month["totals"]["premium"] == "50.00"
    assert [label for label, *_rest in by_count] == ["Alpha", "Beta"]
    by_gross = groups(reader, "group_by=carrier&period=today&sort=gross_commission")
    assert by_gross == [("Beta", "50.00", "20.00", 1)]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("group_by=colour", "group_by"),
        ("", "group_by"),
        ("group_by=carrier&period=fortnight", "period"),
        ("group_by=carrier&sort=name", "sort"),
        ("group_by=carrier&status=lost", "status"),
        ("group_by=carrier&statement_period=2026-13", "statement_period"),
        ("group_by=carrier&date_from=yesterday", "date_from"),
    ],
)
def test_bad_parameters_are_422_problems(reader, query, field):
    response = reader.get(f"{URL}?{query}")

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert list(body["errors"]) == [field]
    assert body["instance"].startswith("urn:trackyoursheets:request:")


def test_report_needs_transactions_read(frozen, make_api_client, new_york):
    without = make_api_client(new_york, scopes=["transactions.write", "payroll.read"])

    response = without.get(f"{URL}?group_by=carrier")

    assert response.status_code == 403
    assert response.json()["required_scope"] == "transactions.read"


def test_anonymous_is_401(anonymous_api):
    assert anonymous_api.get(f"{URL}?group_by=carrier").status_code == 401


# =============================================================================
# Who sees what
# =============================================================================


@pytest.fixture
def offices(new_york):
    """Two offices with a producer each; Paula has a login and portal access."""
    north, south = OfficeFactory(organisation=new_york), OfficeFactory(organisation=new_york)
    login = MembershipFactory(organisation=new_york, role=Role.PRODUCER)
    paula = ProducerFactory(workspace=WorkspaceFactory(office=north), membership=login, portal_access=True)
    rick = ProducerFactory(workspace=WorkspaceFactory(office=south))
    jan = datetime.date(2026, 1, 5)
    line(paula, jan, D("100.00"))
    line(rick, jan, D("1000.00"))
    return {"north": north, "south": south, "paula": paula, "rick": rick, "login": login}


def all_time(response) -> str:
    assert response.status_code == 200, response.json()
    return {p["period"]: p["premium"] for p in response.json()["periods"]}["all_time"]


def test_producer_sees_only_their_own_lines(frozen, session_client, offices):
    client = session_client(offices["login"])

    response = client.get(f"{URL}?group_by=producer")
    asking_for_rick = client.get(f"{URL}?group_by=producer&producer_id={offices['rick'].pk}")

    assert all_time(response) == "100.00"
    assert [g["label"] for g in response.json()["groups"]] == [offices["paula"].display_name]
    assert all_time(asking_for_rick) == "0.00"
    assert asking_for_rick.json()["groups"] == []


def test_producer_without_portal_access_sees_nothing(frozen, session_client, offices):
    offices["paula"].portal_access = False
    offices["paula"].save(update_fields=["portal_access"])

    response = session_client(offices["login"]).get(f"{URL}?group_by=carrier")

    assert all_time(response) == "0.00"
    assert response.json()["groups"] == []


def test_manager_sees_their_office_only(frozen, session_client, offices, new_york):
    manager = MembershipFactory(organisation=new_york, role=Role.MANAGER, office=offices["south"])

    response = session_client(manager).get(f"{URL}?group_by=workspace")

    assert all_time(response) == "1000.00"
    assert [g["id"] for g in response.json()["groups"]] == [offices["rick"].workspace_id]


@pytest.mark.parametrize("role", [Role.HR, Role.EMPLOYEE])
def test_hr_and_employees_see_no_commissions(frozen, session_client, offices, new_york, role):
    response = session_client(MembershipFactory(organisation=new_york, role=role)).get(f"{URL}?group_by=producer")

    assert all_time(response) == "0.00"


def test_another_tenants_lines_never_count_in_any_total(reader, book, other_organisation, new_york):
    """The report has no object id (NON_OBJECT_ROUTES in tests/payroll/matrix.py): this is its tenancy proof."""
    other_organisation.timezone = "America/New_York"
    other_organisation.save(update_fields=["timezone"])
    theirs = ProducerFactory(workspace__office__organisation=other_organisation)
    their_carrier = CarrierFactory(organisation=other_organisation)
    for date, premium in BOOK:
        line(theirs, date, premium * 3, carrier=their_carrier)
    ours_only = {k: money(v) for k, v in EXPECTED_PREMIUM.items()}

    their_ids = {"carrier": their_carrier.pk, "producer": theirs.pk, "workspace": theirs.workspace_id}

    for group_by in reports.GROUP_BY:
        body = reader.get(f"{URL}?group_by={group_by}").json()
        assert {p["period"]: p["premium"] for p in body["periods"]} == ours_only, group_by
        assert body["totals"]["premium"] == "26500.00", group_by
        assert sum(g["count"] for g in body["groups"]) == len(BOOK), group_by
        if group_by in their_ids:
            assert their_ids[group_by] not in [g["id"] for g in body["groups"]], group_by
    # naming their producer, carrier or workspace finds nothing of theirs
    for query in (f"producer_id={theirs.pk}", f"carrier_id={their_carrier.pk}", f"workspace_id={theirs.workspace_id}"):
        body = reader.get(f"{URL}?group_by=carrier&{query}").json()
        assert (body["totals"]["count"], body["groups"]) == (0, []), query


# =============================================================================
# GraphQL
# =============================================================================

QUERY = """
query Report($groupBy: String!, $filter: CommissionTransactionFilter, $period: String) {
  commissionReport(groupBy: $groupBy, filter: $filter, period: $period) {
    currency today
    periods { period premium count }
    groups { id key label premium producerAmount count }
    totals { premium count }
  }
}
"""


def test_graphql_commission_report(reader, mixed, gql):
    response = gql(reader, QUERY, {"groupBy": "carrier", "filter": {"producerId": str(mixed["ann"].pk)}})

    body = response.json()
    assert "errors" not in body, body
    report = body["data"]["commissionReport"]
    assert (report["currency"], report["today"]) == ("USD", "2026-06-30")
    assert [(g["label"], g["premium"], g["count"]) for g in report["groups"]] == [
        ("Beta", "200.00", 1),
        ("Alpha", "100.00", 1),
    ]
    assert report["totals"] == {"premium": "300.00", "count": 2}


def test_graphql_bad_group_by_is_a_422_error(reader, gql):
    body = gql(reader, QUERY, {"groupBy": "colour"}).json()

    assert body["errors"][0]["extensions"]["status"] == 422
    assert (
        "groupBy" in body["errors"][0]["extensions"]["errors"]
        or "group_by" in body["errors"][0]["extensions"]["errors"]
    )
