"""Statement imports (issue 6 point 3): upload -> process (Celery) -> review -> finalise or roll back.

1. :func:`import_batch_create` stores the upload (CSV/XLSX under ``PRIVATE_FILES_ROOT``, JSON
   payouts in the row; a file over ``UPLOAD_MAX_BYTES`` is a 413), checks its header against
   the column mapping, and has ``import_batch_process_task`` process it after commit (202 for
   the API; the task registers itself with :func:`~.import_state.on_batch_queued`).
2. :func:`import_batch_process` streams the statement (:mod:`.statements`): each row is
   normalised (:mod:`.parsing`), matched against lookups loaded once per batch
   (:mod:`.matching`: producers by code, email and name, policies by number, learned aliases,
   line-of-business categories, carriers), fingerprinted, and inserted with ``COPY``
   (``trackyoursheets.bulk``) in chunks of :data:`CHUNK_SIZE`, each chunk written while the next
   is read (``chunk_writer``). Duplicates are found per chunk through the unique ``claim`` index
   (it refuses a taken fingerprint; the chunk is then looked up, one query, never one per row),
   so memory stays flat. A ``carrier`` column splits the file
   into one child batch per carrier (unknown carriers are created). The batch then waits in
   ``review`` and ``import.batch.completed`` is recorded once for it.
3. :func:`~.import_review.import_row_match` lets a person match a row of the exception queue (or skip it) and
   learns the alias, so the next statement matches on its own.
4. :func:`~.import_review.import_batch_finalise` turns every matched row into reconciled ledger lines in one
   transaction (chargebacks linked to the line they take back), or nothing;
   :func:`~.import_review.import_batch_rollback` undoes a batch (and its ledger lines, unless something
   downstream approved or paid them).
"""

from __future__ import annotations

import datetime
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.actors import Actor
from organisations.audit import audit_change
from organisations.models import Workspace
from trackyoursheets import jobs
from trackyoursheets.storage import UploadTooLarge

from .. import events
from ..choices import (
    ImportSource,
    ImportStatus,
)
from ..models import (
    Carrier,
    ImportBatch,
)
from .import_rows import _Processor
from .import_state import (
    IMPORT_DIRECTORY,
    MAX_PAYOUTS,
    _emit,
    _office_of,
    _refresh_counts,
    _require_import_access,
    _reset,
    enqueue_processing_on_commit,
    logger,
)
from .parsing import (
    StatementError,
    resolve_mapping,
    validate_mapping,
)
from .reference import carrier_mapping_save
from .statements import read_statement, sniff_source

# Upload
# =============================================================================


def _private_path(organisation_id: int, suffix: str) -> tuple[str, Path]:
    relative = f"{IMPORT_DIRECTORY}/{organisation_id}/{uuid.uuid4().hex}{suffix}"
    absolute = Path(settings.PRIVATE_FILES_ROOT) / relative
    absolute.parent.mkdir(parents=True, exist_ok=True)
    return relative, absolute


def batch_file(batch: ImportBatch) -> Path:
    return Path(settings.PRIVATE_FILES_ROOT) / batch.file_path


def _store_upload(organisation_id: int, upload) -> tuple[str, str, Path]:
    """Write an uploaded file to private storage; returns (source, relative path, absolute path)."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:  # 413 (payload-too-large), the same problem as every upload
        raise UploadTooLarge(
            _("The file is %(size)s bytes; the largest accepted is %(limit)s bytes.")
            % {"size": upload.size, "limit": limit},
            errors={"file": [_("Larger than %(limit)s bytes.") % {"limit": limit}]},
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    source = sniff_source(upload.name or "", head)
    if source is None:
        raise ValidationError({"file": [_("Upload a CSV (.csv) file or an Excel workbook (.xlsx).")]})
    relative, absolute = _private_path(organisation_id, f".{source}")
    with absolute.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return source, relative, absolute


def _check_payouts(payouts) -> list:
    if not isinstance(payouts, list) or not payouts:
        raise ValidationError({"payouts": [_("Send a non-empty JSON array of payout objects.")]})
    if len(payouts) > MAX_PAYOUTS:
        raise ValidationError({"payouts": [_("At most %(max)s payouts per import.") % {"max": MAX_PAYOUTS}]})
    bad = [index for index, item in enumerate(payouts[:1000]) if not isinstance(item, dict)]
    if bad:
        raise ValidationError({f"payouts[{bad[0]}]": [_("Each payout must be a JSON object.")]})
    return payouts


def _inspect(source: str, path: Path | None, payouts: list | None, carrier, mapping: dict) -> tuple[dict, int]:
    """The mapping the header resolves to ({header: field}) and the rows expected; a
    ValidationError naming what is missing when the statement cannot be imported as given."""
    try:
        statement = read_statement(source, path=path, payouts=payouts)
    except StatementError as error:
        raise ValidationError({"file": [str(error)]}) from error
    try:
        resolved = resolve_mapping(statement.headers, mapping, carrier.column_mapping if carrier else {})
        expected = statement.expected_rows
    finally:
        statement.close()
    fields = set(resolved.values())
    found = ", ".join(h for h in statement.headers if h) or _("none")
    if not fields & {"gross_commission", "premium"}:
        raise ValidationError(
            {
                "file": [
                    _(
                        "No commission or premium column was found (columns: %(found)s). Name them in "
                        'column_mapping, e.g. {"Comm Amt": "gross_commission"}.'
                    )
                    % {"found": found}
                ]
            }
        )
    if carrier is None and "carrier" not in fields:
        raise ValidationError(
            {"carrier_id": [_("Choose the carrier, or send a file with a carrier column to split it.")]}
        )
    return resolved, expected


@transaction.atomic
def import_batch_create(
    *,
    actor: Actor,
    upload=None,
    csv_text: str | None = None,
    payouts: list | None = None,
    filename: str = "",
    carrier: Carrier | None = None,
    workspace: Workspace | None = None,
    column_mapping: dict | None = None,
    statement_period: datetime.date | None = None,
    date_format: str = "",
    save_mapping: bool = False,
) -> ImportBatch:
    """Store a statement (a CSV/XLSX upload, CSV text, or a list of JSON payouts) as a queued
    batch and process it after commit. The header must resolve to a commission or premium
    column, and the carrier must be named (``carrier``) or come from a ``carrier`` column.
    ``save_mapping`` keeps ``column_mapping`` as the carrier's saved mapping (owners and admins)."""
    _require_import_access(actor, workspace)
    try:
        mapping = validate_mapping(column_mapping)
    except StatementError as error:
        raise ValidationError({"column_mapping": [str(error)]}) from error
    given = [name for name, value in (("file", upload), ("csv", csv_text), ("payouts", payouts)) if value is not None]
    if len(given) != 1:
        raise ValidationError({"file": [_("Send exactly one of: a file, CSV text or JSON payouts.")]})
    path = relative = None
    carrier_changes: dict = {}
    if upload is not None:
        source, relative, path = _store_upload(actor.organisation.pk, upload)
        filename = filename or upload.name or ""
    elif csv_text is not None:
        if not csv_text.strip():
            raise ValidationError({"csv": [_("The CSV text is empty.")]})
        source = ImportSource.CSV
        relative, path = _private_path(actor.organisation.pk, ".csv")
        path.write_text(csv_text, encoding="utf-8")
    else:
        source = ImportSource.JSON
        payouts = _check_payouts(payouts)
    try:
        resolved, expected = _inspect(source, path, payouts, carrier, mapping)
        if save_mapping:
            if carrier is None or not mapping:
                raise ValidationError({"save_mapping": [_("Give a carrier and a column mapping to save.")]})
            carrier_changes = carrier_mapping_save(actor=actor, carrier=carrier, mapping=mapping)
        batch = ImportBatch(
            organisation=actor.organisation,
            carrier=carrier,
            workspace=workspace,
            office=_office_of(actor, workspace),
            source=source,
            original_filename=(filename or "")[:255],
            file_path=relative or "",
            payload=payouts if source == ImportSource.JSON else None,
            status=ImportStatus.QUEUED,
            rows_expected=expected,
            column_mapping={field: header for header, field in resolved.items()},
            date_format=date_format or "",
            statement_period=statement_period,
            created_by=actor.user,
            created_by_label=actor.label[:300],
        )
        batch.full_clean()
        batch.save()
        changes = {"original_filename": [None, batch.original_filename]}
        changes.update({f"carrier_{name}": value for name, value in carrier_changes.items()})
        audit_change(actor=actor, action="importbatch.create", obj=batch, changes=changes)
    except BaseException:
        if path is not None:
            path.unlink(missing_ok=True)
        raise
    enqueue_processing_on_commit(batch)
    return batch


def import_batch_process(*, batch_id: int, organisation_id: int) -> ImportBatch | None:
    """Process a queued batch (the body of ``import_batch_process_task``); idempotent: a batch
    that is no longer queued is left alone (a redelivered message), and a run that died half-way
    is re-queued by the stale-job sweep and started again from scratch. A statement that cannot
    be read fails the batch with its reason; an unexpected error fails it too (and is logged),
    never half-imports it."""
    with transaction.atomic():
        batch = (
            ImportBatch.objects.for_organisation(organisation_id)
            .select_for_update()
            .filter(pk=batch_id, parent__isnull=True)
            .first()
        )
        if batch is None or batch.status != ImportStatus.QUEUED:
            return batch
        _reset(batch)  # what a run that the stale-job sweep re-queued left behind
        batch.rows_processed = 0
        batch.failure_reason = ""
        batch.save(update_fields=["rows_processed", "failure_reason", "updated_at"])
        jobs.job_claim(ImportBatch, batch.pk)  # -> processing, first heartbeat, one more attempt
    batch = ImportBatch.objects.select_related("organisation", "carrier", "workspace").get(pk=batch.pk)
    statement = None
    try:
        statement = read_statement(
            batch.source, path=batch_file(batch) if batch.file_path else None, payouts=batch.payload
        )
        processor = _Processor(batch, statement)
        processor.run()
        processor.finish()
    except StatementError as error:
        import_batch_fail(batch_id=batch.pk, organisation_id=organisation_id, reason=str(error))
    except Exception:
        logger.exception("Import %s failed", batch.pk)
        import_batch_fail(
            batch_id=batch.pk,
            organisation_id=organisation_id,
            reason=_("An unexpected error stopped the import; nothing was imported. Upload the statement again."),
        )
    finally:
        if statement is not None:
            statement.close()
    return ImportBatch.objects.get(pk=batch.pk)


@transaction.atomic
def import_batch_fail(*, batch_id: int, organisation_id: int, reason: str) -> None:
    """Mark a batch failed: its rows (and children) are removed, so nothing of it is half-imported."""
    batch = (
        ImportBatch.objects.for_organisation(organisation_id)
        .select_for_update()
        .filter(pk=batch_id, parent__isnull=True)  # a per-carrier child fails with its parent
        .first()
    )
    if batch is None or batch.status not in (ImportStatus.QUEUED, ImportStatus.PROCESSING):
        return
    _reset(batch)
    _refresh_counts(batch)
    batch.status = ImportStatus.FAILED
    batch.failure_reason = reason
    batch.completed_at = timezone.now()
    batch.save()
    _emit(batch, events.IMPORT_BATCH_COMPLETED)


# =============================================================================
# The exception queue: a person matches (or skips) a row
# =============================================================================
