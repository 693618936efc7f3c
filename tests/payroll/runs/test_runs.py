"""Payroll runs through REST: lifecycle and illegal transitions, roles and scopes, salaried
proration, commissions with chargebacks netted, adjustments, no source paid twice, the time-entry
``paid`` flag and the timesheet reopen guard, diff and entries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from integrations.models import OutboxEvent
from organisations.choices import Role
from payroll.models import CommissionTransaction, PayrollSourceClaim
from tests.organisations.factories import MembershipFactory, ProducerFactory
from tests.payroll.factories import CommissionTransactionFactory
from tests.timetracking.conftest import person, token_client
from timetracking.models import TimeEntry

from .helpers import MONDAY, approve_week, hourly, project_of, salaried, weekly_schedule, work

pytestmark = pytest.mark.django_db

PAYROLL = ("payroll.read", "payroll.write")


def create(api, schedule, period_start="2026-03-02", **extra):
    return api.post(
        "/v1/payroll/runs", {"pay_schedule_id": schedule.pk, "period_start": period_start, **extra}, format="json"
    )


def by_employee(body):
    return {e["employee_id"]: e for e in body["entries"]}


def test_lifecycle_and_illegal_transitions_are_409(api, organisation, office):
    schedule = weekly_schedule(organisation, [salaried(office)])
    run = create(api, schedule).json()
    url = f"/v1/payroll/runs/{run['id']}"

    assert api.post(f"{url}/mark-paid").status_code == 409
    assert api.post(f"{url}/acknowledge", {"notes": "x"}, format="json").status_code == 409
    assert api.post(f"{url}/approve", HTTP_IF_MATCH='"stale"').status_code == 412
    assert api.post(f"{url}/approve").json()["status"] == "ready"
    problem = api.post(f"{url}/approve").json()
    assert (problem["status"], problem["current_status"], problem["allowed"]) == (409, "ready", ["cancelled", "paid"])
    assert api.post(f"{url}/recalculate").status_code == 409
    assert api.post(f"{url}/mark-paid").json()["status"] == "paid"
    assert api.post(f"{url}/cancel").status_code == 409
    topics = list(OutboxEvent.objects.filter(topic__startswith="payroll.run.").values_list("topic", "payload"))
    assert [(t, p["status"]) for t, p in topics] == [
        ("payroll.run.created", "draft"),
        ("payroll.run.approved", "ready"),
        ("payroll.run.approved", "paid"),
        ("payroll.run.paid", "paid"),
    ]


def test_one_live_run_per_schedule_period_and_cancel_releases(api, organisation, office):
    project = project_of(organisation)
    alice = hourly(office)
    sheet = approve_week(alice)
    work(alice, project, MONDAY, 8)
    schedule = weekly_schedule(organisation, [alice])
    first = create(api, schedule).json()
    again = create(api, schedule)
    assert again.status_code == 409, again.json()
    # time is claimed by the days of its timesheet (one claim per employee and timesheet)
    claim = PayrollSourceClaim.objects.get(kind="time_entry", employee=alice)
    assert (claim.run_id, claim.object_id, claim.day, claim.day_to) == (
        first["id"],
        sheet.pk,
        MONDAY,
        MONDAY + datetime.timedelta(days=6),
    )

    assert api.post(f"/v1/payroll/runs/{first['id']}/cancel").json()["status"] == "cancelled"
    second = create(api, schedule)
    assert second.status_code == 201
    assert by_employee(second.json())[alice.pk]["gross"] == "160.00"
    live = PayrollSourceClaim.objects.filter(kind="time_entry", employee=alice, released=False)
    assert [c.run_id for c in live] == [second.json()["id"]]


def test_an_off_cycle_run_over_time_held_by_a_draft_is_409_and_paid_time_is_left_out(api, organisation, office):
    project = project_of(organisation)
    alice = hourly(office)
    approve_week(alice)
    work(alice, project, MONDAY, 8)
    schedule = weekly_schedule(organisation, [alice])
    scheduled = create(api, schedule).json()
    off_cycle = {"employee_ids": [alice.pk], "period_start": "2026-03-02", "period_end": "2026-03-08"}
    assert api.post("/v1/payroll/runs", off_cycle, format="json").status_code == 409
    api.post(f"/v1/payroll/runs/{scheduled['id']}/approve")
    bonus = {"employee_id": alice.pk, "kind": "bonus", "amount": "50.00", "reason": "Great quarter"}
    extra = api.post("/v1/payroll/runs", {**off_cycle, "adjustments": [bonus]}, format="json")
    assert extra.status_code == 201, extra.json()
    lines = by_employee(extra.json())[alice.pk]["lines"]
    assert [(line["pay_code"], line["amount"], line["explanation"]) for line in lines] == [
        ("bonus", "50.00", "Bonus: Great quarter")
    ]


def test_mark_paid_pays_time_and_ledger_lines_and_set_paid_is_refused(api, organisation, office):
    project = project_of(organisation)
    membership = MembershipFactory(organisation=organisation, role=Role.EMPLOYEE)
    alice = hourly(office, membership=membership)
    producer = ProducerFactory(organisation=organisation, membership=membership, workspace__office=office)
    sale = CommissionTransactionFactory(
        producer=producer, status="approved", gross_commission=Decimal("300.00"), transaction_date=MONDAY
    )
    chargeback = CommissionTransactionFactory(
        producer=producer,
        status="approved",
        type="chargeback",
        gross_commission=Decimal("-100.00"),
        transaction_date=MONDAY,
    )
    approve_week(alice)
    entry = work(alice, project, MONDAY, 2)
    schedule = weekly_schedule(organisation, [alice])
    run = create(api, schedule).json()
    lines = {line["pay_code"]: line for line in by_employee(run)[alice.pk]["lines"]}
    expected = CommissionTransaction.objects.get(pk=sale.pk).producer_amount + chargeback.producer_amount
    assert lines["commission"]["amount"] == str(expected)
    assert lines["commission"]["explanation"] == "2 approved ledger lines (1 chargebacks netted)"
    assert {s["id"] for s in lines["commission"]["sources"]} == {sale.pk, chargeback.pk}

    refused = api.post(
        "/v1/time-entries/bulk", {"entry_ids": [entry.pk], "action": "set_paid", "value": True}, format="json"
    )
    assert refused.status_code == 409, refused.json()
    api.post(f"/v1/payroll/runs/{run['id']}/approve")
    assert api.post(f"/v1/payroll/runs/{run['id']}/mark-paid").status_code == 200
    assert TimeEntry.objects.get(pk=entry.pk).paid is True
    assert set(CommissionTransaction.objects.filter(producer=producer).values_list("status", flat=True)) == {"paid"}


def test_salaried_joiners_and_leavers_are_prorated_by_working_days(api, organisation, office):
    full = salaried(office, "26000.00")
    joiner = salaried(office, "26000.00", hire_date=datetime.date(2026, 3, 4))  # Wed: 3 of 5 days
    leaver = salaried(office, "26000.00", termination_date=datetime.date(2026, 3, 3))  # Tue: 2 of 5
    gone = salaried(office, "26000.00", termination_date=datetime.date(2026, 2, 27))
    run = create(api, weekly_schedule(organisation, [full, joiner, leaver, gone])).json()
    entries = by_employee(run)
    assert entries[full.pk]["gross"] == "500.00"  # 26000 / 52
    assert entries[joiner.pk]["gross"] == "300.00"
    assert entries[leaver.pk]["gross"] == "200.00"
    assert gone.pk not in entries
    assert entries[joiner.pk]["lines"][0]["explanation"] == "26000.00 a year ÷ 52 × 3/5 working days"
    assert run["gross_total"] == "1000.00"


def test_warnings_unapproved_time_no_rate_negative_total(api, organisation, office):
    project = project_of(organisation)
    pending = hourly(office)
    approve_week(pending, status="submitted")
    work(pending, project, MONDAY, 4)
    rateless = hourly(office, "0")
    rateless.pay_rate = None
    rateless.save()
    approve_week(rateless)
    work(rateless, project, MONDAY, 4)
    schedule = weekly_schedule(organisation, [pending, rateless])
    run = create(api, schedule).json()
    docked = {"employee_id": pending.pk, "kind": "deduction", "amount": "25.00", "reason": "Advance"}
    run = api.post(f"/v1/payroll/runs/{run['id']}/adjustments", docked, format="json").json()
    entries = by_employee(run)
    assert [w["code"] for w in entries[pending.pk]["warnings"]] == ["unapproved_time", "negative_total"]
    assert entries[pending.pk]["gross"] == "-25.00"
    assert [w["code"] for w in entries[rateless.pk]["warnings"]] == ["no_rate"]


def test_reopening_a_timesheet_in_a_ready_run_is_409_and_a_draft_goes_stale(api, organisation, office):
    project = project_of(organisation)
    alice = hourly(office)
    sheet = approve_week(alice)
    work(alice, project, MONDAY, 8)
    schedule = weekly_schedule(organisation, [alice])
    run = create(api, schedule).json()
    admin = token_client(person(organisation, office, role=Role.ADMIN, name="Ada"), ("time.read", "time.write"))
    reopened = admin.post(f"/v1/timesheets/{sheet.pk}/reopen", {"reason": "Typo"}, format="json")
    assert reopened.status_code == 200, reopened.json()
    assert api.get(f"/v1/payroll/runs/{run['id']}").json()["stale"] is True
    assert api.post(f"/v1/payroll/runs/{run['id']}/approve").status_code == 409
    assert admin.post(f"/v1/timesheets/{sheet.pk}/submit").status_code == 200
    assert admin.post(f"/v1/timesheets/{sheet.pk}/approve").status_code == 200
    assert api.post(f"/v1/payroll/runs/{run['id']}/recalculate").json()["stale"] is False
    assert api.post(f"/v1/payroll/runs/{run['id']}/approve").status_code == 200
    refused = admin.post(f"/v1/timesheets/{sheet.pk}/reopen", {"reason": "Again"}, format="json")
    assert refused.status_code == 409, refused.json()
    assert str(run["id"]) in refused.json()["detail"]


def test_diff_against_the_previous_run_and_paginated_entries(api, organisation, office):
    project = project_of(organisation)
    alice, bob = hourly(office, "10.00"), hourly(office, "10.00")
    for monday in (MONDAY, MONDAY + datetime.timedelta(days=7)):
        for employee in (alice, bob):
            approve_week(employee, monday)
    work(alice, project, MONDAY, 8)
    work(alice, project, MONDAY + datetime.timedelta(days=7), 6)
    work(bob, project, MONDAY + datetime.timedelta(days=7), 1)
    schedule = weekly_schedule(organisation, [alice, bob])
    create(api, schedule)
    second = create(api, schedule, "2026-03-09").json()
    diff = api.get(f"/v1/payroll/runs/{second['id']}/diff").json()
    rows = {row["employee_id"]: row for row in diff["employees"]}
    assert (rows[alice.pk]["previous_gross"], rows[alice.pk]["gross"], rows[alice.pk]["change"]) == (
        "80.00",
        "60.00",
        "-20.00",
    )
    assert rows[bob.pk]["status"] == "changed"
    page = api.get(f"/v1/payroll/runs/{second['id']}/entries?page_size=1").json()
    assert page["pagination"]["total"] == 2 and len(page["results"]) == 1
    assert (
        api.get(f"/v1/payroll/runs/{second['id']}/entries?employee_id={bob.pk}").json()["results"][0]["gross"]
        == "10.00"
    )
    assert api.get(f"/v1/payroll/runs/{second['id']}/entries?colour=red").status_code == 422


@pytest.mark.parametrize("role", [Role.MANAGER, Role.EMPLOYEE, Role.PRODUCER, Role.HR])
def test_only_owners_admins_and_clients_write_and_hr_reads(role, organisation, office):
    schedule = weekly_schedule(organisation, [])
    member = person(organisation, office, role=role, name=f"P{role}")
    client = token_client(member, PAYROLL)
    refused = client.post("/v1/payroll/runs", {"pay_schedule_id": schedule.pk}, format="json")
    assert refused.status_code in (403, 422)
    listed = client.get("/v1/payroll/runs")
    assert listed.status_code == 200
    admin = token_client(person(organisation, office, role=Role.ADMIN, name="Ada"), PAYROLL)
    created = admin.post("/v1/payroll/runs", {"pay_schedule_id": schedule.pk}, format="json")
    assert created.status_code == 201, created.json()
    seen = [r["id"] for r in client.get("/v1/payroll/runs").json()["results"]]
    assert seen == ([created.json()["id"]] if role == Role.HR else [])


def test_the_payroll_scope_is_required(organisation, make_api_client):
    reader = make_api_client(organisation, scopes=["payroll.read"])
    assert reader.get("/v1/payroll/runs").status_code == 200
    problem = reader.post("/v1/payroll/runs", {"employee_ids": [1]}, format="json").json()
    assert problem["status"] == 403 and "payroll.write" in problem["detail"]
    assert make_api_client(organisation, scopes=["time.read"]).get("/v1/payroll/runs").status_code == 403
