"""Two concurrent timer starts for one employee: the partial unique constraint lets exactly one
through and the other gets a 409 problem (PostgreSQL, real threads and connections)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from timetracking.models import TimeEntry

from .conftest import token_client

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
