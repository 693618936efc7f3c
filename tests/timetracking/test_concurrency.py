"""Two concurrent timer starts for one employee: the partial unique constraint lets exactly one
through and the other gets a 409 problem (PostgreSQL, real threads and connections)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from timetracking.models import TimeEntry, Timesheet

from .conftest import token_client
from .factories import TimesheetFactory

pytestmark = [pytest.mark.requires_postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_timer_starts_one_wins_the_other_is_a_409(employee, project, attempt):
    clients = [token_client(employee), token_client(employee)]
    barrier = threading.Barrier(len(clients))
    results: list = [None] * len(clients)

    def start(n):
        try:
            barrier.wait(timeout=10)
            response = clients[n].post("/v1/timer/start", {"project_id": project.pk}, format="json")
            results[n] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=start, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(status for status, _body in results) == [201, 409]
    loser = next(body for status, body in results if status == 409)
    winner = next(body for status, body in results if status == 201)
    assert loser["code"] == "timer_running"
    assert loser["type"].endswith("/conflict")
    assert loser["running_entry_id"] == winner["id"]
    assert TimeEntry.objects.filter(employee=employee, end_time__isnull=True).count() == 1


def _race(calls):
    """Run each call in its own thread and connection, released together."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(n):
        try:
            barrier.wait(timeout=10)
            response = calls[n]()
            results[n] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.parametrize("attempt", range(2))
def test_concurrent_first_reads_of_a_period_create_one_timesheet(employee, attempt):
    clients = [token_client(employee), token_client(employee)]

    results = _race(
        [lambda c=c: c.post("/v1/timesheets", {"period_start": "2026-03-02"}, format="json") for c in clients]
    )

    assert sorted(status for status, _body in results) == [200, 201]
    assert len({body["id"] for _status, body in results}) == 1
    assert Timesheet.objects.filter(employee=employee).count() == 1


@pytest.mark.parametrize("attempt", range(2))
def test_an_entry_racing_the_approval_of_its_period_is_refused_or_approved_with_it(employee, manager, project, attempt):
    sheet = TimesheetFactory(employee=employee, status="submitted")
    as_employee, as_manager = token_client(employee), token_client(manager)
    body = {"project_id": project.pk, "start_time": "2026-03-04T14:00:00Z", "end_time": "2026-03-04T15:00:00Z"}

    results = _race(
        [
            lambda: as_manager.post(f"/v1/timesheets/{sheet.pk}/approve"),
            lambda: as_employee.post("/v1/time-entries", body, format="json"),
        ]
    )

    (approve_status, _), (entry_status, entry_body) = results
    assert approve_status == 200
    assert entry_status in (201, 409), entry_body
    if entry_status == 409:
        assert entry_body["code"] == "period_locked"
        assert TimeEntry.objects.count() == 0
    else:  # it committed first: the approval waited for it and approved it with the rest
        assert TimeEntry.objects.count() == 1
