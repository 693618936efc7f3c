"""Issue 12: an anonymous HR ticket is audited once, naming nobody, whichever way it is filed."""

import pytest
from django.test import Client

from hr.models import Complaint
from organisations.models import AuditEvent
from tests.hr.conftest import person_client
from tests.organisations.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def test_an_anonymous_ticket_filed_over_rest_is_audited_once_naming_nobody(cast):
    response = person_client(cast.employee).post(
        "/v1/hr/complaints",
        {"subject": "Shouting", "description": "Twice.", "category": "conduct", "anonymous": True},
        format="json",
    )

    event = AuditEvent.objects.get(object_type="hr.Complaint")  # (the client's token is audited too)
    assert response.status_code == 201
    assert (event.action, event.source, event.object_id) == ("complaint.create", "api", str(response.json()["id"]))
    assert (event.actor_user_id, event.actor_label, event.api_token_id, event.application_id) == (
        None,
        "system",
        None,
        None,
    )
    assert "Shouting" not in str(event.changes) and "Twice" not in str(event.changes)


def test_an_anonymous_ticket_filed_on_the_page_is_audited_once_naming_nobody(cast):
    browser = Client()
    assert browser.login(username=cast.employee.user.email, password=DEFAULT_PASSWORD)

    browser.post(
        "/app/hr/report",
        {"subject": "Pay gap", "category": "pay", "priority": "normal", "description": "Look.", "anonymous": "on"},
    )

    event = AuditEvent.objects.get(object_type="hr.Complaint")
    ticket = Complaint.objects.get()
    assert (event.action, event.source, event.object_id) == ("complaint.create", "page", str(ticket.pk))
    assert (event.actor_user_id, event.actor_label) == (None, "system")


def test_a_refused_upsert_is_audited_although_its_first_rows_were_recorded_then_rolled_back(api, organisation):
    response = api.post(
        "/v1/hr/employees/upsert",
        {
            "source": "custom",
            "employees": [{"external_id": "C-1", "first_name": "Ok"}, {"external_id": "C-1", "first_name": "Twice"}],
        },
        format="json",
    )

    event = AuditEvent.objects.get(path="/v1/hr/employees/upsert")
    assert response.status_code == 422
    assert (event.status_code, event.changes, event.object_id) == (422, {}, "")


def test_pay_is_audited_as_changed_never_with_its_values(cast):
    employee = cast.employee_of(cast.employee)

    response = person_client(cast.hr).patch(
        f"/v1/hr/employees/{employee.pk}",
        {"pay_type": "hourly", "pay_rate": "31.50", "job_title": "Lead"},
        format="json",
    )

    event = AuditEvent.objects.get(object_type="hr.Employee")
    assert response.status_code == 200, response.json()
    assert event.changes == {"job_title": [employee.job_title, "Lead"], "pay_rate": ["…", "…"], "pay_type": ["…", "…"]}
