"""The HR pages' tables (issue 14 point 5) on the shared :class:`~trackyoursheets.web.tables.Table`.
Views hand them scoped selector querysets; pay columns exist only in the table for roles that
may see pay (``hr.policies.can_see_pay``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from trackyoursheets.web.tables import BADGE, CHOICE, DATE, MONEY, Column, Table


def _reporter(ticket) -> str:
    if ticket.is_anonymous:
        return str(_("anonymous"))
    return ticket.reporter.user.get_full_name() if ticket.reporter_id else ""


def _assignee(ticket) -> str:
    return ticket.assignee.user.get_full_name() if ticket.assignee_id else ""


def _pay_type(employee) -> str:
    return employee.get_pay_type_display() if employee.pay_type else ""


def _version(row) -> str:
    return row[0].current_version.label if row[0].current_version else ""


class DirectoryTable(Table):
    name = "directory"
    report = "hr_directory"  # its report export (issue 17): the Export button
    noun = _("employees")
    empty_text = _("No employee matches.")
    columns = (
        Column(
            "name",
            _("Name"),
            accessor="display_name",
            sort=("last_name", "first_name"),
            link=lambda e: reverse("hr:employee", args=[e.pk]),
            detail=lambda e: e.email,
        ),
        Column("job_title", _("Job title"), sort="job_title"),
        Column("department", _("Department"), sort="department"),
        Column("office", _("Office"), accessor="office.name", sort="office__name"),
        Column(
            "manager", _("Manager"), accessor="manager.display_name", sort=("manager__last_name", "manager__first_name")
        ),
        Column("status", _("Status"), kind=BADGE, sort="status"),
        Column("employee_number", _("Employee number"), export_only=True),
        Column("email", _("Email"), export_only=True),
        Column("phone", _("Phone"), export_only=True),
        Column("employment_type", _("Employment type"), kind=CHOICE, export_only=True),
        Column("hire_date", _("Hire date"), kind=DATE, export_only=True),
    )


class DirectoryPayTable(DirectoryTable):
    """The directory for HR, owners and admins: with pay."""

    columns = (
        *DirectoryTable.columns,
        Column(
            "pay_rate",
            _("Pay"),
            kind=MONEY,
            sort="pay_rate",
            detail=lambda e: e.get_pay_type_display() if e.pay_type else "",
        ),
        Column("pay_type", _("Pay type"), kind=CHOICE, export_only=True),
    )


class TicketTable(Table):
    name = "hr-tickets"
    noun = _("tickets")
    empty_text = _("No tickets.")
    columns = (
        Column("reference", _("Ticket"), sort="id", link=lambda t: reverse("hr:ticket", args=[t.pk])),
        Column("subject", _("Subject"), sort="subject"),
        Column("category", _("Category"), kind=CHOICE, sort="category"),
        Column("priority", _("Priority"), kind=CHOICE, sort="priority", css="priority"),
        Column("status", _("Status"), kind=CHOICE, sort="status"),
        Column("reporter", _("Reporter"), accessor=_reporter),
        Column("assignee", _("Assignee"), accessor=_assignee),
        Column("created_at", _("Filed"), kind=DATE, sort="created_at"),
    )


class MyTicketTable(Table):
    name = "my-concerns"
    noun = _("reports")
    empty_text = _("You have not reported anything under your name.")
    columns = (
        Column("reference", _("Report"), sort="id", link=lambda t: reverse("hr:ticket", args=[t.pk])),
        Column("subject", _("Subject"), sort="subject"),
        Column("status", _("Status"), kind=CHOICE, sort="status"),
        Column("created_at", _("Filed"), kind=DATE, sort="created_at"),
    )


def _coverage(row) -> str:
    document, coverage = row
    if not document.requires_acknowledgement:
        return str(_("not required"))
    return f"{coverage.acknowledged} / {coverage.audience} ({coverage.percent}%)"


class DocumentTable(Table):
    """HR documents with their acknowledgement coverage; rows are ``(document, coverage)``."""

    name = "hr-documents"
    noun = _("documents")
    empty_text = _("No documents yet.")
    columns = (
        Column(
            "title",
            _("Title"),
            accessor=lambda row: row[0].title,
            sort=True,
            link=lambda row: reverse("hr:document", args=[row[0].pk]),
        ),
        Column("category", _("Category"), accessor=lambda row: row[0].get_category_display(), sort=True),
        Column(
            "version", _("Version"), accessor=lambda row: row[0].current_version.label if row[0].current_version else ""
        ),
        Column("audience", _("Audience"), accessor=lambda row: row[0].get_audience_display(), sort=True),
        Column("published", _("Published"), accessor=lambda row: row[0].published_at, kind=DATE, sort=True),
        Column("acknowledged", _("Acknowledged"), accessor=_coverage, css="num"),
    )
