"""Hours against the estimate on a manager's project page (issue 14 point 4): the reader's team and
the whole project, counted apart, for the project and for each of its tasks.

The project total counts every finished entry of the project (the estimate covers everyone's
work); the team figure counts the entries the reader may see one by one (``own_or_office``: a
manager's own and their office's). Owners and admins see every entry, so they get the total alone.
Each figure is one aggregate query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from organisations.actors import Actor

from .models import Project, Task, TimeEntry
from .models.common import own_or_office
from .selectors import hours

__all__ = ["Against", "EstimatedHours", "project_hours_against_estimate", "task_hours_against_estimate"]


@dataclass(frozen=True)
class Against:
    """Hours tracked against an estimate (``None``: no estimate)."""

    hours: Decimal
    estimate: Decimal | None

    @property
    def over(self) -> Decimal | None:
        """Hours beyond the estimate, or ``None`` within it (or without one)."""
        if self.estimate is None or self.hours <= self.estimate:
            return None
        return self.hours - self.estimate

    @property
    def percent(self) -> int | None:
        return int(self.hours * 100 / self.estimate) if self.estimate else None


@dataclass(frozen=True)
class EstimatedHours:
    """The project's (or a task's) total and, for a reader who does not see every entry, their team's."""

    total: Against
    team: Against | None
    task: Task | None = None


def _sums(actor: Actor) -> dict:
    seen = own_or_office(actor)
    sums = {"total": Sum("duration_seconds")}
    if seen is not None:
        sums["team"] = Sum("duration_seconds", filter=seen)
    return sums


def _figures(row: dict, estimate: Decimal | None, task: Task | None = None) -> EstimatedHours:
    estimate = None if estimate is None else Decimal(estimate)
    team = Against(hours(row.get("team") or 0), estimate) if "team" in row else None
    return EstimatedHours(total=Against(hours(row.get("total") or 0), estimate), team=team, task=task)


def _finished(project: Project):
    return TimeEntry.objects.for_organisation(project.organisation_id).filter(project=project, end_time__isnull=False)


def project_hours_against_estimate(*, actor: Actor, project: Project) -> EstimatedHours:
    """The project's finished hours (everyone's, and the reader's team's) against its estimate.
    ``project`` must come from ``project_get`` (scoped to the reader)."""
    return _figures(_finished(project).aggregate(**_sums(actor)), project.estimated_hours)


def task_hours_against_estimate(*, actor: Actor, project: Project, tasks: Sequence[Task]) -> list[EstimatedHours]:
    """Each task's finished hours (everyone's, and the reader's team's) against its estimate, in
    the order of ``tasks``; one grouped query for all of them."""
    sums = _sums(actor)
    by_task = {
        row["task_id"]: row
        for row in _finished(project).filter(task__isnull=False).order_by().values("task_id").annotate(**sums)
    }
    empty = dict.fromkeys(sums, 0)
    return [_figures(by_task.get(task.pk, empty), task.estimated_hours, task) for task in tasks]
