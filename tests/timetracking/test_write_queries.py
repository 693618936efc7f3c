"""The SQL statements of ``POST /v1/time-entries`` (issue 13 point 14), pinned: through HTTP with a
bearer token, a finished entry (lock, overlap check, insert, audit row, outbox event, the answer).
A new statement on this path must be worth it; raise the pin only with a reason."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

#: inside the test's transaction (the outbox dispatch on commit does not run), SQLite, a personal
#: token: the token; the employee and the project named (the serializer's scoped lookups); the
#: service's savepoint (in a request of its own: its transaction); the employee's row lock and the
#: time settings in one statement; the overlap check; the entry, audit row and outbox event; the
#: savepoint's release. Was 20, then 15 (full_clean() no longer looked the foreign keys up again,
#: a finished entry no savepoint of its own); now 10: the outbox event has no savepoint of its own
#: (2), whether the actor may record time for the employee is decided from the employee at hand
#: (1), the lock reads the settings (1), the answer is rendered from the saved entry, not read back
#: (1) (issue 13 point 14)
#: + 2 for the period lock (issue 15 point 2: the organisation's timesheet settings and the
#: employee's approved or reopened timesheets) + 1 for the contract hours limits (issue 15 point 5)
CREATE_STATEMENTS = 13


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
