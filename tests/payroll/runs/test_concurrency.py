"""Races on PostgreSQL with real threads: two runs over the same period or the same sources (one
gets them, the other a 409 problem), and concurrent approvals (one wins)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from integrations.models import OutboxEvent
from payroll.models import PayrollRun, PayrollSourceClaim

from .helpers import MONDAY, approve_week, hourly, project_of, weekly_schedule, work

pytestmark = [pytest.mark.requires_postgres, pytest.mark.django_db(transaction=True)]


def race(auth, requests):
    def attempt(request):
        method, url, body = request
        try:
            response = getattr(APIClient(), method)(url, body, format="json", HTTP_AUTHORIZATION=auth)
            return response.status_code, response.json()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(attempt, requests))


def sources(organisation, office, employees=3):
    project = project_of(organisation)
    people = [hourly(office) for _ in range(employees)]
    for employee in people:
        approve_week(employee)
        for n in range(5):
            work(employee, project, MONDAY.replace(day=2 + n), 8)
    return people


def test_two_runs_of_one_schedule_period_at_once(organisation, office, make_api_client):
    people = sources(organisation, office)
    schedule = weekly_schedule(organisation, people)
    auth = make_api_client(organisation)._credentials["HTTP_AUTHORIZATION"]
    body = {"pay_schedule_id": schedule.pk, "period_start": "2026-03-02"}

    results = race(auth, [("post", "/v1/payroll/runs", body)] * 4)

    assert sorted(code for code, _ in results) == [201, 409, 409, 409]
    problem = next(body for code, body in results if code == 409)
    assert problem["type"].endswith("/conflict") and "already exists" in problem["detail"]
    assert PayrollRun.objects.count() == 1
    assert PayrollSourceClaim.objects.count() == 3  # one per employee and timesheet


def test_two_off_cycle_runs_over_the_same_time_at_once(organisation, office, make_api_client):
    people = sources(organisation, office)
    auth = make_api_client(organisation)._credentials["HTTP_AUTHORIZATION"]
    body = {"employee_ids": [p.pk for p in people], "period_start": "2026-03-02", "period_end": "2026-03-08"}

    results = race(auth, [("post", "/v1/payroll/runs", body)] * 3)

    assert sorted(code for code, _ in results) == [201, 409, 409]
    winner = next(body for code, body in results if code == 201)
    assert winner["gross_total"] != "0.00"
    assert set(PayrollSourceClaim.objects.values_list("run_id", flat=True)) == {winner["id"]}
    assert PayrollRun.objects.count() == 1
    assert OutboxEvent.objects.filter(topic="payroll.run.created").count() == 1


def test_concurrent_approvals_one_wins(organisation, office, make_api_client):
    people = sources(organisation, office, employees=1)
    auth = make_api_client(organisation)._credentials["HTTP_AUTHORIZATION"]
    created = race(auth, [("post", "/v1/payroll/runs", {"pay_schedule_id": weekly_schedule(organisation, people).pk})])
    run_id = created[0][1]["id"]

    results = race(auth, [("post", f"/v1/payroll/runs/{run_id}/approve", None)] * 6)

    assert sorted(code for code, _ in results) == [200] + [409] * 5
    assert OutboxEvent.objects.filter(topic="payroll.run.approved").count() == 1


def test_the_database_refuses_overlapping_live_time_claims_of_one_employee(organisation, office, make_api_client):
    people = sources(organisation, office, employees=1)
    auth = make_api_client(organisation)._credentials["HTTP_AUTHORIZATION"]
    body = {"pay_schedule_id": weekly_schedule(organisation, people).pk, "period_start": "2026-03-02"}
    created = race(auth, [("post", "/v1/payroll/runs", body)])
    claim = PayrollSourceClaim.objects.get(run_id=created[0][1]["id"], kind="time_entry")
    overlapping = PayrollSourceClaim(
        organisation=organisation,
        run_id=claim.run_id,
        kind="time_entry",
        object_id=claim.object_id,
        employee_id=claim.employee_id,
        day=claim.day.replace(day=claim.day.day + 2),  # starts on another day, overlaps its days
        day_to=claim.day_to,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        overlapping.save()
    overlapping.released = True  # released claims do not count
    overlapping.save()
