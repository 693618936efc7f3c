"""The leave set-up (issue 16 points 1 and 2): leave types, policies, holiday calendars and work
schedules. HR, owners and admins (and integrations) change them; each change is audited."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from organisations.actors import Actor
from organisations.audit import audit_change, audit_snapshot
from organisations.choices import Role
from trackyoursheets.db import model_update

from ..models import WEEKDAY_FIELDS, Employee, Holiday, HolidayGroup, LeavePolicy, LeaveType, WorkSchedule
from ._common import _require_hr_editor, _save

LEAVE_TYPE_FIELDS = ("name", "kind", "paid", "pay_code_name", "active")
LEAVE_POLICY_FIELDS = (
    "name",
    "leave_type",
    "accrual_method",
    "annual_hours",
    "grant_month",
    "grant_day",
    "hours_per_period",
    "hours_per_hour_worked",
    "prorate_joiners",
    "carry_over_cap_hours",
    "carry_over_expiry_months",
    "max_balance_hours",
    "allow_negative",
    "negative_limit_hours",
    "roles",
    "starts_on",
    "active",
    "offices",
    "employees",
)
#: at most this many holidays in one calendar write
MAX_HOLIDAYS = 400


@transaction.atomic
def leave_type_create(*, actor: Actor, **fields) -> LeaveType:
    _require_hr_editor(actor)
    leave_type = LeaveType(
        organisation=actor.organisation, **{k: v for k, v in fields.items() if k in LEAVE_TYPE_FIELDS}
    )
    _save(leave_type)
    audit_change(actor=actor, action="leavetype.create", obj=leave_type, after=audit_snapshot(leave_type))
    return leave_type


@transaction.atomic
def leave_type_update(*, actor: Actor, leave_type: LeaveType, data: dict) -> LeaveType:
    _require_hr_editor(actor)
    leave_type, changes = model_update(instance=leave_type, fields=LEAVE_TYPE_FIELDS, data=data)
    audit_change(actor=actor, action="leavetype.update", obj=leave_type, changes=changes)
    return leave_type


def _check_related(actor: Actor, data: dict) -> None:
    if data.get("roles") is not None:  # one order, whatever the caller's (an unchanged form changes nothing)
        chosen = set(data["roles"])
        data["roles"] = [role for role in Role.values if role in chosen]
    errors = {}
    for name in ("offices", "employees"):
        for obj in data.get(name) or ():
            if obj.organisation_id != actor.organisation.pk:
                errors[name] = _("Not found in this organisation.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def leave_policy_create(*, actor: Actor, **fields) -> LeavePolicy:
    _require_hr_editor(actor)
    _check_related(actor, fields)
    offices, employees = fields.pop("offices", None) or [], fields.pop("employees", None) or []
    policy = LeavePolicy(
        organisation=actor.organisation, **{k: v for k, v in fields.items() if k in LEAVE_POLICY_FIELDS}
    )
    _save(policy)
    policy.offices.set(offices)
    policy.employees.set(employees)
    audit_change(actor=actor, action="leavepolicy.create", obj=policy, after=audit_snapshot(policy))
    return policy


@transaction.atomic
def leave_policy_update(*, actor: Actor, policy: LeavePolicy, data: dict) -> LeavePolicy:
    _require_hr_editor(actor)
    _check_related(actor, data)
    policy, changes = model_update(instance=policy, fields=LEAVE_POLICY_FIELDS, data=data)
    audit_change(actor=actor, action="leavepolicy.update", obj=policy, changes=changes)
    return policy


def _set_holidays(actor: Actor, group: HolidayGroup, holidays: list[dict]) -> None:
    if len(holidays) > MAX_HOLIDAYS:
        raise ValidationError({"holidays": _("At most %(max)s holidays.") % {"max": MAX_HOLIDAYS}})
    dates = [row["date"] for row in holidays]
    if len(dates) != len(set(dates)):
        raise ValidationError({"holidays": _("A date appears twice.")})
    group.holidays.all().delete()
    rows = [
        Holiday(
            organisation=actor.organisation,
            group=group,
            date=row["date"],
            name=row["name"].strip(),
            half_day=bool(row.get("half_day")),
        )
        for row in holidays
    ]
    for row in rows:
        row.full_clean(exclude=("organisation", "group"), validate_constraints=False)
    Holiday.objects.bulk_create(rows)


@transaction.atomic
def holiday_group_create(
    *, actor: Actor, name: str, region: str = "", offices=(), holidays: list[dict] | None = None
) -> HolidayGroup:
    """A holiday calendar with its dated holidays (HR, owners, admins)."""
    _require_hr_editor(actor)
    _check_related(actor, {"offices": offices})
    group = HolidayGroup(organisation=actor.organisation, name=name.strip(), region=region.strip())
    _save(group)
    group.offices.set(offices)
    _set_holidays(actor, group, holidays or [])
    audit_change(
        actor=actor,
        action="holidaygroup.create",
        obj=group,
        after={**audit_snapshot(group), "holidays": len(holidays or [])},
    )
    return group


@transaction.atomic
def holiday_group_update(*, actor: Actor, group: HolidayGroup, data: dict) -> HolidayGroup:
    """Rename, move between offices, or replace the holidays (when ``holidays`` is given)."""
    _require_hr_editor(actor)
    data = dict(data)
    holidays = data.pop("holidays", None)
    _check_related(actor, data)
    group, changes = model_update(instance=group, fields=("name", "region", "offices"), data=data)
    if holidays is not None:
        before = [(h.date.isoformat(), h.name, h.half_day) for h in group.holidays.all()]
        after = [(h["date"].isoformat(), h["name"].strip(), bool(h.get("half_day"))) for h in holidays]
        if sorted(before) != sorted(after):  # an unchanged list rewrites nothing
            _set_holidays(actor, group, holidays)
            changes["holidays"] = [len(before), len(after)]
    audit_change(actor=actor, action="holidaygroup.update", obj=group, changes=changes)
    return group


@transaction.atomic
def work_schedule_set(*, actor: Actor, employee: Employee, hours: dict[str, Decimal]) -> WorkSchedule:
    """Set an employee's hours per weekday (``{"monday": 8, ...}``; missing days unchanged)."""
    _require_hr_editor(actor)
    schedule = WorkSchedule.objects.filter(employee=employee).first()
    if schedule is None:
        schedule = WorkSchedule(organisation=actor.organisation, employee=employee)
        for index, name in enumerate(WEEKDAY_FIELDS):
            setattr(schedule, name, Decimal("8") if index < 5 else Decimal("0"))
    before = audit_snapshot(schedule)
    for name in WEEKDAY_FIELDS:
        if name in hours:
            setattr(schedule, name, Decimal(hours[name]))
    _save(schedule)
    audit_change(actor=actor, action="workschedule.update", obj=schedule, before=before, after=audit_snapshot(schedule))
    return schedule
