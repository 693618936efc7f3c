"""Factories for time tracking. Tenant-owned rows take their organisation from their parents,
so one object graph never spans two tenants (STYLE §7.2)."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from organisations.choices import Role
from tests.hr.factories import EmployeeFactory
from tests.organisations.factories import MembershipFactory, OrganisationFactory
from timetracking.models import (
    Client,
    Contract,
    Expense,
    ExpenseCategory,
    ImportJob,
    Project,
    ProjectViewer,
    RateChange,
    Task,
    TimeEntry,
    TimeRequest,
    TimeSettings,
    Timesheet,
    TimesheetSettings,
)

START = datetime.datetime(2026, 3, 3, 14, 0, tzinfo=datetime.UTC)


class TimeSettingsFactory(DjangoModelFactory):
    class Meta:
        model = TimeSettings

    organisation = factory.SubFactory(OrganisationFactory)


class ClientFactory(DjangoModelFactory):
    class Meta:
        model = Client

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Client {n}")
    email = factory.Sequence(lambda n: f"client{n}@example.test")
    company = factory.Sequence(lambda n: f"Client Company {n}")


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project

    client = factory.SubFactory(ClientFactory)
    organisation = factory.SelfAttribute("client.organisation")
    name = factory.Sequence(lambda n: f"Project {n}")
    hourly_rate = Decimal("100.00")
    estimated_hours = Decimal("40.00")


class TaskFactory(DjangoModelFactory):
    class Meta:
        model = Task

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.SelfAttribute("project.organisation")
    name = factory.Sequence(lambda n: f"Task {n}")


class ContractFactory(DjangoModelFactory):
    class Meta:
        model = Contract

    employee = factory.SubFactory(EmployeeFactory)
    organisation = factory.SelfAttribute("employee.organisation")
    hourly_rate = Decimal("50.00")


class TimeEntryFactory(DjangoModelFactory):
    """A finished one-hour entry."""

    class Meta:
        model = TimeEntry

    employee = factory.SubFactory(EmployeeFactory)
    organisation = factory.SelfAttribute("employee.organisation")
    project = factory.SubFactory(
        ProjectFactory,
        client=factory.SubFactory(ClientFactory, organisation=factory.SelfAttribute("...organisation")),
    )
    start_time = factory.Sequence(lambda n: START + datetime.timedelta(hours=2 * n))
    end_time = factory.LazyAttribute(lambda o: o.start_time + datetime.timedelta(hours=1) if o.start_time else None)
    duration_seconds = factory.LazyAttribute(
        lambda o: int((o.end_time - o.start_time).total_seconds()) if o.end_time else None
    )
    notes = "Worked"


class ImportJobFactory(DjangoModelFactory):
    class Meta:
        model = ImportJob

    organisation = factory.SubFactory(OrganisationFactory)
    status = "completed"


class TimesheetFactory(DjangoModelFactory):
    """An open timesheet of the week (Monday to Sunday) holding ``START``."""

    class Meta:
        model = Timesheet

    employee = factory.SubFactory(EmployeeFactory)
    organisation = factory.SelfAttribute("employee.organisation")
    period_start = datetime.date(2026, 3, 2)
    period_end = factory.LazyAttribute(lambda o: o.period_start + datetime.timedelta(days=6))
    status = "open"


class TimesheetSettingsFactory(DjangoModelFactory):
    class Meta:
        model = TimesheetSettings

    organisation = factory.SubFactory(OrganisationFactory)


class TimeRequestFactory(DjangoModelFactory):
    """A pending request for one hour on ``START``'s day."""

    class Meta:
        model = TimeRequest

    employee = factory.SubFactory(EmployeeFactory)
    organisation = factory.SelfAttribute("employee.organisation")
    project = factory.SubFactory(
        ProjectFactory,
        client=factory.SubFactory(ClientFactory, organisation=factory.SelfAttribute("...organisation")),
    )
    start_time = factory.Sequence(lambda n: START + datetime.timedelta(hours=2 * n))
    end_time = factory.LazyAttribute(lambda o: o.start_time + datetime.timedelta(hours=1))
    reason = "Forgot the timer"
    status = "pending"


class RateChangeFactory(DjangoModelFactory):
    """A bill rate of a project from 2026-03-01."""

    class Meta:
        model = RateChange

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.LazyAttribute(
        lambda o: next(t for t in (o.project, o.task, o.contract, o.client) if t is not None).organisation
    )
    task = None
    contract = None
    client = None
    kind = "bill"
    hourly_rate = Decimal("120.00")
    effective_from = datetime.date(2026, 3, 1)


class ProjectViewerFactory(DjangoModelFactory):
    """A project given to a client contact (an active ``viewer`` membership)."""

    class Meta:
        model = ProjectViewer

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.SelfAttribute("project.organisation")
    membership = factory.SubFactory(
        MembershipFactory, organisation=factory.SelfAttribute("..organisation"), role=Role.VIEWER
    )
    can_see_amounts = False


class ExpenseCategoryFactory(DjangoModelFactory):
    class Meta:
        model = ExpenseCategory

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Category {n}")


class ExpenseFactory(DjangoModelFactory):
    """A draft of 12.50 in the organisation's currency on 2026-03-03."""

    class Meta:
        model = Expense

    employee = factory.SubFactory(EmployeeFactory)
    organisation = factory.SelfAttribute("employee.organisation")
    category = factory.SubFactory(ExpenseCategoryFactory, organisation=factory.SelfAttribute("..organisation"))
    date = datetime.date(2026, 3, 3)
    amount = Decimal("12.50")
    currency = factory.LazyAttribute(lambda o: o.organisation.currency)
    converted_amount = factory.SelfAttribute("amount")
    status = "draft"
