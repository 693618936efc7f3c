"""Report exports (issue 17): request, run, delete and expire. Every state change is here, with
its audit row and (for a finished file) its ``report.export.ready`` event in one transaction.

The job reads the data as its requester would through the API: the requester's credential
(membership, kind, scopes, impersonated producer) is kept on the row and rebuilt into an
:class:`~organisations.actors.Actor` for the report's scoped selectors. Files are written to a
temporary file, checksummed, then saved through Django's storage API (:func:`export_storage`),
so a failure never leaves half a file behind.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.actors import Actor
from organisations.audit import audit_change
from organisations.choices import MembershipStatus
from trackyoursheets.api.errors import ValidationFailed
from trackyoursheets.celery import app as celery_app
from trackyoursheets.exceptions import Conflict, DomainError, NotPermitted
from trackyoursheets.jobs import job_claim, job_failed, job_progress, job_succeeded

from .. import outbox
from ..events import REPORT_EXPORT_READY
from . import registry
from .bundle import render_export
from .models import ExportFormat, ExportStatus, ReportExport

__all__ = [
    "EXPORT_TTL",
    "download_signature",
    "export_delete",
    "export_download_path",
    "export_expire_sweep",
    "export_request",
    "export_run",
    "export_storage",
    "signature_valid",
]

logger = logging.getLogger("trackyoursheets.exports")

#: how long a finished export can be downloaded
EXPORT_TTL = timedelta(hours=getattr(settings, "REPORT_EXPORT_TTL_HOURS", 72))
MAX_PARTS = 10
_SIGNING_SALT = "integrations.exports.download"
TASK_NAME = "integrations.exports.tasks.report_export_run_task"


def export_storage() -> Storage:
    """``STORAGES["exports"]`` when configured (S3 through django-storages in production), else a
    file-system storage under ``PRIVATE_FILES_ROOT`` (never a web-served directory)."""
    if "exports" in settings.STORAGES:
        return storages["exports"]
    return FileSystemStorage(location=settings.PRIVATE_FILES_ROOT)


# =============================================================================
# Request
# =============================================================================


def _require_report(actor: Actor, name: str, fmt: str, field: str = "report") -> registry.Report:
    if not registry.is_registered(name):
        known = ", ".join(r.name for r in registry.report_list())
        raise ValidationFailed(
            {field: [_("Unknown report %(name)s. Choose one of: %(known)s.") % {"name": name, "known": known}]}
        )
    report = registry.get_report(name)
    if not actor.has_scope(report.scope):
        raise NotPermitted(
            _("Exporting %(report)s needs the %(scope)s scope as well.") % {"report": name, "scope": report.scope}
        )
    if fmt not in (ExportFormat.CSV, ExportFormat.XLSX, ExportFormat.PDF):
        raise ValidationFailed({"format": [_("A bundled report is csv, xlsx or pdf.")]})
    return report


def _clean_columns(report: registry.Report, columns) -> list[str]:
    if not columns:
        return []
    unknown = [c for c in columns if c not in report.column_names()]
    if unknown:
        raise ValidationFailed(
            {
                "columns": [
                    _("Unknown column %(name)s of %(report)s.") % {"name": c, "report": report.name} for c in unknown
                ]
            }
        )
    return list(dict.fromkeys(columns))


def _check_filters(report: registry.Report, actor: Actor, filters: dict) -> None:
    try:
        report.validate(actor, filters)
    except ValidationFailed as exc:
        errors = {f"filters.{name}": messages for name, messages in (exc.errors or {}).items()}
        raise ValidationFailed(errors or {"filters": [str(exc.detail)]}, str(exc.detail)) from None


def export_request(
    *,
    actor: Actor,
    report: str,
    format: str,  # noqa: A002 - the API's field name
    filters: dict | None = None,
    columns: list[str] | None = None,
    parts: list[dict] | None = None,
    bom: bool = False,
    delimiter: str = ",",
    base_url: str = "",
) -> ReportExport:
    """Queue an export of ``report`` (or, for ``zip``, of ``parts``) as ``actor`` sees its data.

    The filters are checked now with the list endpoint's FilterSet (a bad one is a 422 here,
    never a failed job); the file is written by :func:`export_run` in a Celery task."""
    filters = dict(filters or {})
    clean_parts: list[dict] = []
    if format == ExportFormat.ZIP:
        if not parts:
            raise ValidationFailed({"parts": [_("A zip bundle lists its reports in parts.")]})
        if len(parts) > MAX_PARTS:
            raise ValidationFailed({"parts": [_("At most %(n)s reports in one bundle.") % {"n": MAX_PARTS}]})
        for part in parts:
            definition = _require_report(actor, part["report"], part.get("format", ExportFormat.CSV), "parts")
            # the bundle's filters go to each report that takes them; a part's own are added
            shared = {k: v for k, v in filters.items() if k in definition.filter_names}
            part_filters = {**shared, **dict(part.get("filters") or {})}
            _check_filters(definition, actor, part_filters)
            clean_parts.append(
                {
                    "report": definition.name,
                    "format": part.get("format", ExportFormat.CSV),
                    "filters": part_filters,
                    "columns": _clean_columns(definition, part.get("columns")),
                }
            )
        columns = []
    else:
        definition = _require_report(actor, report, format)
        _check_filters(definition, actor, filters)
        columns = _clean_columns(definition, columns)
    if delimiter not in (",", ";"):
        raise ValidationFailed({"delimiter": [_('Use "," or ";".')]})
    with transaction.atomic():
        export = ReportExport.objects.create(
            organisation=actor.organisation,
            report=report if format != ExportFormat.ZIP else (report or "bundle"),
            format=format,
            filters=filters,
            columns=columns or [],
            parts=clean_parts,
            options={"bom": bool(bom), "delimiter": delimiter, "base_url": base_url.rstrip("/")},
            requested_by=actor.user,
            membership=actor.membership,
            actor_kind=actor.kind,
            actor_scopes=sorted(actor.scopes),
            actor_label=actor.label[:255],
            application_id_ref=actor.application.pk if actor.application is not None else None,
            impersonated_producer_id=actor.impersonated_producer_id,
        )
        audit_change(
            actor=actor, action="report_export.create", obj=export, after={"report": export.report, "format": format}
        )
        transaction.on_commit(lambda: _enqueue(export.pk))
    return export


def _enqueue(export_id: int) -> None:
    """Run the export's task (eagerly without a broker); a broker outage leaves it queued (the
    job sweep and a retry from the page start it again)."""
    try:
        celery_app.tasks[TASK_NAME].apply_async(args=(export_id,), retry=False)
    except Exception:
        logger.warning("Could not run or enqueue export %s", export_id, exc_info=True)


# =============================================================================
# Run
# =============================================================================


def requester_actor(export: ReportExport) -> Actor:
    """The export's requester, as the API saw them when they asked."""
    membership = export.membership
    person = export.actor_kind in ("session", "token") or (membership is not None and export.actor_kind != "oauth")
    if person and (membership is None or membership.status != MembershipStatus.ACTIVE):
        raise DomainError(_("The member who requested this export is no longer active."))
    return Actor(
        organisation=export.organisation,
        user=export.requested_by,
        membership=membership,
        scopes=frozenset(export.actor_scopes),
        kind=export.actor_kind,
        impersonated_producer_id=export.impersonated_producer_id,
    )


def export_run(export_id: int) -> bool:
    """Write the export's file: queued -> running -> ready (with its ``report.export.ready``
    event, once) or failed with a readable reason. Returns whether it became ready."""
    if not job_claim(ReportExport, export_id):
        return False
    export = ReportExport.objects.select_related("organisation", "membership__office", "requested_by").get(pk=export_id)
    handle = tempfile.NamedTemporaryFile(prefix="export-", delete=False)  # noqa: SIM115 - closed below
    saved_name = ""
    try:
        actor = requester_actor(export)

        def progress(done: int, total: int | None = None) -> None:
            job_progress(ReportExport, export_id, done=done, total=total)

        with handle:
            result = render_export(export, actor, handle, progress)
        size, checksum = _digest(handle.name)
        storage = export_storage()
        name = f"exports/{export.organisation_id}/{secrets.token_hex(16)}.{result.extension}"
        with Path(handle.name).open("rb") as source:
            saved_name = storage.save(name, File(source))
    except Exception as exc:  # noqa: BLE001 - any failure is the export's, with a readable reason
        if saved_name:
            export_storage().delete(saved_name)
        reason = exc.detail if isinstance(exc, (DomainError, ValidationFailed)) else None
        job_failed(
            ReportExport,
            export_id,
            str(reason) if reason else _("The export failed: %(e)s") % {"e": exc or type(exc).__name__},
        )
        logger.warning("Export %s failed", export_id, exc_info=True)
        return False
    finally:
        Path(handle.name).unlink(missing_ok=True)
    return _finish(export, saved_name, result, size, checksum)


def _digest(path: str) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with Path(path).open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def _finish(export: ReportExport, name: str, result, size: int, checksum: str) -> bool:
    expires_at = (timezone.now() + EXPORT_TTL).replace(microsecond=0)
    with transaction.atomic():
        done = job_succeeded(
            ReportExport,
            export.pk,
            file=name,
            file_name=result.file_name,
            content_type=result.content_type,
            row_count=result.rows,
            progress_done=result.rows,
            progress_total=result.rows,
            size=size,
            checksum=checksum,
            expires_at=expires_at,
        )
        if not done:  # failed or deleted meanwhile: the file has no export
            transaction.on_commit(lambda: export_storage().delete(name))
            return False
        export.refresh_from_db()
        event = outbox.record_event(export.organisation, REPORT_EXPORT_READY, ready_payload(export))
        ReportExport.objects.filter(pk=export.pk).update(ready_event_id=event.pk)
    return True


def ready_payload(export: ReportExport) -> dict:
    return {
        "id": export.pk,
        "report": export.report,
        "format": export.format,
        "rows": export.row_count,
        "size": export.size,
        "checksum": export.checksum,
        "download_url": export.options.get("base_url", "") + export_download_path(export, signed=True),
        "expires_at": export.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ") if export.expires_at else None,
    }


# =============================================================================
# Download links, delete, expiry
# =============================================================================


def download_signature(export: ReportExport) -> str:
    return signing.Signer(salt=_SIGNING_SALT).signature(
        f"{export.pk}:{export.checksum}:{int(export.expires_at.timestamp())}"
    )


def signature_valid(export: ReportExport, signature: str) -> bool:
    if export.status != ExportStatus.READY or not export.expires_at or export.expires_at <= timezone.now():
        return False
    return secrets.compare_digest(download_signature(export), signature or "")


def export_download_path(export: ReportExport, *, signed: bool = False) -> str:
    path = f"/v1/reports/exports/{export.pk}/download"
    if signed and export.status == ExportStatus.READY:
        path += f"?signature={download_signature(export)}"
    return path


def export_delete(*, actor: Actor, export: ReportExport) -> None:
    """Delete an export and its file (a running one is a 409: it would write a file for nobody)."""
    if export.status == ExportStatus.RUNNING:
        raise Conflict(_("The export is still running; delete it once it has finished."))
    name = export.file.name if export.file else ""
    with transaction.atomic():
        audit_change(actor=actor, action="report_export.delete", obj=export, before={"report": export.report})
        export.delete()
        if name:
            transaction.on_commit(lambda: export_storage().delete(name))


def export_expire_sweep(*, now=None) -> int:
    """Beat: delete the files of exports past ``expires_at`` and mark them expired."""
    now = now or timezone.now()
    count = 0
    for export in ReportExport.objects.filter(status=ExportStatus.READY, expires_at__lte=now).only("pk", "file"):
        name = export.file.name if export.file else ""
        updated = ReportExport.objects.filter(pk=export.pk, status=ExportStatus.READY).update(
            status=ExportStatus.EXPIRED, file="", updated_at=now
        )
        if updated:
            count += 1
            if name:
                export_storage().delete(name)
    return count
