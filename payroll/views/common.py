"""What the commissions pages share: the page base class, roles, chart data."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from organisations import selectors as organisation_selectors
from organisations.choices import OWNER_ADMIN, Role
from organisations.models import Producer
from trackyoursheets.exceptions import DomainError
from trackyoursheets.web import ConsolePage, NavItem, scoped_or_404, visible_links
from trackyoursheets.web.formats import currency_affixes

from .. import reports, selectors
from ..models import CommissionTransaction

SERVICE_ERRORS = (ValidationError, DomainError)
#: who works with the whole ledger pages (a manager: their office, through the selectors)
LEDGER_ROLES = (*OWNER_ADMIN, Role.MANAGER)
TOP_PRODUCERS = 5
HISTORY_ROWS = 20
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

#: the commissions area's sub-navigation (carriers, policies and rule sets: issue 14 point 9)
COMMISSION_LINKS = (
    NavItem(gettext_lazy("Dashboard"), "commissions:dashboard"),
    NavItem(gettext_lazy("Leaderboard"), "commissions:leaderboard"),
    NavItem(gettext_lazy("Ledger"), "commissions:ledger"),
    NavItem(gettext_lazy("Analytics"), "commissions:analytics"),
    NavItem(gettext_lazy("New sale"), "commissions:sale-create"),
    NavItem(gettext_lazy("Policies"), "commissions:policies"),
    NavItem(gettext_lazy("Carriers"), "commissions:carriers"),
    NavItem(gettext_lazy("Rule sets"), "commissions:rule-sets"),
)


# =============================================================================
# Shared
# =============================================================================


class CommissionsPage(ConsolePage):
    """A commissions page for owners, admins and managers."""

    allowed_roles = LEDGER_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["currency"] = self.actor.organisation.currency
        context["money_prefix"], context["money_suffix"] = currency_affixes(self.actor.organisation.currency)
        # each link shows to the roles its page lets in (issue 12 point 5)
        context["commission_links"] = [
            (link["url"], link["label"]) for link in visible_links(self.actor, COMMISSION_LINKS)
        ]
        return context

    def producer(self) -> Producer:
        return scoped_or_404(organisation_selectors.producer_get, actor=self.actor, pk=self.kwargs["pk"])

    def transaction(self, pk=None) -> CommissionTransaction:
        return scoped_or_404(selectors.transaction_get, actor=self.actor, pk=pk or self.kwargs["txn_pk"])


def chart_data(report: reports.CommissionReport, *, by: str) -> dict:
    """What commissions.js draws: labels and decimal strings (never floats in Python)."""
    rows = report.periods if by == "periods" else report.groups
    prefix, suffix = currency_affixes(report.currency)
    return {
        "currency": report.currency,
        "money_prefix": prefix,
        "money_suffix": suffix,
        "labels": [row.label for row in rows],
        "premium": [str(row.premium) for row in rows],
        "producer_amount": [str(row.producer_amount) for row in rows],
        "gross_commission": [str(row.gross_commission) for row in rows],
    }
