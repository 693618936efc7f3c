"""Pay schedules and their employees, pay codes (the ten defaults, seeded on first use, and custom
codes) and overtime rules (issue 18 points 1 and 2): owners and admins write them."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hr import selectors as hr_selectors
from organisations.actors import Actor
from organisations.audit import audit_change, audit_snapshot
from trackyoursheets.exceptions import NotPermitted

from ..choices import PayCodeKind
from ..models import OvertimeRule, PayCode, PaySchedule, PayScheduleAssignment
from .access import clean_save

__all__ = [
    "DEFAULT_PAY_CODES",
    "ensure_default_pay_codes",
    "require_payroll_admin",
    "pay_schedule_create",
    "pay_schedule_update",
    "pay_schedule_assign",
    "pay_code_create",
    "pay_code_update",
    "overtime_rule_create",
    "overtime_rule_update",
]

#: ``(code, name, kind, multiplier, external code)``
DEFAULT_PAY_CODES = [
    ("regular", "Regular", PayCodeKind.REGULAR, "1", "REG"),
    ("overtime", "Overtime", PayCodeKind.OVERTIME, "1.5", "OT"),
    ("double_time", "Double time", PayCodeKind.DOUBLE_TIME, "2", "DT"),
    ("holiday", "Holiday", PayCodeKind.HOLIDAY, "1", "HOL"),
    ("sick", "Sick", PayCodeKind.SICK, "1", "SICK"),
    ("vacation", "Vacation", PayCodeKind.VACATION, "1", "VAC"),
    ("commission", "Commission", PayCodeKind.COMMISSION, "1", "COMM"),
    ("reimbursement", "Reimbursement", PayCodeKind.REIMBURSEMENT, "1", "REIMB"),
    ("bonus", "Bonus", PayCodeKind.BONUS, "1", "BONUS"),
    ("deduction", "Deduction", PayCodeKind.DEDUCTION, "1", "DED"),
]


def require_payroll_admin(actor: Actor) -> None:
    """Payroll writes: owners, admins and organisation-wide credentials (with the payroll scope,
    checked by the entry point)."""
    if not actor.sees_whole_organisation:
        raise NotPermitted(_("Only owners and admins manage payroll."))


def ensure_default_pay_codes(organisation) -> dict[str, PayCode]:
    """The organisation's default pay codes by kind, created on first use (one query when present)."""
    codes = {c.kind: c for c in PayCode.objects.for_organisation(organisation).filter(is_default=True)}
    if len(codes) < len(DEFAULT_PAY_CODES):
        PayCode.objects.bulk_create(
            [
                PayCode(
                    organisation=organisation,
                    code=code,
                    name=name,
                    kind=kind,
                    multiplier=Decimal(multiplier),
                    external_code=external,
                    is_default=True,
                )
                for code, name, kind, multiplier, external in DEFAULT_PAY_CODES
                if kind not in codes
            ],
            ignore_conflicts=True,
        )
        codes = {c.kind: c for c in PayCode.objects.for_organisation(organisation).filter(is_default=True)}
    return codes


def _save(actor: Actor, obj, action: str, before: dict | None = None):
    clean_save(obj)
    audit_change(actor=actor, action=action, obj=obj, before=before, after=audit_snapshot(obj))
    return obj


@transaction.atomic
def pay_schedule_create(*, actor: Actor, employee_ids: list[int] | None = None, **data) -> PaySchedule:
    require_payroll_admin(actor)
    ensure_default_pay_codes(actor.organisation)
    schedule = _save(actor, PaySchedule(organisation=actor.organisation, **data), "payschedule.create")
    if employee_ids:
        pay_schedule_assign(actor=actor, pay_schedule=schedule, employee_ids=employee_ids)
    return schedule


@transaction.atomic
def pay_schedule_update(*, actor: Actor, pay_schedule: PaySchedule, data: dict) -> PaySchedule:
    require_payroll_admin(actor)
    before = audit_snapshot(pay_schedule)
    employee_ids = data.pop("employee_ids", None)
    for name, value in data.items():
        setattr(pay_schedule, name, value)
    _save(actor, pay_schedule, "payschedule.update", before)
    if employee_ids is not None:
        pay_schedule_assign(actor=actor, pay_schedule=pay_schedule, employee_ids=employee_ids)
    return pay_schedule


@transaction.atomic
def pay_schedule_assign(*, actor: Actor, pay_schedule: PaySchedule, employee_ids: list[int]) -> int:
    """Put employees on this schedule (moving them from another: an employee has one schedule)."""
    require_payroll_admin(actor)
    wanted = set(employee_ids)
    found = set(
        hr_selectors.employee_queryset(organisation=actor.organisation)
        .filter(pk__in=wanted)
        .values_list("pk", flat=True)
    )
    if found != wanted:
        raise ValidationError({"employee_ids": [_("Unknown employees: %s") % sorted(wanted - found)]})
    PayScheduleAssignment.objects.filter(organisation=actor.organisation, employee_id__in=wanted).exclude(
        pay_schedule=pay_schedule
    ).delete()
    have = set(
        PayScheduleAssignment.objects.filter(pay_schedule=pay_schedule, employee_id__in=wanted).values_list(
            "employee_id", flat=True
        )
    )
    PayScheduleAssignment.objects.bulk_create(
        [
            PayScheduleAssignment(organisation=actor.organisation, pay_schedule=pay_schedule, employee_id=pk)
            for pk in sorted(wanted - have)
        ]
    )
    audit_change(
        actor=actor,
        action="payschedule.assign",
        obj=pay_schedule,
        changes={"employee_ids": [None, sorted(wanted)]},
    )
    return len(wanted - have)


@transaction.atomic
def pay_code_create(*, actor: Actor, **data) -> PayCode:
    require_payroll_admin(actor)
    ensure_default_pay_codes(actor.organisation)
    return _save(actor, PayCode(organisation=actor.organisation, **data), "paycode.create")


@transaction.atomic
def pay_code_update(*, actor: Actor, pay_code: PayCode, data: dict) -> PayCode:
    require_payroll_admin(actor)
    before = audit_snapshot(pay_code)
    for name, value in data.items():
        if pay_code.is_default and name in ("code", "kind"):
            raise ValidationError({name: [_("A default pay code keeps its code and kind.")]})
        setattr(pay_code, name, value)
    return _save(actor, pay_code, "paycode.update", before)


@transaction.atomic
def overtime_rule_create(*, actor: Actor, **data) -> OvertimeRule:
    require_payroll_admin(actor)
    return _save(actor, OvertimeRule(organisation=actor.organisation, **data), "overtimerule.create")


@transaction.atomic
def overtime_rule_update(*, actor: Actor, overtime_rule: OvertimeRule, data: dict) -> OvertimeRule:
    require_payroll_admin(actor)
    before = audit_snapshot(overtime_rule)
    for name, value in data.items():
        setattr(overtime_rule, name, value)
    return _save(actor, overtime_rule, "overtimerule.update", before)
