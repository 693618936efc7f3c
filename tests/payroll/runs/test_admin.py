"""Django admin of payroll runs, over HTTP as a superuser: every model has its pages; runs,
their lines and assignments are read-only."""

from __future__ import annotations

import pytest

from organisations.actors import system_actor
from payroll import services
from payroll.models import OvertimeRule, PayCode, PaySchedule, PayScheduleAssignment

from .helpers import MONDAY, make_run

pytestmark = pytest.mark.django_db


def schedule(org):
    return PaySchedule.objects.create(organisation=org, name="Weekly", frequency="weekly", anchor_date=MONDAY)


def line(org):
    run = make_run(org)
    employee_id = run.entries.get().employee_id
    bonus = {"employee_id": employee_id, "kind": "bonus", "amount": "10.00", "reason": "Thanks"}
    services.payroll_adjustment_add(actor=system_actor(org), run=run, **bonus)
    return run.lines.get()


PAGES = {
    "payroll/payschedule": schedule,
    "payroll/paycode": lambda org: PayCode.objects.create(organisation=org, code="travel", name="Travel"),
    "payroll/overtimerule": lambda org: OvertimeRule.objects.create(organisation=org),
    "payroll/payrollrun": make_run,
    "payroll/payrollline": line,
    "payroll/payscheduleassignment": lambda org: PayScheduleAssignment.objects.create(
        organisation=org, pay_schedule=schedule(org), employee=make_run(org).entries.get().employee
    ),
}


@pytest.mark.parametrize("path", PAGES)
def test_changelist_and_change_pages_answer(admin_client, organisation, path):
    row = PAGES[path](organisation)
    assert admin_client.get(f"/admin/{path}/").status_code == 200
    assert admin_client.get(f"/admin/{path}/{row.pk}/change/").status_code == 200


@pytest.mark.parametrize("path", ["payroll/payrollrun", "payroll/payrollline", "payroll/payscheduleassignment"])
def test_runs_and_lines_cannot_be_added_by_hand(admin_client, path):
    assert admin_client.get(f"/admin/{path}/add/").status_code == 403
