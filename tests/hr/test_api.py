"""REST of the hr app (issue 8): the directory, documents and acknowledgements, HR tickets."""

from __future__ import annotations

import pytest

from hr.models import Complaint, Employee, EmployeeExternalId, HRDocument, HRDocumentAcknowledgement
from integrations.models import OutboxEvent
from organisations.choices import Role
from organisations.models import AuditEvent
from tests.hr.conftest import PDF, PNG, person_client, txt
from tests.hr.factories import ComplaintFactory, EmployeeFactory, HRDocumentFactory
from tests.organisations.factories import MembershipFactory, OfficeFactory

pytestmark = pytest.mark.django_db


# =============================================================================
# Directory
# =============================================================================


def test_create_read_update_and_terminate_an_employee(api, organisation):
    office = OfficeFactory(organisation=organisation)

    created = api.post(
        "/v1/hr/employees",
        {
            "first_name": "Nina",
            "last_name": "North",
            "employee_number": "E-100",
            "job_title": "Account manager",
            "department": "Sales",
            "office_id": office.pk,
            "employment_type": "part_time",
            "hire_date": "2025-01-06",
            "pay_type": "hourly",
            "pay_rate": "24.50",
            "emergency_contact": {"name": "Sam North", "phone": "+1 555 0100", "relationship": "spouse"},
            "external_ids": {"tracktik": "1042"},
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["display_name"] == "Nina North"
    assert body["emergency_contact"] == {"name": "Sam North", "phone": "+1 555 0100", "relationship": "spouse"}
    assert body["external_ids"] == {"tracktik": "1042"}
    assert (body["pay_type"], body["pay_rate"], body["currency"]) == ("hourly", "24.50", "USD")

    patched = api.patch(f"/v1/hr/employees/{body['id']}", {"job_title": "Team lead"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["job_title"] == "Team lead"
    assert api.get(f"/v1/hr/employees/{body['id']}").json()["job_title"] == "Team lead"

    terminated = api.post(f"/v1/hr/employees/{body['id']}/terminate", {"termination_date": "2025-06-30"}, format="json")
    assert terminated.status_code == 200
    assert (terminated.json()["status"], terminated.json()["termination_date"]) == ("terminated", "2025-06-30")
    again = api.post(f"/v1/hr/employees/{body['id']}/terminate", {}, format="json")
    assert again.status_code == 409
    assert Employee.objects.filter(pk=body["id"]).exists()  # terminated, never deleted
    assert api.delete(f"/v1/hr/employees/{body['id']}").status_code == 405


def test_terminating_by_patch_is_refused(api, organisation):
    employee = EmployeeFactory(office__organisation=organisation)

    response = api.patch(f"/v1/hr/employees/{employee.pk}", {"status": "terminated"}, format="json")

    assert response.status_code == 422
    assert response.json()["errors"] == {"status": ["Use terminate to end someone's employment."]}


def test_directory_filters(api, organisation):
    office = OfficeFactory(organisation=organisation)
    boss = EmployeeFactory(office=office, last_name="Boss", department="Sales")
    report = EmployeeFactory(office=office, last_name="Report", department="sales", manager=boss)
    elsewhere = EmployeeFactory(office__organisation=organisation, last_name="Else", status="on_leave")
    hr_member = MembershipFactory(organisation=organisation, role=Role.HR)
    hr_employee = EmployeeFactory(office__organisation=organisation, last_name="Hr", membership=hr_member)

    def ids(query):
        return [row["id"] for row in api.get(f"/v1/hr/employees?{query}").json()["results"]]

    assert ids(f"office_id={office.pk}") == [boss.pk, report.pk]
    assert ids("department=SALES") == [boss.pk, report.pk]
    assert ids(f"manager_id={boss.pk}") == [report.pk]
    assert ids("status=on_leave") == [elsewhere.pk]
    assert ids("role=hr") == [hr_employee.pk]
    assert ids("updated_after=2000-01-01T00:00:00Z") == [boss.pk, elsewhere.pk, hr_employee.pk, report.pk]
    assert ids("q=repo") == [report.pk]
    bad = api.get("/v1/hr/employees?status=fired")
    assert bad.status_code == 422
    assert list(bad.json()["errors"]) == ["status"]


def test_manager_cycles_are_refused(api, organisation):
    a = EmployeeFactory(office__organisation=organisation)
    b = EmployeeFactory(office=a.office, manager=a)
    c = EmployeeFactory(office=a.office, manager=b)

    self_managed = api.patch(f"/v1/hr/employees/{a.pk}", {"manager_id": a.pk}, format="json")
    loop = api.patch(f"/v1/hr/employees/{a.pk}", {"manager_id": c.pk}, format="json")

    assert self_managed.status_code == 422
    assert self_managed.json()["errors"] == {"manager": ["An employee cannot be their own manager."]}
    assert loop.status_code == 422
    assert loop.json()["errors"] == {
        "manager": ["This manager reports (directly or indirectly) to this employee: that would make a loop."]
    }
    assert Employee.objects.get(pk=a.pk).manager_id is None


def test_another_tenants_manager_or_office_is_refused_as_missing(api, organisation, other_organisation):
    theirs = EmployeeFactory(office__organisation=other_organisation)

    response = api.post(
        "/v1/hr/employees",
        {"first_name": "X", "manager_id": theirs.pk, "office_id": theirs.office_id},
        format="json",
    )

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"manager_id", "office_id"}
    assert "object does not exist" in str(response.json()["errors"])


def test_upsert_creates_then_updates_and_is_idempotent(api, organisation):
    rows = {
        "source": "tracktik",
        "employees": [
            {"external_id": "T-1", "first_name": "Ada", "last_name": "Lovelace", "job_title": "Guard"},
            {"external_id": "T-2", "first_name": "Alan", "last_name": "Turing"},
        ],
    }

    first = api.post("/v1/hr/employees/upsert", rows, format="json")
    second = api.post("/v1/hr/employees/upsert", rows, format="json")
    rows["employees"][0]["job_title"] = "Supervisor"
    third = api.post("/v1/hr/employees/upsert", rows, format="json")

    assert first.status_code == 200, first.json()
    assert (first.json()["created"], first.json()["updated"]) == (2, 0)
    assert (second.json()["created"], second.json()["updated"]) == (0, 2)
    assert [r["id"] for r in second.json()["results"]] == [r["id"] for r in first.json()["results"]]
    assert Employee.objects.for_organisation(organisation).count() == 2
    assert EmployeeExternalId.objects.for_organisation(organisation).count() == 2
    assert third.json()["created"] == 0
    assert Employee.objects.get(external_ids__external_id="T-1").job_title == "Supervisor"
    # an unchanged row records no event
    updates = OutboxEvent.objects.filter(organisation=organisation, topic="hr.employee.updated").count()
    assert updates == 1


def test_upsert_reports_each_bad_row_and_commits_nothing(api, organisation):
    response = api.post(
        "/v1/hr/employees/upsert",
        {
            "source": "custom",
            "employees": [
                {"external_id": "C-1", "first_name": "Ok"},
                {"external_id": "C-2", "first_name": "Bad", "email": "not-an-email"},
                {"external_id": "C-1", "first_name": "Twice"},
            ],
        },
        format="json",
    )

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"employees[1].email"}
    assert Employee.objects.for_organisation(organisation).count() == 0

    duplicate = api.post(
        "/v1/hr/employees/upsert",
        {
            "source": "custom",
            "employees": [{"external_id": "C-1", "first_name": "A"}, {"external_id": "C-1", "first_name": "B"}],
        },
        format="json",
    )
    assert duplicate.json()["errors"] == {"employees[1].external_id": ["Appears twice in this request."]}
    assert Employee.objects.for_organisation(organisation).count() == 0


def test_upsert_never_touches_another_tenants_employee(api, other_api, organisation, other_organisation):
    other_api.post(
        "/v1/hr/employees/upsert",
        {"source": "tracktik", "employees": [{"external_id": "T-9", "first_name": "Theirs"}]},
        format="json",
    )

    ours = api.post(
        "/v1/hr/employees/upsert",
        {"source": "tracktik", "employees": [{"external_id": "T-9", "first_name": "Ours"}]},
        format="json",
    )

    assert ours.json()["created"] == 1
    assert Employee.objects.for_organisation(other_organisation).get().first_name == "Theirs"
    assert Employee.objects.for_organisation(organisation).get().first_name == "Ours"


@pytest.mark.parametrize(
    ("role", "sees_pay"),
    [
        (Role.OWNER, True),
        (Role.ADMIN, True),
        (Role.HR, True),
        (Role.MANAGER, False),
        (Role.EMPLOYEE, False),
        (Role.PRODUCER, False),
    ],
)
def test_pay_is_only_in_the_representation_for_hr_owners_and_admins(cast, role, sees_pay):
    target = cast.employee_of(cast.employee)
    Employee.objects.filter(pk=target.pk).update(pay_type="salary", pay_rate="52000.00")
    viewer = {
        Role.OWNER: cast.owner,
        Role.ADMIN: cast.admin,
        Role.HR: cast.hr,
        Role.MANAGER: cast.manager,
        Role.EMPLOYEE: cast.employee,
    }.get(role) or MembershipFactory(organisation=cast.office.organisation, role=Role.PRODUCER, office=cast.office)
    if role == Role.PRODUCER:
        Employee.objects.filter(pk=target.pk).update(membership=viewer)
        Employee.objects.filter(membership=cast.employee).update(membership=None)
    client = person_client(viewer)

    listed = client.get("/v1/hr/employees").json()["results"]
    detail = client.get(f"/v1/hr/employees/{target.pk}").json()

    row = next(r for r in listed if r["id"] == target.pk)
    assert ("pay_rate" in row) is sees_pay
    assert ("pay_type" in detail) is sees_pay
    if sees_pay:
        assert (detail["pay_type"], detail["pay_rate"]) == ("salary", "52000.00")


def test_who_sees_which_employees(cast):
    def names(membership):
        return sorted(r["last_name"] for r in person_client(membership).get("/v1/hr/employees").json()["results"])

    everyone = sorted(["Owner", "Admin", "Hr", "Hr", "Manager", "Employee", "Colleague", "Other"])
    assert names(cast.hr) == everyone
    assert names(cast.owner) == everyone
    assert names(cast.manager) == sorted(["Owner", "Admin", "Hr", "Hr", "Manager", "Employee", "Colleague"])
    assert names(cast.employee) == ["Employee"]


def test_only_hr_owners_and_admins_edit_the_directory(cast):
    target = cast.employee_of(cast.colleague)

    by_manager = person_client(cast.manager).patch(f"/v1/hr/employees/{target.pk}", {"job_title": "x"}, format="json")
    by_self = person_client(cast.colleague).patch(f"/v1/hr/employees/{target.pk}", {"job_title": "x"}, format="json")
    by_hr = person_client(cast.hr).patch(f"/v1/hr/employees/{target.pk}", {"job_title": "Clerk"}, format="json")

    assert (by_manager.status_code, by_self.status_code, by_hr.status_code) == (403, 403, 200)


def test_hr_cannot_grant_roles_but_an_owner_can(cast):
    target = cast.employee_of(cast.colleague)

    by_hr = person_client(cast.hr).patch(f"/v1/hr/employees/{target.pk}", {"role": "owner"}, format="json")
    by_admin = person_client(cast.admin).patch(f"/v1/hr/employees/{target.pk}", {"role": "owner"}, format="json")
    by_owner = person_client(cast.owner).patch(f"/v1/hr/employees/{target.pk}", {"role": "hr"}, format="json")

    assert by_hr.status_code == 403
    assert by_admin.status_code == 403
    assert by_owner.status_code == 200
    assert by_owner.json()["role"] == "hr"
    cast.colleague.refresh_from_db()
    assert cast.colleague.role == Role.HR


def test_upsert_without_hr_write_scope_is_403(make_api_client, organisation):
    client = make_api_client(organisation, scopes=["hr.read"])

    response = client.post("/v1/hr/employees/upsert", {"source": "x", "employees": []}, format="json")

    assert response.status_code == 403
    assert response.json()["required_scope"] == "hr.write"


# =============================================================================
# Documents
# =============================================================================


def upload(client, file, **fields):
    return client.post("/v1/hr/documents", {"title": "Handbook", "file": file, **fields}, format="multipart")


def test_upload_list_and_download(api, organisation, private_files):
    response = upload(api, txt(content=b"Rule one: be kind.\n"), version="2025.1", category="policy")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["version"] == "2025.1"
    assert body["current_version"]["content_type"] == "text/plain"
    assert body["is_published"] is True
    document = HRDocument.objects.get(pk=body["id"])
    stored = private_files / document.current_version.storage_path
    assert stored.read_bytes() == b"Rule one: be kind.\n"
    assert "handbook" not in document.current_version.storage_path  # our path, not the uploaded name

    download = api.get(f"/v1/hr/documents/{body['id']}/download")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"Rule one: be kind.\n"
    assert download["Content-Disposition"] == 'attachment; filename="handbook.txt"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert [d["id"] for d in api.get("/v1/hr/documents").json()["results"]] == [body["id"]]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("policy.pdf", b"<html><script>alert(1)</script></html>", "The file's content is not a PDF file"),
        ("photo.png", PDF, "The file's content is not a PNG file"),
        ("notes.txt", PNG, "The file's content is not a TXT file"),
        ("payload.exe", b"MZ\x90\x00", "Upload a PDF, DOCX, PNG, JPEG or TXT file"),
        ("page.html", b"<b>hi</b>", "Upload a PDF, DOCX, PNG, JPEG or TXT file"),
        ("empty.txt", b"", "The submitted file is empty."),
    ],
)
def test_uploads_of_the_wrong_type_are_refused_by_content(api, organisation, name, content, message):
    response = upload(api, txt(name, content))

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["file"]
    assert response.json()["errors"]["file"][0].startswith(message)
    assert not HRDocument.objects.exists()


def test_an_oversized_upload_is_a_413_problem(api, organisation, settings, private_files):
    settings.UPLOAD_MAX_BYTES = 1000

    response = upload(api, txt(content=b"a" * 1001))

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/payload-too-large")
    assert response.json()["errors"] == {"file": ["Larger than 1000 bytes."]}
    assert not HRDocument.objects.exists()
    assert not private_files.exists() or not any(p.is_file() for p in private_files.rglob("*"))


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\boot.txt", "boot.txt"),
        ("/abs/path/notes.txt", "notes.txt"),
        ('<img src=x onerror=alert(1)>".txt', "_img src_x onerror_alert(1)__.txt"),
    ],
)
def test_path_tricks_in_names_are_neutralised(api, organisation, private_files, name, kept):
    response = upload(api, txt(name))

    assert response.status_code == 201, response.json()
    version = HRDocument.objects.get().current_version
    assert version.file_name == kept
    stored = (private_files / version.storage_path).resolve()
    assert private_files.resolve() in stored.parents
    assert stored.is_file()


def test_pdf_and_png_uploads_are_accepted(api, organisation):
    assert upload(api, txt("policy.pdf", PDF)).json()["current_version"]["content_type"] == "application/pdf"
    assert upload(api, txt("chart.PNG", PNG)).json()["current_version"]["content_type"] == "image/png"


def test_acknowledgement_is_per_version(cast, private_files):
    hr = person_client(cast.hr)
    document_id = upload(hr, txt()).json()["id"]
    employee = person_client(cast.employee)

    first = employee.post(f"/v1/hr/documents/{document_id}/acknowledge")
    repeat = employee.post(f"/v1/hr/documents/{document_id}/acknowledge")
    assert (first.status_code, repeat.status_code) == (201, 200)
    assert repeat.json()["id"] == first.json()["id"]
    assert first.json()["version_number"] == 1

    pending = hr.get(f"/v1/hr/documents/{document_id}/acknowledgements?state=pending").json()["results"]
    done = hr.get(f"/v1/hr/documents/{document_id}/acknowledgements?state=acknowledged").json()["results"]
    assert [r["display_name"] for r in done] == ["Eli Employee"]
    assert "Eli Employee" not in [r["display_name"] for r in pending]
    assert len(pending) == 7

    new_version = hr.post(
        f"/v1/hr/documents/{document_id}/versions",
        {"file": txt(content=b"Rule two.\n"), "version": "2"},
        format="multipart",
    )
    assert new_version.status_code == 201
    assert new_version.json()["version"] == "2"
    done = hr.get(f"/v1/hr/documents/{document_id}/acknowledgements?state=acknowledged").json()["results"]
    assert done == []  # everyone acknowledges again

    second = employee.post(f"/v1/hr/documents/{document_id}/acknowledge")
    assert second.status_code == 201
    assert second.json()["version_number"] == 2
    assert HRDocumentAcknowledgement.objects.filter(employee__membership=cast.employee).count() == 2
    topics = list(
        OutboxEvent.objects.filter(topic__startswith="hr.document").order_by("id").values_list("topic", flat=True)
    )
    assert topics == [
        "hr.document.published",
        "hr.document.acknowledged",
        "hr.document.published",
        "hr.document.acknowledged",
    ]


def test_acknowledgement_status_is_hr_only(cast):
    document = HRDocumentFactory(organisation=cast.office.organisation)

    assert person_client(cast.employee).get(f"/v1/hr/documents/{document.pk}/acknowledgements").status_code == 403
    assert person_client(cast.manager).get(f"/v1/hr/documents/{document.pk}/acknowledgements").status_code == 403
    assert person_client(cast.hr).get(f"/v1/hr/documents/{document.pk}/acknowledgements").status_code == 200


def test_documents_are_visible_and_downloadable_by_their_audience_only(cast, private_files):
    hr = person_client(cast.hr)
    harbour = upload(hr, txt(), audience="offices", office_ids=[cast.other_office.pk]).json()
    managers = upload(hr, txt(), audience="roles", roles=["manager"]).json()
    draft = upload(hr, txt(), publish="false").json()

    def visible(membership):
        return sorted(d["id"] for d in person_client(membership).get("/v1/hr/documents").json()["results"])

    assert visible(cast.outsider_office_employee) == [harbour["id"]]
    assert visible(cast.manager) == [managers["id"]]
    assert visible(cast.employee) == []
    assert visible(cast.hr) == sorted([harbour["id"], managers["id"], draft["id"]])
    employee = person_client(cast.employee)
    assert employee.get(f"/v1/hr/documents/{harbour['id']}/download").status_code == 404
    assert employee.post(f"/v1/hr/documents/{harbour['id']}/acknowledge").status_code == 404
    assert (
        person_client(cast.outsider_office_employee).get(f"/v1/hr/documents/{harbour['id']}/download").status_code
        == 200
    )


def test_only_hr_owners_and_admins_upload(cast):
    response = upload(person_client(cast.manager), txt())

    assert response.status_code == 403
    assert not HRDocument.objects.exists()


def test_acknowledging_without_an_employee_record_is_refused(api, organisation):
    document = HRDocumentFactory(organisation=organisation)

    response = api.post(f"/v1/hr/documents/{document.pk}/acknowledge")

    assert response.status_code == 403
    assert response.json()["detail"] == "Only a person with an employee record can acknowledge a document."


# =============================================================================
# Tickets
# =============================================================================


def file_ticket(client, **fields):
    body = {"subject": "Shouting in meetings", "description": "It happened twice.", "category": "conduct", **fields}
    return client.post("/v1/hr/complaints", body, format="json")


def test_the_confidentiality_matrix_over_rest(cast, other_api):
    about = cast.employee_of(cast.colleague)
    created = file_ticket(person_client(cast.employee), about_employee_id=about.pk, priority="high")
    assert created.status_code == 201, created.json()
    ticket_id = created.json()["id"]
    person_client(cast.hr).post(f"/v1/hr/complaints/{ticket_id}/assign", {"assignee_id": cast.hr2.pk}, format="json")

    expected = {
        "reporter": (cast.employee, True),
        "hr": (cast.hr, True),
        "assignee": (cast.hr2, True),
        "owner": (cast.owner, False),
        "admin": (cast.admin, False),
        "manager": (cast.manager, False),
        "subject of the ticket": (cast.colleague, False),
        "other employee": (cast.outsider_office_employee, False),
    }
    for who, (membership, sees) in expected.items():
        client = person_client(membership)
        listed = [t["id"] for t in client.get("/v1/hr/complaints").json()["results"]]
        searched = [t["id"] for t in client.get("/v1/hr/complaints?q=shouting").json()["results"]]
        detail = client.get(f"/v1/hr/complaints/{ticket_id}")
        assert (ticket_id in listed, ticket_id in searched, detail.status_code == 200) == (sees, sees, sees), who
        if not sees:
            assert detail.status_code == 404, who
    assert other_api.get(f"/v1/hr/complaints/{ticket_id}").status_code == 404
    assert other_api.get("/v1/hr/complaints").json()["results"] == []


def test_hr_who_is_the_subject_of_a_ticket_cannot_see_it(cast):
    about_hr = cast.employee_of(cast.hr)
    ticket_id = file_ticket(person_client(cast.employee), about_employee_id=about_hr.pk).json()["id"]

    assert person_client(cast.hr).get(f"/v1/hr/complaints/{ticket_id}").status_code == 404
    assert person_client(cast.hr2).get(f"/v1/hr/complaints/{ticket_id}").status_code == 200
    refused = person_client(cast.hr2).post(
        f"/v1/hr/complaints/{ticket_id}/assign", {"assignee_id": cast.hr.pk}, format="json"
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"assignee_id": ["A ticket is never assigned to the person it is about."]}


def test_assignment_goes_to_active_hr_members_only(cast):
    ticket_id = file_ticket(person_client(cast.employee)).json()["id"]
    hr = person_client(cast.hr)

    to_manager = hr.post(f"/v1/hr/complaints/{ticket_id}/assign", {"assignee_id": cast.manager.pk}, format="json")
    by_reporter = person_client(cast.employee).post(
        f"/v1/hr/complaints/{ticket_id}/assign", {"assignee_id": cast.hr.pk}, format="json"
    )

    assert to_manager.status_code == 422
    assert to_manager.json()["errors"] == {"assignee_id": ["Tickets are assigned to active HR members only."]}
    assert by_reporter.status_code == 403


def test_anonymous_ticket_hides_the_reporter_everywhere(cast, organisation):
    reporter = person_client(cast.employee)

    created = file_ticket(reporter, anonymous=True, description="My manager takes credit.")

    assert created.status_code == 201
    body = created.json()
    assert body["reporter"] is None and body["anonymous"] is True
    token = body["follow_token"]
    complaint = Complaint.objects.get(pk=body["id"])
    assert complaint.reporter_id is None
    assert token not in complaint.follow_token_hash
    hr_view = person_client(cast.hr).get(f"/v1/hr/complaints/{body['id']}").json()
    assert hr_view["reporter"] is None
    assert "follow_token" not in hr_view
    # not even in the reporter's own list: nothing links them to it
    assert reporter.get("/v1/hr/complaints").json()["results"] == []
    # the event and the audit trail name nobody
    event = OutboxEvent.objects.get(topic="hr.complaint.created")
    assert event.actor_label == ""
    audit = AuditEvent.objects.get(action="complaint.create")
    assert (audit.actor_user_id, audit.actor_label, audit.api_token_id) == (None, "system", None)
    assert not AuditEvent.objects.filter(actor_user=cast.employee.user).exists()

    followed = reporter.post("/v1/hr/complaints/follow", {"token": token}, format="json")
    assert followed.status_code == 200
    assert followed.json()["description"] == "My manager takes credit."
    assert "notes" not in followed.json() and "reporter" not in followed.json()
    wrong = reporter.post("/v1/hr/complaints/follow", {"token": token[:-2] + "xx"}, format="json")
    assert wrong.status_code == 404


def test_follow_token_of_another_tenant_is_404(cast, other_organisation, make_api_client):
    token = file_ticket(person_client(cast.employee), anonymous=True).json()["follow_token"]
    stranger = person_client(MembershipFactory(organisation=other_organisation))

    response = stranger.post("/v1/hr/complaints/follow", {"token": token}, format="json")

    assert response.status_code == 404


def test_webhook_payload_of_a_new_ticket_has_no_personal_data(cast):
    about = cast.employee_of(cast.colleague)
    body = file_ticket(person_client(cast.employee), about_employee_id=about.pk, priority="urgent").json()

    event = OutboxEvent.objects.get(topic="hr.complaint.created")

    assert event.payload == {
        "id": body["id"],
        "reference": f"HR-{body['id']}",
        "category": "conduct",
        "priority": "urgent",
        "status": "open",
        "anonymous": False,
        "assigned": False,
        "created_at": body["created_at"],
    }
    assert event.actor_label == ""
    text = str(event.payload).lower()
    for personal in ("eli", "cleo", "employee", "colleague", "shouting", "twice", "@", "reporter", "about"):
        assert personal not in text, personal


def test_status_workflow_and_internal_notes(cast):
    ticket_id = file_ticket(person_client(cast.employee)).json()["id"]
    hr = person_client(cast.hr)

    skip = hr.post(f"/v1/hr/complaints/{ticket_id}/transition", {"status": "resolved"}, format="json")
    assert skip.status_code == 409
    assert skip.json()["allowed"] == ["in_progress"]
    for status in ("in_progress", "waiting", "in_progress"):
        assert (
            hr.post(f"/v1/hr/complaints/{ticket_id}/transition", {"status": status}, format="json").status_code == 200
        )
    no_resolution = hr.post(f"/v1/hr/complaints/{ticket_id}/transition", {"status": "resolved"}, format="json")
    assert no_resolution.status_code == 422
    noted = hr.post(f"/v1/hr/complaints/{ticket_id}/notes", {"body": "Spoke to the team lead."}, format="json")
    assert noted.status_code == 201
    assert [n["body"] for n in noted.json()["notes"]] == ["Spoke to the team lead."]
    resolved = hr.post(
        f"/v1/hr/complaints/{ticket_id}/transition",
        {"status": "resolved", "resolution": "Coaching agreed."},
        format="json",
    )
    assert resolved.json()["status"] == "resolved" and resolved.json()["resolved_at"]
    assert hr.post(f"/v1/hr/complaints/{ticket_id}/transition", {"status": "closed"}, format="json").status_code == 200

    reporter_view = person_client(cast.employee).get(f"/v1/hr/complaints/{ticket_id}").json()
    assert reporter_view["resolution"] == "Coaching agreed."
    assert "notes" not in reporter_view
    assert (
        person_client(cast.employee)
        .post(f"/v1/hr/complaints/{ticket_id}/notes", {"body": "x"}, format="json")
        .status_code
        == 403
    )


def test_ticket_filed_by_an_integration_is_refused(api):
    response = file_ticket(api)

    assert response.status_code == 403


def test_dashboard_counts_and_is_for_the_hr_portal_only(cast, other_organisation):
    ComplaintFactory(organisation=cast.office.organisation, priority="urgent")
    ComplaintFactory(organisation=cast.office.organisation, status="closed")
    ComplaintFactory(organisation=other_organisation, priority="urgent")

    body = person_client(cast.owner).get("/v1/hr/dashboard").json()

    assert body["headcount"]["total"] == 8
    assert body["tickets"]["open"] == 1
    assert body["tickets"]["open_by_priority"]["urgent"] == 1
    assert body["tickets"]["by_status"]["closed"] == 1
    assert person_client(cast.employee).get("/v1/hr/dashboard").status_code == 403
    assert person_client(cast.manager).get("/v1/hr/dashboard").status_code == 403


def test_dashboard_of_another_tenant_counts_nothing_of_ours(cast, other_api):
    ComplaintFactory(organisation=cast.office.organisation)

    body = other_api.get("/v1/hr/dashboard").json()

    assert body["headcount"]["total"] == 0
    assert body["tickets"]["open"] == 0


def test_onboarding_lists_new_employees_with_their_checks(cast):
    rows = person_client(cast.hr).get("/v1/hr/onboarding").json()["results"]

    eli = next(r for r in rows if r["display_name"] == "Eli Employee")
    assert [c["key"] for c in eli["checks"]] == [
        "account_active",
        "first_login",
        "documents_acknowledged",
        "workspace_assigned",
        "profile_complete",
    ]
    checks = {c["key"]: c["done"] for c in eli["checks"]}
    assert checks == {
        "account_active": True,
        "first_login": False,
        "documents_acknowledged": True,
        "workspace_assigned": False,
        "profile_complete": False,
    }
    assert eli["progress"] == 40
    assert person_client(cast.employee).get("/v1/hr/onboarding").status_code == 403


def test_the_audit_trail_keeps_no_ticket_text(cast):
    ticket_id = file_ticket(person_client(cast.employee)).json()["id"]
    hr = person_client(cast.hr)

    hr.post(f"/v1/hr/complaints/{ticket_id}/notes", {"body": "Witness says yes."}, format="json")
    hr.post(f"/v1/hr/complaints/{ticket_id}/transition", {"status": "in_progress"}, format="json")

    rows = AuditEvent.objects.filter(object_type="hr.Complaint").order_by("id")
    text = str([row.changes for row in rows])
    assert "Witness" not in text and "Shouting" not in text and "twice" not in text
    assert rows.last().changes == {"status": ["open", "in_progress"]}
