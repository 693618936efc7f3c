"""Which hourly rate applies (issue 15 point 5): two kinds, never confused.

- the **bill rate** (what the client is charged; reports and invoices): the first rate found of
  the entry's task, the employee's contract for the entry's project, their contract for all
  projects, the project, then the client — :func:`bill_rate_for` (one entry) and
  :func:`bill_rates_for` (a set, for reports: three queries whatever its size);
- the **pay rate** (what the employee earns; payroll): the employee's contract for all projects
  (its pay rate), else the HR record's hourly pay rate — :func:`pay_rate_for`.

Each level keeps a history (:class:`~timetracking.models.RateChange` rows with ``effective_from``):
the change in force on the entry's local date (the employee's office timezone) applies; before a
level's first change, its own rate field (``Task.hourly_rate``, ``Contract.hourly_rate`` /
``Contract.pay_rate``, ``Project.hourly_rate``, ``Client.default_rate``) applies.
"""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from decimal import Decimal

from django.db.models import Q

from hr import selectors as hr_selectors

from .choices import RateKind
from .models import Contract, RateChange, TimeEntry, employee_timezone
from .periods import local_date

__all__ = ["bill_rate_for", "bill_rates_for", "dated_bill_amounts", "pay_rate_for", "History"]

ZERO = Decimal("0")
SECONDS_PER_HOUR = Decimal(3600)


class History:
    """Dated changes of one kind, by target ``(name, pk)``, searchable by day."""

    def __init__(self, changes: Iterable[RateChange]) -> None:
        rows: dict[tuple[str, int], list[tuple[datetime.date, Decimal]]] = defaultdict(list)
        for change in changes:
            rows[change.target].append((change.effective_from, change.hourly_rate))
        self._days = {key: [d for d, _ in sorted(v)] for key, v in rows.items()}
        self._rates = {key: [r for _, r in sorted(v)] for key, v in rows.items()}

    def at(self, target: tuple[str, int | None], day: datetime.date, base: Decimal | None) -> Decimal | None:
        """The rate of ``target`` in force on ``day``; ``base`` before its first change."""
        if target[1] is None:
            return None
        days = self._days.get(target)  # type: ignore[arg-type]
        if not days:
            return base
        index = bisect.bisect_right(days, day)
        return self._rates[target][index - 1] if index else base  # type: ignore[index]


def _changes(organisation, kind: str, *, tasks=(), contracts=(), projects=(), clients=()) -> History:
    condition = (
        Q(task_id__in=[pk for pk in tasks if pk])
        | Q(contract_id__in=[pk for pk in contracts if pk])
        | Q(project_id__in=[pk for pk in projects if pk])
        | Q(client_id__in=[pk for pk in clients if pk])
    )
    return History(RateChange.objects.for_organisation(organisation).filter(kind=kind).filter(condition))


def bill_rates_for(entries: list[TimeEntry], *, organisation) -> dict[int, Decimal]:
    """Entry id → bill rate (0 when no level has one). ``entries`` come with ``project__client``,
    ``task`` and ``employee__office`` loaded (or they are read per entry)."""
    if not entries:
        return {}
    employee_ids = {e.employee_id for e in entries}
    contracts = {
        (c.employee_id, c.project_id): c
        for c in Contract.objects.for_organisation(organisation).filter(employee_id__in=employee_ids)
    }
    history = _changes(
        organisation,
        RateKind.BILL,
        tasks={e.task_id for e in entries},
        contracts={c.pk for c in contracts.values()},
        projects={e.project_id for e in entries},
        clients={e.project.client_id for e in entries},
    )
    rates: dict[int, Decimal] = {}
    for entry in entries:
        day = local_date(entry.start_time, employee_timezone(entry.employee, organisation))
        own = contracts.get((entry.employee_id, entry.project_id))
        default = contracts.get((entry.employee_id, None))
        project, task = entry.project, entry.task
        levels = (
            (("task", entry.task_id), task.hourly_rate if task is not None else None),
            (("contract", own.pk if own else None), own.hourly_rate if own else None),
            (("contract", default.pk if default else None), default.hourly_rate if default else None),
            (("project", project.pk), project.hourly_rate),
            (("client", project.client_id), project.client.default_rate if project.client_id else None),
        )
        rate = None
        for target, base in levels:
            rate = history.at(target, day, base)
            if rate is not None:
                break
        rates[entry.pk] = Decimal(rate) if rate is not None else ZERO
    return rates


def _by_project_employee_task(entry: TimeEntry) -> tuple[int, int, int | None]:
    return (entry.project_id, entry.employee_id, entry.task_id)


def dated_bill_amounts(entries_qs, *, organisation, key: Callable[[TimeEntry], Hashable] | None = None) -> dict | None:
    """Billable amounts of a report's entries priced on each entry's local date, summed by
    ``key(entry)`` (default ``(project_id, employee_id, task_id)``); None when the organisation has
    no dated bill rate (every rate is then the same on every day and the caller prices its sums,
    cheaper). One query for that answer; otherwise the billable entries are read (with their
    project, client, task and office) and priced by :func:`bill_rates_for`'s rule."""
    if not RateChange.objects.for_organisation(organisation).filter(kind=RateKind.BILL).exists():
        return None
    key = key or _by_project_employee_task
    entries = list(entries_qs.filter(billable=True).select_related("project__client", "task", "employee__office"))
    rates = bill_rates_for(entries, organisation=organisation)
    amounts: dict[Hashable, Decimal] = defaultdict(Decimal)
    for entry in entries:
        amounts[key(entry)] += Decimal(entry.duration_seconds or 0) * rates[entry.pk] / SECONDS_PER_HOUR
    return amounts


def bill_rate_for(entry: TimeEntry) -> Decimal:
    """The bill rate of one entry on its local date (see the module docstring)."""
    return bill_rates_for([entry], organisation=entry.organisation)[entry.pk]


def pay_rate_for(employee, day: datetime.date) -> Decimal | None:
    """The hourly pay rate of ``employee`` on ``day``: their contract for all projects (its pay
    rate history), else the HR record's hourly pay rate; None when neither has one (a salary)."""
    contract = Contract.objects.filter(employee_id=employee.pk, project__isnull=True).first()
    if contract is not None:
        history = _changes(employee.organisation, RateKind.PAY, contracts=[contract.pk])
        rate = history.at(("contract", contract.pk), day, contract.pay_rate)
        if rate is not None:
            return Decimal(rate)
    return hr_selectors.employee_hourly_pay_rate(employee=employee)
