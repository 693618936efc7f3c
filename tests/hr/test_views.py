"""HR pages (issue 8 point 6): the portal, documents to read, report a concern, my tickets;
confidentiality, anonymity and escaping of everything users typed."""

from __future__ import annotations

import pytest
from django.test import Client

from hr.models import Complaint, Employee, HRDocument, HRDocumentAcknowledgement
from organisations.models import AuditEvent
from tests.hr.conftest import txt
from tests.hr.factories import ComplaintFactory, ComplaintNoteFactory, HRDocumentFactory
from tests.organisations.factories import DEFAULT_PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def browser(membership) -> Client:
    client = Client()
    assert client.login(username=membership.user.email, password=DEFAULT_PASSWORD)
    return client


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/app/hr/", ("owner", "admin", "hr")),
        ("/app/hr/directory", ("owner", "admin", "hr")),
        ("/app/hr/directory.csv", ("owner", "admin", "hr")),
        ("/app/hr/documents", ("owner", "admin", "hr")),
        ("/app/hr/tickets", ("hr",)),
        ("/app/hr/tickets.csv", ("hr",)),
        ("/app/hr/my-documents", ("owner", "admin", "hr", "manager", "employee")),
        ("/app/hr/my-tickets", ("owner", "admin", "hr", "manager", "employee")),
        ("/app/hr/report", ("owner", "admin", "hr", "manager", "employee")),
    ],
)
def test_pages_open_for_the_right_roles(cast, path, allowed):
    for who in ("owner", "admin", "hr", "manager", "employee"):
        status = browser(getattr(cast, who)).get(path).status_code
        assert status == (200 if who in allowed else 403), (who, path, status)


def test_dashboard_shows_headcount_coverage_and_onboarding(cast):
    HRDocumentFactory(organisation=cast.office.organisation, title="Code of conduct")

    page = browser(cast.hr).get("/app/hr/").content.decode()

    assert 'data-testid="headcount">8<' in page
    assert "Code of conduct" in page
    assert "0 / 8" in page
    assert "Eli Employee" in page


def test_directory_search_and_filters(cast):
    client = browser(cast.hr)

    found = client.get("/app/hr/directory", {"q": "cleo"}).content.decode()
    by_office = client.get("/app/hr/directory", {"office_id": cast.other_office.pk}).content.decode()

    assert "Cleo Colleague" in found and "Eli Employee" not in found
    assert "Otto Other" in by_office and "Eli Employee" not in by_office


def test_directory_export_has_pay_only_for_hr_portal_roles(cast):
    Employee.objects.filter(membership=cast.employee).update(pay_type="hourly", pay_rate="21.00")

    csv_text = browser(cast.hr).get("/app/hr/directory.csv").content.decode()

    header = csv_text.splitlines()[0].split(",")
    # the hr_directory report's columns (issue 17): pay fields for HR, owners and admins
    assert {"pay_type", "pay_rate"} <= set(header)
    assert "21.00" in csv_text


def test_employee_profile_edit_and_cycle_refused(cast):
    eli = Employee.objects.get(membership=cast.employee)
    cleo = Employee.objects.get(membership=cast.colleague)
    Employee.objects.filter(pk=cleo.pk).update(manager=eli)
    client = browser(cast.hr)
    form = {
        "first_name": "Eli",
        "last_name": "Employee",
        "employment_type": "full_time",
        "status": "active",
        "job_title": "Clerk",
        "manager": cleo.pk,
    }

    refused = client.post(f"/app/hr/employees/{eli.pk}", form)
    form["manager"] = ""
    saved = client.post(f"/app/hr/employees/{eli.pk}", form)

    assert refused.status_code == 422
    assert "would make a loop" in refused.content.decode()
    assert saved.status_code == 302
    assert Employee.objects.get(pk=eli.pk).job_title == "Clerk"
    assert browser(cast.manager).get(f"/app/hr/employees/{eli.pk}").status_code == 403


def test_upload_page_refuses_a_disguised_file(cast):
    response = browser(cast.hr).post(
        "/app/hr/documents/new",
        {
            "title": "Policy",
            "file": txt("policy.pdf", b"<script>x</script>"),
            "version": "1",
            "category": "policy",
            "audience": "everyone",
            "publish": "on",
            "requires_acknowledgement": "on",
        },
    )

    assert response.status_code == 422
    assert "not a PDF file" in response.content.decode()
    assert not HRDocument.objects.exists()


def test_documents_to_read_acknowledge_and_new_version(cast):
    hr = browser(cast.hr)
    hr.post(
        "/app/hr/documents/new",
        {
            "title": "Handbook",
            "file": txt(),
            "version": "1",
            "category": "policy",
            "audience": "everyone",
            "publish": "on",
            "requires_acknowledgement": "on",
        },
    )
    document = HRDocument.objects.get()
    employee = browser(cast.employee)

    page = employee.get("/app/hr/my-documents").content.decode()
    assert "I have read and understood “Handbook”" in page
    assert employee.post(f"/app/hr/documents/{document.pk}/acknowledge").status_code == 302
    assert "You acknowledged this version" in employee.get("/app/hr/my-documents").content.decode()

    hr.post(f"/app/hr/documents/{document.pk}", {"file": txt(content=b"v2\n"), "version": "2"})
    page = employee.get("/app/hr/my-documents").content.decode()
    assert "A new version was published" in page
    assert HRDocumentAcknowledgement.objects.count() == 1
    download = employee.get(f"/app/hr/documents/{document.pk}/download")
    assert b"".join(download.streaming_content) == b"v2\n"


def test_report_a_concern_named_then_tracked_in_my_tickets(cast):
    employee = browser(cast.employee)

    response = employee.post(
        "/app/hr/report", {"subject": "Unsafe ladder", "category": "safety", "priority": "high", "description": "x"}
    )

    ticket = Complaint.objects.get()
    assert response.status_code == 302
    assert ticket.reporter == cast.employee
    assert "Unsafe ladder" in employee.get("/app/hr/my-tickets").content.decode()
    assert employee.get(f"/app/hr/tickets/{ticket.pk}").status_code == 200


def test_anonymous_report_is_followed_by_private_link_and_names_nobody(cast):
    employee = browser(cast.employee)

    done = employee.post(
        "/app/hr/report",
        {
            "subject": "Pay gap",
            "category": "pay",
            "priority": "normal",
            "description": "Please look.",
            "anonymous": "on",
        },
    )

    ticket = Complaint.objects.get()
    assert ticket.reporter is None
    link = done.context["follow_url"]
    assert done["Cache-Control"] == "no-store"
    follow = employee.get(link.split("testserver", 1)[-1])
    assert follow.status_code == 200
    assert "Please look." in follow.content.decode()
    assert "Pay gap" not in employee.get("/app/hr/my-tickets").content.decode()
    queue = browser(cast.hr).get("/app/hr/tickets").content.decode()
    assert "Pay gap" in queue
    assert "Eli" not in queue.split("<table", 1)[1]
    detail = browser(cast.hr).get(f"/app/hr/tickets/{ticket.pk}").content.decode()
    assert "anonymous" in detail and "Eli Employee" not in detail.split("<dl", 1)[1]
    assert not AuditEvent.objects.filter(actor_user=cast.employee.user, action="complaint.create").exists()
    export = browser(cast.hr).get("/app/hr/tickets.csv").content.decode()
    assert "anonymous" in export and cast.employee.user.email not in export


def test_confidentiality_matrix_over_pages(cast, other_organisation):
    about = Employee.objects.get(membership=cast.colleague)
    ticket = ComplaintFactory(
        organisation=cast.office.organisation,
        reporter=cast.employee,
        about_employee=about,
        assignee=cast.hr2,
        subject="Secret subject",
    )
    ComplaintNoteFactory(complaint=ticket, body="Secret note")
    stranger = MembershipFactory(organisation=other_organisation)
    expected = {
        cast.employee: (200, False),
        cast.hr: (200, True),
        cast.hr2: (200, True),
        cast.owner: (404, None),
        cast.admin: (404, None),
        cast.manager: (404, None),
        cast.colleague: (404, None),
        cast.outsider_office_employee: (404, None),
        stranger: (404, None),
    }
    for membership, (status, sees_notes) in expected.items():
        response = browser(membership).get(f"/app/hr/tickets/{ticket.pk}")
        assert response.status_code == status, membership
        if status == 200:
            assert ("Secret note" in response.content.decode()) is sees_notes, membership
        else:
            assert "Secret subject" not in response.content.decode()
    assert "Secret subject" not in browser(cast.owner).get("/app/hr/").content.decode()
    for who in (cast.owner, cast.manager, cast.colleague):
        assert "Secret subject" not in browser(who).get("/app/hr/my-tickets").content.decode()


def test_hr_acts_on_a_ticket_from_its_page(cast):
    ticket = ComplaintFactory(organisation=cast.office.organisation, reporter=cast.employee)
    hr = browser(cast.hr)

    hr.post(f"/app/hr/tickets/{ticket.pk}", {"action": "assign", "assignee": cast.hr2.pk})
    hr.post(f"/app/hr/tickets/{ticket.pk}", {"action": "transition", "status": "in_progress"})
    hr.post(f"/app/hr/tickets/{ticket.pk}", {"action": "note", "body": "Called the reporter."})
    refused = browser(cast.employee).post(f"/app/hr/tickets/{ticket.pk}", {"action": "note", "body": "x"})

    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status, ticket.notes.get().body) == (
        cast.hr2,
        "in_progress",
        "Called the reporter.",
    )
    assert refused.status_code == 404


def test_stored_xss_is_rendered_inert(cast):
    eli = Employee.objects.get(membership=cast.employee)
    Employee.objects.filter(pk=eli.pk).update(job_title=XSS, department=XSS, emergency_contact_name=XSS)
    document = HRDocumentFactory(organisation=cast.office.organisation, title=XSS, summary=XSS)
    ticket = ComplaintFactory(
        organisation=cast.office.organisation, reporter=cast.employee, subject=XSS, description=XSS, resolution=XSS
    )
    ComplaintNoteFactory(complaint=ticket, body=XSS)
    pages = [
        (browser(cast.hr), "/app/hr/"),
        (browser(cast.hr), "/app/hr/directory"),
        (browser(cast.hr), f"/app/hr/employees/{eli.pk}"),
        (browser(cast.hr), "/app/hr/documents"),
        (browser(cast.hr), f"/app/hr/documents/{document.pk}"),
        (browser(cast.hr), "/app/hr/tickets"),
        (browser(cast.hr), f"/app/hr/tickets/{ticket.pk}"),
        (browser(cast.employee), "/app/hr/my-documents"),
        (browser(cast.employee), "/app/hr/my-tickets"),
        (browser(cast.employee), f"/app/hr/tickets/{ticket.pk}"),
    ]
    for client, path in pages:
        html = client.get(path).content.decode()
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html, path
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html or "&lt;script&gt;" in html, path


def test_csv_exports_neutralise_formulas(cast):
    Employee.objects.filter(membership=cast.employee).update(job_title='=HYPERLINK("http://evil")')

    text = browser(cast.hr).get("/app/hr/directory.csv").content.decode()

    assert "'=HYPERLINK" in text


def test_upload_page_shows_an_oversized_file_on_the_form(cast, settings, private_files):
    settings.UPLOAD_MAX_BYTES = 1000

    response = browser(cast.hr).post(
        "/app/hr/documents/new",
        {
            "title": "Policy",
            "file": txt("policy.txt", b"a" * 1001),
            "version": "1",
            "category": "policy",
            "audience": "everyone",
            "publish": "on",
        },
    )

    assert response.status_code == 422
    assert response.context["form"].errors["file"] == ["Larger than 1000 bytes."]
    assert "The file is 1001 bytes; the largest accepted is 1000 bytes." in response.content.decode()
    assert not HRDocument.objects.exists()
