"""Paid leave, expenses and holiday pay as payroll sources (issue 18 points 2 and 3), through HTTP,
against hand-computed figures: leave on the leave type's pay code at the pay rate (salaried: inside
the salary, said in its explanation), a request paid once by the run whose period holds its last
day, cancelling leave in a ready run refused; expenses reimbursed by mark-paid; hours worked on a
holiday and paid holidays under ``Holiday``."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from hr.models import WorkSchedule
from payroll.models import PayrollSourceClaim
from tests.hr.factories import HolidayFactory, HolidayGroupFactory, LeaveRequestFactory, LeaveTypeFactory
from tests.timetracking.factories import ExpenseFactory

from .helpers import MONDAY, approve_week, hourly, project_of, salaried, weekly_schedule, work

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def leave(employee, leave_type, days, status="approved"):
    """An approved request over ``days`` (``[(date, hours)]``), as the leave service freezes it."""
    return LeaveRequestFactory(
        employee=employee,
        organisation=employee.organisation,
        leave_type=leave_type,
        start_date=days[0][0],
        end_date=days[-1][0],
        working_days=len(days),
        hours=sum(Decimal(h) for _d, h in days),
        days=[[d.isoformat(), h] for d, h in days],
        status=status,
    )


def run_for(api, schedule, period_start="2026-03-02"):
    response = api.post(
        "/v1/payroll/runs", {"pay_schedule_id": schedule.pk, "period_start": period_start}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


def by_employee(run):
    return {entry["employee_id"]: entry for entry in run["entries"]}


def lines_of(entry, kind):
    return [(line["pay_code"], line["hours"], line["amount"]) for line in entry["lines"] if line["source_kind"] == kind]


def test_paid_leave_on_its_pay_code_at_the_pay_rate(api, organisation, office):
    vacation = LeaveTypeFactory(organisation=organisation, name="Vacation", pay_code_name="Vacation")
    sick = LeaveTypeFactory(organisation=organisation, name="Sick", kind="sick", pay_code_name="Sick")
    unpaid = LeaveTypeFactory(organisation=organisation, name="Unpaid", kind="unpaid", paid=False, pay_code_name="")
    alice = hourly(office, "20.00")
    bob = salaried(office, "52000.00")
    carol = hourly(office, "10.00")
    holiday = leave(alice, vacation, [(MONDAY + DAY, "8.00"), (MONDAY + 2 * DAY, "4.00")])
    leave(alice, sick, [(MONDAY + 3 * DAY, "8.00")])
    leave(alice, unpaid, [(MONDAY + 4 * DAY, "8.00")])
    leave(alice, vacation, [(MONDAY, "8.00")], status="requested")  # not approved: not paid
    bobs = leave(bob, vacation, [(MONDAY + DAY, "8.00")])
    # Friday and the next Monday: paid by the run of the period holding its last day
    spanning = leave(carol, vacation, [(MONDAY + 4 * DAY, "8.00"), (MONDAY + 7 * DAY, "8.00")])
    schedule = weekly_schedule(organisation, [alice, bob, carol])

    run = run_for(api, schedule)
    entries = by_employee(run)
    # 12 h × 20.00 = 240.00 Vacation; 8 h × 20.00 = 160.00 Sick; unpaid leave: nothing
    assert lines_of(entries[alice.pk], "leave") == [("vacation", "12.00", "240.00"), ("sick", "8.00", "160.00")]
    assert entries[alice.pk]["gross"] == "400.00"
    assert entries[alice.pk]["hours_by_code"] == {"vacation": "12.00", "sick": "8.00"}
    [line] = [line for line in entries[alice.pk]["lines"] if line["pay_code"] == "vacation"]
    assert line["explanation"] == f"12.00 h × 20.00 × 1.000 (Vacation, leave request #{holiday.pk})"
    assert line["sources"] == [
        {"kind": "leave_request", "id": holiday.pk, "url": f"/v1/hr/leave-requests/{holiday.pk}"}
    ]
    # salaried: the leave is inside the salary (52000 ÷ 52 = 1000.00), no extra line
    [salary] = entries[bob.pk]["lines"]
    assert (salary["pay_code"], salary["amount"]) == ("regular", "1000.00")
    assert f"includes 8.00 h paid leave (Vacation, leave request #{bobs.pk})" in salary["explanation"]
    assert entries[carol.pk]["lines"] == []

    # the next period pays carol's request whole: 16 h × 10.00
    following = by_employee(run_for(api, schedule, "2026-03-09"))
    assert lines_of(following[carol.pk], "leave") == [("vacation", "16.00", "160.00")]
    assert f"leave request #{spanning.pk}" in following[carol.pk]["lines"][0]["explanation"]
    assert lines_of(following[alice.pk], "leave") == []


def test_a_leave_request_is_paid_once_and_not_cancelled_under_a_ready_run(api, organisation, office):
    vacation = LeaveTypeFactory(organisation=organisation, name="Vacation", pay_code_name="Vacation")
    alice = hourly(office, "20.00")
    request = leave(alice, vacation, [(MONDAY + DAY, "8.00")])
    run = run_for(api, weekly_schedule(organisation, [alice]))
    url = f"/v1/payroll/runs/{run['id']}"
    assert api.post(f"{url}/approve").json()["status"] == "ready"

    # an off-cycle run over the same days does not pay it again
    off_cycle = api.post(
        "/v1/payroll/runs",
        {"employee_ids": [alice.pk], "period_start": "2026-03-02", "period_end": "2026-03-08"},
        format="json",
    )
    assert off_cycle.status_code == 201 and off_cycle.json()["entries"][0]["lines"] == []
    assert api.post(f"/v1/payroll/runs/{off_cycle.json()['id']}/cancel").status_code == 200

    refused = api.post(f"/v1/hr/leave-requests/{request.pk}/cancel")
    assert refused.status_code == 409, refused.content
    assert refused.json()["payroll_run_ids"] == [run["id"]]
    # cancelling the run releases the claim: then the leave can be cancelled
    assert api.post(f"{url}/cancel").json()["status"] == "cancelled"
    assert api.post(f"/v1/hr/leave-requests/{request.pk}/cancel").status_code == 200


def test_cancelling_leave_held_by_a_draft_makes_the_draft_stale(api, organisation, office):
    vacation = LeaveTypeFactory(organisation=organisation, name="Vacation", pay_code_name="Vacation")
    alice = hourly(office, "20.00")
    request = leave(alice, vacation, [(MONDAY + DAY, "8.00")])
    run = run_for(api, weekly_schedule(organisation, [alice]))
    url = f"/v1/payroll/runs/{run['id']}"
    assert api.post(f"/v1/hr/leave-requests/{request.pk}/cancel").status_code == 200
    assert api.post(f"{url}/approve").status_code == 409  # stale: recalculate first
    recalculated = api.post(f"{url}/recalculate").json()
    assert recalculated["gross_total"] == "0.00"


def test_expenses_are_reimbursed_by_the_run(api, organisation, office):
    dave = hourly(office, "20.00")
    first = ExpenseFactory(employee=dave, status="approved", amount=Decimal("12.50"), date=MONDAY + DAY)
    foreign = ExpenseFactory(
        employee=dave,
        status="approved",
        currency="CHF" if organisation.currency != "CHF" else "EUR",
        amount=Decimal("100.00"),
        exchange_rate=Decimal("0.9235"),
        converted_amount=Decimal("92.35"),
        date=MONDAY - 10 * DAY,  # an older approved expense, not yet paid back
    )
    ExpenseFactory(employee=dave, status="submitted", amount=Decimal("40.00"))
    ExpenseFactory(employee=dave, status="approved", amount=Decimal("7.00"), date=MONDAY + 9 * DAY)  # after the period
    schedule = weekly_schedule(organisation, [dave])

    run = run_for(api, schedule)
    [entry] = run["entries"]
    [line] = entry["lines"]
    # 12.50 + 92.35 = 104.85 under Reimbursement, in the organisation's currency
    assert (line["pay_code"], line["source_kind"], line["amount"]) == ("reimbursement", "expense", "104.85")
    assert {s["id"] for s in line["sources"]} == {first.pk, foreign.pk}
    assert entry["gross"] == "104.85"

    url = f"/v1/payroll/runs/{run['id']}"
    assert api.post(f"{url}/approve").status_code == 200
    assert api.post(f"{url}/mark-paid").json()["status"] == "paid"
    for expense in (first, foreign):
        body = api.get(f"/v1/expenses/{expense.pk}").json()
        assert (body["status"], body["reimbursement_reference"]) == ("reimbursed", f"Payroll run {run['id']}")
    # the next run does not pay them again
    assert by_employee(run_for(api, schedule, "2026-03-09"))[dave.pk]["gross"] == "7.00"


def test_holiday_pay_rules_by_hand(api, organisation, office):
    response = api.post(
        "/v1/payroll/overtime-rules", {"holiday_multiplier": "1.5", "paid_holidays": True}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["holiday_multiplier"], response.json()["paid_holidays"]) == ("1.500", True)
    group = HolidayGroupFactory(organisation=organisation)
    HolidayFactory(group=group, date=MONDAY + 2 * DAY, name="Founders' Day")
    HolidayFactory(group=group, date=MONDAY + 4 * DAY, name="Half holiday", half_day=True)
    project = project_of(organisation)
    eve = hourly(office, "20.00")
    frank = hourly(office, "15.00")
    WorkSchedule.objects.create(
        organisation=organisation, employee=frank, monday=10, tuesday=10, wednesday=10, thursday=10, friday=0
    )
    boss = salaried(office, "52000.00")
    approve_week(eve)
    work(eve, project, MONDAY, 8)
    work(eve, project, MONDAY + 2 * DAY, 8)  # worked on the holiday
    schedule = weekly_schedule(organisation, [eve, frank, boss])

    entries = by_employee(run_for(api, schedule))
    eve_lines = {(x["pay_code"], x["source_kind"], x["hours"], x["amount"]) for x in entries[eve.pk]["lines"]}
    assert eve_lines == {
        ("regular", "time_entry", "8.00", "160.00"),  # Monday
        ("holiday", "time_entry", "8.00", "240.00"),  # Wednesday worked: 8 h × 20.00 × 1.5
        ("holiday", "holiday", "8.00", "160.00"),  # Wednesday paid: scheduled 8 h × 20.00
        ("holiday", "holiday", "4.00", "80.00"),  # Friday, half day: 4 h × 20.00
    }
    assert entries[eve.pk]["hours_by_code"] == {"regular": "8.00", "holiday": "20.00"}
    assert entries[eve.pk]["gross"] == "640.00"
    # frank's schedule: 10 h on Wednesday, nothing on Friday
    assert lines_of(entries[frank.pk], "holiday") == [("holiday", "10.00", "150.00")]
    assert "paid holiday: Founders' Day, 2026-03-04" in entries[frank.pk]["lines"][0]["explanation"]
    # salaried: holidays are inside the salary
    assert [line["source_kind"] for line in entries[boss.pk]["lines"]] == ["salary"]


def test_a_paid_holiday_is_claimed_and_not_paid_twice_by_an_overlapping_off_cycle_run(api, organisation, office):
    api.post("/v1/payroll/overtime-rules", {"paid_holidays": True}, format="json")
    HolidayFactory(group=HolidayGroupFactory(organisation=organisation), date=MONDAY + 2 * DAY, name="Founders' Day")
    eve = hourly(office, "20.00")
    scheduled = run_for(api, weekly_schedule(organisation, [eve]))
    assert lines_of(by_employee(scheduled)[eve.pk], "holiday") == [("holiday", "8.00", "160.00")]
    claim = PayrollSourceClaim.objects.get(kind="holiday", employee=eve)
    assert (claim.run_id, claim.day) == (scheduled["id"], MONDAY + 2 * DAY)
    off_cycle = {"employee_ids": [eve.pk], "period_start": "2026-03-02", "period_end": "2026-03-08"}

    # held by a draft: a 409, as for the other sources
    held = api.post("/v1/payroll/runs", off_cycle, format="json")
    assert held.status_code == 409 and held.json()["payroll_run_ids"] == [scheduled["id"]]
    # held by a ready run: already paid, left out
    assert api.post(f"/v1/payroll/runs/{scheduled['id']}/approve").status_code == 200
    extra = api.post("/v1/payroll/runs", off_cycle, format="json")
    assert extra.status_code == 201, extra.json()
    assert extra.json()["gross_total"] == "0.00" and not PayrollSourceClaim.objects.filter(run_id=extra.json()["id"])
    # the scheduled run cancelled releases it: the off-cycle run, recalculated, pays it
    assert api.post(f"/v1/payroll/runs/{scheduled['id']}/cancel").status_code == 200
    again = api.post(f"/v1/payroll/runs/{extra.json()['id']}/recalculate").json()
    assert again["gross_total"] == "160.00"


def test_without_holiday_rules_holidays_are_ordinary_days(api, organisation, office):
    HolidayFactory(group=HolidayGroupFactory(organisation=organisation), date=MONDAY + 2 * DAY)
    project = project_of(organisation)
    eve = hourly(office, "20.00")
    approve_week(eve)
    work(eve, project, MONDAY + 2 * DAY, 8)
    [entry] = run_for(api, weekly_schedule(organisation, [eve]))["entries"]
    assert [(line["pay_code"], line["amount"]) for line in entry["lines"]] == [("regular", "160.00")]


def test_leave_accrues_per_paid_pay_period(api, organisation, office):
    leave_type = api.post(
        "/v1/hr/leave-types", {"name": "Vacation", "kind": "vacation", "pay_code_name": "Vacation"}, format="json"
    ).json()
    policy = api.post(
        "/v1/hr/leave-policies",
        {
            "name": "Per pay period",
            "leave_type_id": leave_type["id"],
            "accrual_method": "per_pay_period",
            "hours_per_period": "3.08",
        },
        format="json",
    )
    assert policy.status_code == 201, policy.content
    alice = hourly(office, "20.00")
    schedule = weekly_schedule(organisation, [alice])

    def balance():
        rows = api.get(f"/v1/hr/leave-balances?employee_id={alice.pk}").json()["results"]
        return [(row["leave_type_id"], row["available"]) for row in rows]

    run = run_for(api, schedule)
    url = f"/v1/payroll/runs/{run['id']}"
    api.post(f"{url}/approve")
    assert balance() in ([], [(leave_type["id"], "0.00")])  # nothing before the run is paid
    assert api.post(f"{url}/mark-paid").json()["status"] == "paid"
    assert balance() == [(leave_type["id"], "3.08")]
    # the next period accrues again; an off-cycle run is not a pay period
    following = run_for(api, schedule, "2026-03-09")
    api.post(f"/v1/payroll/runs/{following['id']}/approve")
    api.post(f"/v1/payroll/runs/{following['id']}/mark-paid")
    off_cycle = api.post(
        "/v1/payroll/runs",
        {"employee_ids": [alice.pk], "period_start": "2026-03-16", "period_end": "2026-03-22"},
        format="json",
    ).json()
    api.post(f"/v1/payroll/runs/{off_cycle['id']}/approve")
    assert api.post(f"/v1/payroll/runs/{off_cycle['id']}/mark-paid").json()["status"] == "paid"
    assert balance() == [(leave_type["id"], "6.16")]
