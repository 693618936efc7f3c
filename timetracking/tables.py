"""The time pages' tables (issue 14 point 5) on the shared :class:`~trackyoursheets.web.tables.Table`."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from trackyoursheets.web.tables import CHOICE, HOURS, Column, Table


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
