"""Bulk ledger writes for statement imports (issue 6 point 3): the lines of a finalised
statement inserted in chunks (``COPY`` or one ``INSERT ... SELECT`` on PostgreSQL), and
deleted again when it is rolled back."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db import transaction as db_transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.actors import Actor
from organisations.models import Producer
from trackyoursheets.bulk import bulk_insert, roomy_statement
from trackyoursheets.exceptions import Conflict

from ..choices import TransactionSource, TransactionStatus
from ..models import CommissionTransaction
from .access import chunks, workspace_access_checker
from .ledger import producer_share, producer_share_sql

# =============================================================================
# Bulk ledger writes for statement imports (issue 6 point 3)
#
# Called by ``payroll.services.import_review`` when a reviewed batch is finalised or rolled
# back. The import pipeline has already normalised and matched every row against rows of
# this organisation (producers, policies, carriers loaded through scoped querysets), so
# these writes skip the per-row ``full_clean()`` (which would cost queries per line) and
# insert in chunks. No ``payroll.transaction.created`` event per line: the import records
# one ``import.batch.finalised`` event per batch instead (documented in the API guide).
# =============================================================================

#: lines inserted or deleted per statement
IMPORT_CHUNK_SIZE = 2000
#: a rollback is refused while any line of the batch is in one of these statuses
ROLLBACK_BLOCKING_STATUSES = frozenset({TransactionStatus.APPROVED, TransactionStatus.PAID})


@db_transaction.atomic
def transaction_bulk_import(*, actor: Actor, lines, chunk_size: int = IMPORT_CHUNK_SIZE) -> int:
    """Insert imported ledger lines as ``reconciled`` (source ``import``), all or nothing.

    ``lines`` are dicts of the line's attributes by attribute name (``producer_id``,
    ``carrier_id``, ``policy_id``, ``workspace_id``, ``import_row_id``, ``reverses_id``,
    amounts, dates, type, ...), inserted with ``COPY`` on PostgreSQL. Each line's amount is
    derived here (gross x split, rounded half up); managers may import only into their
    office's workspaces (one line of another office refuses the whole statement)."""
    check = workspace_access_checker(actor)
    organisation_id = actor.organisation.pk
    total = 0
    for chunk in chunks(lines, chunk_size):
        check({line["workspace_id"] for line in chunk})
        for line in chunk:
            line["organisation_id"] = organisation_id
            line["status"] = TransactionStatus.RECONCILED.value
            line["source"] = TransactionSource.IMPORT.value
            line["producer_amount"] = producer_share(line["gross_commission"], line["split_percent"])
        bulk_insert(CommissionTransaction, chunk)
        total += len(chunk)
    return total


def _column(model, name: str) -> str:
    """The column of ``model``'s field ``name`` (a concrete field always has one; the stubs say maybe)."""
    return cast("str", model._meta.get_field(name).column)


@db_transaction.atomic
def transaction_bulk_import_from_rows(*, actor: Actor, rows) -> int:
    """The same as :func:`transaction_bulk_import`, in one ``INSERT ... SELECT`` (PostgreSQL).

    ``rows`` is a queryset of matched ``integrations.ImportRow`` with a producer each; every
    row becomes one ``reconciled`` line (source ``import``) of its producer's workspace, split
    the row's split (else the producer's default), amount gross x split rounded half up
    (:func:`producer_share_sql`, the same rounding as ``money()``). Only rows with a producer
    (the join drops the others): the whole row is that producer's line, which is what
    :func:`~payroll.services.ledger.allocate_shares` gives a single writer; rows of a shared
    policy are divided among its writers in Python (``import_review._lines_for``), never here.
    Fields this does not set take their model default, so a field added to the ledger later
    still gets one."""
    if not actor.sees_whole_organisation:  # (the check lets such an actor write any workspace)
        check = workspace_access_checker(actor)
        check(set(Producer.objects.filter(pk__in=rows.values("producer_id")).values_list("workspace_id", flat=True)))
    quote = connection.ops.quote_name
    row_model = rows.model
    table = quote(row_model._meta.db_table)

    def r(name: str) -> str:
        return f"{table}.{quote(_column(row_model, name))}"

    split = f"COALESCE({r('split_percent')}, p.{quote(_column(Producer, 'default_split_percent'))})"
    now = timezone.now()
    expressions: dict[str, tuple[str, list[Any]]] = {
        "organisation_id": ("%s", [actor.organisation.pk]),
        "created_at": ("%s", [now]),
        "updated_at": ("%s", [now]),
        "policy_id": (r("policy"), []),
        "producer_id": (r("producer"), []),
        "carrier_id": (f"b.{quote('carrier_id')}", []),
        "workspace_id": (f"p.{quote(_column(Producer, 'workspace'))}", []),
        "line_of_business_id": (r("line_of_business"), []),
        "statement_period": (r("statement_period"), []),
        "transaction_date": (r("transaction_date"), []),
        "premium": (f"COALESCE({r('premium')}, 0)", []),
        "gross_commission": (r("gross_commission"), []),
        "split_percent": (split, []),
        "producer_amount": (producer_share_sql(r("gross_commission"), split), []),
        "type": (r("type"), []),
        "status": ("%s", [TransactionStatus.RECONCILED.value]),
        "source": ("%s", [TransactionSource.IMPORT.value]),
        "external_id": (r("external_id"), []),
        "commission_rule_id": (r("commission_rule"), []),
        "import_row_id": (f"{table}.id", []),
    }
    columns: list[str] = []
    selected: list[str] = []
    params: list[Any] = []
    for field in CommissionTransaction._meta.concrete_fields:
        if field.primary_key:
            continue
        expression, values = expressions.get(
            field.attname, ("%s", [field.get_db_prep_save(field.get_default(), connection)])
        )
        columns.append(quote(cast("str", field.column)))  # a concrete field always has its column
        selected.append(expression)
        params.extend(values)
    condition, condition_params = _condition(rows, table)
    batch_table = row_model._meta.get_field("batch").related_model._meta.db_table
    sql = (
        f"INSERT INTO {quote(CommissionTransaction._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(selected)} FROM {table} "
        f"JOIN {quote(batch_table)} b ON b.id = {r('batch')} "
        f"JOIN {quote(Producer._meta.db_table)} p ON p.id = {r('producer')} "
        f"WHERE {condition} ORDER BY {table}.id"  # ids in statement order
    )
    roomy_statement()  # the sort by id and the key check's new rows stay in memory
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *condition_params])
        return cursor.rowcount


def _condition(rows, table: str) -> tuple[str, list[Any]]:
    """The WHERE condition of ``rows`` over their own table, as the ORM writes it, so that the
    statement reads the rows through their index directly (issue 13 point 14: ``id IN (the
    ordered queryset)`` joined the rows to themselves and sorted them twice, 0.5 s of 100,000);
    ``id IN (...)`` when the filter joins another table."""
    query = rows.order_by().query
    # the tables the WHERE clause reads (an isnull lookup on a key registers its join and
    # then trims it: refcount 0)
    read = {alias for alias in query.alias_map if query.alias_refcount.get(alias)}
    if read <= {rows.model._meta.db_table} and not query.extra:
        try:
            sql, params = query.get_compiler(connection=connection).compile(query.where)
        except FullResultSet:
            return "TRUE", []
        except EmptyResultSet:
            return "FALSE", []
        return sql, list(params)
    ids_sql, ids_params = rows.order_by().values("pk").query.sql_with_params()
    return f"{table}.id IN ({ids_sql})", list(ids_params)


@db_transaction.atomic
def transaction_bulk_delete_for_import(*, actor: Actor, import_batch_ids: list[int]) -> int:
    """Delete the ledger lines imported by these batches (a rollback), all or nothing.

    Refused (409, naming up to 50 line ids) when a line was approved or paid, carries an
    override, or is taken back by a chargeback outside these batches: what happened
    downstream is never silently undone. The lines are locked first, so a concurrent
    approval waits for the rollback (and then finds the line gone)."""
    lines = CommissionTransaction.objects.for_organisation(actor.organisation).filter(
        import_row__batch_id__in=import_batch_ids
    )
    ids = list(lines.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))
    if not ids:
        return 0
    check = workspace_access_checker(actor)
    check(set(lines.values_list("workspace_id", flat=True).distinct()))
    blocked = list(lines.filter(status__in=ROLLBACK_BLOCKING_STATUSES).values_list("pk", flat=True)[:50])
    if blocked:
        raise Conflict(
            _("Some of this import's transactions were approved or paid; nothing was rolled back."),
            transaction_ids=blocked,
        )
    overridden = list(lines.filter(overrides__isnull=False).values_list("pk", flat=True).distinct()[:50])
    if overridden:
        raise Conflict(
            _("Some of this import's transactions carry overrides; nothing was rolled back."),
            transaction_ids=overridden,
        )
    reversed_elsewhere = list(
        CommissionTransaction.objects.filter(reverses__in=ids)
        .exclude(import_row__batch_id__in=import_batch_ids)
        .values_list("pk", flat=True)[:50]
    )
    if reversed_elsewhere:
        raise Conflict(
            _("Chargebacks outside this import take back some of its transactions; nothing was rolled back."),
            transaction_ids=reversed_elsewhere,
        )
    chargebacks = set(lines.filter(reverses__isnull=False).values_list("pk", flat=True))
    ordered = [pk for pk in ids if pk in chargebacks] + [pk for pk in ids if pk not in chargebacks]
    try:
        for chunk in chunks(ordered, IMPORT_CHUNK_SIZE):
            CommissionTransaction.objects.filter(pk__in=chunk).delete()
    except ProtectedError as error:
        raise Conflict(
            _("Other records depend on this import's transactions; nothing was rolled back."),
            transaction_ids=sorted({obj.pk for obj in error.protected_objects if hasattr(obj, "pk")})[:50],
        ) from error
    return len(ids)
