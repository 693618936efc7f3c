"""Audit rows that say what happened (issue 13 point 6): a delete names the deleted object,
and a refused request (412, 409, 422) records its status and no field changes."""

import datetime

import pytest

from organisations.models import AuditEvent
from tests.hr.factories import EmployeeFactory
from tests.organisations.factories import WorkspaceFactory
from tests.timetracking.factories import ProjectFactory, TaskFactory, TimeEntryFactory

pytestmark = pytest.mark.django_db


def _deleted_row(api, path: str) -> AuditEvent:
    response = api.delete(path)
    assert response.status_code == 204, response.content
    return AuditEvent.objects.filter(method="DELETE").get()


def test_deleting_a_time_entry_records_its_id(api, organisation):
    entry = TimeEntryFactory(employee=EmployeeFactory(organisation=organisation))

    event = _deleted_row(api, f"/v1/time-entries/{entry.pk}")

    assert (event.object_type, event.object_id, event.status_code) == ("timetracking.TimeEntry", str(entry.pk), 204)


def test_deleting_a_task_records_its_id(api, organisation):
    task = TaskFactory(project=ProjectFactory(client__organisation=organisation))

    event = _deleted_row(api, f"/v1/tasks/{task.pk}")

    assert (event.object_type, event.object_id) == ("timetracking.Task", str(task.pk))


def test_a_422_records_its_status_and_no_changes(api):
    response = api.post("/v1/workspaces", {"name": "x" * 300}, format="json")

    assert response.status_code == 422
    event = AuditEvent.objects.get()
    assert (event.status_code, event.changes, event.object_id) == (422, {}, "")


def test_a_412_records_its_status_and_no_changes(api, office):
    workspace = WorkspaceFactory(office=office, name="North")
    stale = api.get(f"/v1/workspaces/{workspace.pk}")["ETag"]
    api.patch(f"/v1/workspaces/{workspace.pk}", {"description": "someone else"}, format="json")

    response = api.patch(f"/v1/workspaces/{workspace.pk}", {"name": "Lost"}, format="json", HTTP_IF_MATCH=stale)

    assert response.status_code == 412
    refused = AuditEvent.objects.get(status_code=412)
    assert refused.changes == {}


def test_a_409_records_its_status_and_no_changes(api, organisation):
    employee = EmployeeFactory(organisation=organisation)
    project = ProjectFactory(client__organisation=organisation)
    start = datetime.datetime(2026, 11, 2, 14, 0, tzinfo=datetime.UTC)
    TimeEntryFactory(employee=employee, project=project, start_time=start, end_time=start + datetime.timedelta(hours=2))

    response = api.post(
        "/v1/time-entries",
        {
            "employee_id": employee.pk,
            "project_id": project.pk,
            "start_time": "2026-11-02T15:00:00Z",
            "end_time": "2026-11-02T16:00:00Z",
        },
        format="json",
    )

    assert response.status_code == 409, response.content
    refused = AuditEvent.objects.get(status_code=409)
    assert refused.changes == {}


def _deletes():
    from tests.platform.test_tenancy_matrix import RESOURCES

    return [
        (resource, path)
        for resource in RESOURCES
        for method, path, _body in resource.mutations
        if method == "delete" and resource.detail
    ]


@pytest.mark.parametrize(("resource", "path"), _deletes(), ids=lambda value: getattr(value, "name", value))
def test_every_rest_delete_records_the_deleted_objects_id(resource, path, api, organisation, owner, session_client):
    """Over every DELETE of the cross-tenant matrix: the audit row of a delete (or an archive)
    names its object. An OAuth client deletes, else (where only people may) the owner does."""
    obj = (resource.make_deletable or resource.make)(organisation)
    url = f"{resource.list_url}/{obj.pk}{path}"
    response = api.delete(url)
    if response.status_code == 403:
        response = session_client(owner).delete(url)
    assert response.status_code in (200, 204), (url, response.status_code, response.content[:300])
    row = AuditEvent.objects.filter(method="DELETE", path=url).latest("id")
    assert row.object_id == str(obj.pk), (url, row.action, row.object_id)
