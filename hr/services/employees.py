"""Writes of the directory: employees, their external ids, the directory sync (upsert)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.outbox import record_event
from organisations.actors import Actor
from organisations.audit import audit_change, audit_snapshot
from organisations.choices import Role
from organisations.services import member_update
from trackyoursheets.db import model_update
from trackyoursheets.exceptions import Conflict

from .. import events
from ..choices import EmployeeStatus
from ..models import (
    Employee,
    EmployeeExternalId,
)
from ._common import _require_hr_editor, _save

#: what ``employee_create`` / ``employee_update`` may set (status changes to terminated go through terminate)
EMPLOYEE_FIELDS = frozenset(
    {
        "employee_number",
        "first_name",
        "last_name",
        "preferred_name",
        "email",
        "phone",
        "job_title",
        "department",
        "office",
        "membership",
        "manager",
        "employment_type",
        "hire_date",
        "termination_date",
        "status",
        "pay_type",
        "pay_rate",
        "emergency_contact_name",
        "emergency_contact_phone",
        "emergency_contact_relationship",
    }
)


STRIPPED = frozenset(
    {
        "employee_number",
        "first_name",
        "last_name",
        "preferred_name",
        "email",
        "phone",
        "job_title",
        "department",
        "emergency_contact_name",
        "emergency_contact_phone",
        "emergency_contact_relationship",
    }
)


MAX_UPSERT = 500


#: pay is audited as changed, never with its values (issue 8 point 8)
PAY_FIELDS = ("pay_type", "pay_rate")


def _masked(changes: dict) -> dict:
    return {key: ["…", "…"] if key in PAY_FIELDS else value for key, value in changes.items()}


def _employee_created_changes(employee: Employee) -> dict:
    """The new record's filled-in fields, pay masked."""
    return _masked({key: [None, value] for key, value in audit_snapshot(employee).items() if value not in (None, "")})


def _clean_values(fields: dict) -> dict:
    unknown = set(fields) - EMPLOYEE_FIELDS
    if unknown:
        raise ValidationError({name: [_("Not a field of an employee.")] for name in sorted(unknown)})
    return {
        key: (value.strip() if key in STRIPPED and isinstance(value, str) else value) for key, value in fields.items()
    }


def _set_external_ids(actor: Actor, employee: Employee, external_ids: dict[str, str] | None) -> None:
    """Set the given sources' ids (an empty value removes that source's id)."""
    if not external_ids:
        return
    errors: dict[str, list[str]] = {}
    for source, given in sorted(external_ids.items()):
        value = (given or "").strip() if isinstance(given, str) else str(given)
        existing = EmployeeExternalId.objects.filter(employee=employee, source=source).first()
        if not value:
            if existing is not None:
                existing.delete()
            continue
        row = existing or EmployeeExternalId(organisation=actor.organisation, employee=employee, source=source)
        row.external_id = value
        try:
            _save(row)
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                errors.setdefault(f"external_ids.{source}", []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _change_role(actor: Actor, employee: Employee, role: str | None) -> None:
    """A role lives on the membership: the members service decides (owners and admins only,
    never above their own role), so HR cannot make anyone an owner (reference §7.1.2)."""
    if role is None:
        return
    if employee.membership is None:
        raise ValidationError({"role": [_("This employee has no login, so no role.")]})
    if role != employee.membership.role:
        member_update(actor=actor, membership=employee.membership, role=role)


@transaction.atomic
def employee_create(
    *, actor: Actor, external_ids: dict[str, str] | None = None, role: str | None = None, **fields
) -> Employee:
    """Add someone to the directory (HR, owners, admins)."""
    _require_hr_editor(actor)
    values = _clean_values(fields)
    if values.get("status") == EmployeeStatus.TERMINATED:
        raise ValidationError({"status": [_("Add the employee first, then terminate them.")]})
    employee = Employee(organisation=actor.organisation, **values)
    _save(employee)
    _set_external_ids(actor, employee, external_ids)
    _change_role(actor, employee, role)
    audit_change(actor=actor, action="employee.create", obj=employee, changes=_employee_created_changes(employee))
    record_event(actor.organisation, events.EMPLOYEE_CREATED, events.employee_payload(employee), actor=actor)
    return employee


@transaction.atomic
def employee_for_new_member(*, membership) -> Employee:
    """An accepted invitation gives the new member their directory record at once (issue 14 point 8),
    so they can track time and acknowledge documents without waiting for HR.

    Called through ``organisations.hooks.member_joined`` inside the acceptance's transaction (the
    member is the actor). A record already linked to the membership is kept; an unlinked record of
    the same email (HR added the person before inviting them) is linked; otherwise one is created
    with the member's name, email and office, hired today."""
    actor = Actor(organisation=membership.organisation, user=membership.user, membership=membership, kind="session")
    linked = Employee.objects.for_organisation(actor.organisation).filter(membership=membership).first()
    if linked is not None:
        return linked
    user = membership.user
    unlinked = (
        Employee.objects.for_organisation(actor.organisation)
        .filter(membership__isnull=True, email__iexact=user.email)
        .exclude(status=EmployeeStatus.TERMINATED)
        .order_by("pk")
        .first()
    )
    if unlinked is not None:
        unlinked.membership = membership
        _save(unlinked)
        audit_change(actor=actor, action="employee.update", obj=unlinked, changes={"membership": [None, membership.pk]})
        record_event(actor.organisation, events.EMPLOYEE_UPDATED, events.employee_payload(unlinked), actor=actor)
        return unlinked
    first, _sep, last = (user.full_name or "").strip().partition(" ")
    employee = Employee(
        organisation=actor.organisation,
        first_name=(first or user.email.split("@")[0])[:100],
        last_name=last.strip()[:100],
        email=user.email,
        office=membership.office,
        membership=membership,
        hire_date=timezone.localdate(),
        status=EmployeeStatus.ACTIVE,
    )
    _save(employee)
    audit_change(actor=actor, action="employee.create", obj=employee, changes=_employee_created_changes(employee))
    record_event(actor.organisation, events.EMPLOYEE_CREATED, events.employee_payload(employee), actor=actor)
    return employee


def employee_on_member_joined(membership) -> None:
    """The ``organisations.hooks.member_joined`` hook (registered from ``HrConfig.ready``); a
    project viewer (a client contact, issue 15 point 4) is not staff and gets no HR record."""
    if membership.role == Role.VIEWER:
        return
    employee_for_new_member(membership=membership)


@transaction.atomic
def employee_update(*, actor: Actor, employee: Employee, data: dict) -> Employee:
    """Change a directory record (HR, owners, admins): the fields in ``EMPLOYEE_FIELDS`` that
    ``data`` carries, plus ``external_ids`` and ``role``. Terminating has its own service; a
    terminated employee comes back by setting ``status`` active (the termination date is cleared)."""
    _require_hr_editor(actor)
    data = dict(data)
    external_ids, role = data.pop("external_ids", None), data.pop("role", None)
    values = _clean_values(data)
    if values.get("status") == EmployeeStatus.TERMINATED and employee.status != EmployeeStatus.TERMINATED:
        raise ValidationError({"status": [_("Use terminate to end someone's employment.")]})
    if employee.status == EmployeeStatus.TERMINATED and values.get("status") in (
        EmployeeStatus.ACTIVE,
        EmployeeStatus.ON_LEAVE,
    ):
        values.setdefault("termination_date", None)
    employee, changes = model_update(instance=employee, fields=sorted(EMPLOYEE_FIELDS), data=values)
    _set_external_ids(actor, employee, external_ids)
    _change_role(actor, employee, role)
    audit_change(actor=actor, action="employee.update", obj=employee, changes=_masked(changes))
    record_event(actor.organisation, events.EMPLOYEE_UPDATED, events.employee_payload(employee), actor=actor)
    return employee


@transaction.atomic
def employee_terminate(*, actor: Actor, employee: Employee, termination_date: datetime.date | None = None) -> Employee:
    """End someone's employment; the record stays (terminate, never delete). Their reports keep
    pointing at them until HR moves them."""
    _require_hr_editor(actor)
    if employee.status == EmployeeStatus.TERMINATED:
        raise Conflict(_("This employee is already terminated."))
    before = audit_snapshot(employee, only=("status", "termination_date"))
    employee.status = EmployeeStatus.TERMINATED
    employee.termination_date = termination_date or timezone.localdate()
    _save(employee)
    audit_change(
        actor=actor,
        action="employee.terminate",
        obj=employee,
        before=before,
        after=audit_snapshot(employee, only=("status", "termination_date")),
    )
    record_event(actor.organisation, events.EMPLOYEE_TERMINATED, events.employee_payload(employee), actor=actor)
    return employee


@transaction.atomic
def employee_upsert_many(*, actor: Actor, source: str, rows: list[dict]) -> list[tuple[Employee, bool]]:
    """Directory sync: each row carries ``external_id`` (of ``source``); the employee with that
    id is updated, or a new one created. All rows or none; errors are named ``employees[i].field``.
    Sending the same rows again changes nothing and creates nothing (idempotent)."""
    _require_hr_editor(actor)
    if len(rows) > MAX_UPSERT:
        raise ValidationError({"employees": [_("At most %(max)s rows per request.") % {"max": MAX_UPSERT}]})
    seen, errors, results = set(), {}, []
    for index, given in enumerate(rows):
        row = dict(given)
        external_id = str(row.pop("external_id", "") or "").strip()
        if not external_id:
            errors[f"employees[{index}].external_id"] = [_("This field is required.")]
            continue
        if external_id in seen:
            errors[f"employees[{index}].external_id"] = [_("Appears twice in this request.")]
            continue
        seen.add(external_id)
        link = (
            EmployeeExternalId.objects.for_organisation(actor.organisation)
            .filter(source=source, external_id=external_id)
            .select_related("employee")
            .first()
        )
        try:
            with transaction.atomic():
                if link is None:
                    employee = employee_create(actor=actor, external_ids={source: external_id}, **row)
                    results.append((employee, True))
                else:
                    employee = link.employee
                    before = {key: getattr(employee, key) for key in row}
                    if any(before[key] != value for key, value in row.items()):
                        employee = employee_update(actor=actor, employee=employee, data=row)
                    results.append((employee, False))
        except ValidationError as exc:
            for field, messages in (exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}).items():
                name = f"employees[{index}].{field}" if field and field != "__all__" else f"employees[{index}]"
                errors[name] = list(messages)
    if errors:
        raise ValidationError(errors)
    return results
