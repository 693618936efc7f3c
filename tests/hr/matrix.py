"""The hr app's rows in the shared tenancy, query-count and GraphQL harnesses
(tests/platform/registry.py). Routes without an object id (upsert, follow, dashboard) have
explicit cross-tenant tests in tests/hr/test_api.py."""

from hr.models import LeaveAccount
from organisations.choices import Role
from tests.hr.factories import (
    ComplaintFactory,
    ComplaintNoteFactory,
    EmployeeExternalIdFactory,
    EmployeeFactory,
    HolidayFactory,
    HRDocumentAcknowledgementFactory,
    HRDocumentFactory,
    LeaveAccountFactory,
    LeaveLedgerEntryFactory,
    LeavePolicyFactory,
    LeaveRequestFactory,
    LeaveTypeFactory,
)
from tests.organisations.factories import MembershipFactory, OfficeFactory
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

RESOURCES += [
    Resource(
        name="hr-leave-types",
        list_url="/v1/hr/leave-types",
        make=lambda org: LeaveTypeFactory(organisation=org),
        mutations=(("patch", "", {"name": "Taken over"}),),
    ),
    Resource(
        name="hr-leave-policies",
        list_url="/v1/hr/leave-policies",
        make=lambda org: LeavePolicyFactory(leave_type__organisation=org),
        mutations=(("patch", "", {"name": "Taken over"}),),
    ),
    Resource(
        name="hr-holiday-groups",
        list_url="/v1/hr/holiday-groups",
        make=lambda org: HolidayFactory(group__organisation=org).group,
        mutations=(("patch", "", {"name": "Taken over"}),),
    ),
    Resource(
        name="hr-leave-balances",
        list_url="/v1/hr/leave-balances",
        make=lambda org: LeaveLedgerEntryFactory(account__employee__office__organisation=org).account,
        mutations=(("get", "/ledger", None),),
    ),
    Resource(
        name="hr-leave-requests",
        list_url="/v1/hr/leave-requests",
        make=lambda org: LeaveRequestFactory(employee__office__organisation=org),
        mutations=(
            ("post", "/approve", None),
            ("post", "/reject", {"reason": "Taken over"}),
            ("post", "/cancel", None),
        ),
    ),
]

#: routes without an object id; each has its cross-tenant test in tests/hr/test_api.py
# ``me`` answers only the caller (tests/hr/test_me.py); the leave adjustments and the request
# preview name their employee and type by id (tests/hr/test_leave_api.py: another tenant's are a 422)
NON_OBJECT_ROUTES = {
    "hr/employees/upsert",
    "hr/complaints/follow",
    "hr/dashboard",
    "me",
    "hr/leave-adjustments",
    "hr/leave-requests/preview",
}


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
    document = HRDocumentFactory(organisation=org, title=f"Doc {n:03d}", audience="offices")
    document.audience_offices.add(OfficeFactory(organisation=org))
    return document


#: the ledger list is listed under one balance, made with a known id
LEDGER_ACCOUNT_ID = 900_201


def make_ledger_row(org, n):
    account = LeaveAccount.objects.filter(pk=LEDGER_ACCOUNT_ID).first() or LeaveAccountFactory(
        id=LEDGER_ACCOUNT_ID, employee__office__organisation=org
    )
    return LeaveLedgerEntryFactory(account=account, kind="accrual" if n % 2 else "adjustment", hours=n + 1)


def make_leave_policy(org, n):
    policy = LeavePolicyFactory(leave_type__organisation=org, name=f"Policy {n:03d}")
    policy.offices.add(OfficeFactory(organisation=org))
    policy.employees.add(EmployeeFactory(office__organisation=org))
    return policy


def make_holiday_group(org, n):
    group = HolidayFactory(group__organisation=org, group__name=f"Holidays {n:03d}").group
    HolidayFactory(group=group)
    group.offices.add(OfficeFactory(organisation=org))
    return group


def make_balance(org, n):
    employee = make_employee(org, n)
    account = LeaveAccountFactory(employee=employee)
    LeaveLedgerEntryFactory(account=account, hours=40)
    LeaveRequestFactory(employee=employee, leave_type=account.leave_type)
    return account


def make_leave_request(org, n):
    return LeaveRequestFactory(employee=make_employee(org, n))


LISTS = [
    ("/v1/hr/employees", make_employee),
    ("/v1/hr/onboarding", make_employee),
    ("/v1/hr/documents", make_document),
    (f"/v1/hr/documents/{ACK_DOCUMENT_ID}/acknowledgements", make_acknowledgement_row),
    ("/v1/hr/complaints", make_complaint),
    ("/v1/hr/leave-types", lambda org, n: LeaveTypeFactory(organisation=org)),
    ("/v1/hr/leave-policies", make_leave_policy),
    ("/v1/hr/holiday-groups", make_holiday_group),
    ("/v1/hr/leave-balances", make_balance),
    (f"/v1/hr/leave-balances/{LEDGER_ACCOUNT_ID}/ledger", make_ledger_row),
    ("/v1/hr/leave-requests", make_leave_request),
]

GRAPHQL_NODES = [
    Node("Employee", lambda org: EmployeeFactory(office__organisation=org), "employees", "employee"),
    Node("HRDocument", lambda org: HRDocumentFactory(organisation=org), "hrDocuments", "hrDocument"),
    Node("HRComplaint", lambda org: ComplaintFactory(organisation=org), "hrComplaints", "hrComplaint"),
    Node(
        "LeaveBalance",
        lambda org: LeaveAccountFactory(employee__office__organisation=org),
        "leaveBalances",
        "leaveBalance",
    ),
    Node(
        "LeaveRequest",
        lambda org: LeaveRequestFactory(employee__office__organisation=org),
        "leaveRequests",
        "leaveRequest",
    ),
]
