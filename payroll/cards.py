"""The commission cards of the dashboard (issue 14 point 6), registered from ``PayrollConfig.ready()``
into :mod:`trackyoursheets.web.dashboard`. They read through this app's selectors and reports,
so every figure is what the person may see (a producer their own lines, a manager their office)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from organisations import selectors as organisation_selectors
from organisations.choices import OWNER_ADMIN, Role
from trackyoursheets.web.dashboard import DashboardCard, register_card

from . import reports, selectors
from .choices import ImportStatus, TransactionStatus

#: the periods the owner's card compares
OWNER_PERIODS = ("month", "quarter", "year")
LATEST_STATEMENTS = 3


def my_commission(actor) -> dict | None:
    """A producer's commission this month and their latest statements."""
    producer = organisation_selectors.producer_list(actor=actor).filter(membership=actor.membership).first()
    if producer is None:
        return None
    report = reports.commission_report(actor=actor, group_by="period")
    month = next(p for p in report.periods if p.period == "month")
    portal = producer.portal_access
    statements = [
        {
            "label": group.label,
            "amount": group.producer_amount,
            "count": group.count,
            "url": reverse("commissions:portal-statement", args=[group.key]) if portal else None,
        }
        for group in list(reversed(report.groups))[:LATEST_STATEMENTS]
    ]
    return {
        "month": month,
        "currency": report.currency,
        "statements": statements,
        "portal_url": reverse("commissions:portal") if portal else None,
    }


def premium_by_period(actor) -> dict:
    report = reports.commission_report(actor=actor, group_by="period")
    periods = [p for p in report.periods if p.period in OWNER_PERIODS]
    return {"periods": periods, "currency": report.currency, "url": reverse("commissions:dashboard")}


def lines_to_approve(actor) -> dict:
    """Ledger lines waiting for approval (a manager: their office's)."""
    pending = selectors.transaction_report_base(actor=actor).filter(status=TransactionStatus.PENDING)
    return {
        "count": pending.count(),
        "url": reverse("commissions:ledger") + f"?status={TransactionStatus.PENDING}",
    }


def imports_to_review(actor) -> dict:
    waiting = selectors.import_batch_list(actor=actor, filters={"status": ImportStatus.REVIEW})
    return {
        "count": waiting.count(),
        "latest": list(waiting[:3]),
        "url": reverse("imports:list") + f"?status={ImportStatus.REVIEW}",
    }


CARDS = (
    DashboardCard(
        "payroll.my-commission",
        _("My commission"),
        "payroll/cards/my_commission.html",
        my_commission,
        roles=(Role.PRODUCER,),
        order=20,
    ),
    DashboardCard(
        "payroll.lines-to-approve",
        _("Commission lines to approve"),
        "payroll/cards/lines_to_approve.html",
        lines_to_approve,
        roles=(*OWNER_ADMIN, Role.MANAGER),
        order=110,
    ),
    DashboardCard(
        "payroll.imports-to-review",
        _("Statement imports to review"),
        "payroll/cards/imports_to_review.html",
        imports_to_review,
        roles=OWNER_ADMIN,
        order=120,
    ),
    DashboardCard(
        "payroll.premium-by-period",
        _("Premium and commission"),
        "payroll/cards/premium_by_period.html",
        premium_by_period,
        roles=OWNER_ADMIN,
        order=200,
    ),
)


def register() -> None:
    for card in CARDS:
        register_card(card)
