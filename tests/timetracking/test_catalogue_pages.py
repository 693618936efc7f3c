"""Clients, projects and tasks from the pages (issue 14 point 9): create, edit, archive (a task is
deleted, as in the API); roles, tenancy (404), escaping, the services' refusals on the forms."""

from __future__ import annotations

import pytest
from django.test import Client

from organisations.choices import Role
from organisations.models import AuditEvent
from tests.organisations.factories import DEFAULT_PASSWORD
from timetracking.models import Client as TimeClient
from timetracking.models import Project, Task

from .conftest import person
from .factories import ClientFactory, ProjectFactory, TaskFactory, TimeEntryFactory

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'
PAGES = ("/app/time/clients", "/app/time/clients/new", "/app/time/projects/new")


def browser(employee_or_membership) -> Client:
    membership = getattr(employee_or_membership, "membership", None) or employee_or_membership
    client = Client()
    assert client.login(username=membership.user.email, password=DEFAULT_PASSWORD)
    return client


def project_post(**values):
    return {"name": "Intranet", "client": "", "description": "", "status": "active", "billable": "on", **values}


def task_post(**values):
    return {"name": "Design", "description": "", "status": "todo", "priority": "3", **values}


def test_the_pages_are_for_owners_admins_and_managers(organisation, ny_office, project, task):
    expected = {Role.OWNER: 200, Role.ADMIN: 200, Role.MANAGER: 200, Role.HR: 403, Role.EMPLOYEE: 403}
    for role, status in expected.items():
        client = browser(person(organisation, ny_office, role, name=f"P{role}"))
        for path in (*PAGES, f"/app/time/projects/{project.pk}/edit", f"/app/time/tasks/{task.pk}"):
            assert client.get(path).status_code == status, (role, path)


def test_create_edit_archive_and_restore_a_client(manager):
    client = browser(manager)

    created = client.post("/app/time/clients/new", {"name": f"Globex {XSS}", "email": "ap@globex.test"})
    row = TimeClient.objects.get()
    edited = client.post(f"/app/time/clients/{row.pk}", {"name": "Globex", "company": "Globex Inc", "phone": ""})
    listed = client.get("/app/time/clients").content.decode()
    archived = client.post(f"/app/time/clients/{row.pk}/archive", follow=True)
    hidden = client.get("/app/time/clients").content.decode()
    restored = client.post(f"/app/time/clients/{row.pk}/archive", {"restore": "1"})

    assert created.status_code == edited.status_code == restored.status_code == 302
    row.refresh_from_db()
    assert (row.name, row.company, row.email, row.archived) == ("Globex", "Globex Inc", "", False)
    assert "Globex Inc" in listed
    assert "Client Globex archived." in archived.content.decode()
    assert 'href="/app/time/clients/' + str(row.pk) + '"' not in hidden
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "source")) == [
        ("client.create", "page"),
        ("client.update", "page"),
        ("client.archive", "page"),
        ("client.update", "page"),
    ]


def test_a_duplicate_client_name_is_refused_on_the_form(manager, client_row):
    response = browser(manager).post("/app/time/clients/new", {"name": client_row.name})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert TimeClient.objects.count() == 1


def test_create_edit_and_archive_a_project(manager, client_row):
    client = browser(manager)

    created = client.post("/app/time/projects/new", project_post(client=client_row.pk, estimated_hours="12.50"))
    project = Project.objects.get()
    form = client.get(f"/app/time/projects/{project.pk}/edit").content.decode()
    edited = client.post(
        f"/app/time/projects/{project.pk}/edit", project_post(name="Intranet v2", client=client_row.pk, budget="900")
    )
    archived = client.post(f"/app/time/projects/{project.pk}/archive")

    assert created["Location"] == f"/app/time/projects/{project.pk}"
    assert 'value="Intranet"' in form and 'value="12.50"' in form
    assert edited.status_code == archived.status_code == 302
    project.refresh_from_db()
    assert (project.name, str(project.budget), project.status) == ("Intranet v2", "900.00", "archived")
    link = f'href="/app/time/projects/{project.pk}"'
    assert link not in client.get("/app/time/projects").content.decode()
    assert link in client.get("/app/time/projects?archived=1").content.decode()


def test_a_project_name_taken_under_the_client_is_refused_on_the_form(manager, project):
    response = browser(manager).post(
        "/app/time/projects/new", project_post(name=project.name, client=project.client_id)
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert Project.objects.count() == 1


def test_create_edit_and_delete_a_task_its_time_stays(manager, employee, project):
    client = browser(manager)

    created = client.post(f"/app/time/projects/{project.pk}/tasks/new", task_post(assignee=employee.pk))
    task = Task.objects.get()
    entry = TimeEntryFactory(employee=employee, project=project, task=task)
    edited = client.post(f"/app/time/tasks/{task.pk}", task_post(name=f"Design {XSS}", status="in_progress"))
    page = client.get(f"/app/time/projects/{project.pk}").content.decode()
    deleted = client.post(f"/app/time/tasks/{task.pk}/delete")

    assert created.status_code == edited.status_code == deleted.status_code == 302
    assert XSS not in page and "Design &lt;script&gt;" in page
    assert not Task.objects.exists()
    entry.refresh_from_db()
    assert entry.task_id is None


def test_another_organisations_rows_are_404(manager, other_organisation):
    foreign_client = ClientFactory(organisation=other_organisation)
    foreign_project = ProjectFactory(client=foreign_client)
    foreign_task = TaskFactory(project=foreign_project)
    client = browser(manager)

    for path in (
        f"/app/time/clients/{foreign_client.pk}",
        f"/app/time/projects/{foreign_project.pk}/edit",
        f"/app/time/projects/{foreign_project.pk}/tasks/new",
        f"/app/time/tasks/{foreign_task.pk}",
    ):
        assert client.get(path).status_code == 404, path
        assert client.post(path, {"name": "Taken"}).status_code == 404, path
    for path in (
        f"/app/time/clients/{foreign_client.pk}/archive",
        f"/app/time/projects/{foreign_project.pk}/archive",
        f"/app/time/tasks/{foreign_task.pk}/delete",
    ):
        assert client.post(path).status_code == 404, path
    foreign_project.refresh_from_db()
    assert foreign_project.status == "active" and Task.objects.filter(pk=foreign_task.pk).exists()


def test_an_employee_cannot_post_to_the_catalogue(employee, project, task):
    client = browser(employee)

    assert client.post("/app/time/clients/new", {"name": "Sneaky"}).status_code == 403
    assert client.post(f"/app/time/projects/{project.pk}/archive").status_code == 403
    assert client.post(f"/app/time/tasks/{task.pk}/delete").status_code == 403
    assert not TimeClient.objects.filter(name="Sneaky").exists()
    assert Task.objects.filter(pk=task.pk).exists()


def test_time_import_messages_never_name_api_parameters(employee):
    """Issue 14 point 10: "Choose a CSV file.", not "file: Choose a CSV file."."""
    response = browser(employee).post("/app/time/import", {"csv_text": ""}, follow=True)

    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["Choose a CSV file."]


def test_the_clients_list_is_the_shared_table(manager, organisation):
    """Sortable, with the CSV of the list (no action buttons in it); archived ones on request."""
    ClientFactory(organisation=organisation, name="Zephyr", company="Zephyr Ltd", email="", default_rate="80.00")
    ClientFactory(organisation=organisation, name="Bramble", company="Bramble Inc", email="ap@bramble.test")
    ClientFactory(organisation=organisation, name="Old Co", company="", email="", archived=True)
    client = browser(manager)

    page = client.get("/app/time/clients?sort=-name").content.decode()
    exported = b"".join(client.get("/app/time/clients?archived=1&export=csv").streaming_content).decode()

    assert 'class="data-table' in page and page.index("Zephyr") < page.index("Bramble") and "Old Co" not in page
    assert "Archive Bramble" in page
    assert exported.splitlines() == [
        "Name,Company,Email,Default rate,Status",
        "Bramble,Bramble Inc,ap@bramble.test,,Active",
        "Old Co,,,,Archived",
        "Zephyr,Zephyr Ltd,,80.00,Active",
    ]
