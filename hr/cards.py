"""The HR cards of the dashboard (issue 14 point 6), registered from ``HrConfig.ready()`` into
:mod:`trackyoursheets.web.dashboard`: documents the person still has to read, the concerns they
reported; for HR, tickets by status and acknowledgement coverage (counts only)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from organisations.choices import Role
from trackyoursheets.web.dashboard import DashboardCard, register_card

from . import leave_selectors, selectors
from .choices import OPEN_COMPLAINT_STATUSES, ComplaintStatus

SHOWN = 5


def documents_to_read(actor) -> dict | None:
    employee = selectors.employee_for_actor(actor=actor)
    if employee is None:
        return None
    rows = selectors.documents_to_read(actor=actor)
    unread = [r for r in rows if r.document.requires_acknowledgement and r.acknowledged_at is None]
    return {
        "count": len(unread),
        "documents": [r.document for r in unread[:SHOWN]],
        "url": reverse("hr:my-documents"),
    }


def my_requests(actor) -> dict | None:
    """The concerns the person reported (anonymous reports are not linked to anyone)."""
    if actor.membership is None:
        return None
    mine = selectors.complaint_list(actor=actor).filter(reporter=actor.membership)
    latest = list(mine[:SHOWN])
    return {
        "open": mine.filter(status__in=OPEN_COMPLAINT_STATUSES).count(),
        "latest": latest,
        "url": reverse("hr:my-tickets"),
        "report_url": reverse("hr:report"),
    }


def hr_overview(actor) -> dict:
    stats = selectors.hr_dashboard(actor=actor)
    by_status = stats["tickets"]["by_status"]
    return {
        "statuses": [
            {"label": ComplaintStatus(code).label, "code": code, "count": count} for code, count in by_status.items()
        ],
        "open": stats["tickets"]["open"],
        "coverage": stats["acknowledgement_coverage"],
        "tickets_url": reverse("hr:tickets"),
        "dashboard_url": reverse("hr:dashboard"),
    }


def my_leave(actor) -> dict | None:
    """The person's leave balances (available hours) and their requests awaiting a decision."""
    employee = selectors.employee_for_actor(actor=actor)
    if employee is None:
        return None
    balances = list(leave_selectors.leave_balance_list(actor=actor).filter(employee=employee)[:SHOWN])
    waiting = leave_selectors.leave_request_list(actor=actor).filter(employee=employee, status="requested").count()
    return {
        "balances": [(b.leave_type.name, f"{b.available:.2f}") for b in balances],
        "waiting": waiting,
        "url": reverse("hr:my-leave"),
    }


def leave_to_decide(actor) -> dict | None:
    """Leave requests of the reader's people awaiting their decision."""
    count = leave_selectors.leave_requests_to_decide(actor=actor).count()
    return {"count": count, "url": reverse("hr:team-leave")}


CARDS = (
    DashboardCard(
        "hr.documents-to-read", _("Documents to read"), "hr/cards/documents_to_read.html", documents_to_read, order=30
    ),
    DashboardCard("hr.my-requests", _("My requests"), "hr/cards/my_requests.html", my_requests, order=40),
    DashboardCard("hr.my-leave", _("My leave"), "hr/cards/my_leave.html", my_leave, order=35),
    DashboardCard(
        "hr.leave-to-decide",
        _("Leave to decide"),
        "hr/cards/leave_to_decide.html",
        leave_to_decide,
        roles=(Role.OWNER, Role.ADMIN, Role.HR, Role.MANAGER),
        order=25,
    ),
    DashboardCard(
        "hr.tickets-and-coverage",
        _("Tickets and acknowledgements"),
        "hr/cards/hr_overview.html",
        hr_overview,
        roles=(Role.HR,),
        order=100,
    ),
)


def register() -> None:
    for card in CARDS:
        register_card(card)
