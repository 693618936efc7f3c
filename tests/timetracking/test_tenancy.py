"""Cross-tenant checks of the routes the shared matrix cannot drive by object id: bulk actions,
the CSV import and its jobs, the timer, search, the summary report and the time settings
(tests/timetracking/matrix.py lists them)."""

from __future__ import annotations

import pytest

from tests.hr.factories import EmployeeFactory
from timetracking.models import TimeEntry, TimeSettings

from .factories import ClientFactory, ImportJobFactory, ProjectFactory, TaskFactory, TimeEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(other_organisation):
    client = ClientFactory(organisation=other_organisation, name="Rival Client", email="rival@example.test")
    project = ProjectFactory(client=client, name="Rival Website")
    task = TaskFactory(project=project, name="Rival task")
    employee = EmployeeFactory(office__organisation=other_organisation, email="rival.person@example.test")
    entry = TimeEntryFactory(employee=employee, project=project, notes="rival website notes")
    return {"client": client, "project": project, "task": task, "employee": employee, "entry": entry}


def test_bulk_skips_another_tenants_entries_as_not_found(api, theirs):
    body = api.post(
        "/v1/time-entries/bulk", {"entry_ids": [theirs["entry"].pk], "action": "delete"}, format="json"
    ).json()

    assert body["changed"] == []
    assert body["skipped"] == [{"id": theirs["entry"].pk, "reason": "not_found"}]
    assert TimeEntry.objects.filter(pk=theirs["entry"].pk).exists()


def test_import_cannot_reach_another_tenants_projects_or_employees(api, theirs, organisation):
    text = "date,start,end,project,employee_email\n2026-01-12,09:00,10:00,Rival Website,rival.person@example.test\n"

    problem = api.post("/v1/time-entries/import-csv", {"csv": text}, format="json").json()

    assert problem["row_errors"] == [
        {
            "line": 2,
            "reason": "employee_email: no employee rival.person@example.test whose time you may record.; "
            'project: no project named "Rival Website".',
        }
    ]
    assert TimeEntry.objects.filter(organisation=organisation).count() == 0


def test_another_tenants_import_job_is_404(api, other_organisation):
    job = ImportJobFactory(organisation=other_organisation)

    response = api.get(f"/v1/time-entries/imports/{job.pk}")

    assert response.status_code == 404
    assert response.json()["detail"] == "Not found."


def test_timer_routes_cannot_reach_another_tenants_employee_or_project(api, theirs, organisation):
    running = TimeEntryFactory(
        employee=theirs["employee"], project=theirs["project"], end_time=None, duration_seconds=None
    )
    ours = EmployeeFactory(office__organisation=organisation)
    our_project = ProjectFactory(client__organisation=organisation)

    status = api.get(f"/v1/timer/status?employee_id={theirs['employee'].pk}")
    start_their_employee = api.post(
        "/v1/timer/start", {"project_id": our_project.pk, "employee_id": theirs["employee"].pk}, format="json"
    )
    start_their_project = api.post(
        "/v1/timer/start", {"project_id": theirs["project"].pk, "employee_id": ours.pk}, format="json"
    )
    stop = api.post("/v1/timer/stop", {"employee_id": theirs["employee"].pk}, format="json")

    assert [r.status_code for r in (status, start_their_employee, start_their_project, stop)] == [422] * 4
    assert "object does not exist" in str(status.json()["errors"]["employee_id"])
    assert "object does not exist" in str(start_their_project.json()["errors"]["project_id"])
    running.refresh_from_db()
    assert running.end_time is None


def test_search_never_finds_another_tenants_rows(api, theirs):
    body = api.get("/v1/search?q=rival").json()

    assert body == {"results": [], "query": "rival", "count": 0}


def test_summary_never_counts_another_tenants_time(api, theirs):
    summary = api.get("/v1/reports/summary").json()["summary"]
    by_their_project = api.get(f"/v1/reports/summary?project_id={theirs['project'].pk}").json()["summary"]

    assert (summary["total_entries"], summary["by_project"], summary["by_employee"]) == (0, [], [])
    assert by_their_project["total_entries"] == 0


def test_time_settings_are_per_organisation(api, other_api, organisation, other_organisation):
    api.patch("/v1/time-settings", {"allow_overlapping": True}, format="json")

    assert other_api.get("/v1/time-settings").json()["allow_overlapping"] is False
    assert TimeSettings.objects.get().organisation == organisation


def test_related_ids_of_another_tenant_are_refused_as_missing(api, theirs, organisation):
    our_project = ProjectFactory(client__organisation=organisation)
    responses = [
        api.post("/v1/projects", {"name": "x", "client_id": theirs["client"].pk}, format="json"),
        api.post("/v1/tasks", {"name": "x", "project_id": theirs["project"].pk}, format="json"),
        api.post(
            "/v1/tasks",
            {"name": "x", "project_id": our_project.pk, "assignee_id": theirs["employee"].pk},
            format="json",
        ),
        api.post("/v1/contracts", {"employee_id": theirs["employee"].pk, "hourly_rate": "1"}, format="json"),
        api.post(
            "/v1/time-entries",
            {
                "project_id": our_project.pk,
                "task_id": theirs["task"].pk,
                "employee_id": theirs["employee"].pk,
                "start_time": "2026-01-01T09:00:00Z",
                "end_time": "2026-01-01T10:00:00Z",
            },
            format="json",
        ),
    ]

    assert [r.status_code for r in responses] == [422] * 5
    assert all("object does not exist" in str(r.json()["errors"]) for r in responses)
