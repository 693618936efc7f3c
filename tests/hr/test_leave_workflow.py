"""Every leave transition × who asks (issue 16 point 4): the employee, their office's manager, a
manager of another office, HR, an admin, another tenant. Through REST, on the real database."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection

from hr.models import LeaveLedgerEntry, LeaveRequest
from organisations.choices import Role
from tests.hr.conftest import person_client
from tests.hr.factories import EmployeeFactory, LeaveLedgerEntryFactory, LeavePolicyFactory, LeaveRequestFactory
from tests.organisations.factories import MembershipFactory, UserFactory

FUTURE = datetime.date.today() + datetime.timedelta(days=40)
PAST = datetime.date.today() - datetime.timedelta(days=5)


@pytest.fixture
def world(organisation, cast):
    policy = LeavePolicyFactory(leave_type__organisation=organisation, annual_hours=0)
    employee = cast.employee_of(cast.employee)
    account = LeaveLedgerEntryFactory(
        account__employee=employee, account__leave_type=policy.leave_type, hours=200
    ).account
    other_manager = MembershipFactory(
        organisation=organisation, role=Role.MANAGER, office=cast.other_office, user=UserFactory(full_name="Max Other")
    )
    EmployeeFactory(office=cast.other_office, membership=other_manager)
    return {"employee": employee, "leave_type": policy.leave_type, "account": account, "other_manager": other_manager}


def _clients(cast, world, other_api):
    return {
        "employee": person_client(cast.employee),
        "manager": person_client(cast.manager),
        "other_manager": person_client(world["other_manager"]),
        "hr": person_client(cast.hr),
        "admin": person_client(cast.admin),
        "other_tenant": other_api,
    }


#: (transition, starting status, start date) -> expected status per role
EXPECTED = {
    ("approve", "requested", FUTURE): {
        "employee": 403,
        "manager": 200,
        "other_manager": 404,
        "hr": 200,
        "admin": 200,
        "other_tenant": 404,
    },
    ("reject", "requested", FUTURE): {
        "employee": 403,
        "manager": 200,
        "other_manager": 404,
        "hr": 200,
        "admin": 200,
        "other_tenant": 404,
    },
    ("cancel", "requested", FUTURE): {
        "employee": 200,
        "manager": 403,
        "other_manager": 404,
        "hr": 200,
        "admin": 200,
        "other_tenant": 404,
    },
    ("cancel", "approved", PAST): {
        "employee": 409,
        "manager": 403,
        "other_manager": 404,
        "hr": 200,
        "admin": 200,
        "other_tenant": 404,
    },
    ("approve", "approved", FUTURE): {
        "employee": 403,
        "manager": 409,
        "other_manager": 404,
        "hr": 409,
        "admin": 409,
        "other_tenant": 404,
    },
    ("cancel", "rejected", FUTURE): {
        "employee": 409,
        "manager": 403,
        "other_manager": 404,
        "hr": 409,
        "admin": 409,
        "other_tenant": 404,
    },
}
CASES = [(transition, status, day, role) for (transition, status, day), roles in EXPECTED.items() for role in roles]


@pytest.mark.django_db
@pytest.mark.parametrize(("transition", "status", "day", "role"), CASES, ids=[f"{t}-{s}-{r}" for t, s, _d, r in CASES])
def test_transition_by_role(transition, status, day, role, cast, world, other_api):
    request = LeaveRequestFactory(
        employee=world["employee"], leave_type=world["leave_type"], status=status, start_date=day, end_date=day
    )
    if status == "approved":
        LeaveLedgerEntryFactory(account=world["account"], kind="usage", hours=-8, request=request)
    client = _clients(cast, world, other_api)[role]
    body = {"reason": "Not this week"} if transition == "reject" else None
    response = client.post(f"/v1/hr/leave-requests/{request.pk}/{transition}", body, format="json")
    expected = EXPECTED[(transition, status, day)][role]
    assert response.status_code == expected, response.content
    request.refresh_from_db()
    if expected == 200:
        assert request.status == {"approve": "approved", "reject": "rejected", "cancel": "cancelled"}[transition]
        if transition == "cancel" and status == "approved":
            assert LeaveLedgerEntry.objects.filter(request=request, kind="cancellation", hours=8).exists()
    else:
        assert request.status == status


# =============================================================================
# Concurrency (PostgreSQL, real threads)
# =============================================================================


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(2))
def test_two_concurrent_requests_exceeding_the_balance_only_one_succeeds(organisation, cast, attempt):
    policy = LeavePolicyFactory(leave_type__organisation=organisation, annual_hours=0)
    employee = cast.employee_of(cast.employee)
    LeaveLedgerEntryFactory(account__employee=employee, account__leave_type=policy.leave_type, hours=Decimal("24"))
    clients = [person_client(cast.employee), person_client(cast.employee)]
    monday = datetime.date.today() + datetime.timedelta(days=(7 - datetime.date.today().weekday()) % 7 + 7)
    bodies = [
        {"leave_type_id": policy.leave_type_id, "start_date": start.isoformat(), "end_date": end.isoformat()}
        for start, end in (
            (monday, monday + datetime.timedelta(days=1)),  # 16 h
            (monday + datetime.timedelta(days=2), monday + datetime.timedelta(days=3)),  # 16 h
        )
    ]
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def run(n):
        try:
            barrier.wait(timeout=10)
            results[n] = clients[n].post("/v1/hr/leave-requests", bodies[n], format="json").status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [201, 422]
    assert LeaveRequest.objects.filter(employee=employee).count() == 1


# =============================================================================
# The ledger's dates
# =============================================================================


@pytest.mark.django_db
def test_usage_is_dated_on_the_leave_days_by_month_and_a_cancellation_on_the_same_dates(cast, world):
    """Approved today, taken over a month boundary next year: the usage rows are dated on the
    leave's first day in each month (a year's closing balance and carried-over hours used before
    they expire count the leave of their own dates); cancelling gives them back on those dates."""
    body = {"leave_type_id": world["leave_type"].pk, "start_date": "2027-01-28", "end_date": "2027-02-02"}
    created = person_client(cast.employee).post("/v1/hr/leave-requests", body, format="json")
    assert created.status_code == 201, created.content
    request = LeaveRequest.objects.get(pk=created.json()["id"])
    january = sum(Decimal(hours) for day, hours in request.days if day < "2027-02-01")
    february = sum(Decimal(hours) for day, hours in request.days if day >= "2027-02-01")
    assert january > 0 and february > 0 and january + february == request.hours

    hr = person_client(cast.hr)
    assert hr.post(f"/v1/hr/leave-requests/{request.pk}/approve").status_code == 200

    def rows(kind):
        entries = LeaveLedgerEntry.objects.filter(request=request, kind=kind).order_by("effective_date")
        return [(row.effective_date, row.hours) for row in entries]

    first_feb = min(day for day, _hours in request.days if day >= "2027-02-01")
    assert rows("usage") == [
        (datetime.date(2027, 1, 28), -january),
        (datetime.date.fromisoformat(first_feb), -february),
    ]
    # today the leave is still to come: not in the balance as of today, no longer available either
    balance = hr.get(f"/v1/hr/leave-balances/{world['account'].pk}").json()
    assert (Decimal(balance["balance"]), Decimal(balance["available"])) == (200, 200 - request.hours)
    assert hr.post(f"/v1/hr/leave-requests/{request.pk}/cancel").status_code == 200
    assert rows("cancellation") == [(day, -hours) for day, hours in rows("usage")]
    assert sum(row.hours for row in LeaveLedgerEntry.objects.filter(request=request)) == 0
