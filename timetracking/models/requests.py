"""Manual time requests (issue 15 point 3): an employee asks to add time for a past interval, with
a reason; an approver turns it into a time entry (``source=request``) or rejects it with a reason;
the requester may cancel it while it is pending."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organisations.models import TenantModel, TenantQuerySet

from ..choices import TimeRequestStatus
from .catalogue import Project, Task
from .common import TAG_MAX_LENGTH, own_or_office, tag_list
from .entries import TimeEntry
from .timesheets import REASON_MAX_LENGTH


class TimeRequestQuerySet(TenantQuerySet):
    def restrict_to(self, actor) -> TimeRequestQuerySet:
        """As timesheets: the whole organisation for owners, admins and OAuth clients; a manager
        their own, their office's and their direct reports'; everyone else their own."""
        seen = own_or_office(actor)
        if seen is None:
            return self
        if actor.membership is not None:
            seen |= Q(employee__manager__membership=actor.membership)
        return self.filter(seen)


class TimeRequest(TenantModel):
    """A request to add a finished span of time. ``time_entry`` is the entry its approval created."""

    employee = models.ForeignKey("hr.Employee", on_delete=models.PROTECT, related_name="time_requests")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="time_requests")
    task = models.ForeignKey(Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="time_requests")
    start_time = models.DateTimeField(_("start time"))
    end_time = models.DateTimeField(_("end time"))
    notes = models.TextField(_("notes"), blank=True)
    tags = models.CharField(_("tags"), max_length=500, blank=True)
    billable = models.BooleanField(_("billable"), default=True)
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH)
    status = models.CharField(
        _("status"), max_length=20, choices=TimeRequestStatus.choices, default=TimeRequestStatus.PENDING, db_index=True
    )
    requested_by = models.ForeignKey(
        "organisations.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("approved, rejected or cancelled at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "organisations.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by_label = models.CharField(_("decided by"), max_length=300, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), max_length=REASON_MAX_LENGTH, blank=True)
    time_entry = models.OneToOneField(
        TimeEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="time_request"
    )

    objects = TimeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="timetracking_timerequest_end_after_start",
                violation_error_message=_("The end time must be after the start time."),
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "-created_at", "-id"], name="timetracking_request_org"),
            models.Index(fields=["employee", "status"], name="timetracking_request_employee"),
        ]

    def __str__(self) -> str:
        return f"Time request of {self.employee} from {self.start_time:%Y-%m-%d %H:%M} ({self.status})"

    def clean(self) -> None:
        super().clean()
        project = getattr(self, "project", None)
        errors = self._check_same_organisation(
            employee=getattr(self, "employee", None), project=project, task=self.task
        )
        if self.task is not None and project is not None and self.task.project_id != project.pk:
            errors.setdefault("task_id", _("The task belongs to another project."))
        if any(len(t) > TAG_MAX_LENGTH for t in tag_list(self.tags)):
            errors["tags"] = _("A tag has at most %(max)s characters.") % {"max": TAG_MAX_LENGTH}
        if errors:
            raise ValidationError(errors)
