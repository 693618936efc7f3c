"""Contract hours limits over a whole file (issue 15 point 5), set-based: the rule of a single entry
(:mod:`timetracking.services.limits`: a contract's weekly and daily hours, time counted on the
local day its entry starts) applied to the file's rows and the stored time together.

While the file is read, each row of an employee with a limited contract keeps four integers
(project, local day, seconds, line); afterwards one query per such employee reads their stored
time of the weeks the file touches. A day or week over a limit names the file's rows in it:
refused (each named row is a bad row, so nothing is imported) or, with the organisation's
``over_limit`` set to ``flag``, accepted and reported (the timesheets flag it as for any time).
"""

from __future__ import annotations

import datetime
from array import array
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from ..choices import OverLimitPolicy
from ..models import Contract, TimeEntry, local_day_bounds
from ..periods import local_date
from ..services.limits import SECONDS_PER_HOUR, LimitBreach, limit_refusal, week_start


@dataclass(frozen=True)
class FileBreach:
    employee_id: int
    breach: LimitBreach
    lines: tuple[int, ...]

    def as_dict(self) -> dict:
        return {"employee_id": self.employee_id, **self.breach.as_dict(), "lines": list(self.lines)}

    @property
    def reason(self) -> str:
        return str(limit_refusal(self.employee_id, self.breach).detail)


class FileLimits:
    """The limited contracts of the organisation (one query) and the file's rows they cover."""

    def __init__(self, organisation, settings) -> None:
        self.settings = settings
        self.refuses = settings.over_limit == OverLimitPolicy.REFUSE
        self.contracts: dict[int, list[Contract]] = defaultdict(list)
        limited = Contract.objects.filter(organisation=organisation).filter(
            Q(weekly_hours_limit__isnull=False) | Q(daily_hours_limit__isnull=False)
        )
        for contract in limited.order_by("project_id", "id"):
            self.contracts[contract.employee_id].append(contract)
        self.rows: dict[int, array] = defaultdict(lambda: array("q"))
        self.zones: dict[int, datetime.tzinfo] = {}

    def add(self, row, tz, line: int) -> None:
        if row.employee_id not in self.contracts:
            return
        self.zones[row.employee_id] = tz
        day = local_date(row.start, tz).toordinal()
        self.rows[row.employee_id].extend((row.project_id, day, row.duration or 0, line))

    def breaches(self, stored_up_to: int | None = None) -> list[FileBreach]:
        """Each day and week over a limit with the file's rows in it (stored rows written by this
        import, ids above ``stored_up_to``, are not counted twice)."""
        found: list[FileBreach] = []
        for employee_id, values in self.rows.items():
            tz = self.zones[employee_id]
            file_rows = list(zip(values[0::4], values[1::4], values[2::4], values[3::4], strict=True))
            days = [datetime.date.fromordinal(d) for d in values[1::4]]
            monday = week_start(min(days), self.settings)
            last_week = week_start(max(days), self.settings)
            start, end = local_day_bounds(monday, last_week + datetime.timedelta(days=6), tz)
            stored = TimeEntry.objects.filter(
                employee_id=employee_id, end_time__isnull=False, start_time__gte=start, start_time__lt=end
            )
            if stored_up_to is not None:
                stored = stored.filter(pk__lte=stored_up_to)
            by_day: dict[tuple[int, datetime.date], int] = defaultdict(int)
            for project_id, started, seconds in stored.values_list("project_id", "start_time", "duration_seconds"):
                by_day[(project_id, local_date(started, tz))] += seconds or 0
            for project_id, day, seconds, _line in file_rows:
                by_day[(project_id, datetime.date.fromordinal(day))] += seconds
            for contract in self.contracts[employee_id]:
                found.extend(self._contract_breaches(employee_id, contract, by_day, file_rows))
        return found

    def _contract_breaches(self, employee_id, contract, by_day, file_rows) -> list[FileBreach]:
        def covers(project_id) -> bool:
            return contract.project_id is None or project_id == contract.project_id

        days: dict[datetime.date, int] = defaultdict(int)
        for (project_id, day), seconds in by_day.items():
            if covers(project_id):
                days[day] += seconds
        mine = [(datetime.date.fromordinal(day), line) for project_id, day, _s, line in file_rows if covers(project_id)]
        found = []
        if contract.weekly_hours_limit is not None:
            for monday in sorted({week_start(day, self.settings) for day, _line in mine}):
                sunday = monday + datetime.timedelta(days=6)
                total = sum(s for d, s in days.items() if monday <= d <= sunday)
                if total > contract.weekly_hours_limit * SECONDS_PER_HOUR:
                    breach = LimitBreach(contract.pk, "weekly", monday, sunday, total, contract.weekly_hours_limit)
                    lines = tuple(sorted(line for day, line in mine if monday <= day <= sunday))
                    found.append(FileBreach(employee_id, breach, lines))
        if contract.daily_hours_limit is not None:
            for day in sorted({day for day, _line in mine}):
                if days[day] > contract.daily_hours_limit * SECONDS_PER_HOUR:
                    breach = LimitBreach(contract.pk, "daily", day, day, days[day], contract.daily_hours_limit)
                    found.append(FileBreach(employee_id, breach, tuple(sorted(ln for d, ln in mine if d == day))))
        return found
