"""Bounded inputs and answers (issue 13 point 3): free text at most 5,000 characters and
instants in 2000-2100 on REST, GraphQL and CSV import; error lists capped at 1,000 plus a total."""

from __future__ import annotations

import pytest

from timetracking.models import TimeEntry
from trackyoursheets.api.errors import problem_body
from trackyoursheets.limits import FREE_TEXT_MAX_LENGTH, MAX_ERRORS

from .test_graphql import CREATE

pytestmark = pytest.mark.django_db

ENTRY = {"start_time": "2026-01-12T09:00:00Z", "end_time": "2026-01-12T10:00:00Z"}


def test_notes_at_most_5000_characters_on_rest(as_employee, project):
    at_limit = as_employee.post(
        "/v1/time-entries", {**ENTRY, "project_id": project.pk, "notes": "n" * FREE_TEXT_MAX_LENGTH}, format="json"
    )
    over = as_employee.post(
        "/v1/time-entries",
        {
            "start_time": "2026-01-13T09:00:00Z",
            "end_time": "2026-01-13T10:00:00Z",
            "project_id": project.pk,
            "notes": "n" * 200_000,
        },
        format="json",
    )

    assert at_limit.status_code == 201, at_limit.content[:300]
    assert over.status_code == 422
    assert "notes" in over.json()["errors"]
    assert TimeEntry.objects.count() == 1


@pytest.mark.parametrize("start", ["0163-05-26T13:27:45Z", "1999-12-31T23:00:00Z", "2101-01-01T09:00:00Z"])
def test_instants_outside_2000_2100_are_422(as_employee, project, start):
    end = start.replace("T13:27:45Z", "T14:27:45Z").replace("T23:00:00Z", "T23:30:00Z").replace("T09:", "T10:")
    response = as_employee.post(
        "/v1/time-entries", {"start_time": start, "end_time": end, "project_id": project.pk}, format="json"
    )

    assert response.status_code == 422, response.content[:300]
    assert "start_time" in response.json()["errors"]
    assert not TimeEntry.objects.exists()


def test_graphql_enforces_the_same_bounds(gql, as_employee, project):
    base = {"projectId": str(project.pk), "startTime": "2026-01-12T15:00:00Z", "endTime": "2026-01-12T17:00:00Z"}

    long_notes = gql(as_employee, CREATE, {"input": {**base, "notes": "n" * 5001}}).json()
    ancient = gql(
        as_employee,
        CREATE,
        {"input": {**base, "startTime": "0163-05-26T13:27:45Z", "endTime": "0163-05-26T14:27:45Z"}},
    ).json()

    assert long_notes["errors"][0]["extensions"]["status"] == 422
    assert ancient["errors"][0]["extensions"]["status"] == 422
    assert not TimeEntry.objects.exists()


def test_project_description_is_bounded_too(api, organisation):
    client = api.post("/v1/clients", {"name": "Acme"}, format="json").json()
    response = api.post(
        "/v1/projects", {"name": "P", "client_id": client["id"], "description": "d" * 5001}, format="json"
    )

    assert response.status_code == 422
    assert "description" in response.json()["errors"]


def test_import_error_list_is_capped_with_a_total(as_employee, task):
    bad = MAX_ERRORS + 100
    text = "date,start,end,project\n" + "2026-01-12,09:00,10:00,Nope\n" * bad

    dry = as_employee.post("/v1/time-entries/import-csv?dry_run=true", {"csv": text}, format="json")
    real = as_employee.post("/v1/time-entries/import-csv", {"csv": text}, format="json")

    assert dry.status_code == 200
    assert (len(dry.json()["row_errors"]), dry.json()["error_count"]) == (MAX_ERRORS, bad)
    assert real.status_code == 422
    problem = real.json()
    assert (len(problem["row_errors"]), len(problem["errors"]), problem["error_count"]) == (MAX_ERRORS, MAX_ERRORS, bad)


def test_import_refuses_out_of_range_dates_and_long_notes(as_employee, task):
    text = "date,start,end,project,notes\n0163-05-26,09:00,10:00,Website,\n2026-01-12,09:00,10:00,Website," + "n" * 5001
    response = as_employee.post("/v1/time-entries/import-csv?dry_run=true", {"csv": text}, format="json")

    reasons = {e["line"]: e["reason"] for e in response.json()["row_errors"]}
    assert "between the years 2000 and 2100" in reasons[2]
    assert "notes: at most 5000 characters" in reasons[3]


def test_every_problem_caps_its_error_list():
    body = problem_body(422, "Validation failed", errors={f"f{i}": ["bad"] for i in range(MAX_ERRORS + 5)})

    assert len(body["errors"]) == MAX_ERRORS
    assert body["error_count"] == MAX_ERRORS + 5
