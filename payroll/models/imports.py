"""Carrier statement imports (issue 6 point 3, moved from ``integrations`` in issue 12):
an uploaded statement (:class:`ImportBatch`), its lines (:class:`ImportRow`) and what people
taught the matcher (:class:`ImportAlias`).

The tables keep the names they had in the ``integrations`` app (``db_table``), so moving the
models moved no data (``payroll/migrations/0004_imports_from_integrations.py``).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.choices import Role
from organisations.models import Office, Organisation, Producer, TenantModel, TenantQuerySet, User, Workspace
from trackyoursheets.jobs import JobFields
from trackyoursheets.statement_keys import CheckedForeignKey

from ..choices import AliasKind, DateFormat, ImportSource, ImportStatus, MatchMethod, RowStatus, TransactionType
from .ledger import MONEY, PERCENT, Carrier, Category, Policy

__all__ = ["ImportBatch", "ImportRow", "ImportAlias"]


# =============================================================================
# Statement imports (issue 6 point 3)
# =============================================================================


class ImportQuerySet(TenantQuerySet):
    """Owners, admins and organisation-wide credentials see every batch; a manager the
    batches of their office (imported by them or a colleague, or for one of its workspaces);
    everyone else none."""

    office_path = "office_id"

    def restrict_to(self, actor) -> ImportQuerySet:
        if actor.sees_whole_organisation:
            return self
        if actor.role == Role.MANAGER and actor.membership is not None and actor.membership.office_id:
            return self.filter(**{self.office_path: actor.membership.office_id})
        return self.none()


class ImportRowQuerySet(ImportQuerySet):
    office_path = "batch__office_id"


class ImportAliasQuerySet(TenantQuerySet):
    """Aliases are learned and used by the people who import: owners, admins, managers."""

    def restrict_to(self, actor) -> ImportAliasQuerySet:
        if actor.sees_whole_organisation or actor.role == Role.MANAGER:
            return self
        return self.none()


class ImportBatch(TenantModel):
    """One uploaded statement (a CSV or XLSX file, or a JSON array of payouts) and what became
    of it. The rows are read, normalised, matched and checked for duplicates by a Celery task
    (queued -> processing -> review); a person then finalises the batch (its rows become
    reconciled ledger lines, all or nothing) or rolls it back. A file with a ``carrier``
    column is *split*: its rows go to one child batch per carrier, each reviewed on its own.
    Counts and totals are kept on the row so lists cost no aggregation.

    A background job (:mod:`trackyoursheets.jobs`) with the status values its API publishes:
    processing reports its progress and heartbeat per chunk. A batch left ``processing`` by a
    dead worker is re-queued by the stale-job sweep (processing starts over from scratch, so a
    second run is safe) until ``JOB_MAX_ATTEMPTS``, then failed through the service, which
    removes its rows. Per-carrier children are processed with their parent and never alone."""

    unbounded_text_fields = ("failure_reason",)

    job_fields = JobFields(
        queued=ImportStatus.QUEUED,
        running=ImportStatus.PROCESSING,
        succeeded=ImportStatus.REVIEW,
        failed=ImportStatus.FAILED,
        done="rows_processed",
        total="rows_expected",
        error="failure_reason",
        started_at=None,
        finished_at="completed_at",
        attempts="attempts",
        retry_task="payroll.tasks.import_batch_process_task",
        fail_task="payroll.tasks.import_batch_fail_task",
    )

    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("The uploaded file this batch was split from (one batch per carrier)."),
    )
    carrier = models.ForeignKey(
        Carrier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_batches",
        help_text=_("Empty while a file with a carrier column waits to be split."),
    )
    workspace = models.ForeignKey(
        Workspace,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_batches",
        help_text=_("Producers are matched in this workspace (its only producer is the last resort)."),
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_batches",
        help_text=_("Managers of this office see the batch."),
    )
    source = models.CharField(_("source"), max_length=10, choices=ImportSource.choices)
    original_filename = models.CharField(_("original file name"), max_length=255, blank=True)
    file_path = models.CharField(
        _("stored file"), max_length=500, blank=True, help_text=_("Relative to PRIVATE_FILES_ROOT.")
    )
    payload = models.JSONField(_("JSON payouts"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED, db_index=True
    )
    rows_processed = models.PositiveIntegerField(_("rows processed"), default=0)
    rows_expected = models.PositiveIntegerField(_("rows expected"), default=0)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    matched_rows = models.PositiveIntegerField(_("matched"), default=0)
    unmatched_rows = models.PositiveIntegerField(_("unmatched"), default=0)
    duplicate_rows = models.PositiveIntegerField(_("duplicates"), default=0)
    error_rows = models.PositiveIntegerField(_("errors"), default=0)
    skipped_rows = models.PositiveIntegerField(_("skipped"), default=0)
    chargeback_rows = models.PositiveIntegerField(_("chargebacks"), default=0)
    premium_total = models.DecimalField(_("premium total"), default=Decimal("0.00"), **MONEY)
    gross_total = models.DecimalField(_("gross commission total"), default=Decimal("0.00"), **MONEY)
    transaction_count = models.PositiveIntegerField(_("ledger lines"), default=0)
    column_mapping = models.JSONField(
        _("column mapping"),
        default=dict,
        blank=True,
        help_text=_("Ledger field -> the column header it was read from."),
    )
    date_format = models.CharField(_("date format"), max_length=20, choices=DateFormat.choices, blank=True)
    statement_period = models.DateField(_("statement period"), null=True, blank=True)
    failure_reason = models.TextField(_("why it failed"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, help_text=_("Processing runs started."))
    heartbeat_at = models.DateTimeField(
        _("last heartbeat"), null=True, blank=True, help_text=_("Last sign of life of the worker processing it.")
    )
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by_label = models.CharField(_("imported by"), max_length=300, blank=True)
    completed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    finalised_by_label = models.CharField(_("finalised by"), max_length=300, blank=True)
    rolled_back_at = models.DateTimeField(_("rolled back at"), null=True, blank=True)
    rolled_back_by_label = models.CharField(_("rolled back by"), max_length=300, blank=True)

    objects = ImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        db_table = "integrations_importbatch"
        verbose_name_plural = _("import batches")
        indexes = [models.Index(fields=["organisation", "status"], name="integrations_import_status")]

    def __str__(self) -> str:
        return f"Import #{self.pk} ({self.original_filename or self.get_source_display()})"

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(
            parent=self.parent, carrier=self.carrier, workspace=self.workspace, office=self.office
        )
        if errors:
            raise ValidationError(errors)

    @property
    def progress_percent(self) -> int:
        if self.status not in (ImportStatus.QUEUED, ImportStatus.PROCESSING):
            return 100
        if not self.rows_expected:
            return 0
        return min(99, int(self.rows_processed * 100 / self.rows_expected))


class ImportRow(TenantModel):
    """One line of a statement: what it said (``raw``), what it means (the normalised fields),
    what it matched and with which confidence, and why it cannot be imported (``errors``).

    ``claim`` is the row's duplicate fingerprint while the row holds it (unique; the fingerprint
    hashes the organisation's id): a second row with the same carrier, policy, period and amounts, or the same
    external id, finds it taken and is a duplicate. Skipped, duplicate, failed and rolled-back
    rows release it."""

    # Fewer indexes than usual: a 100,000-row statement inserts 100,000 of these, and every index
    # costs on each insert. The composite (batch, ...) indexes below serve the batch lookups.
    # Issue 13 point 14 dropped three more (payroll 0009), each unused by the queries of rows:
    # - organisation: rows are read by batch (the composites below) or by claim (its unique
    #   index, the duplicate lookup); the organisation-wide row list reads in (batch, line)
    #   order, which the (batch, line) index gives; only deleting an organisation scans;
    # - policy and producer: read through the row (select_related), filtered within a batch
    #   (the exception queue, review by producer key) where the batch index narrows first;
    #   deleting a policy or producer (rare: both are PROTECTed by their ledger lines) scans.
    organisation = CheckedForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("organisation")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    batch = CheckedForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows", db_index=False)
    line = models.PositiveIntegerField(
        _("line"), help_text=_("The file's line (the header is line 1), or the item number.")
    )
    raw = models.JSONField(_("raw data"), default=dict)
    policy_number = models.CharField(_("policy number"), max_length=100, blank=True)
    producer_ref = models.CharField(_("producer as written"), max_length=300, blank=True)
    producer_key = models.CharField(max_length=300, blank=True, help_text=_("Normalised producer reference."))
    customer_name = models.CharField(_("customer"), max_length=200, blank=True)
    transaction_date = models.DateField(_("transaction date"), null=True, blank=True)
    statement_period = models.DateField(_("statement period"), null=True, blank=True)
    premium = models.DecimalField(_("premium"), null=True, blank=True, **MONEY)
    gross_commission = models.DecimalField(_("gross commission"), null=True, blank=True, **MONEY)
    rate = models.DecimalField(_("rate %"), null=True, blank=True, **PERCENT)
    split_percent = models.DecimalField(_("split %"), null=True, blank=True, **PERCENT)
    type = models.CharField(_("type"), max_length=20, choices=TransactionType.choices, default=TransactionType.NEW)
    external_id = models.CharField(_("external id"), max_length=200, blank=True)
    line_of_business = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    commission_rule = models.ForeignKey(
        "payroll.CommissionRule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        help_text=_("The rule that computed the gross commission, when the row had none."),
    )
    status = models.CharField(_("match status"), max_length=20, choices=RowStatus.choices)
    match_method = models.CharField(_("matched by"), max_length=20, choices=MatchMethod.choices, blank=True)
    confidence = models.DecimalField(_("confidence"), max_digits=3, decimal_places=2, default=Decimal("0.00"))
    policy = CheckedForeignKey(
        Policy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    producer = CheckedForeignKey(
        Producer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    errors = models.JSONField(_("errors"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=32, blank=True)
    # The fingerprint (which hashes the organisation's id) while the row holds it; NULL once
    # released, so any number of released rows coexist under the unique index. A uuid column:
    # half the size of the text, so inserting and looking up 100,000 of them is cheaper.
    claim = models.UUIDField(null=True, blank=True, editable=False, unique=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        help_text=_("The row imported earlier (or higher up in the file) that this one repeats."),
    )

    objects = ImportRowQuerySet.as_manager()

    class Meta:
        db_table = "integrations_importrow"
        ordering = ["batch", "line", "id"]
        indexes = [
            models.Index(fields=["batch", "status", "line"], name="integrations_importrow_queue"),
            models.Index(fields=["batch", "line"], name="integrations_importrow_line"),
            # most rows are no duplicate: a partial index costs those inserts nothing
            models.Index(
                fields=["duplicate_of"],
                condition=models.Q(duplicate_of__isnull=False),
                name="integrations_importrow_dup",
            ),
        ]

    def __str__(self) -> str:
        return f"line {self.line} of import #{self.batch_id}"


class ImportAlias(TenantModel):
    """What a person taught the matcher: this text (normalised: lower case, single spaces)
    means this producer, this policy (of one carrier) or this carrier. Aliases are tried
    before codes, emails and names, so a statement's odd spelling matches from then on."""

    kind = models.CharField(_("kind"), max_length=20, choices=AliasKind.choices)
    text = models.CharField(_("text"), max_length=300)
    carrier = models.ForeignKey(
        Carrier,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The carrier whose statements use a policy alias."),
    )
    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    target_carrier = models.ForeignKey(
        Carrier, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("means carrier")
    )
    created_by_label = models.CharField(_("learned from"), max_length=300, blank=True)

    objects = ImportAliasQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "text", "id"]
        db_table = "integrations_importalias"
        verbose_name_plural = _("import aliases")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "text"],
                condition=models.Q(carrier__isnull=True),
                name="integrations_importalias_unique_text",
                violation_error_message=_("This alias already exists."),
            ),
            models.UniqueConstraint(
                fields=["organisation", "kind", "carrier", "text"],
                condition=models.Q(carrier__isnull=False),
                name="integrations_importalias_unique_carrier_text",
                violation_error_message=_("This alias already exists for this carrier."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text}"

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(
            carrier=self.carrier, producer=self.producer, policy=self.policy, target_carrier=self.target_carrier
        )
        targets = {"producer": self.producer, "policy": self.policy, "carrier": self.target_carrier}
        if self.kind in targets and targets[self.kind] is None:
            field = "target_carrier" if self.kind == AliasKind.CARRIER else self.kind
            errors.setdefault(field, _("Name what the alias means."))
        if self.kind == AliasKind.POLICY and self.carrier is None:
            errors.setdefault("carrier", _("A policy alias belongs to one carrier."))
        if errors:
            raise ValidationError(errors)
