"""Period locks (issue 15 point 2): the one check every write of time goes through.

An employee's time in a period is locked when that period's timesheet is approved, or — with
the organisation's ``auto_lock_days`` set — once that many days have passed since the period's
last day (a timesheet need not exist; reopening the employee's timesheet lifts the automatic lock
for that period until it is approved again). A locked write is a 409 problem naming the period.

REST, GraphQL, pages, timers and bulk actions reach it through the time-entry services
(:func:`ensure_time_unlocked`); the CSV import and the admin call :class:`PeriodLocks` directly
(the import checks every row and refuses the whole file).
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hr import selectors as hr_selectors
from trackyoursheets.exceptions import Conflict

from .. import selectors
from ..choices import TimesheetStatus
from ..models import Timesheet, TimesheetSettings, employee_timezone
from ..periods import Period, local_date, period_containing

__all__ = ["PeriodLocks", "ensure_time_unlocked", "period_locked_error"]


class PeriodLocks:
    """Which periods of which employees are locked, for one organisation and one call: one query
    for the settings, then one per employee asked about (cached)."""

    def __init__(self, organisation, *, settings: TimesheetSettings | None = None, now=None) -> None:
        self.organisation = organisation
        self.settings = settings or selectors.timesheet_settings_get(organisation=organisation)
        self.now = now or timezone.now()
        #: employee id -> (approved periods, starts of reopened periods)
        self._sheets: dict[int, tuple[list[tuple[Period, int]], set[datetime.date]]] = {}
        #: employee id -> the timezone of their days (:meth:`zones_of`)
        self._zones: dict[int, zoneinfo.ZoneInfo] = {}

    def zones_of(self, employee_ids: Iterable[int]) -> dict[int, zoneinfo.ZoneInfo]:
        """The timezone of each employee's days (as ``employee_timezone``: their office's, else the
        organisation's), one query for those not asked about before (a bulk write of many pages,
        issue 19); an id not of this organisation gets the organisation's."""
        wanted = set(employee_ids)
        missing = sorted(pk for pk in wanted if pk not in self._zones)
        if missing:
            default = self.organisation.timezone
            for pk in missing:
                self._zones[pk] = zoneinfo.ZoneInfo(default or "UTC")
            rows = hr_selectors.employee_queryset(organisation=self.organisation).filter(pk__in=missing)
            for pk, office_id, name in rows.values_list("pk", "office_id", "office__timezone"):
                self._zones[pk] = zoneinfo.ZoneInfo((name if office_id is not None else default) or "UTC")
        return {pk: self._zones[pk] for pk in wanted}

    def _load(self, employee_id: int):
        found = self._sheets.get(employee_id)
        if found is None:
            approved: list[tuple[Period, int]] = []
            reopened: set[datetime.date] = set()
            rows = Timesheet.objects.filter(organisation=self.organisation, employee_id=employee_id).filter(
                Q(status=TimesheetStatus.APPROVED) | Q(reopened_at__isnull=False)
            )
            for pk, start, end, status in rows.values_list("pk", "period_start", "period_end", "status"):
                if status == TimesheetStatus.APPROVED:
                    approved.append((Period(start, end), pk))
                else:
                    reopened.add(start)
            found = self._sheets[employee_id] = (approved, reopened)
        return found

    def preload(self, employee_ids: Iterable[int]) -> None:
        """Read the timesheets of many employees in one query (a bulk write's page of rows,
        issue 19), so asking about each of them afterwards costs nothing."""
        missing = sorted({pk for pk in employee_ids if pk not in self._sheets})
        if not missing:
            return
        for pk in missing:
            self._sheets[pk] = ([], set())
        rows = Timesheet.objects.filter(organisation=self.organisation, employee_id__in=missing).filter(
            Q(status=TimesheetStatus.APPROVED) | Q(reopened_at__isnull=False)
        )
        for pk, employee_id, start, end, status in rows.values_list(
            "pk", "employee_id", "period_start", "period_end", "status"
        ):
            approved, reopened = self._sheets[employee_id]
            if status == TimesheetStatus.APPROVED:
                approved.append((Period(start, end), pk))
            else:
                reopened.add(start)

    def locked_period(self, employee_id: int, day: datetime.date, tz: zoneinfo.ZoneInfo) -> tuple[Period, str] | None:
        """The locked period holding the local date ``day`` of the employee and why
        (``approved`` or ``auto``), or None."""
        approved, reopened = self._load(employee_id)
        for period, _pk in approved:
            if period.contains(day):
                return period, "approved"
        return self._auto_locked(day, tz, lambda start: start in reopened)

    def _auto_locked(self, day: datetime.date, tz: zoneinfo.ZoneInfo, reopened) -> tuple[Period, str] | None:
        """The automatic lock of the period holding ``day``, or None; ``reopened(period start)``
        is asked only when the period would lock (its timesheet was reopened: no lock)."""
        days = self.settings.auto_lock_days
        if days is None:
            return None
        period = period_containing(day, self.settings.period, self.settings.anchor)
        today = self.now.astimezone(tz).date()
        if today >= period.end + datetime.timedelta(days=1 + days) and not reopened(period.start):
            return period, "auto"
        return None

    def check_read(self, employee, instant: datetime.datetime, approved: Period | None) -> None:
        """:meth:`check` of one instant whose approved period (the approved timesheet holding its
        local day, or None) was read already (``selectors.entry_write_reads``): a query only when
        its period would lock automatically (was its timesheet reopened?)."""
        if approved is not None:
            raise period_locked_error(employee.pk, approved, "approved")
        tz = employee_timezone(employee, self.organisation)

        def reopened(start: datetime.date) -> bool:
            sheets = Timesheet.objects.filter(organisation=self.organisation, employee_id=employee.pk)
            return (
                sheets.filter(period_start=start, reopened_at__isnull=False)
                .exclude(status=TimesheetStatus.APPROVED)
                .exists()
            )

        found = self._auto_locked(local_date(instant, tz), tz, reopened)
        if found is not None:
            raise period_locked_error(employee.pk, *found)

    def check(self, employee, instants: Iterable[datetime.datetime | None]) -> None:
        """Raise the 409 of the first locked period any of ``instants`` falls in."""
        tz = employee_timezone(employee, self.organisation)
        for day in sorted({local_date(i, tz) for i in instants if i is not None}):
            found = self.locked_period(employee.pk, day, tz)
            if found is not None:
                raise period_locked_error(employee.pk, *found)


def period_locked_error(employee_id: int, period: Period, why: str) -> Conflict:
    if why == "approved":
        detail = _(
            "The period %(start)s to %(end)s of employee %(employee)s is locked: its timesheet is approved. "
            "An owner or admin must reopen it first."
        )
    else:
        detail = _(
            "The period %(start)s to %(end)s of employee %(employee)s is locked: the organisation locks "
            "periods automatically after they end. An owner or admin must reopen its timesheet first."
        )
    values = {"start": period.start.isoformat(), "end": period.end.isoformat(), "employee": employee_id}
    return Conflict(
        detail % values,
        code="period_locked",
        locked_period={
            "employee_id": employee_id,
            "period_start": values["start"],
            "period_end": values["end"],
            "reason": why,
        },
    )


def ensure_time_unlocked(*, organisation, employee, instants: Iterable[datetime.datetime | None]) -> None:
    """The lock check of one write: refuse (409) when any of ``instants`` (an entry's start, before
    and after the change) falls in a locked period of ``employee``."""
    PeriodLocks(organisation).check(employee, instants)
