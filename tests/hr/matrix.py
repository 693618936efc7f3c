"""The hr app's rows in the shared tenancy, query-count and GraphQL harnesses
(tests/platform/registry.py). Routes without an object id (upsert, follow, dashboard) have
explicit cross-tenant tests in tests/hr/test_api.py."""

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
from tests.platform.registry import Node, Resource

RESOURCES = [
    Resource(
        name="hr-employees",
        list_url="/v1/hr/employees",
        make=lambda org: EmployeeFactory(office__organisation=org),
        mutations=(
            ("patch", "", {"job_title": "Taken over"}),
            ("post", "/terminate", {}),
        ),
    ),
    Resource(
        # the onboarding tracker lists new employees; it has no detail of its own
        name="hr-onboarding",
        list_url="/v1/hr/onboarding",
        make=lambda org: EmployeeFactory(office__organisation=org),
        detail=False,
    ),
    Resource(
        name="hr-documents",
        list_url="/v1/hr/documents",
        make=lambda org: HRDocumentFactory(organisation=org),
        mutations=(
            ("patch", "", {"title": "Taken over"}),
            ("get", "/download", None),
            ("post", "/acknowledge", None),
            ("get", "/acknowledgements", None),
            ("post", "/versions", {"version": "2"}),
        ),
    ),
    Resource(
        name="hr-complaints",
        list_url="/v1/hr/complaints",
        make=lambda org: ComplaintFactory(organisation=org),
        mutations=(
            ("patch", "", {"priority": "urgent"}),
            ("post", "/assign", {"assignee_id": 1}),
            ("post", "/transition", {"status": "in_progress"}),
            ("post", "/notes", {"body": "Taken over"}),
        ),
    ),
]

#: routes without an object id; each has its cross-tenant test in tests/hr/test_api.py
# ``me`` answers only the caller (tests/hr/test_me.py)
NON_OBJECT_ROUTES = {"hr/employees/upsert", "hr/complaints/follow", "hr/dashboard", "me"}


def make_employee(org, n):
    manager = EmployeeFactory(office__organisation=org, last_name=f"Boss {n:03d}")
    employee = EmployeeFactory(
        office=manager.office,
        manager=manager,
        last_name=f"Person {n:03d}",
        membership=MembershipFactory(organisation=org, role=Role.EMPLOYEE),
    )
    EmployeeExternalIdFactory(employee=employee)
    return employee


#: the acknowledgement list is listed under one document, made with a known id
ACK_DOCUMENT_ID = 900_101


def make_acknowledgement_row(org, n):
    from hr.models import HRDocument

    document = HRDocument.objects.filter(pk=ACK_DOCUMENT_ID).first() or HRDocumentFactory(
        id=ACK_DOCUMENT_ID, organisation=org
    )
    if n % 2:
        return HRDocumentAcknowledgementFactory(document=document).employee
    return EmployeeFactory(office__organisation=org, membership=MembershipFactory(organisation=org))


def make_complaint(org, n):
    hr = MembershipFactory(organisation=org, role=Role.HR)
    complaint = ComplaintFactory(
        organisation=org, assignee=hr, about_employee=EmployeeFactory(office__organisation=org)
    )
    ComplaintNoteFactory(complaint=complaint, author=hr)
    return complaint


def make_document(org, n):
    from tests.organisations.factories import OfficeFactory

    document = HRDocumentFactory(organisation=org, title=f"Doc {n:03d}", audience="offices")
    document.audience_offices.add(OfficeFactory(organisation=org))
    return document


LISTS = [
    ("/v1/hr/employees", make_employee),
    ("/v1/hr/onboarding", make_employee),
    ("/v1/hr/documents", make_document),
    (f"/v1/hr/documents/{ACK_DOCUMENT_ID}/acknowledgements", make_acknowledgement_row),
    ("/v1/hr/complaints", make_complaint),
]

GRAPHQL_NODES = [
    Node("Employee", lambda org: EmployeeFactory(office__organisation=org), "employees", "employee"),
    Node("HRDocument", lambda org: HRDocumentFactory(organisation=org), "hrDocuments", "hrDocument"),
    Node("HRComplaint", lambda org: ComplaintFactory(organisation=org), "hrComplaints", "hrComplaint"),
]
