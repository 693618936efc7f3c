"""Project viewers (issue 15 point 4): client contacts invited by link with the ``viewer`` role
see exactly the projects given to them (those projects, their tasks and tracked hours; amounts
only with ``can_see_amounts``) and nothing else: every other /v1/ route, GraphQL type and page is
a 404 / empty / refused for them."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from organisations.choices import MembershipStatus, Role
from organisations.models import Membership
from tests.conftest import graphql
from tests.organisations.factories import UserFactory
from tests.platform.test_graphql_tenancy import GRAPHQL_NODES
from tests.platform.test_tenancy_matrix import _v1_routes
from timetracking.models import ProjectViewer

from .conftest import token_client
from .factories import ClientFactory, ProjectFactory, ProjectViewerFactory, TaskFactory, TimeEntryFactory

pytestmark = pytest.mark.django_db

#: what a project viewer may GET: their projects and tasks, and the hour reports over them
VIEWER_ROUTES = {"projects", "projects/{id}", "tasks", "tasks/{id}", "reports/tracked-hours", "reports/tasks"}
#: public routes with no organisation data (anyone, signed in or not, reads them)
PUBLIC_ROUTES = {"health", "info", "schema"}


def entry(employee, project, start: str, minutes: int, **kwargs):
    start_time = datetime.datetime.fromisoformat(start.replace("Z", "+00:00"))
    return TimeEntryFactory(
        employee=employee,
        project=project,
        start_time=start_time,
        end_time=start_time + datetime.timedelta(minutes=minutes),
        duration_seconds=minutes * 60,
        billable=True,
        **kwargs,
    )


@pytest.fixture
def secret(organisation):
    return ProjectFactory(
        client=ClientFactory(organisation=organisation, name="Globex"), name="Secret", hourly_rate="500.00"
    )


@pytest.fixture
def grant(project):
    return ProjectViewerFactory(project=project, membership__user=UserFactory(email="cora@client.test"))


@pytest.fixture
def viewer(grant):
    return grant.membership


@pytest.fixture
def as_viewer(viewer):
    return token_client(viewer)


@pytest.fixture
def tracked(employee, project, task, secret):
    """Website (100/h): 90 minutes on Homepage and 30 without a task; Secret: 60 minutes."""
    entry(employee, project, "2026-03-04T15:00:00Z", 90, task=task)
    entry(employee, project, "2026-03-05T15:00:00Z", 30)
    entry(employee, secret, "2026-03-06T15:00:00Z", 60, task=TaskFactory(project=secret, name="Hidden"))


# =============================================================================
# Managing viewers
# =============================================================================


def test_an_admin_invites_a_client_contact_by_link_and_gives_them_projects(
    as_admin, as_manager, as_employee, project, secret, employee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = as_admin.post(
            "/v1/project-viewers", {"email": "Cora@Client.test", "project_id": project.pk}, format="json"
        )
        second = as_manager.post(
            "/v1/project-viewers",
            {"email": "cora@client.test", "project_id": secret.pk, "can_see_amounts": True},
            format="json",
        )
    again = as_admin.post("/v1/project-viewers", {"email": "cora@client.test", "project_id": project.pk}, format="json")
    a_member = as_admin.post("/v1/project-viewers", {"email": employee.email, "project_id": project.pk}, format="json")
    by_employee = as_employee.post(
        "/v1/project-viewers", {"email": "x@client.test", "project_id": project.pk}, format="json"
    )

    assert first.status_code == 201, first.json()
    assert second.status_code == 201, second.json()
    membership = Membership.objects.get(user__email="cora@client.test")
    assert (membership.role, membership.status, membership.office_id) == (Role.VIEWER, MembershipStatus.INVITED, None)
    assert {
        k: first.json()[k]
        for k in ("project_id", "project_name", "membership_id", "email", "status", "can_see_amounts")
    } == {
        "project_id": project.pk,
        "project_name": "Website",
        "membership_id": membership.pk,
        "email": "cora@client.test",
        "status": "invited",
        "can_see_amounts": False,
    }
    # one invitation email (with the members' acceptance link), not one per project
    assert len(mail.outbox) == 1 and "/app/invitations/" in mail.outbox[0].body
    assert again.status_code == 422 and a_member.status_code == 422
    assert "email" in a_member.json()["errors"]
    assert by_employee.status_code == 403
    assert [r["project_id"] for r in as_admin.get("/v1/project-viewers").json()["results"]] == [project.pk, secret.pk]
    assert as_employee.get("/v1/project-viewers").json()["results"] == []
    pk = second.json()["id"]
    assert (
        as_manager.patch(f"/v1/project-viewers/{pk}", {"can_see_amounts": False}, format="json").json()[
            "can_see_amounts"
        ]
        is False
    )
    assert as_admin.delete(f"/v1/project-viewers/{pk}").status_code == 204
    assert list(ProjectViewer.objects.values_list("project_id", flat=True)) == [project.pk]
    assert as_admin.get(f"/v1/project-viewers?email=cora@client.test&project_id={secret.pk}").json()["results"] == []


# =============================================================================
# What a viewer sees
# =============================================================================


def test_a_viewer_reads_exactly_their_projects_and_tasks(as_viewer, project, task, secret, tracked):
    projects = as_viewer.get("/v1/projects").json()["results"]
    tasks = as_viewer.get("/v1/tasks").json()["results"]

    assert [p["id"] for p in projects] == [project.pk]
    assert (projects[0]["hourly_rate"], projects[0]["budget"]) == (None, None)  # rates are never theirs
    assert [t["id"] for t in tasks] == [task.pk]
    assert as_viewer.get(f"/v1/projects/{secret.pk}").status_code == 404
    assert as_viewer.get(f"/v1/tasks?project_id={secret.pk}").json()["results"] == []


def test_every_other_v1_route_is_a_404_for_a_viewer(as_viewer, project, task, secret, tracked):
    """Every /v1/ route there is (the tenancy matrix's walk of the URL conf), read and written."""
    refused = {}
    for route in sorted(_v1_routes()):
        url = "/v1/" + route.replace("{id}", str(project.pk))
        if route not in VIEWER_ROUTES | PUBLIC_ROUTES:
            answer = as_viewer.get(url).status_code
            if answer not in (404, 405):
                refused[route] = answer
        answer = as_viewer.post(url, {}, format="json").status_code
        if answer not in (404, 405):
            refused[f"POST {route}"] = answer
    assert refused == {}
    assert as_viewer.patch(f"/v1/projects/{project.pk}", {"name": "Mine"}, format="json").status_code == 404
    assert as_viewer.delete(f"/v1/tasks/{task.pk}").status_code == 404


def test_a_viewers_reports_count_only_their_projects_and_show_amounts_only_when_allowed(
    as_viewer, grant, project, task
):
    from tests.timetracking.conftest import person

    worker = person(project.organisation, None, name="Wes")
    entry(worker, project, "2026-03-04T15:00:00Z", 90, task=task)
    entry(worker, project, "2026-03-05T15:00:00Z", 30)
    other = ProjectFactory(client=project.client, name="Other")
    ProjectViewerFactory(project=other, membership=grant.membership, can_see_amounts=True)
    entry(worker, other, "2026-03-05T16:00:00Z", 60)
    entry(worker, ProjectFactory(client=project.client, name="Unshared"), "2026-03-05T18:00:00Z", 45)

    by_project = as_viewer.get("/v1/reports/tracked-hours?group_by=project").json()
    by_task = as_viewer.get(f"/v1/reports/tracked-hours?group_by=task&project_id={project.pk}").json()
    tasks = as_viewer.get("/v1/reports/tasks").json()["rows"]

    # Other (amounts allowed, 100/h): an amount; Website (not allowed): none; the total mixes both: none
    assert [(r["project_name"], r["hours"], r["amount"]) for r in by_project["rows"]] == [
        ("Other", "1.00", "100.00"),
        ("Website", "2.00", None),
    ]
    assert (by_project["total_hours"], by_project["amount"], by_project["currency"]) == ("3.00", None, None)
    assert [(r["task_name"], r["hours"], r["amount"]) for r in by_task["rows"]] == [
        ("", "0.50", None),
        ("Homepage", "1.50", None),
    ]
    assert [(r["task_name"], r["tracked_hours"]) for r in tasks] == [("Homepage", "1.50")]
    by_day = as_viewer.get("/v1/reports/tracked-hours?group_by=day").json()
    # a day with time of a project whose amounts they may not see shows no amount (no partial sums)
    assert [(r["date"], r["hours"], r["amount"]) for r in by_day["rows"]] == [
        ("2026-03-04", "1.50", None),
        ("2026-03-05", "1.50", None),
    ]
    assert as_viewer.get("/v1/reports/tracked-hours?group_by=employee").status_code == 422
    assert as_viewer.get(f"/v1/reports/tracked-hours?group_by=day&employee_id={worker.pk}").status_code == 422

    grant.can_see_amounts = True
    grant.save()
    allowed = as_viewer.get("/v1/reports/tracked-hours?group_by=week").json()
    assert (allowed["amount"], allowed["rows"][0]["amount"]) == ("300.00", "300.00")


def test_graphql_gives_a_viewer_their_projects_and_nothing_else(
    client, viewer, project, task, secret, tracked, organisation
):
    for node in GRAPHQL_NODES:  # a row of every type (some factories share a unique code: one is enough)
        try:
            with transaction.atomic():
                node.make(organisation)
        except IntegrityError:
            pass
    client.force_login(viewer.user)

    def seen(list_field: str):
        """The rows a viewer reads of one list: a count, or "refused" (the scope is not theirs)."""
        body = graphql(client, f"{{ {list_field} {{ totalCount }} }}").json()
        if body.get("errors"):
            assert body["errors"][0]["extensions"]["status"] == 403, body
            return "refused"
        return body["data"][list_field]["totalCount"]

    listed = graphql(
        client, "{ projects { edges { node { databaseId } } } tasks { edges { node { databaseId } } } }"
    ).json()
    own = graphql(client, "{ organisation { name } }").json()
    mutation = graphql(
        client,
        "mutation ($i: TimeEntryInput!) { createTimeEntry(input: $i) { id } }",
        {"i": {"projectId": str(project.pk), "startTime": "2026-03-01T10:00:00Z"}},
    ).json()

    counts = {n.list_field: seen(n.list_field) for n in GRAPHQL_NODES}
    assert {field: count for field, count in counts.items() if count != "refused"} == {
        "clients": 0,
        "projects": 1,
        "tasks": 1,
        "timeEntries": 0,
        "timesheets": 0,
        "timeRequests": 0,
        "projectViewers": 0,
        "expenses": 0,
        "expenseCategories": 0,  # none even when the organisation has some: nothing of theirs
    }
    assert [e["node"]["databaseId"] for e in listed["data"]["projects"]["edges"]] == [project.pk]
    assert [e["node"]["databaseId"] for e in listed["data"]["tasks"]["edges"]] == [task.pk]
    assert own["data"] is None or own["data"].get("organisation") is None
    assert own["errors"][0]["extensions"]["status"] == 403
    assert mutation["errors"][0]["extensions"]["status"] == 403  # time.write is never a viewer's


# =============================================================================
# Pages
# =============================================================================


def test_the_portal_is_the_only_page_a_viewer_opens(client, viewer, grant, project, task, secret, tracked):
    client.force_login(viewer.user)

    home = client.get("/app/")
    portal = client.get("/app/time/portal")
    page = portal.content.decode()

    assert home.status_code == 302 and home["Location"] == "/app/time/portal"
    assert portal.status_code == 200
    assert "Website" in page and "Homepage" in page and "1.50" in page and "2.00" in page
    assert "Secret" not in page and "Hidden" not in page and "data-amount" not in page
    for url in (
        "/app/time/",
        "/app/time/week",
        "/app/time/projects",
        f"/app/time/projects/{project.pk}",
        "/app/team",
        "/app/time/approvals",
        "/app/hr/",
    ):
        assert client.get(url).status_code == 404, url
    grant.can_see_amounts = True
    grant.save()
    assert "200.00" in client.get("/app/time/portal").content.decode()  # 2 billable hours at 100/h


def test_other_roles_do_not_open_the_portal_and_do_not_see_its_link(client, employee, viewer):
    client.force_login(employee.membership.user)
    assert client.get("/app/time/portal").status_code == 403
    assert "/app/time/portal" not in client.get("/app/").content.decode()
