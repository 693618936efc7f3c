"""Time entries (and running timers) and the CSV import jobs that create them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organisations.models import TenantModel, TenantQuerySet
from trackyoursheets.jobs import JobFields

from ..choices import (
    EntrySource,
    ImportStatus,
)
from .catalogue import Project, Task
from .common import TAG_MAX_LENGTH, own_or_office, tag_list


class TimeEntryQuerySet(TenantQuerySet):
    def restrict_to(self, actor) -> TimeEntryQuerySet:
        """Owners, admins and organisation-wide clients: every entry; managers: their own and
        their office's employees'; everyone else: their own."""
        seen = own_or_office(actor)
        return self if seen is None else self.filter(seen)

    def viewer_rows(self, actor) -> TimeEntryQuerySet:
        """A project viewer's reports count the time of the projects given to them (they never
        list entries: ``/v1/time-entries`` is closed to viewers)."""
        return self.filter(project__viewer_grants__membership_id=actor.membership.pk)

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
    pay_code_hint = models.CharField(
        _("pay code hint"),
        max_length=40,
        blank=True,
        # the database fills it for writers that name no such column (the CSV importer's COPY)
        db_default="",
        help_text=_("The code of the pay code the system it came from pays this time on (TrackTik's mapped pay code)."),
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

    unbounded_text_fields = ("source_text", "detail")

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
