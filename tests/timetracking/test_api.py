"""REST wiring of time tracking: clients, projects, tasks, contracts and settings; time entries
with every filter, validation, tags, durations, overlaps, rounding and role visibility; timers."""

from __future__ import annotations

import datetime

import pytest

from integrations.models import OutboxEvent
from organisations.choices import Role
from tests.hr.factories import EmployeeFactory
from timetracking.models import Project, TimeEntry

from .conftest import token_client
from .factories import (
    ClientFactory,
    ContractFactory,
    ProjectFactory,
    TaskFactory,
    TimeEntryFactory,
    TimeSettingsFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def topics() -> list[str]:
    return list(OutboxEvent.objects.order_by("id").values_list("topic", flat=True))


# =============================================================================
# Clients, projects, tasks
# =============================================================================


def test_client_crud_and_filters(api, organisation):
    created = api.post(
        "/v1/clients",
        {"name": "Acme", "email": "hi@acme.test", "company": "Acme Ltd", "phone": "+1 555", "default_rate": "75.50"},
        format="json",
    )
    duplicate = api.post("/v1/clients", {"name": "Acme"}, format="json")
    other = ClientFactory(organisation=organisation, name="Beacon", archived=True)
    pk = created.json()["id"]
    updated = api.put(f"/v1/clients/{pk}", {"phone": "+1 777"}, format="json")
    deleted = api.delete(f"/v1/clients/{pk}")

    assert created.status_code == 201, created.json()
    assert {k: created.json()[k] for k in ("name", "email", "company", "default_rate", "currency", "archived")} == {
        "name": "Acme",
        "email": "hi@acme.test",
        "company": "Acme Ltd",
        "default_rate": "75.50",
        "currency": "USD",
        "archived": False,
    }
    assert duplicate.status_code == 422
    assert updated.json()["phone"] == "+1 777"
    assert deleted.status_code == 204
    assert api.get(f"/v1/clients/{pk}").json()["archived"] is True
    assert ids(api.get("/v1/clients?archived=false")) == []
    assert ids(api.get("/v1/clients?name=beac")) == [other.pk]
    assert ids(api.get("/v1/clients?company=acme")) == [pk]
    assert ids(api.get("/v1/clients?email=HI@acme.test")) == [pk]


def test_project_crud_delete_archives_and_records_events(api, client_row):
    created = api.post(
        "/v1/projects",
        {
            "name": "Intranet",
            "client_id": client_row.pk,
            "hourly_rate": "120",
            "estimated_hours": "50",
            "budget": "6000",
            "billable": False,
        },
        format="json",
    )
    pk = created.json()["id"]
    patched = api.patch(f"/v1/projects/{pk}", {"status": "on_hold"}, format="json")
    put = api.put(f"/v1/projects/{pk}", {"description": "New intranet"}, format="json")
    deleted = api.delete(f"/v1/projects/{pk}")
    again = api.delete(f"/v1/projects/{pk}")

    assert created.status_code == 201, created.json()
    assert {
        k: created.json()[k]
        for k in ("client_id", "client_name", "hourly_rate", "estimated_hours", "budget", "status", "billable")
    } == {
        "client_id": client_row.pk,
        "client_name": "Acme Corp",
        "hourly_rate": "120.00",
        "estimated_hours": "50.00",
        "budget": "6000.00",
        "status": "active",
        "billable": False,
    }
    assert patched.json()["status"] == "on_hold"
    assert put.json()["description"] == "New intranet"
    assert (deleted.status_code, again.status_code) == (204, 204)
    assert Project.objects.get(pk=pk).status == "archived"
    assert topics() == ["time.project.created", "time.project.updated", "time.project.updated", "time.project.archived"]


def test_project_filters(api, organisation, client_row):
    website = ProjectFactory(client=client_row, name="Website")
    other = ProjectFactory(
        client=ClientFactory(organisation=organisation), name="Audit", status="archived", billable=False
    )

    assert ids(api.get(f"/v1/projects?client_id={client_row.pk}")) == [website.pk]
    assert ids(api.get("/v1/projects?status=archived")) == [other.pk]
    assert ids(api.get("/v1/projects?billable=false")) == [other.pk]
    assert ids(api.get("/v1/projects?name=web")) == [website.pk]
    assert api.get("/v1/projects?status=gone").status_code == 422
    future = (datetime.datetime.now(UTC) + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(api.get(f"/v1/projects?updated_after={future}")) == []


def test_task_crud_and_filters(api, organisation, project, employee):
    created = api.post(
        "/v1/tasks",
        {
            "project_id": project.pk,
            "name": "Login",
            "description": "OAuth",
            "status": "in_progress",
            "priority": 4,
            "assignee_id": employee.pk,
            "estimated_hours": "6",
            "hourly_rate": "90",
        },
        format="json",
    )
    pk = created.json()["id"]
    other = TaskFactory(project=ProjectFactory(client__organisation=organisation), status="done", priority=1)

    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["project_id"], body["project_name"], body["status"], body["priority"], body["assignee_id"]) == (
        project.pk,
        "Website",
        "in_progress",
        4,
        employee.pk,
    )
    assert ids(api.get(f"/v1/tasks?project_id={project.pk}")) == [pk]
    assert ids(api.get(f"/v1/tasks?client_id={project.client_id}")) == [pk]
    assert ids(api.get("/v1/tasks?status=done")) == [other.pk]
    assert ids(api.get("/v1/tasks?priority=4")) == [pk]
    assert ids(api.get(f"/v1/tasks?assignee_id={employee.pk}")) == [pk]
    assert api.patch(f"/v1/tasks/{pk}", {"status": "done"}, format="json").json()["status"] == "done"
    assert (
        api.post("/v1/tasks", {"project_id": project.pk, "name": "x", "priority": 9}, format="json").status_code == 422
    )
    assert api.delete(f"/v1/tasks/{pk}").status_code == 204
    assert api.get(f"/v1/tasks/{pk}").status_code == 404


def test_employees_read_reference_data_without_rates_and_cannot_write_it(as_employee, as_manager, project, task):
    seen = as_employee.get(f"/v1/projects/{project.pk}").json()
    seen_by_manager = as_manager.get(f"/v1/projects/{project.pk}").json()

    assert (seen["hourly_rate"], seen["budget"]) == (None, None)
    assert seen_by_manager["hourly_rate"] == "100.00"
    assert as_employee.get(f"/v1/clients/{project.client_id}").json()["default_rate"] is None
    assert as_employee.post("/v1/projects", {"name": "Mine"}, format="json").status_code == 403
    assert as_employee.delete(f"/v1/projects/{project.pk}").status_code == 403
    assert as_manager.post("/v1/projects", {"name": "Managed"}, format="json").status_code == 201


def test_an_assignee_may_move_their_task_but_not_rename_it(as_employee, employee, task):
    task.assignee = employee
    task.save()

    moved = as_employee.patch(f"/v1/tasks/{task.pk}", {"status": "in_progress"}, format="json")
    renamed = as_employee.patch(f"/v1/tasks/{task.pk}", {"name": "Mine now"}, format="json")

    assert moved.json()["status"] == "in_progress"
    assert renamed.status_code == 403


def test_contracts_are_rates_for_owners_admins_and_office_managers(
    api, as_manager, as_employee, employee, londoner, project
):
    general = api.post("/v1/contracts", {"employee_id": employee.pk, "hourly_rate": "40"}, format="json")
    for_project = as_manager.post(
        "/v1/contracts", {"employee_id": employee.pk, "project_id": project.pk, "hourly_rate": "45"}, format="json"
    )
    twice = api.post("/v1/contracts", {"employee_id": employee.pk, "hourly_rate": "41"}, format="json")
    outside_office = as_manager.post("/v1/contracts", {"employee_id": londoner.pk, "hourly_rate": "1"}, format="json")

    assert general.status_code == 201, general.json()
    assert for_project.status_code == 201, for_project.json()
    assert twice.status_code == 422
    assert outside_office.status_code == 422  # not an employee the manager may see
    assert sorted(ids(as_employee.get("/v1/contracts"))) == sorted([general.json()["id"], for_project.json()["id"]])
    assert ids(api.get(f"/v1/contracts?project_id={project.pk}")) == [for_project.json()["id"]]
    assert (
        as_employee.post("/v1/contracts", {"employee_id": employee.pk, "hourly_rate": "99"}, format="json").status_code
        == 403
    )


def test_time_settings_are_changed_by_admins_only(api, as_employee):
    assert api.get("/v1/time-settings").json() == {
        "allow_overlapping": False,
        "rounding_mode": "none",
        "rounding_minutes": 1,
    }
    changed = api.patch("/v1/time-settings", {"rounding_mode": "up", "rounding_minutes": 15}, format="json")
    refused = as_employee.patch("/v1/time-settings", {"allow_overlapping": True}, format="json")
    bad = api.put("/v1/time-settings", {"rounding_minutes": 7}, format="json")

    assert changed.json() == {"allow_overlapping": False, "rounding_mode": "up", "rounding_minutes": 15}
    assert refused.status_code == 403
    assert bad.status_code == 422
    assert as_employee.get("/v1/time-settings").json()["rounding_minutes"] == 15


# =============================================================================
# Time entries: create, validation, shape
# =============================================================================


def test_create_entry_for_yourself_with_timetracker_fields(as_employee, employee, project, task):
    response = as_employee.post(
        "/v1/time-entries",
        {
            "project_id": project.pk,
            "task_id": task.pk,
            "start_time": "2026-01-15T09:00:00Z",
            "end_time": "2026-01-15T17:00:00Z",
            "notes": "Worked on feature X",
            "tags": "Development, frontend,,development",
            "billable": True,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert {k: body[k] for k in body if k not in ("id", "created_at", "updated_at")} == {
        "employee_id": employee.pk,
        "user_id": employee.membership.user_id,
        "project_id": project.pk,
        "task_id": task.pk,
        "client_id": project.client_id,
        "start_time": "2026-01-15T09:00:00Z",
        "end_time": "2026-01-15T17:00:00Z",
        "duration_seconds": 28800,
        "duration_hours": "8.00",
        "duration_formatted": "08:00:00",
        "notes": "Worked on feature X",
        "tags": "development,frontend",
        "billable": True,
        "paid": False,
        "source": "manual",
        "is_active": False,
    }
    assert response["Location"].endswith(f"/v1/time-entries/{body['id']}")
    assert topics() == ["time.entry.created"]


def test_tags_may_be_a_list_and_billable_defaults_to_the_project(as_employee, organisation):
    internal = ProjectFactory(client__organisation=organisation, billable=False)

    body = as_employee.post(
        "/v1/time-entries",
        {
            "project_id": internal.pk,
            "start_time": "2026-01-15T09:00:00Z",
            "end_time": "2026-01-15T09:30:00Z",
            "tags": ["  Big   Client ", "urgent", "URGENT"],
        },
        format="json",
    ).json()

    assert (body["tags"], body["billable"], body["duration_seconds"]) == ("big client,urgent", False, 1800)


def test_an_oauth_client_names_the_employee_by_id_or_user_id(api, employee, colleague, project):
    base = {"project_id": project.pk, "start_time": "2026-01-15T09:00:00Z", "end_time": "2026-01-15T10:00:00Z"}

    by_id = api.post("/v1/time-entries", {**base, "employee_id": colleague.pk}, format="json")
    by_user = api.post(
        "/v1/time-entries",
        {
            **base,
            "user_id": employee.membership.user_id,
            "start_time": "2026-01-16T09:00:00Z",
            "end_time": "2026-01-16T10:00:00Z",
        },
        format="json",
    )
    nobody = api.post("/v1/time-entries", base, format="json")
    unknown_user = api.post("/v1/time-entries", {**base, "user_id": 999999}, format="json")

    assert by_id.json()["employee_id"] == colleague.pk
    assert by_user.json()["employee_id"] == employee.pk
    assert nobody.status_code == 422
    assert list(nobody.json()["errors"]) == ["employee_id"]
    assert unknown_user.json()["errors"] == {"user_id": ["No employee with this user id."]}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end_time": "2026-01-15T08:00:00Z"}, "end_time"),
        ({"end_time": "2026-01-15T09:00:00Z"}, "end_time"),
        ({"project_id": 999999}, "project_id"),
        ({"start_time": "yesterday"}, "start_time"),
        ({"tags": 5}, "tags"),
        ({"tags": "x" * 51}, "tags"),
    ],
)
def test_validation_problems_name_the_field(as_employee, project, change, field):
    body = {"project_id": project.pk, "start_time": "2026-01-15T09:00:00Z", "end_time": "2026-01-15T10:00:00Z"}

    response = as_employee.post("/v1/time-entries", {**body, **change}, format="json")

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert list(response.json()["errors"]) == [field]
    assert TimeEntry.objects.count() == 0


def test_the_task_must_belong_to_the_project(as_employee, project, organisation):
    elsewhere = TaskFactory(project=ProjectFactory(client__organisation=organisation))

    response = as_employee.post(
        "/v1/time-entries",
        {
            "project_id": project.pk,
            "task_id": elsewhere.pk,
            "start_time": "2026-01-15T09:00:00Z",
            "end_time": "2026-01-15T10:00:00Z",
        },
        format="json",
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {"task_id": ["The task belongs to another project."]}


def test_an_archived_project_takes_no_new_time(as_employee, project):
    project.status = "archived"
    project.save()

    response = as_employee.post(
        "/v1/time-entries",
        {"project_id": project.pk, "start_time": "2026-01-15T09:00:00Z", "end_time": "2026-01-15T10:00:00Z"},
        format="json",
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {"project_id": ["The project is archived and takes no new time."]}


def test_overlapping_entries_are_refused_unless_the_organisation_allows_them(
    as_employee, employee, project, organisation
):
    first = TimeEntryFactory(
        employee=employee, project=project, start_time=at("2026-01-15T09:00:00Z"), end_time=at("2026-01-15T11:00:00Z")
    )
    body = {"project_id": project.pk, "start_time": "2026-01-15T10:30:00Z", "end_time": "2026-01-15T12:00:00Z"}
    touching = {"project_id": project.pk, "start_time": "2026-01-15T11:00:00Z", "end_time": "2026-01-15T12:00:00Z"}

    refused = as_employee.post("/v1/time-entries", body, format="json")
    adjacent = as_employee.post("/v1/time-entries", touching, format="json")
    TimeSettingsFactory(organisation=organisation, allow_overlapping=True)
    allowed = as_employee.post("/v1/time-entries", body, format="json")

    assert refused.status_code == 409
    problem = refused.json()
    assert (problem["code"], problem["conflicting_entry_id"]) == ("overlap", first.pk)
    # words for people (project, day, times, zone), the id for machines (issue 14 point 2)
    assert problem["errors"] == {"start_time": [f"Overlaps {project.name}, 09:00 to 11:00 on Thu 15 Jan 2026."]}
    assert problem["detail"] == (
        f"This entry overlaps another entry of the same person: {project.name} on Thu 15 Jan 2026 from 09:00 to "
        "11:00 (UTC). The organisation does not allow overlapping entries."
    )
    assert adjacent.status_code == 201
    assert allowed.status_code == 201


def test_another_employees_entries_do_not_count_as_overlaps(as_employee, colleague, project):
    TimeEntryFactory(
        employee=colleague, project=project, start_time=at("2026-01-15T09:00:00Z"), end_time=at("2026-01-15T11:00:00Z")
    )

    response = as_employee.post(
        "/v1/time-entries",
        {"project_id": project.pk, "start_time": "2026-01-15T09:00:00Z", "end_time": "2026-01-15T11:00:00Z"},
        format="json",
    )

    assert response.status_code == 201


def test_update_recomputes_the_duration_and_checks_overlaps(as_employee, employee, project):
    mine = TimeEntryFactory(
        employee=employee, project=project, start_time=at("2026-01-15T09:00:00Z"), end_time=at("2026-01-15T10:00:00Z")
    )
    TimeEntryFactory(
        employee=employee, project=project, start_time=at("2026-01-15T12:00:00Z"), end_time=at("2026-01-15T13:00:00Z")
    )

    longer = as_employee.patch(
        f"/v1/time-entries/{mine.pk}", {"end_time": "2026-01-15T11:30:00Z", "paid": True}, format="json"
    )
    clash = as_employee.put(f"/v1/time-entries/{mine.pk}", {"end_time": "2026-01-15T12:30:00Z"}, format="json")
    deleted = as_employee.delete(f"/v1/time-entries/{mine.pk}")

    assert (longer.json()["duration_seconds"], longer.json()["paid"]) == (9000, True)
    assert clash.status_code == 409
    assert deleted.status_code == 204
    assert topics() == ["time.entry.updated", "time.entry.deleted"]


# =============================================================================
# Rounding
# =============================================================================


@pytest.mark.parametrize(
    ("mode", "step", "minutes", "seconds", "expected"),
    [
        ("none", 15, 7, 0, 7 * 60),
        ("nearest", 15, 7, 0, 0 * 60 + 15 * 60),  # 7 min never rounds to zero
        ("nearest", 15, 22, 29, 15 * 60),
        ("nearest", 15, 22, 30, 30 * 60),
        ("up", 15, 15, 1, 30 * 60),
        ("up", 6, 61, 0, 66 * 60),
        ("up", 5, 60, 0, 60 * 60),  # aligned: never rounded
        ("nearest", 1, 10, 31, 11 * 60),
    ],
)
def test_rounding_rules(as_employee, organisation, project, mode, step, minutes, seconds, expected):
    TimeSettingsFactory(organisation=organisation, rounding_mode=mode, rounding_minutes=step)
    end = at("2026-01-15T09:00:00Z") + datetime.timedelta(minutes=minutes, seconds=seconds)

    body = as_employee.post(
        "/v1/time-entries",
        {"project_id": project.pk, "start_time": "2026-01-15T09:00:00Z", "end_time": end.isoformat()},
        format="json",
    ).json()

    assert body["duration_seconds"] == expected
    assert body["end_time"] == end.strftime("%Y-%m-%dT%H:%M:%SZ")  # the recorded times are kept


# =============================================================================
# Filters and role visibility
# =============================================================================


def test_every_time_entry_filter(api, organisation, employee, colleague, project, task):
    other_project = ProjectFactory(client=ClientFactory(organisation=organisation))
    a = TimeEntryFactory(
        employee=employee,
        project=project,
        task=task,
        start_time=at("2026-01-12T15:00:00Z"),
        end_time=at("2026-01-12T16:00:00Z"),
        tags="alpha,beta",
    )
    b = TimeEntryFactory(
        employee=colleague,
        project=other_project,
        start_time=at("2026-01-14T15:00:00Z"),
        end_time=at("2026-01-14T16:00:00Z"),
        billable=False,
        paid=True,
        tags="beta",
        source="import",
    )
    running = TimeEntryFactory(
        employee=colleague, project=project, start_time=at("2026-01-15T15:00:00Z"), end_time=None
    )

    assert ids(api.get("/v1/time-entries")) == [b.pk, a.pk]
    assert ids(api.get("/v1/time-entries?include_active=true")) == [running.pk, b.pk, a.pk]
    assert ids(api.get("/v1/time-entries?include_active=false")) == [b.pk, a.pk]
    assert ids(api.get(f"/v1/time-entries?project_id={project.pk}")) == [a.pk]
    assert ids(api.get(f"/v1/time-entries?task_id={task.pk}")) == [a.pk]
    assert ids(api.get(f"/v1/time-entries?client_id={other_project.client_id}")) == [b.pk]
    assert ids(api.get(f"/v1/time-entries?employee_id={colleague.pk}")) == [b.pk]
    assert ids(api.get(f"/v1/time-entries?user_id={employee.membership.user_id}")) == [a.pk]
    assert ids(api.get("/v1/time-entries?billable=false")) == [b.pk]
    assert ids(api.get("/v1/time-entries?paid=true")) == [b.pk]
    assert ids(api.get("/v1/time-entries?source=import")) == [b.pk]
    assert ids(api.get("/v1/time-entries?tags=beta")) == [b.pk, a.pk]
    assert ids(api.get("/v1/time-entries?tags=Beta,alpha")) == [a.pk]
    assert ids(api.get("/v1/time-entries?tags=alp")) == []
    assert ids(api.get("/v1/time-entries?start_date=2026-01-13")) == [b.pk]
    assert ids(api.get("/v1/time-entries?end_date=2026-01-13")) == [a.pk]
    assert ids(api.get("/v1/time-entries?start_date=2026-01-12&end_date=2026-01-14")) == [b.pk, a.pk]
    assert ids(api.get("/v1/time-entries?start_date=2026-01-14T15:30:00Z")) == []
    assert ids(api.get("/v1/time-entries?end_date=2026-01-14T15:00:00Z")) == [a.pk]
    assert api.get("/v1/time-entries?start_date=13/01/2026").status_code == 422
    assert api.get("/v1/time-entries?start_date=2026-01-13T10:00:00").status_code == 422  # no offset


def test_a_list_page_renders_each_entry_as_its_detail_does(api, organisation, employee, project, task):
    """The list reads plain columns and renders them itself (timestamps by PostgreSQL there);
    every field must come out exactly as the detail's serializer renders it."""
    no_login = EmployeeFactory(office=employee.office, organisation=organisation)
    start = datetime.datetime(2026, 3, 1, 9, 0, 0, 999_999, tzinfo=UTC)
    # rounding edges of duration_hours (x.xx5 rounds up), over 99 hours, seconds, no task, no login
    durations = [0, 17, 18, 53, 54, 1799, 3600, 5399, 359_999, 400_000]
    entries = [
        TimeEntryFactory(
            employee=no_login if n % 2 else employee,
            project=project,
            task=task if n % 3 else None,
            start_time=start + datetime.timedelta(days=n, microseconds=n),
            end_time=start + datetime.timedelta(days=n, seconds=seconds or 1),
            duration_seconds=seconds,
            notes='Ünïcode \u2028 line, "quotes" & <tags>',
            tags="" if n % 2 else "a,b",
            billable=bool(n % 2),
            paid=not n % 4,
            source="import" if n % 5 else "manual",
        )
        for n, seconds in enumerate(durations)
    ]
    running = TimeEntryFactory(employee=employee, project=project, start_time=start, end_time=None)

    listed = api.get("/v1/time-entries?page_size=100&include_active=true")

    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert {row["id"] for row in rows} == {e.pk for e in entries} | {running.pk}
    for row in rows:  # (the detail, like the list, leaves a running timer out unless asked)
        assert row == api.get(f"/v1/time-entries/{row['id']}").json()
    by_id = {row["id"]: row for row in rows}
    assert [by_id[e.pk]["duration_hours"] for e in entries] == [
        "0.00", "0.00", "0.01", "0.01", "0.02", "0.50", "1.00", "1.50", "100.00", "111.11",
    ]  # fmt: skip
    assert by_id[entries[0].pk]["start_time"] == "2026-03-01T09:00:00Z"  # truncated, not rounded
    assert by_id[entries[8].pk]["duration_formatted"] == "99:59:59"
    assert by_id[running.pk]["end_time"] is None and by_id[running.pk]["is_active"] is True
    assert by_id[entries[1].pk]["user_id"] is None and by_id[entries[0].pk]["user_id"] == employee.membership.user_id


def test_role_visibility(organisation, employee, colleague, manager, londoner, admin, project):
    entries = {who: TimeEntryFactory(employee=who, project=project) for who in (employee, colleague, manager, londoner)}

    def seen(person):
        return sorted(ids(token_client(person).get("/v1/time-entries?page_size=100")))

    assert seen(employee) == [entries[employee].pk]
    assert seen(londoner) == [entries[londoner].pk]
    assert seen(manager) == sorted(entries[p].pk for p in (employee, colleague, manager))
    assert seen(admin) == sorted(e.pk for e in entries.values())
    as_employee = token_client(employee)
    # asking for someone else's entries does not widen what an employee sees
    assert ids(as_employee.get(f"/v1/time-entries?employee_id={colleague.pk}")) == []
    assert as_employee.get(f"/v1/time-entries/{entries[colleague].pk}").status_code == 404
    assert (
        as_employee.patch(f"/v1/time-entries/{entries[colleague].pk}", {"notes": "x"}, format="json").status_code == 404
    )
    assert as_employee.delete(f"/v1/time-entries/{entries[colleague].pk}").status_code == 404


def test_a_manager_edits_and_records_time_for_their_office_only(as_manager, colleague, londoner, project):
    theirs = TimeEntryFactory(employee=colleague, project=project)
    base = {"project_id": project.pk, "start_time": "2026-02-01T09:00:00Z", "end_time": "2026-02-01T10:00:00Z"}

    edited = as_manager.patch(f"/v1/time-entries/{theirs.pk}", {"notes": "Checked"}, format="json")
    for_colleague = as_manager.post("/v1/time-entries", {**base, "employee_id": colleague.pk}, format="json")
    for_londoner = as_manager.post("/v1/time-entries", {**base, "employee_id": londoner.pk}, format="json")

    assert edited.json()["notes"] == "Checked"
    assert for_colleague.status_code == 201
    assert for_londoner.status_code == 422
    assert "object does not exist" in str(for_londoner.json()["errors"]["employee_id"])


def test_an_employee_cannot_record_time_for_someone_else(as_employee, colleague, project):
    response = as_employee.post(
        "/v1/time-entries",
        {
            "project_id": project.pk,
            "employee_id": colleague.pk,
            "start_time": "2026-02-01T09:00:00Z",
            "end_time": "2026-02-01T10:00:00Z",
        },
        format="json",
    )

    assert response.status_code == 422
    assert TimeEntry.objects.count() == 0


def test_scopes(make_api_client, organisation, project):
    reader = make_api_client(organisation, scopes=["time.read"])
    nobody = make_api_client(organisation, scopes=["hr.read"])

    assert reader.get("/v1/time-entries").status_code == 200
    assert reader.post("/v1/time-entries", {}, format="json").json()["required_scope"] == "time.write"
    for path in (
        "/v1/time-entries",
        "/v1/projects",
        "/v1/clients",
        "/v1/tasks",
        "/v1/contracts",
        "/v1/timer/status",
        "/v1/search?q=ab",
        "/v1/reports/summary",
        "/v1/time-settings",
    ):
        response = nobody.get(path)
        assert response.status_code == 403, path
        assert response.json()["required_scope"] == "time.read"
    assert reader.post("/v1/timer/start", {"project_id": project.pk}, format="json").status_code == 403


def test_anonymous_is_401(anonymous_api):
    for path in ("/v1/time-entries", "/v1/timer/status", "/v1/reports/summary", "/v1/search?q=ab"):
        assert anonymous_api.get(path).status_code == 401


# =============================================================================
# Timers
# =============================================================================


def test_timer_start_status_stop(as_employee, employee, project, task):
    idle = as_employee.get("/v1/timer/status")
    started = as_employee.post(
        "/v1/timer/start", {"project_id": project.pk, "task_id": task.pk, "notes": "Go"}, format="json"
    )
    running = as_employee.get("/v1/timer/status")
    second = as_employee.post("/v1/timer/start", {"project_id": project.pk}, format="json")
    TimeEntry.objects.filter(pk=started.json()["id"]).update(
        start_time=datetime.datetime.now(UTC).replace(microsecond=0) - datetime.timedelta(minutes=90)
    )
    stopped = as_employee.post("/v1/timer/stop", {}, format="json")
    stop_again = as_employee.post("/v1/timer/stop", {}, format="json")

    assert idle.json() == {"active": False, "timer": None}
    assert started.status_code == 201, started.json()
    assert (started.json()["source"], started.json()["is_active"], started.json()["end_time"]) == ("timer", True, None)
    assert running.json()["active"] is True
    assert running.json()["timer"]["id"] == started.json()["id"]
    assert second.status_code == 409
    assert (second.json()["code"], second.json()["running_entry_id"]) == ("timer_running", started.json()["id"])
    assert stopped.status_code == 200
    assert 90 * 60 <= stopped.json()["duration_seconds"] <= 90 * 60 + 5
    assert stopped.json()["is_active"] is False
    assert stop_again.status_code == 409
    assert stop_again.json()["code"] == "no_timer"
    assert topics() == ["time.timer.started", "time.timer.stopped"]


def test_creating_an_entry_without_end_time_starts_a_timer(as_employee, project):
    created = as_employee.post(
        "/v1/time-entries", {"project_id": project.pk, "start_time": "2026-01-15T09:00:00Z"}, format="json"
    )
    another = as_employee.post(
        "/v1/time-entries", {"project_id": project.pk, "start_time": "2026-01-15T07:00:00Z"}, format="json"
    )

    assert created.status_code == 201
    assert created.json()["is_active"] is True
    assert another.status_code == 409
    assert topics() == ["time.timer.started"]


def test_a_running_entry_is_reached_by_its_id_and_stopped_with_patch(as_employee, project):
    created = as_employee.post(
        "/v1/time-entries", {"project_id": project.pk, "start_time": "2026-01-15T09:00:00Z"}, format="json"
    ).json()
    url = f"/v1/time-entries/{created['id']}"

    running = as_employee.get(url)
    stopped = as_employee.patch(url, {"end_time": "2026-01-15T10:30:00Z"}, format="json")

    assert (running.status_code, running.json()["is_active"]) == (200, True)
    assert stopped.status_code == 200, stopped.json()
    assert (stopped.json()["is_active"], stopped.json()["duration_seconds"]) == (False, 5400)
    assert ids(as_employee.get("/v1/time-entries")) == [created["id"]]


def test_the_database_allows_one_running_timer_per_employee(employee, project):
    from django.db import IntegrityError, transaction

    TimeEntryFactory(employee=employee, project=project, end_time=None, duration_seconds=None)

    with pytest.raises(IntegrityError), transaction.atomic():
        TimeEntryFactory(employee=employee, project=project, end_time=None, duration_seconds=None)


def test_an_oauth_client_starts_a_timer_for_an_employee(api, employee, project):
    missing = api.post("/v1/timer/start", {"project_id": project.pk}, format="json")
    started = api.post("/v1/timer/start", {"project_id": project.pk, "employee_id": employee.pk}, format="json")
    status = api.get(f"/v1/timer/status?user_id={employee.membership.user_id}")
    stopped = api.post("/v1/timer/stop", {"employee_id": employee.pk}, format="json")

    assert missing.status_code == 422
    assert started.status_code == 201
    assert status.json()["timer"]["id"] == started.json()["id"]
    assert stopped.json()["end_time"] is not None


def test_a_timer_rounds_when_stopped(as_employee, organisation, project):
    TimeSettingsFactory(organisation=organisation, rounding_mode="up", rounding_minutes=15)
    started = as_employee.post("/v1/timer/start", {"project_id": project.pk}, format="json").json()
    TimeEntry.objects.filter(pk=started["id"]).update(
        start_time=datetime.datetime.now(UTC).replace(microsecond=0) - datetime.timedelta(minutes=20)
    )

    stopped = as_employee.post("/v1/timer/stop", {}, format="json").json()

    assert stopped["duration_seconds"] == 30 * 60


def test_a_timer_on_an_archived_project_is_refused(as_employee, project):
    project.status = "archived"
    project.save()

    assert as_employee.post("/v1/timer/start", {"project_id": project.pk}, format="json").status_code == 422


def test_an_employee_without_an_employee_record_gets_a_clear_problem(organisation, make_member, project):
    nobody = token_client(make_member(organisation, Role.EMPLOYEE))

    response = nobody.post("/v1/timer/start", {"project_id": project.pk}, format="json")

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "employee_id": ["Required: this credential has no employee record of its own."]
    }


def test_contract_rates_are_hidden_from_other_employees(as_employee, employee, colleague):
    mine = ContractFactory(employee=employee)
    ContractFactory(employee=colleague)

    assert ids(as_employee.get("/v1/contracts")) == [mine.pk]


def test_employee_records_of_another_organisation_are_not_found(api, other_organisation, project):
    theirs = EmployeeFactory(office__organisation=other_organisation)

    response = api.post(
        "/v1/time-entries",
        {
            "project_id": project.pk,
            "employee_id": theirs.pk,
            "start_time": "2026-01-15T09:00:00Z",
            "end_time": "2026-01-15T10:00:00Z",
        },
        format="json",
    )

    assert response.status_code == 422
    assert "object does not exist" in str(response.json()["errors"]["employee_id"])
