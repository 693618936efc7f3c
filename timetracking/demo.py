"""Demo data of time tracking for ``manage.py seed_demo`` (organisations/management/commands/seed_demo.py).

``seed(organisation)`` is idempotent: clients, projects and tasks are looked up by name, and each
employee's week of entries by its external id (``demo-<employee>-<n>``), so running it again adds
nothing. Entries go through the services, like any other time. Each employee's timesheet of that
week is submitted, so managers find it in their approval inbox (issue 15). One client's bill rate
changes mid-week (a dated rate), so the reports price its days at two rates.
"""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from hr import selectors as hr_selectors
from organisations.actors import system_actor
from organisations.choices import Role
from organisations.models import Membership

from . import services
from .choices import ProjectStatus, RateKind, TaskStatus, TimesheetStatus
from .models import Client, ExpenseCategory, Project, ProjectViewer, RateChange, Task, TimeEntry, TimeRequest

CLIENTS = (
    ("Harbor Logistics", "ops@harbor.example", "Harbor Logistics LLC", Decimal("95.00")),
    ("Northwind Dental", "office@northwind.example", "Northwind Dental Group", Decimal("85.00")),
)
#: (project, client, hourly rate, estimated hours, tasks)
PROJECTS = (
    ("Fleet policy renewal", "Harbor Logistics", Decimal("120.00"), Decimal("60"), ("Gather quotes", "Client review")),
    ("Practice cover audit", "Northwind Dental", None, Decimal("24"), ("Document review", "Risk report")),
    ("Internal training", None, None, Decimal("16"), ("Compliance module",)),
)
#: (weekday offset from Monday, local start hour, minutes, project index, task index, billable)
WEEK = (
    (0, 9, 150, 0, 0, True),
    (1, 10, 120, 1, 0, True),
    (2, 9, 90, 0, 1, True),
    (3, 13, 60, 2, 0, False),
    (4, 9, 180, 1, 1, True),
)


@transaction.atomic
def seed(organisation) -> None:
    actor = system_actor(organisation)
    clients = {}
    for name, email, company, rate in CLIENTS:
        clients[name] = Client.objects.for_organisation(organisation).filter(
            name=name
        ).first() or services.client_create(actor=actor, name=name, email=email, company=company, default_rate=rate)
    projects = []
    for name, client_name, rate, estimate, task_names in PROJECTS:
        project = Project.objects.for_organisation(organisation).filter(name=name).first()
        if project is None:
            project = services.project_create(
                actor=actor,
                name=name,
                client=clients.get(client_name),
                hourly_rate=rate,
                estimated_hours=estimate,
                billable=client_name is not None,
                status=ProjectStatus.ACTIVE,
            )
        tasks = []
        for task_name in task_names:
            task = Task.objects.for_organisation(organisation).filter(project=project, name=task_name).first()
            tasks.append(
                task
                or services.task_create(actor=actor, project=project, name=task_name, status=TaskStatus.IN_PROGRESS)
            )
        projects.append((project, tasks))
    _seed_viewers(organisation, projects[0][0] if projects else None)

    today = timezone.now().date()
    monday = today - datetime.timedelta(days=today.weekday() + 7)  # last week: every day is complete
    employees = hr_selectors.employee_active_list(organisation=organisation)
    for employee in employees:
        tz = zoneinfo.ZoneInfo(employee.office.timezone if employee.office_id else organisation.timezone)
        for n, (offset, hour, minutes, project_index, task_index, billable) in enumerate(WEEK):
            external_id = f"demo-{employee.pk}-{n}"
            if TimeEntry.objects.for_organisation(organisation).filter(external_id=external_id).exists():
                continue
            project, tasks = projects[project_index]
            start = datetime.datetime.combine(monday + datetime.timedelta(days=offset), datetime.time(hour), tzinfo=tz)
            services.time_entry_create(
                actor=actor,
                employee=employee,
                project=project,
                task=tasks[task_index],
                start_time=start,
                end_time=start + datetime.timedelta(minutes=minutes),
                notes="Demo entry",
                tags="demo",
                billable=billable,
                external_id=external_id,
            )
        timesheet, _created = services.timesheet_open(actor=actor, employee=employee, day=monday)
        if (
            timesheet.status == TimesheetStatus.OPEN
            and not TimeEntry.objects.filter(employee=employee, end_time__isnull=True).exists()
        ):
            services.timesheet_submit(actor=actor, timesheet=timesheet)
    _seed_time_request(actor, employees.first(), projects[0][0], monday)
    _seed_expenses(actor, employees.first(), projects[0][0], monday)
    _seed_rate_change(actor, clients.get("Northwind Dental"), monday)


def _seed_rate_change(actor, client, monday: datetime.date) -> None:
    """Northwind Dental's rate goes from 85.00 to 90.00 on the demo week's Thursday (issue 15
    point 5): its Tuesday's hours bill at the old rate and Friday's at the new one, in every
    report and export. Once."""
    if client is None or RateChange.objects.filter(organisation=actor.organisation, client=client).exists():
        return
    services.rate_change_create(
        actor=actor,
        kind=RateKind.BILL,
        client=client,
        hourly_rate=Decimal("90.00"),
        effective_from=monday + datetime.timedelta(days=3),
        notes="Annual rate review",
    )


def _seed_expenses(actor, employee, project, monday: datetime.date) -> None:
    """Two categories and one submitted, billable taxi fare (issue 16): once."""
    if employee is None or ExpenseCategory.objects.filter(organisation=actor.organisation).exists():
        return
    travel = services.expense_category_create(
        actor=actor, name="Travel", expense_limit=Decimal("500.00"), receipt_required_above=Decimal("25.00")
    )
    services.expense_category_create(actor=actor, name="Meals", expense_limit=Decimal("60.00"))
    expense = services.expense_create(
        actor=actor,
        employee=employee,
        category=travel,
        date=monday - datetime.timedelta(days=3),
        amount=Decimal("18.40"),
        project=project,
        billable=True,
        description="Taxi to the client's office",
    )
    services.expense_submit(actor=actor, expense=expense)


def _seed_time_request(actor, employee, project, monday: datetime.date) -> None:
    """One pending manual time request (issue 15 point 3): last Friday's forgotten hour."""
    if employee is None:
        return
    tz = zoneinfo.ZoneInfo(employee.office.timezone if employee.office_id else actor.organisation.timezone)
    start = datetime.datetime.combine(monday + datetime.timedelta(days=4), datetime.time(15), tzinfo=tz)
    if TimeRequest.objects.filter(employee=employee, start_time=start).exists():
        return
    services.time_request_create(
        actor=actor,
        employee=employee,
        project=project,
        start_time=start,
        end_time=start + datetime.timedelta(hours=1),
        reason="Client call; the timer was not running",
    )


def _seed_viewers(organisation, project) -> None:
    """The demo's project viewers (a client contact) see the first project, with its amounts."""
    if project is None:
        return
    viewers = Membership.objects.for_organisation(organisation).filter(role=Role.VIEWER)
    for membership in viewers:
        ProjectViewer.objects.get_or_create(
            organisation=organisation, membership=membership, project=project, defaults={"can_see_amounts": True}
        )
