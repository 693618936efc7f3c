"""Processing one statement: each row normalised, matched and fingerprinted, duplicates
marked per chunk, rows inserted with ``COPY`` (the body of the Celery task)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trackyoursheets import jobs
from trackyoursheets.bulk import bulk_insert, chunk_writer, relaxed_commit, values_in

from .. import events
from ..choices import (
    ImportStatus,
    MatchMethod,
    RowStatus,
    TransactionType,
)
from ..models import (
    HUNDRED,
    CommissionTransaction,
    ImportBatch,
    ImportRow,
    money,
)
from .import_state import CHUNK_SIZE, ZERO, _emit, _refresh_counts
from .ledger import producer_split
from .matching import AMBIGUOUS, CONFIDENCE, UNCERTAIN, _Lookups
from .parsing import (
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
    text_value,
)
from .reference import statement_date_format_for

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


# a row's status and match method as stored (plain text: an enum's value is read through a descriptor)
_ERROR, _MATCHED, _UNMATCHED = RowStatus.ERROR.value, RowStatus.MATCHED.value, RowStatus.UNMATCHED.value
_METHOD_TEXT = {method: str(method) for method in MatchMethod}


class _Processor:
    """Reads one statement into rows of ``batch`` (or of its per-carrier children)."""

    def __init__(self, batch: ImportBatch, statement):
        self.batch = batch
        self.statement = statement
        self.organisation = batch.organisation
        self.split = batch.carrier_id is None
        mapping = {header: field for field, header in (batch.column_mapping or {}).items()}
        self.header_fields = list(mapping.items())
        self.lookups = _Lookups(batch)
        self.children: dict[int, ImportBatch] = {}
        self.organisation_id = batch.organisation_id
        self.date_formats: dict[int | None, str] = {}  # by carrier id
        self.processed = 0
        self.look_up_claims = False  # True once a chunk found one of its fingerprints taken
        # per target batch (by identity; the children live as long as this): its id, carrier,
        # carrier id and date format, read once instead of on every row
        self.contexts: dict[int, tuple] = {}
        self.mapped = set(mapping.values())  # the fields the file has a column for
        self.months: dict = {}  # a date's statement month (its first day)

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
        context = self.contexts.get(id(target))
        if context is None:  # the first row of this batch (or per-carrier child)
            carrier = target.carrier
            context = self.contexts[id(target)] = (
                target.pk, carrier, carrier.pk if carrier is not None else None, self._date_format(carrier)
            )  # fmt: skip
        target_id, carrier, carrier_id, fmt = context
        get = values.get
        mapped = self.mapped
        try:  # every cell readable (nearly every row): no error to collect per cell
            premium = parse_money(get("premium"))
            gross = parse_money(get("gross_commission"))
            # (a column the file does not have is an empty cell: no parser to call)
            rate = parse_percent(get("rate")) if "rate" in mapped else None
            split = parse_percent(get("split_percent")) if "split_percent" in mapped else None
            txn_date = parse_date(get("transaction_date"), fmt)
            period = self.batch.statement_period or (
                parse_period(get("statement_period"), fmt) if "statement_period" in mapped else None
            )
            txn_type = parse_type(get("type")) or TransactionType.NEW
        except CellError:
            premium, gross, rate, split, txn_date, period, txn_type = self._read_each(values, fmt, errors)
        policy_number = text_value(values.get("policy_number"))[:100]
        customer = text_value(values.get("customer_name"))[:200]
        external_id = text_value(values.get("external_id"))[:200]
        code = text_value(values.get("producer_code"))
        email = text_value(values.get("producer_email"))
        name = text_value(values.get("producer_name"))
        producer_ref = (code or email or name)[:300]
        lob_name = text_value(values.get("line_of_business"))

        if period is None and txn_date is not None:
            period = self.months.get(txn_date)
            if period is None:
                period = self.months[txn_date] = txn_date.replace(day=1)
        if txn_date is None and period is not None:
            txn_date = period
        if txn_date is None and not errors:
            errors.append(
                _(
                    "No transaction date and no statement period: add a date column or give the statement "
                    "period (YYYY-MM)."
                )
            )

        # --- policy, line of business -----------------------------------------------------
        policy_id = lob_id = None
        number_key = policy_key(policy_number) if policy_number else ""
        if carrier_id is not None and policy_number:
            found = self.lookups.policies(carrier_id).get(number_key)
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
        organisation_id = self.organisation_id
        producer_key = match_key(producer_ref)
        if external_id:
            print_ = fingerprint(organisation_id, "external", external_id)
        elif policy_number:
            print_ = fingerprint(
                organisation_id,
                carrier_id if carrier_id is not None else "",
                number_key,
                period,
                premium_text,
                gross,
                txn_type,
            )
        else:
            print_ = fingerprint(
                organisation_id,
                carrier_id if carrier_id is not None else "",
                "producer",
                producer_key,
                match_key(customer),
                txn_date,
                period,
                premium_text,
                gross,
                txn_type,
            )
        if errors:
            status = _ERROR
        elif producer_id is not None or method == MatchMethod.POLICY:
            status = _MATCHED
        else:
            status = _UNMATCHED
        matched = status is _MATCHED
        return {
            "organisation_id": organisation_id,
            "batch_id": target_id,
            "line": line,
            # a CSV's cells are text already: json_value() only for the others
            "raw": {
                (k if type(k) is str else str(k)): (v if type(v) is str else json_value(v))
                for k, v in raw.items()
                if v is not None and v != ""
            },
            "policy_number": policy_number,
            "producer_ref": producer_ref,
            "producer_key": producer_key[:300],
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
            "status": status,
            "match_method": (_METHOD_TEXT.get(method) or str(method)) if status is not _ERROR else "",
            "confidence": confidence if matched else ZERO,
            "policy_id": policy_id,
            "producer_id": producer_id,
            "errors": errors,
            "warnings": warnings,
            "fingerprint": print_,
            # the uuid column takes the 32 hex digits as they are (a uuid.UUID per row cost more)
            "claim": print_ if status is not _ERROR else None,
        }

    def _date_format(self, carrier) -> str:
        key = carrier.pk if carrier is not None else None
        fmt = self.date_formats.get(key)
        if fmt is None:
            fmt = self.date_formats[key] = statement_date_format_for(carrier=carrier, given=self.batch.date_format)
        return fmt

    def _read_each(self, values: dict, fmt: str, errors: list[str]) -> tuple:
        """The cells one by one, each error named after its column (a row with an unreadable cell)."""

        def read(field, parser, *args):
            try:
                return parser(values.get(field), *args)
            except CellError as error:
                errors.append(_("%(field)s: %(reason)s") % {"field": FIELD_LABELS[field], "reason": error})
                return None

        return (
            read("premium", parse_money),
            read("gross_commission", parse_money),
            read("rate", parse_percent),
            read("split_percent", parse_percent),
            read("transaction_date", parse_date, fmt),
            self.batch.statement_period or read("statement_period", parse_period, fmt),
            read("type", parse_type) or TransactionType.NEW,
        )

    def _match_producer(self, code, email, name, policy_id, warnings):
        lookups = self.lookups
        code_key = match_key(code) if code else ""
        email_key = match_key(email) if email else ""
        name_key = match_key(name) if name else ""
        if lookups.producer_aliases:
            for key in (code_key, email_key, name_key):
                if key and (pk := lookups.producer_aliases.get(key)):
                    return pk, MatchMethod.ALIAS, CONFIDENCE[MatchMethod.ALIAS]
        if code and (pk := lookups.by_code.get(code_key)):
            return pk, MatchMethod.PRODUCER_CODE, CONFIDENCE[MatchMethod.PRODUCER_CODE]
        if email and (pk := lookups.by_email.get(email_key)):
            return pk, MatchMethod.EMAIL, CONFIDENCE[MatchMethod.EMAIL]
        if name:
            pk = lookups.by_name.get(name_key)
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
        info = self.lookups.producers.get(producer_id)
        writers = self.lookups.writers(policy_id) if policy_id is not None else []
        return producer_split(producer_id, writers, info.default_split if info else HUNDRED)

    # --- chunks ----------------------------------------------------------------------

    def run(self) -> None:
        # the database writes one chunk while the next is read (issue 13 point 14; see chunk_writer)
        with chunk_writer(self.flush) as write:
            pending: list[dict] = []  # rows to insert, by attribute name
            for line, raw in self.statement.rows:
                pending.append(self.row(line, raw))
                if len(pending) >= CHUNK_SIZE:
                    write(pending)
                    pending = []
            if pending:
                write(pending)

    def flush(self, rows: list[dict]) -> None:
        with transaction.atomic():
            relaxed_commit()  # a batch interrupted half-way is processed again from scratch
            # First without looking the chunk's fingerprints up: the unique claim index refuses a
            # taken one, and only then (a statement imported again, a race with another import)
            # is the chunk inserted again after the lookup, from then on for every chunk.
            for _attempt in range(4):
                try:
                    with transaction.atomic():
                        self._insert(rows, look_up=self.look_up_claims)
                    break
                except IntegrityError:
                    self.look_up_claims = True  # another row holds one of these fingerprints: look
            else:  # pragma: no cover - three races in a row
                raise StatementError(_("Another import of the same statement is running; try again."))
            self.processed += len(rows)
            # progress and heartbeat; the per-carrier children live as long as their parent
            jobs.job_progress(ImportBatch, self.batch.pk, done=self.processed)
            if self.children:
                ImportBatch.objects.filter(parent=self.batch).update(heartbeat_at=timezone.now())

    def _insert(self, rows: list[dict], *, look_up: bool) -> None:
        """Mark the chunk's duplicates (with ``look_up``, one query for its fingerprints; always
        one for its external ids in the ledger) and insert it; a row repeating an earlier row of
        the chunk points at it. ``rows`` are left as they are (a duplicate is a copy), so that
        the chunk can be inserted again after a refused attempt."""
        taken = (
            {
                claim.hex: (pk, batch_id, line)
                for claim, pk, batch_id, line in values_in(
                    ImportRow.objects.filter(organisation=self.organisation), "claim",
                    [uuid.UUID(row["claim"]) for row in rows if row["claim"]],
                    ("claim", "id", "batch_id", "line"),
                )
            }
            if look_up
            else {}
        )  # fmt: skip
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
                fresh.append(self._duplicate(row, reason, duplicate_of=pk))
            elif claim and row["external_id"] in in_ledger:
                reason = _("A ledger transaction with external id %(id)s already exists.") % {"id": row["external_id"]}
                fresh.append(self._duplicate(row, reason))
            elif claim and claim in first:
                reason = _("Repeats line %(line)s of this file.") % {"line": first[claim]["line"]}
                later.append((self._duplicate(row, reason), first[claim]))
            else:
                if claim:
                    first[claim] = row
                fresh.append(row)
        ids = bulk_insert(ImportRow, fresh, returning_ids=bool(later))
        if later and ids is not None:
            originals = {id(row): pk for row, pk in zip(fresh, ids, strict=True)}
            bulk_insert(ImportRow, [{**row, "duplicate_of_id": originals[id(original)]} for row, original in later])

    @staticmethod
    def _duplicate(row: dict, reason: str, duplicate_of: int | None = None) -> dict:
        return {
            **row,
            "status": RowStatus.DUPLICATE.value,
            "claim": None,
            "match_method": "",
            "confidence": ZERO,
            "warnings": [reason, *row["warnings"]],
            "duplicate_of_id": duplicate_of,
        }

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
