"""The report export job (issue 17): one row per requested export, its progress and its file."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import TenantModel, TenantQuerySet
from trackyoursheets.jobs import BackgroundJob, JobFields

__all__ = ["ExportFormat", "ExportStatus", "ReportExport"]


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    PDF = "pdf", "PDF"
    ZIP = "zip", "ZIP"


class ReportExportQuerySet(TenantQuerySet):
    def restrict_to(self, actor) -> ReportExportQuerySet:
        """Owners, admins and organisation-wide credentials see every export of the organisation;
        a person sees the exports they requested; an "act as producer" token those of that producer."""
        if actor.impersonated_producer_id:
            return self.filter(actor_kind="impersonation", impersonated_producer_id=actor.impersonated_producer_id)
        if actor.sees_whole_organisation:
            return self
        if actor.user is None:
            return self.none()
        return self.filter(requested_by=actor.user)


class ReportExport(BackgroundJob, TenantModel):
    """An export of one report (or a zip of several) as its requester sees the data.

    The requester's credential is kept (membership, kind, scopes, impersonated producer) so the
    job reads the data through the same scoped selectors as the API would for them."""

    unbounded_text_fields = ("error",)

    status = models.CharField(
        _("status"), max_length=20, choices=ExportStatus.choices, default=ExportStatus.QUEUED, db_index=True
    )
    report = models.CharField(_("report"), max_length=60, db_index=True)
    format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    #: the reports of a zip bundle: [{"report", "format", "filters"}]
    parts = models.JSONField(_("bundle parts"), default=list, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    membership = models.ForeignKey(
        "organisations.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_kind = models.CharField(_("requested through"), max_length=20, default="system")
    actor_scopes = models.JSONField(default=list, blank=True)
    actor_label = models.CharField(_("requested by"), max_length=255, blank=True)
    application_id_ref = models.BigIntegerField(null=True, blank=True)
    impersonated_producer_id = models.BigIntegerField(null=True, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    size = models.BigIntegerField(_("size (bytes)"), default=0)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    file = models.FileField(_("file"), max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True, db_index=True)
    ready_event_id = models.BigIntegerField(null=True, blank=True)

    job_fields = JobFields(succeeded=ExportStatus.READY)

    objects = ReportExportQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["organisation", "status", "expires_at"], name="integrations_export_expiry")]

    def __str__(self) -> str:
        return f"{self.report}.{self.format} #{self.pk}"

    @property
    def progress_percent(self) -> int:
        if self.status in (ExportStatus.READY, ExportStatus.EXPIRED):
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)
