"""What time is tracked against: the organisation's time settings, clients, projects, tasks
and employees' contract rates."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organisations.choices import Role
from organisations.models import TenantModel, TenantQuerySet

from ..choices import (
    ProjectStatus,
    RateKind,
    RoundingMode,
    RoundingStep,
    TaskPriority,
    TaskStatus,
)
from .common import HOURS, RATE, own_or_office, round_duration

# =============================================================================
# Organisation settings
# =============================================================================


class TimeSettings(TenantModel):
    """How an organisation tracks time: whether one employee's entries may overlap, and how
    durations are rounded (none / to the nearest step / up to the next step, with a step of
    1, 5, 6 or 15 minutes). One row per organisation; no row means the defaults."""

    allow_overlapping = models.BooleanField(
        _("allow overlapping entries"),
        default=False,
        help_text=_("When off, an entry that overlaps another of the same employee is refused."),
    )
    rounding_mode = models.CharField(
        _("rounding"), max_length=10, choices=RoundingMode.choices, default=RoundingMode.NONE
    )
    rounding_minutes = models.PositiveSmallIntegerField(
        _("rounding step (minutes)"), choices=RoundingStep.choices, default=RoundingStep.ONE
    )

    class Meta:
        verbose_name = _("time settings")
        verbose_name_plural = _("time settings")
        constraints = [
            models.UniqueConstraint(fields=["organisation"], name="timetracking_timesettings_unique_organisation"),
        ]

    def __str__(self) -> str:
        return f"Time settings of organisation {self.organisation_id}"

    def round(self, seconds: int) -> int:
        return round_duration(seconds, self.rounding_mode, self.rounding_minutes)


# =============================================================================
# Clients, projects, tasks
# =============================================================================


class Client(TenantModel):
    """Someone the organisation works for; its ``default_rate`` is the last fallback of the
    effective hourly rate. Names are unique per organisation."""

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    default_rate = models.DecimalField(
        _("default hourly rate"), null=True, blank=True, validators=[MinValueValidator(Decimal("0"))], **RATE
    )
    archived = models.BooleanField(_("archived"), default=False, db_index=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="timetracking_client_unique_name",
                violation_error_message=_("A client with this name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


def _granted(actor, path: str) -> Q:
    """Rows of the projects a project viewer was given (``ProjectViewer`` rows of their membership)."""
    return Q(**{f"{path}viewer_grants__membership_id": actor.membership.pk})


class ProjectQuerySet(TenantQuerySet):
    def viewer_rows(self, actor) -> ProjectQuerySet:
        """A project viewer sees the projects given to them (issue 15 point 4)."""
        return self.filter(_granted(actor, ""))


class Project(TenantModel):
    """Work for a client (or internal work, without one). ``DELETE`` archives it; an archived
    project takes no new time. Names are unique per organisation."""

    objects = ProjectQuerySet.as_manager()

    client = models.ForeignKey(Client, on_delete=models.PROTECT, null=True, blank=True, related_name="projects")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    hourly_rate = models.DecimalField(
        _("hourly rate"), null=True, blank=True, validators=[MinValueValidator(Decimal("0"))], **RATE
    )
    estimated_hours = models.DecimalField(
        _("estimated hours"), null=True, blank=True, validators=[MinValueValidator(Decimal("0"))], **HOURS
    )
    budget = models.DecimalField(
        _("budget"), null=True, blank=True, validators=[MinValueValidator(Decimal("0"))], **RATE
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE, db_index=True
    )
    billable = models.BooleanField(_("billable"), default=True, help_text=_("The default of its new entries."))

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="timetracking_project_unique_name",
                violation_error_message=_("A project with this name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(client=self.client)
        if errors:
            raise ValidationError(errors)


class TaskQuerySet(TenantQuerySet):
    def viewer_rows(self, actor) -> TaskQuerySet:
        """A project viewer sees the tasks of the projects given to them."""
        return self.filter(_granted(actor, "project__"))


class Task(TenantModel):
    """A piece of work in a project, optionally assigned to an employee and estimated in hours.
    ``hourly_rate``, when set, is the first choice of the effective rate of its entries."""

    objects = TaskQuerySet.as_manager()

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.TODO, db_index=True
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        choices=TaskPriority.choices,
        default=TaskPriority.NORMAL,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    assignee = models.ForeignKey(
        "hr.Employee", on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_tasks"
    )
    estimated_hours = models.DecimalField(
        _("estimated hours"), null=True, blank=True, validators=[MinValueValidator(Decimal("0"))], **HOURS
    )
    hourly_rate = models.DecimalField(
        _("hourly rate"), null=True, blank=True, validators=[MinValueValidator(Decimal("0"))], **RATE
    )

    class Meta:
        ordering = ["project_id", "name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(project=getattr(self, "project", None), assignee=self.assignee)
        if errors:
            raise ValidationError(errors)


# =============================================================================
# Contracts: an employee's hourly rate, overall or for one project
# =============================================================================


class ContractQuerySet(TenantQuerySet):
    def restrict_to(self, actor) -> ContractQuerySet:
        """Rates are sensitive (STYLE §3.8): the whole organisation, a manager their office's
        employees, everyone else their own."""
        seen = own_or_office(actor)
        return self if seen is None else self.filter(seen)


class Contract(TenantModel):
    """An employee's contract: for one project, or (without a project) for all their work. At
    most one of each per employee.

    ``hourly_rate`` is a **bill** rate (what the client is charged for this employee's time, after
    a task's rate and before the project's and client's); ``pay_rate`` is what the employee earns
    (payroll; else the HR record's hourly pay rate). Both are the rates before any dated change in
    :class:`RateChange`. ``weekly_hours_limit`` / ``daily_hours_limit`` cap the hours the contract
    covers (the organisation refuses or flags time beyond them, ``TimesheetSettings.over_limit``).
    """

    employee = models.ForeignKey("hr.Employee", on_delete=models.CASCADE, related_name="time_contracts")
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contracts",
        help_text=_("Empty: the employee's rate for every project."),
    )
    hourly_rate = models.DecimalField(_("hourly rate"), validators=[MinValueValidator(Decimal("0"))], **RATE)
    pay_rate = models.DecimalField(
        _("hourly pay rate"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Empty: the HR record's hourly pay rate."),
        **RATE,
    )
    weekly_hours_limit = models.DecimalField(
        _("hours limit per week"), null=True, blank=True, validators=[MinValueValidator(Decimal("0"))], **HOURS
    )
    daily_hours_limit = models.DecimalField(
        _("hours limit per day"), null=True, blank=True, validators=[MinValueValidator(Decimal("0"))], **HOURS
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["employee_id", "project_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "project"],
                condition=Q(project__isnull=False),
                name="timetracking_contract_unique_employee_project",
                violation_error_message=_("This employee already has a contract for this project."),
            ),
            models.UniqueConstraint(
                fields=["employee"],
                condition=Q(project__isnull=True),
                name="timetracking_contract_unique_employee_default",
                violation_error_message=_("This employee already has a contract for all projects."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee} @ {self.hourly_rate}"

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(employee=getattr(self, "employee", None), project=self.project)
        if errors:
            raise ValidationError(errors)


# =============================================================================
# Effective-dated rates
# =============================================================================


class RateChangeQuerySet(TenantQuerySet):
    def restrict_to(self, actor) -> RateChangeQuerySet:
        """Rates are for owners, admins, managers and organisation-wide credentials; a manager sees
        contract rates of their office's employees only; nobody else sees any."""
        if actor.sees_whole_organisation:
            return self
        if actor.role != Role.MANAGER or actor.membership is None:
            return self.none()
        mine = own_or_office(actor, prefix="contract__employee__")
        return self.filter(Q(contract__isnull=True) | mine)


class RateChange(TenantModel):
    """An hourly rate in force from ``effective_from`` (a local date) until the next change of the
    same kind and target. Bill rates belong to a task, a contract, a project or a client; pay
    rates to a contract only. Before a target's first change, its own rate field applies."""

    kind = models.CharField(_("kind"), max_length=10, choices=RateKind.choices)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, null=True, blank=True, related_name="rate_changes")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, null=True, blank=True, related_name="rate_changes")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, null=True, blank=True, related_name="rate_changes")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, null=True, blank=True, related_name="rate_changes")
    hourly_rate = models.DecimalField(_("hourly rate"), validators=[MinValueValidator(Decimal("0"))], **RATE)
    effective_from = models.DateField(_("effective from"))
    notes = models.TextField(_("notes"), blank=True)

    objects = RateChangeQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "effective_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(task__isnull=False, contract__isnull=True, project__isnull=True, client__isnull=True)
                    | Q(task__isnull=True, contract__isnull=False, project__isnull=True, client__isnull=True)
                    | Q(task__isnull=True, contract__isnull=True, project__isnull=False, client__isnull=True)
                    | Q(task__isnull=True, contract__isnull=True, project__isnull=True, client__isnull=False)
                ),
                name="timetracking_ratechange_one_target",
                violation_error_message=_("A rate belongs to exactly one task, contract, project or client."),
            ),
            models.CheckConstraint(
                condition=~Q(kind=RateKind.PAY) | Q(contract__isnull=False),
                name="timetracking_ratechange_pay_on_contract",
                violation_error_message=_("A pay rate belongs to a contract."),
            ),
            models.UniqueConstraint(
                fields=["kind", "task", "contract", "project", "client", "effective_from"],
                name="timetracking_ratechange_unique_day",
                nulls_distinct=False,
                violation_error_message=_("This rate already changes on that day."),
            ),
        ]
        indexes = [models.Index(fields=["organisation", "kind", "effective_from"], name="timetracking_rate_org")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.hourly_rate} from {self.effective_from}"

    @property
    def target(self) -> tuple[str, int]:
        for name in ("task", "contract", "project", "client"):
            pk = getattr(self, f"{name}_id")
            if pk is not None:
                return name, pk
        raise ValueError("a rate change without a target")

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(
            task=self.task, contract=self.contract, project=self.project, client=self.client
        )
        if self.kind == RateKind.PAY and self.contract_id is None:
            errors["kind"] = _("A pay rate belongs to a contract.")
        if errors:
            raise ValidationError(errors)


# =============================================================================
# Time entries
# =============================================================================
