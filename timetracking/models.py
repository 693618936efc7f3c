"""Time tracking (issue 7): clients, projects, tasks, time entries and running timers, the
organisation's time settings (overlap and rounding rules), employees' contract rates and
CSV import jobs.

Instants are stored in UTC. A day (for filters, the week grid and the summary report) is
the span between two local midnights in the employee's office timezone, or the
organisation's when the employee has no office, so a day across a DST change has 23 or 25
hours (:func:`local_day_bounds`). Time belongs to an :class:`hr.models.Employee`.
"""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organisations.choices import Role
from organisations.models import TenantModel, TenantQuerySet
from trackyoursheets.jobs import JobFields

from .choices import (
    EntrySource,
    ImportStatus,
    ProjectStatus,
    RoundingMode,
    RoundingStep,
    TaskPriority,
    TaskStatus,
)

__all__ = [
    "RATE",
    "HOURS",
    "TAG_MAX_LENGTH",
    "normalise_tags",
    "round_duration",
    "local_day_bounds",
    "employee_timezone",
    "TimeSettings",
    "Client",
    "Project",
    "Task",
    "Contract",
    "TimeEntry",
    "ImportJob",
]

#: field options of an hourly rate or a budget (money)
RATE = {"max_digits": 12, "decimal_places": 2}
#: field options of an estimate in hours
HOURS = {"max_digits": 9, "decimal_places": 2}
TAG_MAX_LENGTH = 50


def normalise_tags(value) -> str:
    """Tags as stored: lower case, inner whitespace collapsed, no empties, no duplicates (first
    occurrence keeps its place), joined by commas. Accepts ``"a, B,,a"`` or ``["a", "B"]``."""
    if value is None:
        return ""
    parts = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    seen: list[str] = []
    for part in parts:
        tag = " ".join(str(part).split()).lower()
        if tag and tag not in seen:
            seen.append(tag)
    return ",".join(seen)


def tag_list(tags: str) -> list[str]:
    return [t for t in tags.split(",") if t] if tags else []


def round_duration(seconds: int, mode: str, step_minutes: int) -> int:
    """A duration rounded to the organisation's step. An aligned duration (a whole number of
    steps) is never changed; ``nearest`` rounds halves up and never rounds a non-zero
    duration down to zero; ``up`` moves to the next step."""
    if mode == RoundingMode.NONE or not step_minutes or seconds <= 0:
        return seconds
    step = step_minutes * 60
    remainder = seconds % step
    if remainder == 0:
        return seconds
    if mode == RoundingMode.UP:
        return seconds - remainder + step
    rounded = seconds - remainder + (step if remainder * 2 >= step else 0)
    return rounded or step


def employee_timezone(employee, organisation) -> zoneinfo.ZoneInfo:
    """The timezone of an employee's days: their office's, else the organisation's."""
    office = getattr(employee, "office", None) if employee is not None else None
    name = office.timezone if office is not None else organisation.timezone
    return zoneinfo.ZoneInfo(name or "UTC")


def local_day_bounds(first: datetime.date, last: datetime.date, tz: zoneinfo.ZoneInfo):
    """``[start, end)`` in UTC covering the local days ``first``..``last`` (inclusive): each
    bound is a local midnight converted to UTC, so DST changes move the bounds, never the days."""
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz).astimezone(datetime.UTC)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end.astimezone(datetime.UTC)


def own_or_office(actor, prefix: str = "employee__") -> Q | None:
    """Rows of the actor's own employee record, plus those of their office's employees for a
    manager; ``None`` means every row (owners, admins, OAuth clients, system jobs)."""
    if actor.sees_whole_organisation:
        return None
    if actor.membership is None:
        return Q(pk__in=[])
    seen = Q(**{f"{prefix}membership": actor.membership})
    if actor.role == Role.MANAGER and actor.membership.office_id:
        seen |= Q(**{f"{prefix}office_id": actor.membership.office_id})
    return seen


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


class Project(TenantModel):
    """Work for a client (or internal work, without one). ``DELETE`` archives it; an archived
    project takes no new time. Names are unique per organisation."""

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


class Task(TenantModel):
    """A piece of work in a project, optionally assigned to an employee and estimated in hours.
    ``hourly_rate``, when set, is the first choice of the effective rate of its entries."""

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
    """An employee's hourly rate: for one project, or (without a project) for all their work.
    At most one of each per employee."""

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
# Time entries
# =============================================================================


class TimeEntryQuerySet(TenantQuerySet):
    def restrict_to(self, actor) -> TimeEntryQuerySet:
        """Owners, admins and organisation-wide clients: every entry; managers: their own and
        their office's employees'; everyone else: their own."""
        seen = own_or_office(actor)
        return self if seen is None else self.filter(seen)

    def running(self) -> TimeEntryQuerySet:
        return self.filter(end_time__isnull=True)

    def with_tag(self, tag: str) -> TimeEntryQuerySet:
        """Entries carrying ``tag`` (tags are stored normalised, joined by commas)."""
        return self.filter(
            Q(tags=tag) | Q(tags__startswith=f"{tag},") | Q(tags__endswith=f",{tag}") | Q(tags__contains=f",{tag},")
        )


class TimeEntry(TenantModel):
    """A span of an employee's work on a project (and optionally one of its tasks).

    No ``end_time`` means a running timer; an employee has at most one, enforced by a partial
    unique constraint so two concurrent starts cannot both succeed. ``duration_seconds`` is
    derived by the services (end - start, rounded by the organisation's rule) and is null while
    running. ``tags`` are normalised (:func:`normalise_tags`).
    """

    employee = models.ForeignKey("hr.Employee", on_delete=models.PROTECT, related_name="time_entries")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="time_entries")
    task = models.ForeignKey(Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="time_entries")
    start_time = models.DateTimeField(_("start time"))
    end_time = models.DateTimeField(_("end time"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    tags = models.CharField(_("tags"), max_length=500, blank=True)
    billable = models.BooleanField(_("billable"), default=True)
    paid = models.BooleanField(_("paid"), default=False, db_index=True)
    source = models.CharField(_("source"), max_length=20, choices=EntrySource.choices, default=EntrySource.MANUAL)
    external_id = models.CharField(
        _("external id"), max_length=200, blank=True, help_text=_("The id in the system it came from (TrackTik).")
    )

    objects = TimeEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-start_time", "-id"]
        verbose_name_plural = _("time entries")
        constraints = [
            models.UniqueConstraint(
                fields=["employee"],
                condition=Q(end_time__isnull=True),
                name="timetracking_timeentry_one_running_timer",
                violation_error_message=_("This employee already has a running timer."),
            ),
            models.CheckConstraint(
                condition=Q(end_time__isnull=True) | Q(end_time__gt=models.F("start_time")),
                name="timetracking_timeentry_end_after_start",
                violation_error_message=_("The end time must be after the start time."),
            ),
            models.UniqueConstraint(
                fields=["organisation", "source", "external_id"],
                condition=~Q(external_id=""),
                name="timetracking_timeentry_unique_external_id",
                violation_error_message=_("An entry with this external id already exists."),
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "-start_time", "-id"], name="timetracking_entry_org_start"),
            # lists leave running timers out by default: their count is an index-only scan of this one
            models.Index(
                fields=["organisation"], condition=Q(end_time__isnull=False), name="timetracking_entry_org_done"
            ),
            models.Index(fields=["employee", "start_time"], name="timetracking_entry_employee"),
            models.Index(fields=["project", "start_time"], name="timetracking_entry_project"),
        ]

    def __str__(self) -> str:
        return f"{self.employee} on {self.project} from {self.start_time:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.end_time is None

    @property
    def tag_list(self) -> list[str]:
        return tag_list(self.tags)

    def clean(self) -> None:
        super().clean()
        project = getattr(self, "project", None)
        errors = self._check_same_organisation(
            employee=getattr(self, "employee", None), project=project, task=self.task
        )
        if self.task is not None and project is not None and self.task.project_id != project.pk:
            errors.setdefault("task_id", _("The task belongs to another project."))
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("The end time must be after the start time.")
        if any(len(t) > TAG_MAX_LENGTH for t in tag_list(self.tags)):
            errors["tags"] = _("A tag has at most %(max)s characters.") % {"max": TAG_MAX_LENGTH}
        if errors:
            raise ValidationError(errors)


# =============================================================================
# CSV import jobs
# =============================================================================


class ImportJobQuerySet(TenantQuerySet):
    def restrict_to(self, actor) -> ImportJobQuerySet:
        """The whole organisation sees every job; a person the jobs they started."""
        if actor.sees_whole_organisation:
            return self
        return self.filter(membership=actor.membership) if actor.membership else self.none()


class ImportJob(TenantModel):
    """A CSV import of time entries too large to run inside the request: a Celery task
    validates and commits it (all or nothing) and records its progress and every bad row.

    A background job (:mod:`trackyoursheets.jobs`) with its own column names and the status
    values its API publishes. A job left running by a dead worker is failed by the stale-job
    sweep, never re-queued: the entries commit before the job row is marked done, so a second
    run could import them twice."""

    job_fields = JobFields(
        queued=ImportStatus.PENDING,
        running=ImportStatus.RUNNING,
        succeeded=ImportStatus.COMPLETED,
        failed=ImportStatus.FAILED,
        done="processed_rows",
        total="total_rows",
        error="detail",
        attempts=None,
    )

    membership = models.ForeignKey(
        "organisations.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who started it (empty: an OAuth client)."),
    )
    actor_label = models.CharField(_("started by"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.PENDING, db_index=True
    )
    dry_run = models.BooleanField(_("dry run"), default=False)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    source_text = models.TextField(_("CSV"), blank=True, help_text=_("Cleared once the job has finished."))
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("entries created"), default=0)
    error_count = models.PositiveIntegerField(_("bad rows"), default=0)
    row_errors = models.JSONField(_("bad rows"), default=list, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        _("last heartbeat"), null=True, blank=True, help_text=_("Last sign of life of the worker running it.")
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Time import #{self.pk} ({self.status})"

    @property
    def progress(self) -> int:
        """Percent of the rows processed (0-100)."""
        if self.status in (ImportStatus.COMPLETED, ImportStatus.FAILED):
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)
