"""Time reports of issue 15 point 6 against hand-computed figures: tracked hours by every
``group_by`` (local days and weeks in each employee's office timezone, across the US DST change of
8 March 2026), role visibility as for time entries, amounts only for rate readers; an employee's
timeline with its gaps; hours per task against the estimate; constant query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.organisations.factories import OfficeFactory

from .conftest import person
from .factories import ClientFactory, ContractFactory, ProjectFactory, TaskFactory, TimeEntryFactory

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def entry(employee, project, start: str, minutes: int, *, billable=True, **kwargs):
    start_time = at(start)
    return TimeEntryFactory(
        employee=employee,
        project=project,
        start_time=start_time,
        end_time=start_time + datetime.timedelta(minutes=minutes),
        duration_seconds=minutes * 60,
        billable=billable,
        **kwargs,
    )


@pytest.fixture
def week_of_time(organisation, employee, colleague, londoner, project, task):
    """Website bills 100/h; its task Homepage 150/h; Lou's contract on Website 60/h; Intranet
    (client Globex) has no rate.

    ========  =====================  =======  ==========================  =========
    who       start (UTC)            minutes  local day (office timezone)  amount
    ========  =====================  =======  ==========================  =========
    Eli (NY)  2026-03-08T04:30Z       60      Sat 7 Mar (EST, -5)          100.00
    Eli (NY)  2026-03-09T04:30Z       90      Mon 9 Mar (EDT, -4; EST       150.00
                                              would say Sun 8 Mar)
    Eli (NY)  2026-03-04T15:00Z      120      Wed 4 Mar, task Homepage     300.00
    Lou (LDN) 2026-03-09T00:30Z       30      Mon 9 Mar (NY: Sun 8 Mar)     30.00
    Cleo (NY) 2026-03-05T14:00Z       45      Thu 5 Mar, Intranet, not     0
                                              billable
    ========  =====================  =======  ==========================  =========
    """
    task.hourly_rate = "150.00"
    task.save()
    intranet = ProjectFactory(client=ClientFactory(organisation=organisation, name="Globex"), name="Intranet")
    ContractFactory(employee=londoner, project=project, hourly_rate="60.00")
    entry(employee, project, "2026-03-08T04:30:00Z", 60)
    entry(employee, project, "2026-03-09T04:30:00Z", 90)
    entry(employee, project, "2026-03-04T15:00:00Z", 120, task=task)
    entry(londoner, project, "2026-03-09T00:30:00Z", 30)
    entry(colleague, intranet, "2026-03-05T14:00:00Z", 45, billable=False)
    return intranet


def figures(row):
    return (row["hours"], row["billable_hours"], row["entries"], row["amount"])


def report(client, query: str):
    response = client.get(f"/v1/reports/tracked-hours?{query}")
    assert response.status_code == 200, response.json()
    return response.json()


def test_weeks_are_local_weeks_across_the_dst_change(api, organisation, week_of_time):
    body = report(api, "group_by=week")

    assert [(r["week_start"], r["week_end"], *figures(r)) for r in body["rows"]] == [
        ("2026-03-02", "2026-03-08", "3.75", "3.00", 3, "400.00"),
        ("2026-03-09", "2026-03-15", "2.00", "2.00", 2, "180.00"),
    ]
    assert (body["total_hours"], body["billable_hours"], body["total_entries"], body["amount"]) == (
        "5.75",
        "5.00",
        5,
        "580.00",
    )
    assert body["currency"] == organisation.currency


def test_days_are_each_employees_local_days(api, week_of_time):
    body = report(api, "group_by=day")

    assert [(r["date"], *figures(r)) for r in body["rows"]] == [
        ("2026-03-04", "2.00", "2.00", 1, "300.00"),
        ("2026-03-05", "0.75", "0.00", 1, "0.00"),
        ("2026-03-07", "1.00", "1.00", 1, "100.00"),
        ("2026-03-09", "2.00", "2.00", 2, "180.00"),
    ]


def test_a_minute_either_side_of_local_midnight_lands_on_its_own_local_day(api, organisation, employee, project):
    """Each entry one minute before or exactly at a local midnight: New York on the evening before
    and the evening of the DST change of 8 March 2026 (midnight at 05:00Z, then 04:00Z), Kolkata
    (+5:30, midnight at 18:30Z) and Kathmandu (+5:45, 18:15Z); minutes tell the entries apart.
    (On PostgreSQL the report sums quarter-hour bins of UTC time before it converts them to local
    days: a half or three-quarter hour offset must still split at the minute.)"""
    kolkata = person(organisation, OfficeFactory(organisation=organisation, timezone="Asia/Kolkata"), name="Kiran")
    kathmandu = person(organisation, OfficeFactory(organisation=organisation, timezone="Asia/Kathmandu"), name="Kaji")
    entry(employee, project, "2026-03-08T04:59:00Z", 1)  # Sat 7 Mar 23:59 EST
    entry(employee, project, "2026-03-08T05:00:00Z", 2)  # Sun 8 Mar 00:00 EST
    entry(employee, project, "2026-03-09T03:59:00Z", 4)  # Sun 8 Mar 23:59 EDT
    entry(employee, project, "2026-03-09T04:00:00Z", 8)  # Mon 9 Mar 00:00 EDT
    entry(kolkata, project, "2026-03-07T18:29:00Z", 16)  # Sat 7 Mar 23:59 IST
    entry(kolkata, project, "2026-03-07T18:30:00Z", 32)  # Sun 8 Mar 00:00 IST
    entry(kathmandu, project, "2026-03-08T18:14:00Z", 64)  # Sun 8 Mar 23:59 NPT
    entry(kathmandu, project, "2026-03-08T18:15:00Z", 128)  # Mon 9 Mar 00:00 NPT

    body = report(api, "group_by=day")

    minutes = {r["date"]: (round(float(r["hours"]) * 60), r["entries"]) for r in body["rows"]}
    assert minutes == {"2026-03-07": (1 + 16, 2), "2026-03-08": (2 + 4 + 32 + 64, 4), "2026-03-09": (8 + 128, 2)}
    weeks = {r["week_start"]: r["entries"] for r in report(api, "group_by=week")["rows"]}
    assert weeks == {"2026-03-02": 6, "2026-03-09": 2}


def test_by_client_project_and_with_the_usual_filters(api, week_of_time, project, client_row):
    by_client = report(api, "group_by=client")
    by_project = report(api, "group_by=project&start_date=2026-03-09")
    only_billable = report(api, "group_by=client&billable=false")

    assert [(r["client_id"], r["client_name"], *figures(r)) for r in by_client["rows"]] == [
        (client_row.pk, "Acme Corp", "5.00", "5.00", 4, "580.00"),
        (week_of_time.client_id, "Globex", "0.75", "0.00", 1, "0.00"),
    ]
    # 9 March in New York and in London: Eli's 90 minutes and Lou's 30
    assert [(r["project_id"], r["project_name"], r["client_id"], *figures(r)) for r in by_project["rows"]] == [
        (project.pk, "Website", client_row.pk, "2.00", "2.00", 2, "180.00")
    ]
    assert [r["client_name"] for r in only_billable["rows"]] == ["Globex"]


def test_a_manager_sees_their_office_an_employee_their_own_without_amounts(
    as_manager, as_employee, week_of_time, employee, colleague, task
):
    managed = report(as_manager, "group_by=employee")
    own = report(as_employee, "group_by=task")

    assert [(r["employee_id"], r["employee_name"], *figures(r)) for r in managed["rows"]] == [
        (colleague.pk, str(colleague), "0.75", "0.00", 1, "0.00"),
        (employee.pk, str(employee), "4.50", "4.50", 3, "550.00"),
    ]
    assert [(r["task_id"], r["task_name"], r["hours"], r["amount"]) for r in own["rows"]] == [
        (None, "", "2.50", None),
        (task.pk, "Homepage", "2.00", None),
    ]
    assert (own["amount"], own["currency"], own["total_hours"]) == (None, None, "4.50")


def test_bad_group_by_and_unknown_parameters_are_422(api):
    assert api.get("/v1/reports/tracked-hours").status_code == 422
    assert api.get("/v1/reports/tracked-hours?group_by=month").status_code == 422
    assert api.get("/v1/reports/tracked-hours?group_by=day&colour=red").status_code == 422
    assert api.get("/v1/reports/tracked-hours?group_by=day&start_date=soon").status_code == 422


def test_another_tenant_sees_none_of_it(other_api, week_of_time):
    body = report(other_api, "group_by=project")

    assert (body["rows"], body["total_entries"]) == ([], 0)


@pytest.mark.parametrize("dated", [False, True], ids=["rates", "dated-rates"])
@pytest.mark.parametrize("group_by", ["employee", "project", "task", "client", "day", "week"])
def test_query_count_does_not_grow_with_the_entries(api, organisation, employee, londoner, project, group_by, dated):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            report(api, f"group_by={group_by}")
        return len(queries)

    if dated:  # each entry priced on its own day: still a fixed number of queries
        change = {"kind": "bill", "project_id": project.pk, "hourly_rate": "120.00", "effective_from": "2026-03-05"}
        assert api.post("/v1/rates", change, format="json").status_code == 201
    entry(employee, project, "2026-03-02T15:00:00Z", 30, task=TaskFactory(project=project))
    count()  # the offices' time zones are read once per process (organisations.office_zones)
    few = count()
    for day in range(3, 9):
        other = ProjectFactory(client=ClientFactory(organisation=organisation), hourly_rate="10.00")
        entry(employee, other, f"2026-03-0{day}T15:00:00Z", 30, task=TaskFactory(project=other))
        entry(londoner, other, f"2026-03-0{day}T16:00:00Z", 30)
    assert count() == few


# =============================================================================
# Timeline
# =============================================================================


def test_a_day_timeline_lists_entries_and_the_gaps_between_them(as_manager, as_employee, employee, project, londoner):
    first = entry(employee, project, "2026-03-10T13:00:00Z", 60)
    second = entry(employee, project, "2026-03-10T14:30:00Z", 30)
    third = entry(employee, project, "2026-03-10T16:00:00Z", 15)
    entry(employee, project, "2026-03-11T03:00:00Z", 30)  # 10 March 23:00 in New York (EDT)
    entry(employee, project, "2026-03-11T05:00:00Z", 30)  # 11 March 01:00: another day

    response = as_manager.get(f"/v1/reports/timeline?employee_id={employee.pk}&date=2026-03-10")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["timezone"], body["period"], body["start_date"], body["end_date"]) == (
        "America/New_York",
        "day",
        "2026-03-10",
        "2026-03-10",
    )
    assert [e["id"] for e in body["entries"]][:3] == [first.pk, second.pk, third.pk]
    assert len(body["entries"]) == 4
    assert [(g["start_time"], g["end_time"], g["seconds"]) for g in body["gaps"]] == [
        ("2026-03-10T14:00:00Z", "2026-03-10T14:30:00Z", 1800),
        ("2026-03-10T15:00:00Z", "2026-03-10T16:00:00Z", 3600),
        ("2026-03-10T16:15:00Z", "2026-03-11T03:00:00Z", 38700),
    ]
    assert (body["total_hours"], body["gap_hours"]) == ("2.25", "12.25")
    # the week holding 10 March: Monday 9 to Sunday 15, five entries; gaps only within a day
    week = as_employee.get("/v1/reports/timeline?date=2026-03-10&period=week").json()
    assert (week["start_date"], week["end_date"], len(week["entries"]), len(week["gaps"])) == (
        "2026-03-09",
        "2026-03-15",
        5,
        3,
    )
    # someone the caller may not see is a 404, as in the time-entry list
    assert as_employee.get(f"/v1/reports/timeline?employee_id={londoner.pk}").status_code == 404
    assert as_manager.get(f"/v1/reports/timeline?employee_id={londoner.pk}").status_code == 404


# =============================================================================
# Tasks against their estimates
# =============================================================================


def test_hours_per_task_against_the_estimate(api, as_employee, employee, colleague, project, task):
    task.estimated_hours = "2.00"
    task.save()
    backend = TaskFactory(project=project, name="Backend", estimated_hours="1.00")
    docs = TaskFactory(project=project, name="Docs", estimated_hours=None)
    entry(employee, project, "2026-03-04T15:00:00Z", 120, task=task)
    entry(colleague, project, "2026-03-04T15:00:00Z", 90, task=backend)
    entry(employee, project, "2026-03-20T15:00:00Z", 30, task=backend)

    everything = api.get(f"/v1/reports/tasks?project_id={project.pk}").json()["rows"]
    march_start = api.get(f"/v1/reports/tasks?project_id={project.pk}&end_date=2026-03-10").json()["rows"]
    own = as_employee.get(f"/v1/reports/tasks?project_id={project.pk}").json()["rows"]

    def shape(rows):
        return [
            (
                r["task_id"],
                r["estimated_hours"],
                r["tracked_hours"],
                r["remaining_hours"],
                r["percent_of_estimate"],
                r["over_estimate"],
            )
            for r in rows
        ]

    assert shape(everything) == [
        (backend.pk, "1.00", "2.00", "-1.00", "200.0", True),
        (docs.pk, None, "0.00", None, None, False),
        (task.pk, "2.00", "2.00", "0.00", "100.0", False),
    ]
    assert shape(march_start)[0] == (backend.pk, "1.00", "1.50", "-0.50", "150.0", True)
    assert shape(own)[0] == (backend.pk, "1.00", "0.50", "0.50", "50.0", False)
    assert api.get("/v1/reports/tasks?group_by=task").status_code == 422


def test_amounts_fall_back_to_the_all_projects_contract_then_the_clients_default(
    api, organisation, employee, colleague
):
    """The rest of the rate order (task, contract for the project, contract for all projects, project,
    client's default): Eli's contract for all projects 40/h beats the client's 20/h; Cleo has none."""
    extranet = ProjectFactory(
        client=ClientFactory(organisation=organisation, default_rate="20.00"), name="Extranet", hourly_rate=None
    )
    ContractFactory(employee=employee, project=None, hourly_rate="40.00")
    entry(employee, extranet, "2026-03-04T15:00:00Z", 90)
    entry(colleague, extranet, "2026-03-04T15:00:00Z", 45)

    body = report(api, "group_by=employee")

    assert [(r["employee_id"], r["amount"]) for r in body["rows"]] == [(colleague.pk, "15.00"), (employee.pk, "60.00")]
    assert body["amount"] == "75.00"
    # the other groupings sum Eli (with a contract) and Cleo (without) in one row, each at their own rate
    for group_by in ("project", "client", "task", "day", "week"):
        body = report(api, f"group_by={group_by}")
        assert ([r["amount"] for r in body["rows"]], body["amount"]) == (["75.00"], "75.00"), group_by


def test_amounts_use_the_bill_rate_in_force_on_each_entrys_local_day(api, week_of_time, project, client_row):
    """Website's rate becomes 200/h from Sunday 8 March (a dated change through ``/v1/rates``). Eli's
    hour starting 04:30Z on the 8th is still Saturday the 7th in New York: 100/h. His 90 minutes on
    Monday the 9th: 200/h, so 300.00 instead of 150.00. The task's own rate and Lou's contract come
    before the project's and do not move. Every grouping, and the summary report, agree."""
    change = {"kind": "bill", "project_id": project.pk, "hourly_rate": "200.00", "effective_from": "2026-03-08"}
    assert api.post("/v1/rates", change, format="json").status_code == 201

    by = {group_by: report(api, f"group_by={group_by}") for group_by in ("employee", "project", "task", "client")}
    by_day, by_week = report(api, "group_by=day"), report(api, "group_by=week")

    assert [(r["date"], r["amount"]) for r in by_day["rows"]] == [
        ("2026-03-04", "300.00"),
        ("2026-03-05", "0.00"),
        ("2026-03-07", "100.00"),
        ("2026-03-09", "330.00"),
    ]
    assert [(r["week_start"], r["amount"]) for r in by_week["rows"]] == [
        ("2026-03-02", "400.00"),
        ("2026-03-09", "330.00"),
    ]
    assert sorted(r["amount"] for r in by["employee"]["rows"]) == ["0.00", "30.00", "700.00"]
    assert [(r["project_id"], r["amount"]) for r in by["project"]["rows"]] == [
        (week_of_time.pk, "0.00"),
        (project.pk, "730.00"),
    ]
    assert sorted(r["amount"] for r in by["task"]["rows"]) == ["0.00", "300.00", "430.00"]
    assert [(r["client_id"], r["amount"]) for r in by["client"]["rows"]] == [
        (client_row.pk, "730.00"),
        (week_of_time.client_id, "0.00"),
    ]
    for body in (*by.values(), by_day, by_week):
        assert body["amount"] == "730.00"
    summary = api.get("/v1/reports/summary?start_date=2026-03-01&end_date=2026-03-31").json()["summary"]
    assert summary["amount"] == "730.00"
    # the usual filters narrow the dated amounts too: from Monday the 9th, Eli's 300.00 and Lou's 30.00
    assert report(api, "group_by=project&start_date=2026-03-09")["amount"] == "330.00"
