"""Smooth onboarding (issue 14 point 8): accepting an invitation signs the person in and gives them
their HR employee record (through ``organisations.hooks.member_joined``), so they track time and
acknowledge documents at once; a platform superuser without a membership gets a way out of ``/app/``."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from hr.models import Employee, HRDocumentAcknowledgement
from organisations import services as org_services
from organisations.actors import Actor
from organisations.choices import Role
from organisations.models import User
from tests.hr.factories import EmployeeFactory, HRDocumentFactory
from tests.timetracking.factories import ProjectFactory
from timetracking.models import TimeEntry

pytestmark = pytest.mark.django_db

PASSWORD = "a-fresh-passphrase-91"


def invite(owner, capture, email="nia@example.test", office=None) -> str:
    actor = Actor(organisation=owner.organisation, user=owner.user, membership=owner, kind="session")
    with capture(execute=True):
        org_services.member_invite(
            actor=actor, email=email, role=Role.EMPLOYEE, office=office, base_url="http://testserver/"
        )
    return re.search(r"http://testserver(/app/invitations/[A-Za-z0-9_-]+)", mail.outbox[-1].body).group(1)


def accept(client, link, name="Nia Person"):
    return client.post(link, {"full_name": name, "new_password1": PASSWORD, "new_password2": PASSWORD})


def test_accepting_signs_in_and_creates_the_employee_record(client, owner, office, django_capture_on_commit_callbacks):
    link = invite(owner, django_capture_on_commit_callbacks, office=office)

    response = accept(client, link)

    assert response.status_code == 302 and response["Location"] == "/app/"
    employee = Employee.objects.get(email="nia@example.test")
    assert (employee.first_name, employee.last_name, employee.office, employee.status) == (
        "Nia",
        "Person",
        office,
        "active",
    )
    assert employee.membership.user.email == "nia@example.test"
    assert employee.hire_date is not None
    assert "Welcome to Acme Insurance" in client.get("/app/").content.decode()


def test_the_new_member_tracks_time_and_acknowledges_at_once(
    client, owner, office, private_files, django_capture_on_commit_callbacks
):
    project = ProjectFactory(client__organisation=owner.organisation)
    document = HRDocumentFactory(organisation=owner.organisation)
    link = invite(owner, django_capture_on_commit_callbacks, office=office)
    accept(client, link)

    timer = client.post("/app/time/timer/start", {"project_id": project.pk}, follow=True)
    ack = client.post(f"/app/hr/documents/{document.pk}/acknowledge", follow=True)

    assert "Timer started." in timer.content.decode()
    assert TimeEntry.objects.get().employee.email == "nia@example.test"
    assert "Thank you: you acknowledged" in ack.content.decode()
    assert HRDocumentAcknowledgement.objects.get().employee.email == "nia@example.test"


def test_a_record_hr_added_before_the_invitation_is_linked_not_duplicated(
    client, owner, office, django_capture_on_commit_callbacks
):
    existing = EmployeeFactory(office=office, email="NIA@example.test", first_name="Nia", job_title="Clerk")
    link = invite(owner, django_capture_on_commit_callbacks, office=office)

    accept(client, link)

    employee = Employee.objects.get()
    assert employee.pk == existing.pk
    assert employee.job_title == "Clerk"
    assert employee.membership.user.email == "nia@example.test"


def test_a_superuser_without_membership_gets_a_way_out(client, db):
    User.objects.create_superuser(email="root@example.test", password=PASSWORD)
    client.login(username="root@example.test", password=PASSWORD)

    response = client.get("/app/")

    assert response.status_code == 403
    body = response.content.decode()
    assert 'href="/admin/"' in body
    assert 'action="/app/logout"' in body
    assert client.post("/app/logout").status_code == 302
    assert client.get("/app/").status_code == 302  # logged out: the login page


def test_a_member_without_staff_rights_sees_no_admin_link(client, organisation, make_member):
    member = make_member(organisation, Role.EMPLOYEE)
    member.status = "deactivated"
    member.save()
    client.login(username=member.user.email, password="password")  # may be refused: force the session
    client.force_login(member.user)

    response = client.get("/app/")

    assert response.status_code == 403
    assert 'href="/admin/"' not in response.content.decode()
    assert 'action="/app/logout"' in response.content.decode()
