"""Statement imports (issue 6 point 3): upload -> process (Celery) -> review -> finalise or roll back.

1. :func:`import_batch_create` stores the upload (CSV/XLSX under ``PRIVATE_FILES_ROOT``, JSON
   payouts in the row), checks its header against the column mapping, and enqueues
   ``import_batch_process_task`` after commit (202 for the API).
2. :func:`import_batch_process` streams the statement: each row is normalised
   (:mod:`integrations.import_parsing`), matched against lookups loaded once per batch
   (producers by code, email and name, policies by number, learned aliases, line-of-business
   categories, carriers), fingerprinted, and inserted with ``bulk_create`` in chunks of
   :data:`CHUNK_SIZE`. Duplicates are found per chunk through the unique ``claim`` index (one
   query per chunk, never per row), so memory stays flat. A ``carrier`` column splits the file
   into one child batch per carrier (unknown carriers are created). The batch then waits in
   ``review`` and ``import.batch.completed`` is recorded once for it.
3. :func:`import_row_match` lets a person match a row of the exception queue (or skip it) and
   learns the alias, so the next statement matches on its own.
4. :func:`import_batch_finalise` turns every matched row into reconciled ledger lines in one
   transaction (chargebacks linked to the line they take back), or nothing;
   :func:`import_batch_rollback` undoes a batch (and its ledger lines, unless something
   downstream approved or paid them).
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.actors import Actor, system_actor
from organisations.choices import ProducerStatus, Role
from organisations.models import Producer, Workspace
from payroll import services as payroll_services
from payroll.choices import CategoryKind, TransactionType
from payroll.models import HUNDRED, Carrier, Category, CommissionTransaction, Policy, PolicyProducer, money
from trackyoursheets.exceptions import Conflict, NotPermitted

from . import events
from .bulk import bulk_insert, relaxed_commit, values_in
from .choices import ROW_NEEDS_ATTENTION, AliasKind, ImportSource, ImportStatus, MatchMethod, RowStatus
from .import_parsing import (
    CellError,
    StatementError,
    fingerprint,
    json_value,
    match_key,
    parse_date,
    parse_money,
    parse_percent,
    parse_period,
    parse_type,
    policy_key,
    read_statement,
    resolve_mapping,
    sniff_source,
    text_value,
    validate_mapping,
)
from .models import ImportAlias, ImportBatch, ImportRow
from .outbox import record_event
from .services import _enqueue_on_commit

logger = logging.getLogger("trackyoursheets.imports")

__all__ = [
    "CHUNK_SIZE",
    "import_batch_create",
    "import_batch_process",
    "import_batch_fail",
    "import_row_match",
    "import_batch_finalise",
    "import_batch_rollback",
]

#: rows normalised, checked for duplicates and inserted together (one transaction each)
CHUNK_SIZE = 2000
#: JSON payouts accepted in one request
MAX_PAYOUTS = 100_000
IMPORT_DIRECTORY = "imports"
#: how sure a match is, by how it was made
CONFIDENCE = {
    MatchMethod.ALIAS: Decimal("1.00"),
    MatchMethod.PRODUCER_CODE: Decimal("1.00"),
    MatchMethod.PERSON: Decimal("1.00"),
    MatchMethod.EMAIL: Decimal("0.95"),
    MatchMethod.POLICY: Decimal("0.95"),
    MatchMethod.NAME: Decimal("0.90"),
    MatchMethod.ONLY_PRODUCER: Decimal("0.60"),
}
#: confidence is scaled by this when a row names a policy number we do not know, or a producer
#: we could not find but matched another way
UNCERTAIN = Decimal("0.8")
IMPORTABLE = (RowStatus.MATCHED, RowStatus.UNMATCHED)
ZERO = Decimal("0.00")


# =============================================================================
# Who may import
# =============================================================================


def _require_import_access(actor: Actor, workspace: Workspace | None = None) -> None:
    """Owners, admins and organisation-wide credentials import anything; a manager imports for
    their office (producers of its workspaces only); nobody else imports."""
    if actor.sees_whole_organisation:
        return
    if actor.role == Role.MANAGER and actor.membership is not None and actor.membership.office_id:
        if workspace is None or workspace.office_id == actor.membership.office_id:
            return
        raise NotPermitted(_("Managers import statements for their own office's workspaces only."))
    raise NotPermitted(_("Your role does not allow importing statements."))


def _office_of(actor: Actor, workspace: Workspace | None):
    if workspace is not None:
        return workspace.office
    if not actor.sees_whole_organisation and actor.membership is not None:
        return actor.membership.office
    return None


# =============================================================================
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
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            {"file": [_("The file is larger than %(max)s MB.") % {"max": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}]}
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
            {"carrier_id": [_("Name the carrier (carrier_id), or send a file with a carrier column to split it.")]}
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
            payroll_services.carrier_update(
                actor=actor, carrier=carrier, column_mapping={**carrier.column_mapping, **mapping}
            )
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
    except BaseException:
        if path is not None:
            path.unlink(missing_ok=True)
        raise
    _enqueue_on_commit("import_batch_process_task", batch.pk, actor.organisation.pk)
    return batch


# =============================================================================
# Processing: normalise, match, deduplicate (the Celery task's body)
# =============================================================================

AMBIGUOUS = object()


@dataclass
class _ProducerInfo:
    id: int
    workspace_id: int | None
    default_split: Decimal
    name: str


class _Lookups:
    """Everything a row is matched against, loaded once per batch (never a query per row)."""

    def __init__(self, batch: ImportBatch):
        self.organisation = batch.organisation
        producers = Producer.objects.for_organisation(self.organisation).filter(status=ProducerStatus.ACTIVE)
        if batch.office_id:
            producers = producers.filter(workspace__office_id=batch.office_id)
        self.producers: dict[int, _ProducerInfo] = {}
        self.by_code: dict[str, int] = {}
        self.by_email: dict[str, int] = {}
        self.by_name: dict[str, object] = {}
        for pk, workspace_id, split, name, code, email in producers.values_list(
            "id", "workspace_id", "default_split_percent", "display_name", "producer_code", "email"
        ):
            self.producers[pk] = _ProducerInfo(pk, workspace_id, Decimal(split), name)
            if code:
                self.by_code[match_key(code)] = pk
            if email:
                self.by_email.setdefault(match_key(email), pk)
            key = match_key(name)
            self.by_name[key] = AMBIGUOUS if key in self.by_name else pk
        in_scope = [
            p for p in self.producers.values() if batch.workspace_id is None or p.workspace_id == batch.workspace_id
        ]
        self.only_producer = in_scope[0].id if len(in_scope) == 1 else None
        aliases = ImportAlias.objects.for_organisation(self.organisation)
        self.producer_aliases = {
            text: pk
            for text, pk in aliases.filter(kind=AliasKind.PRODUCER).values_list("text", "producer_id")
            if pk in self.producers
        }
        self.carrier_aliases = dict(aliases.filter(kind=AliasKind.CARRIER).values_list("text", "target_carrier_id"))
        self.categories = {
            match_key(name): pk
            for pk, name in Category.objects.for_organisation(self.organisation)
            .filter(kind=CategoryKind.LINE_OF_BUSINESS)
            .values_list("id", "name")
        }
        self._policies: dict[int, dict] = {}
        self._writers: dict[int, list[tuple[int, Decimal]]] = {}
        self._rules: dict[tuple, object] = {}
        self._carriers: dict[str, Carrier] | None = None

    # --- policies, per carrier -------------------------------------------------

    def policies(self, carrier_id: int) -> dict[str, tuple[int, int | None]]:
        if carrier_id not in self._policies:
            policies = {
                policy_key(number): (pk, lob)
                for pk, number, lob in Policy.objects.for_organisation(self.organisation)
                .filter(carrier_id=carrier_id)
                .values_list("id", "number", "line_of_business_id")
            }
            lob_by_policy = {pk: lob for pk, lob in policies.values()}
            for text, pk in (
                ImportAlias.objects.for_organisation(self.organisation)
                .filter(kind=AliasKind.POLICY, carrier_id=carrier_id)
                .values_list("text", "policy_id")
            ):
                if pk in lob_by_policy:
                    policies[text] = (pk, lob_by_policy[pk])
            for policy_id, producer_id, split in PolicyProducer.objects.filter(
                policy__carrier_id=carrier_id, policy__organisation=self.organisation
            ).values_list("policy_id", "producer_id", "split_percent"):
                if producer_id in self.producers:
                    self._writers.setdefault(policy_id, []).append((producer_id, Decimal(split)))
            self._policies[carrier_id] = policies
        return self._policies[carrier_id]

    def writers(self, policy_id: int) -> list[tuple[int, Decimal]]:
        return self._writers.get(policy_id, [])

    # --- carriers (split files) ------------------------------------------------

    def carrier_for(self, text: str, date_format: str) -> Carrier:
        """The carrier a statement names (alias, name or code, case/space-insensitive); created when unknown."""
        if self._carriers is None:
            self._carriers = {}
            for carrier in Carrier.objects.for_organisation(self.organisation):
                self._carriers.setdefault(match_key(carrier.code), carrier)
                self._carriers.setdefault(match_key(carrier.name), carrier)
            by_id = {c.pk: c for c in self._carriers.values()}
            for text_key, pk in self.carrier_aliases.items():
                if pk in by_id:
                    self._carriers[text_key] = by_id[pk]
        key = match_key(text)
        if key not in self._carriers:
            codes = {match_key(c.code) for c in self._carriers.values()}
            base = "".join(ch for ch in text.upper() if ch.isalnum())[:40] or "CARRIER"
            code, n = base, 1
            while match_key(code) in codes:
                n += 1
                code = f"{base[:36]}-{n}"
            carrier = payroll_services.carrier_create(
                actor=system_actor(self.organisation),
                name=text.strip()[:200],
                code=code,
                statement_date_format=date_format or Carrier._meta.get_field("statement_date_format").default,
            )
            self._carriers[key] = carrier
            self._carriers.setdefault(match_key(code), carrier)
        return self._carriers[key]

    # --- commission rules --------------------------------------------------------

    def rule_amount(self, carrier: Carrier, lob_id, txn_type: str, on_date, premium) -> tuple[Decimal, int] | None:
        """The rules' commission, cached by what selects the rule (not by premium): a rule set
        lookup per distinct carrier, line, type and date, not per row."""
        key = (carrier.pk, lob_id, txn_type, on_date, premium is None)
        if key not in self._rules:
            lob = Category(pk=lob_id, organisation=self.organisation) if lob_id else None
            self._rules[key] = payroll_services.commission_rule_evaluate(
                organisation=self.organisation,
                carrier=carrier,
                line_of_business=lob,
                transaction_type=txn_type,
                on_date=on_date,
                premium=premium,
            )
        evaluation = self._rules[key]
        if evaluation is None:
            return None
        amount = evaluation.rule.compute(premium=premium, gross_commission=None)
        if amount is None:
            return None
        if txn_type == TransactionType.CHARGEBACK and amount > 0:
            amount = -amount  # as commission_rule_evaluate does: a chargeback takes the commission back
        return amount, evaluation.rule.pk


FIELD_LABELS = {
    "carrier": "Carrier",
    "policy_number": "Policy number",
    "producer_code": "Producer code",
    "producer_email": "Producer email",
    "producer_name": "Producer",
    "customer_name": "Customer",
    "transaction_date": "Transaction date",
    "statement_period": "Statement period",
    "premium": "Premium",
    "gross_commission": "Gross commission",
    "rate": "Rate",
    "split_percent": "Split",
    "type": "Type",
    "external_id": "External id",
    "line_of_business": "Line of business",
}


class _Processor:
    """Reads one statement into rows of ``batch`` (or of its per-carrier children)."""

    def __init__(self, batch: ImportBatch, statement):
        self.batch = batch
        self.statement = statement
        self.organisation = batch.organisation
        self.split = batch.carrier_id is None
        mapping = {header: field for field, header in (batch.column_mapping or {}).items()}
        self.header_fields = [(header, field) for header, field in mapping.items()]
        self.lookups = _Lookups(batch)
        self.children: dict[int, ImportBatch] = {}
        self.pending: list[ImportRow] = []
        self.processed = 0

    # --- one row -------------------------------------------------------------------

    def _target(self, values: dict, errors: list) -> ImportBatch:
        if not self.split:
            return self.batch
        name = text_value(values.get("carrier"))
        if not name:
            errors.append(_("Carrier: empty; every row of a file with a carrier column needs one."))
            return self.batch
        carrier = self.lookups.carrier_for(name, self.batch.date_format)
        if carrier.pk not in self.children:
            child = ImportBatch(
                organisation=self.organisation,
                parent=self.batch,
                carrier=carrier,
                workspace_id=self.batch.workspace_id,
                office_id=self.batch.office_id,
                source=self.batch.source,
                original_filename=self.batch.original_filename,
                status=ImportStatus.PROCESSING,
                column_mapping=self.batch.column_mapping,
                date_format=self.batch.date_format,
                statement_period=self.batch.statement_period,
                created_by_id=self.batch.created_by_id,
                created_by_label=self.batch.created_by_label,
            )
            child.save()
            self.children[carrier.pk] = child
        return self.children[carrier.pk]

    def row(self, line: int, raw: dict) -> dict:
        """One statement line as the attributes of its ImportRow (a dict: cheaper than a model)."""
        errors: list[str] = []
        warnings: list[str] = []
        if "__invalid__" in raw:
            return {
                "organisation_id": self.organisation.pk,
                "batch_id": self.batch.pk,
                "line": line,
                "raw": {"value": json_value(raw["__invalid__"])},
                "status": RowStatus.ERROR.value,
                "errors": [_("This payout is not a JSON object.")],
                "claim": None,
            }
        values = {field: raw.get(header) for header, field in self.header_fields}
        target = self._target(values, errors)
        carrier = target.carrier
        fmt = self.batch.date_format or (carrier.statement_date_format if carrier else "%Y-%m-%d")

        def read(field, parser, *args):
            try:
                return parser(values.get(field), *args)
            except CellError as error:
                errors.append(_("%(field)s: %(reason)s") % {"field": FIELD_LABELS[field], "reason": error})
                return None

        premium = read("premium", parse_money)
        gross = read("gross_commission", parse_money)
        rate = read("rate", parse_percent)
        split = read("split_percent", parse_percent)
        txn_date = read("transaction_date", parse_date, fmt)
        period = self.batch.statement_period or read("statement_period", parse_period, fmt)
        txn_type = read("type", parse_type) or TransactionType.NEW
        policy_number = text_value(values.get("policy_number"))[:100]
        customer = text_value(values.get("customer_name"))[:200]
        external_id = text_value(values.get("external_id"))[:200]
        code = text_value(values.get("producer_code"))
        email = text_value(values.get("producer_email"))
        name = text_value(values.get("producer_name"))
        producer_ref = (code or email or name)[:300]
        lob_name = text_value(values.get("line_of_business"))

        if period is None and txn_date is not None:
            period = txn_date.replace(day=1)
        if txn_date is None and period is not None:
            txn_date = period
        if txn_date is None and not errors:
            errors.append(_("No transaction date and no statement period: add a date column or give statement_period."))

        # --- policy, line of business -----------------------------------------------------
        policy_id = lob_id = None
        if carrier is not None and policy_number:
            found = self.lookups.policies(carrier.pk).get(policy_key(policy_number))
            if found:
                policy_id, lob_id = found
            else:
                warnings.append(
                    _("Policy %(number)s is not on file for %(carrier)s.")
                    % {"number": policy_number, "carrier": carrier.name}
                )
        if lob_id is None and lob_name:
            lob_id = self.lookups.categories.get(match_key(lob_name))
            if lob_id is None:
                warnings.append(_("Line of business %(name)s is not a category; left empty.") % {"name": lob_name})

        # --- gross commission: the row's, else premium x rate, else the rules -------------
        rule_id = None
        if gross is None and premium is not None and rate is not None:
            gross = money(premium * rate / HUNDRED)
        if gross is None and carrier is not None and txn_date is not None and not errors:
            found_rule = self.lookups.rule_amount(carrier, lob_id, txn_type, txn_date, premium)
            if found_rule is not None:
                gross, rule_id = found_rule
        if gross is None and not errors:
            errors.append(
                _(
                    "No gross commission: give the commission, or the premium and a rate, "
                    "or add a commission rule for this carrier."
                )
            )
        if gross is not None and gross < 0 and txn_type in (TransactionType.NEW, TransactionType.RENEWAL):
            txn_type = TransactionType.CHARGEBACK
        if gross is not None and gross > 0 and txn_type == TransactionType.CHARGEBACK:
            errors.append(_("Gross commission: a chargeback takes commission back, so it must be negative."))

        # --- producer ---------------------------------------------------------------
        producer_id, method, confidence = self._match_producer(code, email, name, policy_id, warnings)
        if policy_number and policy_id is None and confidence:
            confidence = (confidence * UNCERTAIN).quantize(Decimal("0.01"))
        if split is None and producer_id is not None:
            split = self._split(policy_id, producer_id)

        # --- duplicate fingerprint --------------------------------------------------
        premium_text = str(premium) if premium is not None else ""
        if external_id:
            print_ = fingerprint(self.organisation.pk, "external", external_id)
        elif policy_number:
            print_ = fingerprint(
                self.organisation.pk,
                carrier.pk if carrier else "",
                policy_key(policy_number),
                period,
                premium_text,
                gross,
                txn_type,
            )
        else:
            print_ = fingerprint(
                self.organisation.pk,
                carrier.pk if carrier else "",
                "producer",
                match_key(producer_ref),
                match_key(customer),
                txn_date,
                period,
                premium_text,
                gross,
                txn_type,
            )
        if errors:
            status = RowStatus.ERROR
        elif producer_id is not None or method == MatchMethod.POLICY:
            status = RowStatus.MATCHED
        else:
            status = RowStatus.UNMATCHED
        matched = status == RowStatus.MATCHED
        return {
            "organisation_id": self.organisation.pk,
            "batch_id": target.pk,
            "line": line,
            "raw": {str(k): json_value(v) for k, v in raw.items() if v is not None and v != ""},
            "policy_number": policy_number,
            "producer_ref": producer_ref,
            "producer_key": match_key(producer_ref)[:300],
            "customer_name": customer,
            "transaction_date": txn_date,
            "statement_period": period,
            "premium": premium,
            "gross_commission": gross,
            "rate": rate,
            "split_percent": split,
            "type": str(txn_type),
            "external_id": external_id,
            "line_of_business_id": lob_id,
            "commission_rule_id": rule_id,
            "status": status.value,
            "match_method": str(method) if status != RowStatus.ERROR else "",
            "confidence": confidence if matched else ZERO,
            "policy_id": policy_id,
            "producer_id": producer_id,
            "errors": errors,
            "warnings": warnings,
            "fingerprint": print_,
            "claim": uuid.UUID(print_) if status != RowStatus.ERROR else None,
        }

    def _match_producer(self, code, email, name, policy_id, warnings):
        lookups = self.lookups
        for ref in (code, email, name):
            if ref and (pk := lookups.producer_aliases.get(match_key(ref))):
                return pk, MatchMethod.ALIAS, CONFIDENCE[MatchMethod.ALIAS]
        if code and (pk := lookups.by_code.get(match_key(code))):
            return pk, MatchMethod.PRODUCER_CODE, CONFIDENCE[MatchMethod.PRODUCER_CODE]
        if email and (pk := lookups.by_email.get(match_key(email))):
            return pk, MatchMethod.EMAIL, CONFIDENCE[MatchMethod.EMAIL]
        if name:
            pk = lookups.by_name.get(match_key(name))
            if pk is AMBIGUOUS:
                warnings.append(_("Several producers are called %(name)s.") % {"name": name})
            elif pk:
                return pk, MatchMethod.NAME, CONFIDENCE[MatchMethod.NAME]
        named = bool(code or email or name)
        if named:
            warnings.append(_("Producer %(ref)s was not found.") % {"ref": code or email or name})
        scale = UNCERTAIN if named else Decimal("1")
        if policy_id is not None:
            writers = lookups.writers(policy_id)
            if len(writers) == 1:
                return (
                    writers[0][0],
                    MatchMethod.POLICY,
                    (CONFIDENCE[MatchMethod.POLICY] * scale).quantize(Decimal("0.01")),
                )
            if writers:
                # several writing producers: one ledger line each, with their splits, at finalise
                return None, MatchMethod.POLICY, (CONFIDENCE[MatchMethod.POLICY] * scale).quantize(Decimal("0.01"))
        if lookups.only_producer is not None and not named:
            return lookups.only_producer, MatchMethod.ONLY_PRODUCER, CONFIDENCE[MatchMethod.ONLY_PRODUCER]
        return None, MatchMethod.NONE, Decimal("0.00")

    def _split(self, policy_id, producer_id) -> Decimal:
        if policy_id is not None:
            for pk, split in self.lookups.writers(policy_id):
                if pk == producer_id:
                    return split
        info = self.lookups.producers.get(producer_id)
        return info.default_split if info else HUNDRED

    # --- chunks ----------------------------------------------------------------------

    def run(self) -> None:
        for line, raw in self.statement.rows:
            self.pending.append(self.row(line, raw))
            if len(self.pending) >= CHUNK_SIZE:
                self.flush()
        self.flush()

    def flush(self) -> None:
        rows, self.pending = self.pending, []
        if not rows:
            return
        with transaction.atomic():
            relaxed_commit()  # a batch interrupted half-way is processed again from scratch
            for _attempt in range(3):
                try:
                    with transaction.atomic():
                        self._insert(rows)
                    break
                except IntegrityError:
                    continue  # another import claimed one of these fingerprints meanwhile: look again
            else:  # pragma: no cover - three races in a row
                raise StatementError(_("Another import of the same statement is running; try again."))
            self.processed += len(rows)
            ImportBatch.objects.filter(pk=self.batch.pk).update(
                rows_processed=self.processed, updated_at=timezone.now()
            )

    def _insert(self, rows: list[dict]) -> None:
        """Mark the chunk's duplicates (one query for its fingerprints, one for its external ids in
        the ledger) and insert it; a row repeating an earlier row of the chunk points at it."""
        claims = [row["claim"] for row in rows if row["claim"]]
        taken = {
            claim: (pk, batch_id, line)
            for claim, pk, batch_id, line in values_in(
                ImportRow.objects.filter(organisation=self.organisation), "claim", claims,
                ("claim", "id", "batch_id", "line"),
            )
        }  # fmt: skip
        external_ids = list({row["external_id"] for row in rows if row["claim"] and row["external_id"]})
        in_ledger = {
            external_id
            for (external_id,) in values_in(
                CommissionTransaction.objects.for_organisation(self.organisation), "external_id", external_ids,
                ("external_id",),
            )
        }  # fmt: skip
        first: dict[str, dict] = {}
        fresh: list[dict] = []
        later: list[tuple[dict, dict]] = []
        for row in rows:
            claim = row["claim"]
            if claim and claim in taken:
                pk, batch_id, line = taken[claim]
                reason = _("Already imported (import #%(batch)s, line %(line)s).") % {"batch": batch_id, "line": line}
                self._duplicate(row, reason, duplicate_of=pk)
            elif claim and row["external_id"] in in_ledger:
                reason = _("A ledger transaction with external id %(id)s already exists.") % {"id": row["external_id"]}
                self._duplicate(row, reason)
            elif claim and claim in first:
                reason = _("Repeats line %(line)s of this file.") % {"line": first[claim]["line"]}
                self._duplicate(row, reason)
                later.append((row, first[claim]))
                continue
            elif claim:
                first[claim] = row
            fresh.append(row)
        ids = bulk_insert(ImportRow, fresh, returning_ids=bool(later))
        if later:
            for row, pk in zip(fresh, ids, strict=True):
                row["id"] = pk
            bulk_insert(ImportRow, [{**row, "duplicate_of_id": original["id"]} for row, original in later])

    @staticmethod
    def _duplicate(row: dict, reason: str, duplicate_of: int | None = None) -> None:
        row.update(
            status=RowStatus.DUPLICATE.value,
            claim=None,
            match_method="",
            confidence=ZERO,
            warnings=[reason, *row["warnings"]],
            duplicate_of_id=duplicate_of,
        )

    # --- the end -------------------------------------------------------------------

    def finish(self) -> None:
        now = timezone.now()
        with transaction.atomic():
            reviewed = list(self.children.values()) if self.split and self.children else [self.batch]
            for batch in reviewed:
                _refresh_counts(batch)
                batch.status = ImportStatus.REVIEW
                batch.rows_processed = batch.total_rows
                batch.rows_expected = batch.total_rows
                batch.completed_at = now
                batch.save()
                _emit(batch, events.IMPORT_BATCH_COMPLETED)
            if self.split and self.children:
                parent = self.batch
                _refresh_counts(parent, with_children=True)
                parent.status = ImportStatus.SPLIT
                parent.rows_processed = parent.rows_expected = parent.total_rows
                parent.completed_at = now
                parent.save()


def _emit(batch: ImportBatch, topic: str, actor: Actor | None = None) -> None:
    payload = events.import_batch_payload(batch, currency=batch.organisation.currency)
    record_event(batch.organisation, topic, payload, actor=actor)


def _refresh_counts(batch: ImportBatch, *, with_children: bool = False) -> None:
    """Counts and totals from the rows (one GROUP BY); totals cover the rows still to import."""
    rows = ImportRow.objects.filter(batch_id__in=_family(batch) if with_children else [batch.pk])
    counts = {status: 0 for status in RowStatus.values}
    premium = gross = Decimal("0.00")
    chargebacks = 0
    for row in rows.values("status").annotate(
        n=Count("id"),
        premium=Sum("premium"),
        gross=Sum("gross_commission"),
        chargebacks=Count("id", filter=Q(type=TransactionType.CHARGEBACK)),
    ):
        counts[row["status"]] = row["n"]
        if row["status"] in IMPORTABLE:
            premium += row["premium"] or 0
            gross += row["gross"] or 0
            chargebacks += row["chargebacks"]
    batch.total_rows = sum(counts.values())
    batch.matched_rows = counts[RowStatus.MATCHED]
    batch.unmatched_rows = counts[RowStatus.UNMATCHED]
    batch.duplicate_rows = counts[RowStatus.DUPLICATE]
    batch.error_rows = counts[RowStatus.ERROR]
    batch.skipped_rows = counts[RowStatus.SKIPPED]
    batch.chargeback_rows = chargebacks
    batch.premium_total = money(premium)
    batch.gross_total = money(gross)


def _family(batch: ImportBatch) -> list[int]:
    """The batch's id and its per-carrier children's (row lookups by batch id use the index)."""
    return [batch.pk, *ImportBatch.objects.filter(parent=batch).values_list("id", flat=True)]


def _reset(batch: ImportBatch) -> None:
    """Forget what an interrupted run left behind (rows, per-carrier children)."""
    rows = ImportRow.objects.filter(batch_id__in=_family(batch))
    if rows.exists():
        rows.delete()
    ImportBatch.objects.filter(parent=batch).delete()


def import_batch_process(*, batch_id: int, organisation_id: int) -> ImportBatch | None:
    """Process a queued batch (the body of ``import_batch_process_task``); idempotent: a batch
    that is no longer queued or processing is left alone, and a run that died half-way is
    started again from scratch. A statement that cannot be read fails the batch with its
    reason; an unexpected error fails it too (and is logged), never half-imports it."""
    with transaction.atomic():
        batch = (
            ImportBatch.objects.for_organisation(organisation_id)
            .select_for_update()
            .filter(pk=batch_id, parent__isnull=True)
            .first()
        )
        if batch is None or batch.status not in (ImportStatus.QUEUED, ImportStatus.PROCESSING):
            return batch
        _reset(batch)
        batch.status = ImportStatus.PROCESSING
        batch.rows_processed = 0
        batch.failure_reason = ""
        batch.save(update_fields=["status", "rows_processed", "failure_reason", "updated_at"])
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
    batch = ImportBatch.objects.for_organisation(organisation_id).select_for_update().filter(pk=batch_id).first()
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


def _locked_batch(batch: ImportBatch) -> ImportBatch:
    return (
        ImportBatch.objects.select_for_update(of=("self",))
        .select_related("organisation", "carrier", "workspace")
        .get(pk=batch.pk)
    )


def _require_review(batch: ImportBatch) -> None:
    # a split upload's own rows (those naming no carrier) can be skipped while it is split
    if batch.status not in (ImportStatus.REVIEW, ImportStatus.SPLIT):
        raise Conflict(
            _("This import is %(status)s; rows can be matched only while it is ready for review.")
            % {"status": batch.status},
            current_status=batch.status,
        )


def _learn(actor: Actor, *, kind: str, text: str, carrier=None, **target) -> None:
    if not text:
        return
    alias = (
        ImportAlias.objects.for_organisation(actor.organisation).filter(kind=kind, text=text, carrier=carrier).first()
    ) or ImportAlias(organisation=actor.organisation, kind=kind, text=text, carrier=carrier)
    for key, value in target.items():
        setattr(alias, key, value)
    alias.created_by_label = actor.label[:300]
    alias.full_clean(validate_constraints=False)
    alias.save()


@transaction.atomic
def import_row_match(
    *,
    actor: Actor,
    row: ImportRow,
    policy: Policy | None = None,
    producer: Producer | None = None,
    split_percent: Decimal | None = None,
    skip: bool = False,
    learn: bool = True,
) -> ImportRow:
    """Match a row to a policy and/or producer by hand (confidence 1), or skip it.

    Only while the batch is in review (409 otherwise); a duplicate cannot be matched, and a
    row in error can only be skipped (its file needs fixing). Matching learns aliases (the
    row's producer text -> the producer; its policy number -> the policy, for this carrier)
    and applies them at once to the batch's other unmatched rows with the same text."""
    batch = _locked_batch(row.batch)
    _require_import_access(actor, batch.workspace)
    _require_review(batch)
    row = ImportRow.objects.select_for_update().get(pk=row.pk)
    if skip:
        if row.status not in (RowStatus.MATCHED, RowStatus.UNMATCHED, RowStatus.ERROR):
            raise Conflict(_("Only matched, unmatched or failed rows can be skipped."), current_status=row.status)
        row.status = RowStatus.SKIPPED
        row.claim = None
        row.save()
        _refresh_counts(batch)
        batch.save()
        return row
    if row.status not in (RowStatus.MATCHED, RowStatus.UNMATCHED):
        raise Conflict(
            _("A %(status)s row cannot be matched; skip it instead.") % {"status": row.get_status_display().lower()},
            current_status=row.status,
        )
    errors = {}
    if policy is None and producer is None:
        errors["producer_id"] = [_("Pick a producer, a policy, or both.")]
    if policy is not None and policy.carrier_id != batch.carrier_id:
        errors["policy_id"] = [_("This policy belongs to another carrier than the statement.")]
    if (
        producer is not None
        and batch.office_id
        and (producer.workspace is None or producer.workspace.office_id != batch.office_id)
    ):
        errors["producer_id"] = [_("Pick a producer of this import's office.")]
    writers = list(policy.producer_links.values_list("producer_id", "split_percent")) if policy is not None else []
    if producer is None and policy is not None and not writers:
        errors["producer_id"] = [_("This policy has no writing producer; pick the producer too.")]
    if errors:
        raise ValidationError(errors)
    if policy is not None:
        row.policy = policy
        row.line_of_business_id = policy.line_of_business_id or row.line_of_business_id
    if producer is None and len(writers) == 1:
        producer = Producer.objects.get(pk=writers[0][0])
    row.producer = producer
    if split_percent is not None:
        row.split_percent = split_percent
    elif producer is not None:
        own = [split for pk, split in writers if pk == producer.pk]
        row.split_percent = own[0] if own else producer.default_split_percent
    else:
        row.split_percent = None
    row.status = RowStatus.MATCHED
    row.match_method = MatchMethod.PERSON
    row.confidence = CONFIDENCE[MatchMethod.PERSON]
    row.save()
    if learn:
        if producer is not None and row.producer_key:
            _learn(actor, kind=AliasKind.PRODUCER, text=row.producer_key, producer=producer)
            _apply_producer_alias(batch, row.producer_key, producer)
        if policy is not None and row.policy_number and policy_key(row.policy_number) != policy_key(policy.number):
            _learn(
                actor, kind=AliasKind.POLICY, text=policy_key(row.policy_number), carrier=batch.carrier, policy=policy
            )
    _refresh_counts(batch)
    batch.save()
    return row


def _apply_producer_alias(batch: ImportBatch, key: str, producer: Producer) -> None:
    """The batch's other unmatched rows with the same producer text match the learned producer."""
    for other in batch.rows.filter(status=RowStatus.UNMATCHED, producer_key=key).select_for_update():
        other.producer = producer
        other.split_percent = other.split_percent or producer.default_split_percent
        other.status = RowStatus.MATCHED
        other.match_method = MatchMethod.ALIAS
        other.confidence = CONFIDENCE[MatchMethod.ALIAS]
        other.save()


# =============================================================================
# Finalise and roll back
# =============================================================================


def _group(batch: ImportBatch) -> tuple[ImportBatch, list[ImportBatch]]:
    """The batch, locked, and the batches an action on it covers: a split upload's children, or itself."""
    locked = _locked_batch(batch)
    children = list(
        ImportBatch.objects.select_for_update(of=("self",))
        .select_related("organisation", "carrier")
        .filter(parent=locked)
        .order_by("id")
    )
    return locked, children or [locked]


def _ledger_lines(rows, producers: dict[int, tuple[int | None, Decimal]], *, chargebacks: bool):
    """Ledger lines (attribute dicts) for matched rows: one per row, or one per writing
    producer when the row's policy has several; chargebacks linked to the line of the same
    policy and producer they take back (the same amount first, else the latest)."""
    columns = (
        "id",
        "batch__carrier_id",
        "policy_id",
        "producer_id",
        "transaction_date",
        "statement_period",
        "premium",
        "gross_commission",
        "split_percent",
        "type",
        "external_id",
        "line_of_business_id",
        "commission_rule_id",
    )
    chunk: list[tuple] = []
    for values in rows.order_by("id").values_list(*columns).iterator(chunk_size=CHUNK_SIZE):
        chunk.append(values)
        if len(chunk) >= CHUNK_SIZE:
            yield from _lines_for(chunk, producers, chargebacks=chargebacks)
            chunk = []
    if chunk:
        yield from _lines_for(chunk, producers, chargebacks=chargebacks)


def _lines_for(chunk: list[tuple], producers, *, chargebacks: bool):
    writers: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    shared = {values[2] for values in chunk if values[3] is None and values[2] is not None}
    if shared:
        for policy_id, producer_id, split in PolicyProducer.objects.filter(policy_id__in=shared).values_list(
            "policy_id", "producer_id", "split_percent"
        ):
            writers[policy_id].append((producer_id, split))
    originals: dict[tuple[int, int], list[tuple[int, Decimal]]] = defaultdict(list)
    if chargebacks:
        policy_ids = {values[2] for values in chunk if values[2] is not None}
        for pk, policy_id, producer_id, gross in (
            CommissionTransaction.objects.filter(policy_id__in=policy_ids)
            .filter(type__in=(TransactionType.NEW, TransactionType.RENEWAL))
            .order_by("-transaction_date", "-id")
            .values_list("id", "policy_id", "producer_id", "gross_commission")
        ):
            originals[(policy_id, producer_id)].append((pk, gross))
    for (
        row_id,
        carrier_id,
        policy_id,
        producer_id,
        txn_date,
        period,
        premium,
        gross,
        split,
        txn_type,
        external_id,
        lob_id,
        rule_id,
    ) in chunk:
        shares = [(producer_id, split)] if producer_id is not None else writers.get(policy_id, [])
        for index, (share_producer, share_split) in enumerate(shares):
            workspace_id, default_split = producers[share_producer]
            reverses = None
            if chargebacks and policy_id is not None:
                candidates = originals.get((policy_id, share_producer), [])
                same = [pk for pk, amount in candidates if amount == -gross]
                reverses = same[0] if same else (candidates[0][0] if candidates else None)
            yield {
                "import_row_id": row_id,
                "carrier_id": carrier_id,
                "policy_id": policy_id,
                "producer_id": share_producer,
                "workspace_id": workspace_id,
                "line_of_business_id": lob_id,
                "statement_period": period,
                "transaction_date": txn_date,
                "premium": premium if premium is not None else ZERO,
                "gross_commission": gross,
                "split_percent": share_split if share_split is not None else default_split,
                "type": txn_type,
                "external_id": external_id if index == 0 else "",
                "commission_rule_id": rule_id,
                "reverses_id": reverses,
            }


@transaction.atomic
def import_batch_finalise(*, actor: Actor, batch: ImportBatch, skip_unresolved: bool = False) -> ImportBatch:
    """Turn every matched row into a ``reconciled`` ledger line (source ``import``), in one
    transaction: all of them or none. Refused (409) unless the batch is in review, and while
    rows are unmatched or in error, naming their lines, unless ``skip_unresolved`` skips them.
    On a split upload it finalises every carrier's batch together. One
    ``import.batch.finalised`` event per batch; no event per ledger line."""
    parent, group = _group(batch)
    _require_import_access(actor, parent.workspace)
    not_ready = [b for b in group if b.status != ImportStatus.REVIEW]
    if not_ready:
        raise Conflict(
            _("Import #%(id)s is %(status)s; only an import ready for review can be finalised.")
            % {"id": not_ready[0].pk, "status": not_ready[0].status},
            current_status=not_ready[0].status,
        )
    ids = sorted({b.pk for b in group} | {parent.pk})
    attention = ImportRow.objects.filter(batch_id__in=ids, status__in=ROW_NEEDS_ATTENTION)
    if attention.exists():
        if not skip_unresolved:
            rows = list(attention.order_by("batch_id", "line").values("id", "line", "status")[:50])
            raise Conflict(
                _(
                    "%(count)s rows are unmatched or in error: match or skip them first "
                    "(or finalise with skip_unresolved)."
                )
                % {"count": attention.count()},
                rows=rows,
            )
        attention.update(status=RowStatus.SKIPPED, claim=None, updated_at=timezone.now())
    producers = {
        pk: (workspace_id, split)
        for pk, workspace_id, split in Producer.objects.for_organisation(actor.organisation).values_list(
            "id", "workspace_id", "default_split_percent"
        )
    }
    batch_ids = [b.pk for b in group]
    matched = ImportRow.objects.filter(batch_id__in=batch_ids, status=RowStatus.MATCHED)
    is_chargeback = Q(type=TransactionType.CHARGEBACK)
    sales = matched.exclude(is_chargeback)
    created = 0
    if connection.vendor == "postgresql":
        # the bulk of a statement (one producer per row, no chargeback) goes row -> line inside
        # the database: one INSERT ... SELECT instead of reading and writing 100,000 rows
        created += payroll_services.transaction_bulk_import_from_rows(
            actor=actor, rows=sales.filter(producer__isnull=False)
        )
        sales = sales.filter(producer__isnull=True)
    created += payroll_services.transaction_bulk_import(
        actor=actor, lines=_ledger_lines(sales, producers, chargebacks=False)
    )
    # chargebacks last, so that they find the lines they take back, this statement's included
    created += payroll_services.transaction_bulk_import(
        actor=actor, lines=_ledger_lines(matched.filter(is_chargeback), producers, chargebacks=True)
    )
    per_batch = (
        {batch_ids[0]: created}
        if len(batch_ids) == 1
        else dict(
            CommissionTransaction.objects.filter(import_row__batch_id__in=batch_ids)
            .values("import_row__batch_id")
            .annotate(n=Count("id"))
            .values_list("import_row__batch_id", "n")
        )
    )
    now = timezone.now()
    for member in group:
        _refresh_counts(member)
        member.status = ImportStatus.FINALISED
        member.finalised_at = now
        member.finalised_by_label = actor.label[:300]
        member.transaction_count = per_batch.get(member.pk, 0)
        member.save()
        _emit(member, events.IMPORT_BATCH_FINALISED, actor)
    if parent not in group:
        _refresh_counts(parent, with_children=True)
        parent.transaction_count = created
        parent.finalised_at = now
        parent.finalised_by_label = actor.label[:300]
        parent.save()
    logger.info("Import %s finalised: %s ledger lines", parent.pk, created)
    return ImportBatch.objects.get(pk=parent.pk)


@transaction.atomic
def import_batch_rollback(*, actor: Actor, batch: ImportBatch) -> ImportBatch:
    """Undo a batch: a finalised one loses its ledger lines (409 when any was approved or paid,
    carries an override, or is taken back by another import's chargeback: nothing is undone
    then); every row gives up its fingerprint, so the statement can be imported again. On a
    split upload, every carrier's batch is rolled back together."""
    parent, group = _group(batch)
    _require_import_access(actor, parent.workspace)
    allowed = (ImportStatus.REVIEW, ImportStatus.FINALISED)
    not_allowed = [b for b in group if b.status not in allowed]
    if not_allowed:
        raise Conflict(
            _("Import #%(id)s is %(status)s; only an import in review or finalised can be rolled back.")
            % {"id": not_allowed[0].pk, "status": not_allowed[0].status},
            current_status=not_allowed[0].status,
        )
    finalised = [b.pk for b in group if b.status == ImportStatus.FINALISED]
    if finalised:
        payroll_services.transaction_bulk_delete_for_import(actor=actor, import_batch_ids=finalised)
    ids = sorted({b.pk for b in group} | {parent.pk})
    ImportRow.objects.filter(batch_id__in=ids, claim__isnull=False).update(claim=None, updated_at=timezone.now())
    now = timezone.now()
    for member in {*group, parent}:
        member.status = ImportStatus.ROLLED_BACK
        member.rolled_back_at = now
        member.rolled_back_by_label = actor.label[:300]
        member.transaction_count = 0
        member.save()
        if member in group:
            _emit(member, events.IMPORT_BATCH_ROLLED_BACK, actor)
    return ImportBatch.objects.get(pk=parent.pk)
