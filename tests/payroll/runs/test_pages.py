"""The payroll console, a run's page (preview with explanations and warnings, diff, approve,
mark paid, acknowledge) and "My pay", through the pages as a signed-in member."""

from __future__ import annotations

import pytest

from organisations.choices import Role
from payroll.models import PayrollRun
from tests.timetracking.conftest import person

from .helpers import MONDAY, approve_week, hourly, make_run, project_of, weekly_schedule, work

pytestmark = pytest.mark.django_db


def test_an_admin_creates_previews_approves_pays_and_acknowledges(client, organisation, office):
    admin = person(organisation, office, role=Role.ADMIN, name="Ada")
    project = project_of(organisation)
    alice = person(organisation, office, role=Role.EMPLOYEE, name="Alice")
    alice.pay_type, alice.pay_rate = "hourly", 20
    alice.save()
    approve_week(alice)
    work(alice, project, MONDAY, 10)
    pending = hourly(office, first_name="Pending")
    approve_week(pending, status="submitted")
    work(pending, project, MONDAY, 3)
    schedule = weekly_schedule(organisation, [alice, pending], name="Weekly staff")
    client.force_login(admin.membership.user)

    console = client.get("/app/payroll/")
    assert console.status_code == 200 and "Weekly staff" in console.content.decode()
    created = client.post("/app/payroll/", {"pay_schedule": schedule.pk, "period_start": "2026-03-02"})
    run = PayrollRun.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/app/payroll/runs/{run.pk}"
    page = client.get(f"/app/payroll/runs/{run.pk}").content.decode()
    assert "10.00 h × 20.00 × 1 (1 entry)" in page  # Alice's regular line, explained (under 40 h a week)
    assert "unapproved_time" in page  # Pending's warning

    client.post(f"/app/payroll/runs/{run.pk}/approve")
    client.post(f"/app/payroll/runs/{run.pk}/acknowledge", {"notes": "Checked by hand"})
    client.post(f"/app/payroll/runs/{run.pk}/mark-paid")
    run.refresh_from_db()
    assert run.status == "paid"
    assert "Checked by hand" in client.get(f"/app/payroll/runs/{run.pk}").content.decode()
    refused = client.post(f"/app/payroll/runs/{run.pk}/approve", follow=True).content.decode()
    assert "cannot be approved" in refused

    # the employee sees their pay, hours by code and the year to date
    client.force_login(alice.membership.user)
    mine = client.get("/app/payroll/my-pay").content.decode()
    assert "200.00" in mine and "regular" in mine
    assert client.get("/app/payroll/").status_code == 403


def test_another_tenants_run_is_404(client, organisation, office, other_organisation):
    admin = person(organisation, office, role=Role.ADMIN, name="Ada")
    theirs = make_run(other_organisation)
    client.force_login(admin.membership.user)
    assert client.get(f"/app/payroll/runs/{theirs.pk}").status_code == 404
    assert client.post(f"/app/payroll/runs/{theirs.pk}/approve").status_code == 404
