"""The SQL statements of ``POST /v1/time-entries`` (issue 13 point 14), pinned: through HTTP with a
bearer token, a finished entry (lock, overlap check, insert, audit row, outbox event, the answer).
A new statement on this path must be worth it; raise the pin only with a reason."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .factories import ContractFactory, ProjectFactory, TimesheetSettingsFactory

pytestmark = pytest.mark.django_db

#: inside the test's transaction (the outbox dispatch on commit does not run), SQLite, a personal
#: token, 10 statements:
#:  1. the token;
#:  2-3. the employee and the project named (the serializer's scoped lookups);
#:  4. the service's savepoint (in a request of its own: its transaction);
#:  5. the employee's row lock, reading as subqueries the time settings, the timesheet settings,
#:     the approved timesheet holding the entry's day (period lock, issue 15 point 2) and whether
#:     a contract with an hours limit covers the project (issue 15 point 5) — selectors.entry_write_reads;
#:  6. the overlap check;
#:  7-9. the entry, the audit row and the outbox event;
#:  10. the savepoint's release.
#: Was 20, then 15 (full_clean() no longer looked the foreign keys up again, a finished entry no
#: savepoint of its own), then 10 (the outbox event has no savepoint of its own, whether the actor
#: may record time for the employee is decided from the employee at hand, the lock reads the time
#: settings, the answer is rendered from the saved entry, not read back), 13 with the period lock
#: (2) and the hours limits (1); 10 again with those read in statement 5 (issue 13 point 14). A
#: reopened timesheet is only looked for when the period would lock automatically, the limited
#: contracts and the week's time only when a limit covers the entry.
CREATE_STATEMENTS = 10


def post_entry(api, employee, project, day: int):
    return api.post(
        "/v1/time-entries",
        {
            "employee_id": employee.pk,
            "project_id": project.pk,
            "start_time": f"2026-01-{day:02d}T09:00:00Z",
            "end_time": f"2026-01-{day:02d}T10:00:00Z",
            "notes": "Work",
            "tags": "a,b",
        },
        format="json",
    )


def test_creating_an_entry_takes_a_pinned_number_of_statements(as_admin, employee, project):
    assert post_entry(as_admin, employee, project, 1).status_code == 201  # warm (content types, settings row)

    with CaptureQueriesContext(connection) as queries:
        response = post_entry(as_admin, employee, project, 2)

    assert response.status_code == 201, response.json()
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == CREATE_STATEMENTS, "\n".join(s[:120] for s in statements)
    insert = next(n for n, s in enumerate(statements) if s.startswith('INSERT INTO "timetracking_timeentry"'))
    assert not statements[insert - 1].startswith("SAVEPOINT")


def count_create(api, employee, project) -> tuple[int, dict]:
    assert post_entry(api, employee, project, 1).status_code == 201  # warm
    with CaptureQueriesContext(connection) as queries:
        response = post_entry(api, employee, project, 2)
    return len(queries.captured_queries), response.json()


def test_a_limit_on_another_project_and_an_automatic_lock_cost_nothing(as_admin, organisation, employee, project):
    """The contract limits cost their two statements (the contracts, the week's time) only when a
    limited contract covers the entry's project; the automatic lock its one (was the period's
    timesheet reopened?) only when the period would lock."""
    TimesheetSettingsFactory(organisation=organisation, auto_lock_days=1000)  # January 2026 is not locked yet
    ContractFactory(employee=employee, project=ProjectFactory(client=project.client), daily_hours_limit=1)

    assert count_create(as_admin, employee, project)[0] == CREATE_STATEMENTS


def test_a_limit_covering_the_project_is_checked(as_admin, employee, project):
    ContractFactory(employee=employee, project=project, daily_hours_limit=5)

    count, body = count_create(as_admin, employee, project)

    assert count == CREATE_STATEMENTS + 2, body
