"""The time area's page base: the actor's employee record, the reader's timezone, the pickers."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from organisations.choices import OWNER_ADMIN, Role
from trackyoursheets.web import MemberPageMixin, NavItem, visible_links

from .. import selectors, services
from ..choices import ProjectStatus

MANAGERS = (*OWNER_ADMIN, Role.MANAGER)


def format_seconds(seconds: int | None) -> str:
    if not seconds:
        return "0:00"
    minutes = seconds // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


class TimePage(MemberPageMixin, TemplateView):
    """A time page: the actor's employee record; times are read and typed in the reader's zone
    (issue 14 point 3: the member's own, by default their office's)."""

    @property
    def employee(self):
        if not hasattr(self, "_employee"):
            self._employee = selectors.actor_employee(actor=self.actor)
        return self._employee

    @property
    def tz(self):
        return self.zone

    def today(self) -> datetime.date:
        return timezone.now().astimezone(self.tz).date()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # the area's links, each shown to the roles its page declares (issue 12 point 5)
        context["time_links"] = visible_links(self.actor, TIME_LINKS, self.request.path)
        return context

    def back(self, name: str = "time:timer") -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse(name))

    def pickers(self) -> dict:
        projects = list(selectors.project_list(actor=self.actor).filter(status=ProjectStatus.ACTIVE))
        tasks = list(
            selectors.task_list(actor=self.actor).filter(project__status=ProjectStatus.ACTIVE).exclude(status="done")
        )
        return {"projects": projects, "tasks": tasks}

    def span(self, data) -> tuple[datetime.datetime, datetime.datetime]:
        """The instants of a typed day and clock times (the service's rule: an end before the
        start needs "overnight")."""
        try:
            day = datetime.date.fromisoformat(data.get("date") or "")
            start = datetime.time.fromisoformat(data.get("start") or "")
            end = datetime.time.fromisoformat(data.get("end") or "")
        except (TypeError, ValueError):
            raise ValidationError(_("Give a date and the start and end times.")) from None
        return services.time_entry_span(
            day=day, start=start, end=end, tz=self.tz, overnight=data.get("overnight") == "on"
        )


#: the area's sub-navigation (who sees a link: its page's ``allowed_roles``)
TIME_LINKS = (
    NavItem(gettext_lazy("Timer and entries"), "time:timer"),
    NavItem(gettext_lazy("All entries"), "time:entries"),
    NavItem(gettext_lazy("Week"), "time:week"),
    NavItem(gettext_lazy("My timesheet"), "time:timesheet"),
    NavItem(gettext_lazy("Time requests"), "time:requests"),
    NavItem(gettext_lazy("Expenses"), "time:expenses"),
    NavItem(gettext_lazy("Approvals"), "time:approvals"),
    NavItem(gettext_lazy("Import CSV"), "time:import"),
    NavItem(gettext_lazy("Projects"), "time:projects"),
    NavItem(gettext_lazy("Clients"), "time:clients"),
    NavItem(gettext_lazy("Expense categories"), "time:expense-categories"),
)


def entry_rows(entries, tz, locks: services.PeriodLocks | None = None, lock_zone=None) -> list[dict]:
    """Entries as table rows in ``tz``: day, clock times, duration and whether it ends a later day;
    with ``locks``, an entry in a locked period (issue 15) says so instead of offering edit and delete
    (``lock_zone``: the employee's office zone, in which periods are days)."""
    rows = []
    for entry in entries:
        locked = ""
        if locks is not None:
            zone = lock_zone or tz
            found = locks.locked_period(entry.employee_id, entry.start_time.astimezone(zone).date(), zone)
            if found is not None:
                locked = _("Locked: the period %(start)s to %(end)s is approved or closed.") % {
                    "start": found[0].start.isoformat(),
                    "end": found[0].end.isoformat(),
                }
        start = entry.start_time.astimezone(tz)
        end = entry.end_time.astimezone(tz) if entry.end_time else None
        rows.append(
            {
                "entry": entry,
                "key": str(entry.pk),
                "date": start.date().isoformat(),
                "start": start.strftime("%H:%M"),
                "end": end.strftime("%H:%M") if end else "",
                "overnight": end is not None and end.date() > start.date(),
                "duration": format_seconds(entry.duration_seconds),
                "locked": locked,
            }
        )
    return rows
