"""The producer portal under ``/app/commissions/portal/``: a producer's own policies, lines and
statements, only while their ``portal_access`` is on."""

from __future__ import annotations

import csv
import datetime

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from organisations import selectors as organisation_selectors
from organisations.choices import Role
from trackyoursheets.web import ConsolePage, TablePageMixin, forbidden, spreadsheet_cell

from .. import reports, selectors
from ..forms import MONTH, LedgerFilterForm
from ..tables import MyLinesTable, MyPolicyTable, StatementListTable, StatementTable
from .common import chart_data

# =============================================================================
# The producer portal
# =============================================================================


class PortalPage(ConsolePage):
    """A page of the producer portal: only for a producer whose record has portal access on.
    Every read goes through the selectors, which show a producer only their own rows."""

    allowed_roles = (Role.PRODUCER,)

    http_method_names = ["get", "head", "options"]

    def get(self, request, *args, **kwargs):
        self.me = (
            organisation_selectors.producer_list(actor=self.actor).filter(membership=self.actor.membership).first()
        )
        if self.me is None:
            return forbidden(
                request, _("No producer record is linked to your login. Ask an owner or admin to link it.")
            )
        if not self.me.portal_access:
            return forbidden(
                request,
                _("Your producer portal is switched off. Ask an owner or admin to turn on portal access for you."),
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["producer"] = self.me
        context["currency"] = self.actor.organisation.currency
        context["portal_links"] = [
            (reverse(f"commissions:{name}"), label)
            for name, label in (
                ("portal", _("Overview")),
                ("portal-transactions", _("My sales")),
                ("portal-policies", _("My policies")),
                ("portal-statements", _("My statements")),
            )
        ]
        return context


class PortalView(PortalPage):
    template_name = "payroll/portal/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = reports.commission_report(actor=self.actor, group_by="period")
        context.update(
            report=report,
            chart=chart_data(report, by="periods"),
            recent=selectors.transaction_list(actor=self.actor)[:10],
        )
        return context


class PortalTransactionsView(TablePageMixin, PortalPage):
    template_name = "payroll/portal/transactions.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filter_form = LedgerFilterForm(self.request.GET or None, actor=self.actor, producer_filter=False)
        del filter_form.fields["workspace_id"]
        rows = selectors.transaction_list(actor=self.actor, filters=filter_form.filters())
        table = MyLinesTable(self.request, rows, currency=self.actor.organisation.currency)
        context.update(filter_form=filter_form, table=table)
        return context


class PortalPoliciesView(TablePageMixin, PortalPage):
    template_name = "payroll/portal/policies.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        policies = selectors.policy_list(actor=self.actor)
        context["table"] = MyPolicyTable(self.request, policies, currency=self.actor.organisation.currency)
        return context


class PortalStatementsView(TablePageMixin, PortalPage):
    """A statement per statement month: the month's totals, newest first."""

    template_name = "payroll/portal/statements.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = reports.commission_report(actor=self.actor, group_by="period")
        table = StatementListTable(self.request, report.groups, currency=report.currency)
        context.update(table=table, report=report)
        return context


class PortalStatementView(TablePageMixin, PortalPage):
    """One statement month: its totals and every line of it."""

    template_name = "payroll/portal/statement.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = self.kwargs["month"]
        if not MONTH.match(month):
            raise Http404(_("Not found."))
        filters = {"statement_period": month}
        lines = list(selectors.transaction_list(actor=self.actor, filters=filters))
        if not lines:
            raise Http404(_("Not found."))
        report = reports.commission_report(actor=self.actor, group_by="period", filters=filters)
        context.update(
            month=datetime.date(int(month[:4]), int(month[5:]), 1),
            table=StatementTable(
                self.request, lines, currency=self.actor.organisation.currency, report_filters=filters
            ),
            totals=report.totals,
        )
        return context


class PortalStatementCsvView(PortalStatementView):
    """The month's statement as CSV (issue 14 point 9): the same lines and totals as the page, for
    the producer's own records. PDF comes with the exports issue through the same link."""

    def render_to_response(self, context, **response_kwargs):
        month = context["month"]
        currency = self.actor.organisation.currency
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="statement-{month:%Y-%m}.csv"'
        response["Cache-Control"] = "no-store"
        writer = csv.writer(response)
        writer.writerow([_("Statement"), f"{month:%Y-%m}", _("Producer"), spreadsheet_cell(self.me.display_name)])
        writer.writerow(
            [
                _("Sale date"),
                _("Policy"),
                _("Carrier"),
                _("Type"),
                _("Status"),
                _("Currency"),
                _("Premium"),
                _("Gross commission"),
                _("Split %"),
                _("My commission"),
            ]
        )
        lines = selectors.transaction_list(actor=self.actor, filters={"statement_period": f"{month:%Y-%m}"})
        for txn in lines:
            writer.writerow(
                [
                    txn.transaction_date.isoformat(),
                    spreadsheet_cell(txn.policy.number if txn.policy_id else ""),
                    spreadsheet_cell(txn.carrier.name),
                    txn.get_type_display(),
                    txn.get_status_display(),
                    currency,
                    txn.premium,
                    txn.gross_commission,
                    txn.split_percent,
                    txn.producer_amount,
                ]
            )
        totals = context["totals"]
        writer.writerow(
            [
                _("Total"),
                "",
                "",
                "",
                "",
                currency,
                totals.premium,
                totals.gross_commission,
                "",
                totals.producer_amount,
            ]
        )
        return response
