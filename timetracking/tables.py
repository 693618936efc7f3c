"""The tables of the time pages (issue 14 points 2 and 5): every past entry, sortable, with page
size and jump, a totals row over the whole filtered list and the CSV export of the filter."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trackyoursheets.web.tables import CHOICE, DATE, DURATION, HOURS, NUMBER, Column, Table


def _clock(value) -> str:
    return timezone.localtime(value).strftime("%H:%M") if value is not None else ""


def _end(entry) -> str:
    if entry.end_time is None:
        return ""
    text = _clock(entry.end_time)
    if timezone.localdate(entry.end_time) > timezone.localdate(entry.start_time):
        text = f"{text} ({_('next day')})"
    return text


ENTRY_COLUMNS = (
    Column("date", _("Date"), accessor="start_time", kind=DATE, sort="start_time"),
    Column("start", _("From"), accessor=lambda e: _clock(e.start_time)),
    Column("end", _("To"), accessor=_end),
    Column("duration", _("Duration"), accessor="duration_seconds", kind=DURATION, sort="duration_seconds", total=True),
    Column("project", _("Project"), accessor="project.name", sort=("project__name",)),
    Column("task", _("Task"), accessor="task.name", sort=("task__name",)),
    Column("notes", _("Notes")),
    Column("tags", _("Tags")),
    Column("billable", _("Billable"), export_only=True),
    Column("actions", _("Actions"), template="timetracking/_entry_actions_cell.html", export=False),
)


class EntryTable(Table):
    """A person's own entries."""

    name = "time-entries"
    report = "time_entries"  # its report export (issue 17): the Export button
    default_sort = "-date"
    noun = _("entries")
    empty_text = _("No entries match.")
    columns = ENTRY_COLUMNS


class TeamEntryTable(EntryTable):
    """Entries of several people (managers, admins): with the person."""

    columns = (
        Column(
            "person",
            _("Person"),
            accessor=lambda e: str(e.employee),
            sort=("employee__first_name", "employee__last_name"),
        ),
        *ENTRY_COLUMNS,
    )


class ProjectTable(Table):
    """Projects with the hours tracked on them; rows are ``{"project", "hours"}``."""

    name = "projects"
    noun = _("projects")
    empty_text = _("No projects yet.")
    default_sort = "project"
    columns = (
        Column(
            "project",
            _("Project"),
            accessor="project.name",
            sort=True,
            link=lambda row: reverse("time:project", args=[row["project"].pk]),
        ),
        Column("client", _("Client"), accessor="project.client.name", sort=True),
        Column("status", _("Status"), accessor="project.status", kind=CHOICE, sort=True),
        Column("hours", _("Hours tracked"), kind=HOURS, sort=True, total=True),
        Column("estimate", _("Estimate"), accessor="project.estimated_hours", kind=HOURS, sort=True, total=True),
    )


class ClientTable(Table):
    """Clients with their archive/restore button."""

    name = "clients"
    noun = _("clients")
    empty_text = _("No clients yet.")
    default_sort = "name"
    columns = (
        Column("name", _("Name"), sort="name", link=lambda c: reverse("time:client", args=[c.pk])),
        Column("company", _("Company"), sort="company"),
        Column("email", _("Email"), sort="email"),
        Column("default_rate", _("Default rate"), kind=NUMBER, sort="default_rate"),
        Column("status", _("Status"), accessor=lambda c: _("Archived") if c.archived else _("Active"), sort="archived"),
        Column("actions", _("Actions"), template="timetracking/_client_actions_cell.html", export=False),
    )
