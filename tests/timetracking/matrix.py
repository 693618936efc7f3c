"""Time tracking's rows in the shared tenancy and query-count harnesses (tests/platform/registry.py)."""

import datetime

from organisations.choices import Role
from tests.hr.factories import EmployeeFactory
from tests.organisations.factories import MembershipFactory
from tests.platform.registry import Node, Resource
from tests.timetracking.factories import (
    ClientFactory,
    ContractFactory,
    ExpenseCategoryFactory,
    ExpenseFactory,
    ProjectFactory,
    ProjectViewerFactory,
    RateChangeFactory,
    TaskFactory,
    TimeEntryFactory,
    TimeRequestFactory,
    TimesheetFactory,
)


def make_entry(org):
    return TimeEntryFactory(employee__office__organisation=org)


def make_request(org):
    return TimeRequestFactory(employee__office__organisation=org)


def make_rate(org):
    """A pay rate of a future day: the one kind of row DELETE would remove."""
    contract = ContractFactory(employee__office__organisation=org)
    return RateChangeFactory(
        project=None, contract=contract, organisation=org, kind="pay", effective_from=datetime.date(2099, 1, 1)
    )


def make_expense(org):
    """A submitted expense (every transition has something to refuse)."""
    return ExpenseFactory(employee__office__organisation=org, status="submitted")


def make_draft_expense(org):
    """A draft expense (the one state, with rejected, that DELETE accepts)."""
    return ExpenseFactory(employee__office__organisation=org, status="draft")


def make_timesheet(org):
    return TimesheetFactory(employee__office__organisation=org, status="submitted")


RESOURCES = [
    Resource(
        name="clients",
        list_url="/v1/clients",
        make=lambda org: ClientFactory(organisation=org),
        mutations=(("patch", "", {"name": "Taken over"}), ("put", "", {"name": "Taken over"}), ("delete", "", None)),
    ),
    Resource(
        name="projects",
        list_url="/v1/projects",
        make=lambda org: ProjectFactory(client__organisation=org),
        mutations=(("patch", "", {"name": "Taken over"}), ("put", "", {"name": "Taken over"}), ("delete", "", None)),
    ),
    Resource(
        name="tasks",
        list_url="/v1/tasks",
        make=lambda org: TaskFactory(project__client__organisation=org),
        mutations=(("patch", "", {"name": "Taken over"}), ("put", "", {"status": "done"}), ("delete", "", None)),
    ),
    Resource(
        name="contracts",
        list_url="/v1/contracts",
        make=lambda org: ContractFactory(employee__office__organisation=org),
        mutations=(("patch", "", {"hourly_rate": "1.00"}), ("put", "", {"hourly_rate": "1.00"}), ("delete", "", None)),
    ),
    Resource(
        name="time-entries",
        list_url="/v1/time-entries",
        make=make_entry,
        mutations=(("patch", "", {"notes": "Taken over"}), ("put", "", {"billable": False}), ("delete", "", None)),
        # another tenant's ids are skipped as not found by the bulk action, another tenant's projects and
        # employees are refused by the import, and another tenant's import job is a 404:
        # tests/timetracking/test_tenancy.py
        covers=("time-entries/bulk", "time-entries/import-csv", "time-entries/imports/{id}"),
    ),
    Resource(
        name="timesheets",
        list_url="/v1/timesheets",
        make=make_timesheet,
        mutations=(
            ("post", "/submit", None),
            ("post", "/unsubmit", None),
            ("post", "/approve", None),
            ("post", "/reject", {"reason": "Taken over"}),
            ("post", "/reopen", {"reason": "Taken over"}),
        ),
        # another tenant's ids are skipped as not found by bulk-approve, and `current` and POST open
        # only the caller's own organisation's employees: tests/timetracking/test_timesheets.py
        covers=("timesheets/bulk-approve", "timesheets/current"),
    ),
    Resource(
        name="time-requests",
        list_url="/v1/time-requests",
        make=make_request,
        mutations=(
            ("post", "/approve", None),
            ("post", "/reject", {"reason": "Taken over"}),
            ("post", "/cancel", None),
        ),
    ),
    Resource(
        name="expenses",
        list_url="/v1/expenses",
        make=make_expense,
        mutations=(
            ("patch", "", {"description": "Taken over"}),
            ("delete", "", None),
            ("post", "/submit", None),
            ("post", "/approve", None),
            ("post", "/reject", {"reason": "Taken over"}),
            ("post", "/mark-reimbursed", {"reference": "Taken over"}),
            ("post", "/receipt", None),
        ),
        covers=("expenses/{id}/receipt",),
        make_deletable=make_draft_expense,
    ),
    Resource(
        name="expense-categories",
        list_url="/v1/expense-categories",
        make=lambda org: ExpenseCategoryFactory(organisation=org),
        mutations=(("patch", "", {"name": "Taken over"}),),
    ),
    Resource(name="rates", list_url="/v1/rates", make=make_rate, mutations=(("delete", "", None),)),
    Resource(
        name="project-viewers",
        list_url="/v1/project-viewers",
        make=lambda org: ProjectViewerFactory(project__client__organisation=org),
        mutations=(("patch", "", {"can_see_amounts": True}), ("delete", "", None)),
    ),
]

#: the actor's own timer, search, the summary report and the organisation's settings: each has an
#: explicit cross-tenant test in tests/timetracking/test_tenancy.py
NON_OBJECT_ROUTES = [
    "timer/status",
    "timer/start",
    "timer/stop",
    "search",
    "reports/summary",
    "reports/tracked-hours",
    "reports/timeline",
    "reports/tasks",
    "time-settings",
    "timesheet-settings",
]


def make_task(org, n):
    project = ProjectFactory(client__organisation=org, name=f"Project {n:03d}")
    return TaskFactory(project=project, name=f"Task {n:03d}", assignee=EmployeeFactory(office__organisation=org))


def make_list_entry(org, n):
    membership = MembershipFactory(organisation=org, role=Role.EMPLOYEE)
    employee = EmployeeFactory(office__organisation=org, membership=membership)
    task = TaskFactory(project__client__organisation=org)
    return TimeEntryFactory(employee=employee, project=task.project, task=task, tags="a,b")


def make_list_timesheet(org, n):
    """Each in its own office, with its own login and manager (the list renders all three)."""
    membership = MembershipFactory(organisation=org, role=Role.EMPLOYEE)
    manager = EmployeeFactory(office__organisation=org)
    employee = EmployeeFactory(office__organisation=org, membership=membership, manager=manager)
    return TimesheetFactory(employee=employee, status="approved", decided_by_label="Ada")


def make_list_request(org, n):
    """Each with its own login, office and project (the list renders the login and the name)."""
    membership = MembershipFactory(organisation=org, role=Role.EMPLOYEE)
    employee = EmployeeFactory(office__organisation=org, membership=membership)
    return TimeRequestFactory(employee=employee, project=ProjectFactory(client__organisation=org))


def make_list_rate(org, n):
    contract = ContractFactory(employee__office__organisation=org)
    return RateChangeFactory(
        project=None, contract=contract, organisation=org, effective_from=datetime.date(2026, 1, 1)
    )


def make_list_project_viewer(org, n):
    """Each viewer on their own project, under a client (the list renders project, login and email)."""
    return ProjectViewerFactory(project=ProjectFactory(client__organisation=org, name=f"Project {n:03d}"))


def make_list_expense(org, n):
    """Each with its own login, office, category and project (the list renders them)."""
    membership = MembershipFactory(organisation=org, role=Role.EMPLOYEE)
    employee = EmployeeFactory(office__organisation=org, membership=membership)
    project = ProjectFactory(client__organisation=org)
    return ExpenseFactory(employee=employee, project=project, client=project.client, billable=True)


LISTS = [
    ("/v1/clients", lambda org, n: ClientFactory(organisation=org, name=f"Client {n:03d}")),
    ("/v1/projects", lambda org, n: ProjectFactory(client__organisation=org, name=f"Project {n:03d}")),
    ("/v1/tasks", make_task),
    (
        "/v1/contracts",
        lambda org, n: ContractFactory(
            employee__office__organisation=org, project=ProjectFactory(client__organisation=org)
        ),
    ),
    ("/v1/time-entries", make_list_entry),
    ("/v1/timesheets", make_list_timesheet),
    ("/v1/time-requests", make_list_request),
    ("/v1/rates", make_list_rate),
    ("/v1/expenses", make_list_expense),
    ("/v1/expense-categories", lambda org, n: ExpenseCategoryFactory(organisation=org, name=f"Category {n:03d}")),
    ("/v1/project-viewers", make_list_project_viewer),
]

GRAPHQL_NODES = [
    Node("Client", lambda org: ClientFactory(organisation=org), "clients", "client"),
    Node("Project", lambda org: ProjectFactory(client__organisation=org), "projects", "project"),
    Node("Task", lambda org: TaskFactory(project__client__organisation=org), "tasks", "task"),
    Node("TimeEntry", make_entry, "timeEntries", "timeEntry"),
    Node("Timesheet", make_timesheet, "timesheets", "timesheet"),
    Node("TimeRequest", make_request, "timeRequests", "timeRequest"),
    Node("Expense", make_expense, "expenses", "expense"),
    Node(
        "ExpenseCategory", lambda org: ExpenseCategoryFactory(organisation=org), "expenseCategories", "expenseCategory"
    ),
    Node(
        "ProjectViewer",
        lambda org: ProjectViewerFactory(project__client__organisation=org),
        "projectViewers",
        "projectViewer",
    ),
]
