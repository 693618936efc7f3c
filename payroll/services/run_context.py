"""What the source adapters share (issue 18 point 3): a run's :class:`RunContext` (its
employees, period, workweeks, overtime rules, holidays, warnings, and the claims other runs
hold), the :class:`Line` each adapter returns, and the rounding of money and hours."""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from hr import selectors as hr_selectors
from organisations.models import Organisation
from trackyoursheets.bulk import values_in
from trackyoursheets.exceptions import Conflict

from ..choices import PayrollRunStatus
from ..models import PayCode, PayrollRun, PayrollSourceClaim, PaySchedule

__all__ = ["CENT", "HOUR", "Line", "RunContext", "hours_text", "money", "working_days"]

CENT = Decimal("0.01")
HOUR = Decimal(3600)


def money(value: Decimal) -> Decimal:
    """Round once, half-up, to the cent."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def hours_text(seconds: int) -> str:
    return str((Decimal(seconds) / HOUR).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def working_days(first: datetime.date, last: datetime.date) -> int:
    """Monday to Friday from ``first`` to ``last`` inclusive."""
    return sum(1 for n in range((last - first).days + 1) if (first + datetime.timedelta(days=n)).weekday() < 5)


@dataclass
class Line:
    employee_id: int
    code_kind: str  # a PayCodeKind of a default code (unless ``pay_code`` names another)
    source_kind: str
    amount: Decimal
    explanation: str
    sources: list[dict]
    seconds: int | None = None
    rate: Decimal | None = None
    multiplier: Decimal = Decimal("1")
    #: ``(kind, object_id, day)`` claimed for this line (time: ``(kind, timesheet id, first day, last day)``)
    claims: list[tuple] = field(default_factory=list)
    #: ids of objects of ``source_kind`` claimed whole, no day (a producer's ~200 ledger lines)
    claim_ids: list[int] = field(default_factory=list)
    pay_code: PayCode | None = None  # a PayCode, e.g. a custom leave code found by name


@dataclass
class RunContext:
    organisation: Organisation
    run: PayrollRun
    employees: list  # hr Employees (offices loaded)
    first: datetime.date  # the run's period
    last: datetime.date
    work_first: datetime.date  # the workweeks ending in the period
    work_last: datetime.date
    weeks: list  # timetracking Periods
    rules: dict  # office id (None: organisation) -> OvertimeRule
    schedule: PaySchedule | None
    warnings: dict = field(default_factory=lambda: defaultdict(list))
    #: employee id -> ``(text, claims)`` to add to their salary line (paid leave is inside the salary)
    salary_notes: dict = field(default_factory=lambda: defaultdict(list))
    _holidays: dict = field(default_factory=dict)

    @functools.cached_property
    def week_days(self) -> list[tuple]:
        """``(week, its days)`` of :attr:`weeks`."""
        return [(week, week.days) for week in self.weeks]

    def holidays(self, office, first: datetime.date, last: datetime.date) -> dict:
        """Date -> ``HolidayDay`` of the holiday calendars of ``office`` (one query per office)."""
        key = (office.pk if office is not None else None, first, last)
        if key not in self._holidays:
            days = hr_selectors.holidays_between(self.organisation, first, last, office=office)
            self._holidays[key] = {day.date: day for day in days}
        return self._holidays[key]

    def claimed_elsewhere(self, kind: str, ids) -> set[int]:
        """Of ``ids``, those another live run holds. Held by a ready or paid run: already paid,
        left out. Held by another draft: a 409 (cancel that draft or let it finish first)."""
        claims = PayrollSourceClaim.objects.filter(organisation=self.organisation, kind=kind, released=False).exclude(
            run_id=self.run.pk
        )
        if isinstance(ids, QuerySet):  # a subquery of the candidates' ids
            held = list(claims.filter(object_id__in=ids).values_list("object_id", "run_id", "run__status"))
        else:
            # thousands of ids: one array parameter on PostgreSQL (trackyoursheets/bulk.py)
            held = values_in(claims, "object_id", list(ids), ("object_id", "run_id", "run__status"))
        drafts = sorted({run_id for _pk, run_id, status in held if status == PayrollRunStatus.DRAFT})
        if drafts:
            raise Conflict(
                _("Some of these sources are in draft payroll run %(run)s: cancel or finish it first.")
                % {"run": drafts[0]},
                payroll_run_ids=drafts,
            )
        return {pk for pk, _run, _status in held}

    def days_claimed_elsewhere(
        self, kind: str, employee_ids: list[int], first: datetime.date, last: datetime.date
    ) -> dict[int, set[datetime.date]]:
        """Employee id -> the days of ``first``..``last`` another live run holds for claims by day
        (time: days of a timesheet; paid holidays: the holiday's date). Held by a ready or paid
        run: left out by the caller; held by another draft: a 409, as :meth:`claimed_elsewhere`."""
        claims = (
            PayrollSourceClaim.objects.filter(organisation=self.organisation, kind=kind, released=False, day__lte=last)
            .filter(Q(day_to__gte=first) | Q(day_to=None, day__gte=first))
            .exclude(run_id=self.run.pk)
        )
        rows = values_in(claims, "employee_id", employee_ids, ("employee_id", "day", "day_to", "run_id", "run__status"))
        drafts = sorted({run_id for *_rest, run_id, status in rows if status == PayrollRunStatus.DRAFT})
        if drafts:
            raise Conflict(
                _("Some of these sources are in draft payroll run %(run)s: cancel or finish it first.")
                % {"run": drafts[0]},
                payroll_run_ids=drafts,
            )
        held: dict[int, set[datetime.date]] = defaultdict(set)
        for employee_id, start, end, _run, _status in rows:
            day = max(start, first)
            while day <= min(end or start, last):
                held[employee_id].add(day)
                day += datetime.timedelta(days=1)
        return held

    def warn(self, employee_id: int, code: str, message: str) -> None:
        if not any(w["code"] == code for w in self.warnings[employee_id]):
            self.warnings[employee_id].append({"code": code, "message": message})
