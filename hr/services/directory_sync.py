"""Directory sync from another system (the TrackTik connector, issue 19): match each person to
an employee by the system's id, then by ``custom_id`` (our employee number), then by email;
create who is new, update what changed, terminate who went inactive (never delete)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, prefetch_related_objects

from integrations.outbox import record_events
from organisations.actors import Actor
from organisations.audit import audit_changes, audit_snapshot

from .. import events
from ..choices import EmployeeStatus
from ..models import Employee, EmployeeExternalId
from ._common import _require_hr_editor
from .employees import _set_external_ids, employee_terminate, employee_update

#: the fields a sync row may carry (besides ``external_id``, ``custom_id`` and ``active``)
SYNCED_FIELDS = ("first_name", "last_name", "email")


@dataclass
class DirectorySyncResult:
    #: external id -> our employee id
    employees: dict[str, int] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    terminated: int = 0
    #: (external id, reason) of rows that could not be written
    errors: list[tuple[str, str]] = field(default_factory=list)


def _row_values(row: dict) -> dict:
    values = {key: (row.get(key) or "").strip() for key in SYNCED_FIELDS}
    values["first_name"] = values["first_name"] or "?"
    if row.get("custom_id"):
        values["employee_number"] = str(row["custom_id"]).strip()[:50]
    return values


@transaction.atomic
def employee_sync_from_source(*, actor: Actor, source: str, rows: list[dict]) -> DirectorySyncResult:
    """Upsert ``rows`` (``external_id``, ``custom_id``, ``first_name``, ``last_name``, ``email``,
    ``active``) of ``source``. Matching: the source's id, then ``custom_id`` = employee number,
    then email (case-insensitive); a match found the second or third way gets the source's id.
    Inactive people are terminated, never deleted. Reads are three queries for all rows; writes
    happen only for what changed (a re-run with the same rows writes nothing)."""
    _require_hr_editor(actor)
    result = DirectorySyncResult()
    org = actor.organisation
    ids = [str(r["external_id"]) for r in rows]
    links = dict(
        EmployeeExternalId.objects.for_organisation(org)
        .filter(source=source, external_id__in=ids)
        .values_list("external_id", "employee_id")
    )
    numbers = [str(r["custom_id"]).strip() for r in rows if r.get("custom_id")]
    emails = [r["email"].strip().lower() for r in rows if r.get("email")]
    wanted = Q(pk__in=list(links.values())) | Q(employee_number__in=numbers)
    for email in emails:
        wanted |= Q(email__iexact=email)
    candidates = Employee.objects.for_organisation(org).filter(wanted)
    by_pk: dict[int, Employee] = {}
    by_number: dict[str, Employee] = {}
    by_email: dict[str, Employee] = {}
    for candidate_row in candidates.select_related("office"):
        by_pk[candidate_row.pk] = candidate_row
        if candidate_row.employee_number:
            by_number.setdefault(candidate_row.employee_number, candidate_row)
        if candidate_row.email:
            by_email.setdefault(candidate_row.email.lower(), candidate_row)
    linked_ids = set(links.values())
    pending: list[tuple[dict, Employee]] = []
    for row in rows:
        external_id = str(row["external_id"])
        values = _row_values(row)
        linked = links.get(external_id)
        employee: Employee | None = by_pk.get(linked) if linked is not None else None
        if employee is None:
            found = by_number.get(values.get("employee_number", "")) or by_email.get(values["email"].lower() or "-")
            if found is not None and found.pk not in linked_ids:
                employee = found
                _set_external_ids(actor, employee, {source: external_id})
                linked_ids.add(employee.pk)
        if (
            employee is not None
            and row.get("active", True)
            and all(getattr(employee, k) == v for k, v in values.items())
        ):
            # nothing to write: no savepoint (a re-run over a thousand people is three reads)
            result.unchanged += 1
            result.employees[external_id] = employee.pk
            continue
        if employee is None:
            # new people are written together after the loop (one INSERT each table); checking
            # them writes nothing, so needs no savepoint; the organisation is the actor's
            candidate = Employee(organisation=org, **values)
            try:
                candidate.full_clean(exclude=["organisation"], validate_unique=False, validate_constraints=False)
            except Exception as exc:  # one bad person does not stop the others: the run lists it
                result.errors.append((external_id, _reason(exc)))
                continue
            pending.append((row, candidate))
            continue
        try:
            with transaction.atomic():
                changed = {k: v for k, v in values.items() if getattr(employee, k) != v}
                if not row.get("active", True):
                    if changed:
                        employee = employee_update(actor=actor, employee=employee, data=changed)
                    if employee.status != EmployeeStatus.TERMINATED:
                        employee_terminate(actor=actor, employee=employee)
                        result.terminated += 1
                    elif not changed:
                        result.unchanged += 1
                elif changed:
                    employee = employee_update(actor=actor, employee=employee, data=changed)
                    result.updated += 1
                else:
                    result.unchanged += 1
        except Exception as exc:  # one bad person does not stop the others: the run lists it
            result.errors.append((external_id, _reason(exc)))
            continue
        result.employees[external_id] = employee.pk
    _create_many(actor, source, pending, result)
    return result


def _create_many(actor: Actor, source: str, pending: list[tuple[dict, Employee]], result: DirectorySyncResult) -> None:
    """New people of a sync in bulk: their rows, their source ids, one audit row and one
    ``hr.employee.created`` event each (as :func:`employee_create` would write them one by one).
    Someone who left before we first saw them is added, then terminated: their past shifts still
    need an employee."""
    if not pending:
        return
    org = actor.organisation
    employees = Employee.objects.bulk_create([employee for _row, employee in pending])
    EmployeeExternalId.objects.bulk_create(
        [
            EmployeeExternalId(organisation=org, employee=employee, source=source, external_id=str(row["external_id"]))
            for (row, _candidate), employee in zip(pending, employees, strict=True)
        ]
    )
    prefetch_related_objects(employees, "external_ids")  # employee_payload reads them: one query, not one each
    audit_changes(
        actor=actor,
        action="employee.create",
        changes=[(employee, None, audit_snapshot(employee)) for employee in employees],
    )
    record_events(org, [(events.EMPLOYEE_CREATED, events.employee_payload(e)) for e in employees], actor=actor)
    result.created += len(employees)
    for (row, _candidate), employee in zip(pending, employees, strict=True):
        result.employees[str(row["external_id"])] = employee.pk
        if not row.get("active", True):
            employee_terminate(actor=actor, employee=employee)
            result.terminated += 1


def _reason(exc: Exception) -> str:
    messages = getattr(exc, "message_dict", None)
    if messages:
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in messages.items())
    return str(exc) or type(exc).__name__
