"""Time whose entries name a pay code (``TimeEntry.pay_code_hint``, written by the TrackTik sync)
is paid on that code × its multiplier and stays out of the overtime split; a hint naming no
active pay code is paid as worked time, with a warning. The TrackTik path end to end:
tests/integrations/tracktik/test_pay_codes.py."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payroll.models import OvertimeRule
from timetracking.models import TimeEntry

from .helpers import MONDAY, approve_week, hourly, project_of, work

pytestmark = pytest.mark.django_db


def test_hinted_time_is_paid_on_its_code_outside_the_overtime_split(api, organisation, office):
    OvertimeRule.objects.create(organisation=organisation, daily_threshold_hours=Decimal("8"))
    project = project_of(organisation)
    alice = hourly(office)  # 20.00 an hour
    approve_week(alice)
    work(alice, project, MONDAY, 8)
    double = work(alice, project, MONDAY, 4, start_hour=17)
    gone = work(alice, project, MONDAY.replace(day=3), 3)
    TimeEntry.objects.filter(pk=double.pk).update(pay_code_hint="double_time")
    TimeEntry.objects.filter(pk=gone.pk).update(pay_code_hint="no-such-code")

    body = {"employee_ids": [alice.pk], "period_start": "2026-03-02", "period_end": "2026-03-08"}
    created = api.post("/v1/payroll/runs", body, format="json")
    assert created.status_code == 201, created.json()
    (entry,) = api.get(f"/v1/payroll/runs/{created.json()['id']}").json()["entries"]

    # Monday's 12 h: the 8 h without a hint are within the daily 8 h, the 4 h on Double time
    # count toward no threshold (else they would be 4 h of Overtime); Tuesday's unknown code: Regular
    assert entry["hours_by_code"] == {"regular": "11.00", "double_time": "4.00"}
    assert entry["amounts_by_code"] == {"regular": "220.00", "double_time": "160.00"}
    assert entry["gross"] == "380.00"
    assert [w["code"] for w in entry["warnings"]] == ["unknown_pay_code_hint"]
    hinted = next(line for line in entry["lines"] if line["pay_code"] == "double_time")
    assert hinted["explanation"] == "4.00 h × 20.00 × 2.000 (1 entry, pay code from the entries (TrackTik))"
