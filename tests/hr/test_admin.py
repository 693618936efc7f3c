"""The hr app's Django admin: every model answers; HR tickets stay confidential from staff
who are not HR of the ticket's organisation (see hr/admin.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from organisations.choices import Role
from tests.hr.factories import (
    ComplaintFactory,
    ComplaintNoteFactory,
    EmployeeExternalIdFactory,
    EmployeeFactory,
    HRDocumentAcknowledgementFactory,
    HRDocumentFactory,
)
from tests.organisations.factories import MembershipFactory

pytestmark = pytest.mark.django_db

SECRET = "Harassment by the night supervisor"
BODY = "Details only HR may read"
NOTE = "Interview scheduled with witness"


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root@example.test", "pw-123456789")


@pytest.fixture
def ticket(organisation):
    reporter = MembershipFactory(organisation=organisation)
    complaint = ComplaintFactory(organisation=organisation, reporter=reporter, subject=SECRET, description=BODY)
    ComplaintNoteFactory(complaint=complaint, body=NOTE)
    return complaint


def test_every_hr_admin_page_answers(admin_client, organisation):
    rows = {
        "employee": EmployeeFactory(office__organisation=organisation),
        "employeeexternalid": EmployeeExternalIdFactory(employee__office__organisation=organisation),
        "hrdocument": HRDocumentFactory(organisation=organisation),
        "hrdocumentacknowledgement": HRDocumentAcknowledgementFactory(document__organisation=organisation),
        "complaint": ComplaintFactory(organisation=organisation),
    }
    rows["hrdocumentversion"] = rows["hrdocument"].current_version
    for model, obj in rows.items():
        assert admin_client.get(f"/admin/hr/{model}/").status_code == 200, model
        assert admin_client.get(f"/admin/hr/{model}/{obj.pk}/change/").status_code == 200, model
    assert admin_client.get("/admin/hr/complaintnote/").status_code == 200
    assert admin_client.get("/admin/hr/complaint/add/").status_code == 403
    assert admin_client.get("/admin/hr/employee/?q=" + rows["employee"].last_name).status_code == 200


def test_staff_who_are_not_hr_never_read_a_ticket(client, superuser, ticket):
    client.force_login(superuser)

    changelist = client.get("/admin/hr/complaint/").content.decode()
    change = client.get(f"/admin/hr/complaint/{ticket.pk}/change/").content.decode()
    notes = client.get("/admin/hr/complaintnote/").content.decode()
    searched = client.get("/admin/hr/complaint/", {"q": "Harassment"}).content.decode()

    assert ticket.reference in changelist
    assert SECRET not in changelist and "(confidential" in changelist
    for text in (SECRET, BODY, ticket.reporter.user.email):
        assert text not in change
    assert NOTE not in notes
    assert "0 results" in searched  # the text is not searchable: no guessing it one query at a time


def test_hr_of_the_organisation_reads_tickets_in_the_admin(client, superuser, ticket, organisation, other_organisation):
    MembershipFactory(organisation=organisation, user=superuser, role=Role.HR)
    client.force_login(superuser)

    change = client.get(f"/admin/hr/complaint/{ticket.pk}/change/").content.decode()
    notes = client.get("/admin/hr/complaintnote/").content.decode()

    assert SECRET in change and BODY in change
    assert NOTE in notes or "Note on" in notes

    theirs = ComplaintFactory(organisation=other_organisation, subject="Their secret")
    other = client.get(f"/admin/hr/complaint/{theirs.pk}/change/").content.decode()
    assert "Their secret" not in other


def test_anonymous_ticket_has_no_reporter_even_for_hr_in_the_admin(client, superuser, organisation):
    MembershipFactory(organisation=organisation, user=superuser, role=Role.HR)
    anonymous = ComplaintFactory(organisation=organisation, reporter=None, is_anonymous=True)
    client.force_login(superuser)

    change = client.get(f"/admin/hr/complaint/{anonymous.pk}/change/")

    assert change.status_code == 200
    assert change.context["adminform"].form.instance.reporter_id is None
