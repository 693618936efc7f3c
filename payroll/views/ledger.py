"""Pages of commissions under ``/app/commissions/`` (issue 6 points 4-6).

- for owners, admins and managers (a manager sees their office's lines, through the
  selectors): the dashboard (period cards, premium-by-period chart, top producers), the
  leaderboard, the ledger, a producer's sales page with per-row and bulk overrides and the
  override history, a transaction page, the interactive analytics page and manual sale entry;
- for a producer, the portal: their own policies, lines and statements, only while their
  ``portal_access`` is on.

Thin views (STYLE §2.5): reads through :mod:`payroll.selectors` and :mod:`payroll.reports`,
writes through :mod:`payroll.services`, each write audited (source "page") in the same
database transaction. Another organisation's ids are a 404, like missing ones. Charts get
their data through ``json_script`` and ``static/js/commissions.js``; no inline scripts.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from trackyoursheets.web import TablePageMixin, error_text, form_error_text, format_money

from .. import reports, selectors, services
from ..choices import OverrideKind, TransactionSource
from ..forms import AnalyticsForm, BulkOverrideForm, LeaderboardForm, LedgerFilterForm, ManualSaleForm, OverrideForm
from ..models import CommissionTransaction
from ..tables import LedgerTable, ProducerLinesTable
from .common import (
    HISTORY_ROWS,
    SERVICE_ERRORS,
    TOP_PRODUCERS,
    CommissionsPage,
    chart_data,
)
from .setup import transition_buttons

# =============================================================================
# Dashboard, leaderboard, ledger
# =============================================================================


class DashboardView(CommissionsPage):
    template_name = "payroll/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = reports.commission_report(
            actor=self.actor, group_by="producer", sort="producer_amount", limit=TOP_PRODUCERS
        )
        context.update(
            report=report,
            chart=chart_data(report, by="periods"),
            recent_manual=selectors.transaction_list(actor=self.actor, filters={"source": TransactionSource.MANUAL})[
                :5
            ],
        )
        return context


class LeaderboardView(CommissionsPage):
    template_name = "payroll/leaderboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = LeaderboardForm(self.request.GET or None, initial={"period": "month", "sort": "premium"})
        data = form.cleaned_data if form.is_bound and form.is_valid() else {}
        period = data.get("period") or "month"
        sort = data.get("sort") or "premium"
        report = reports.commission_report(actor=self.actor, group_by="producer", period=period, sort=sort)
        context.update(
            form=form,
            report=report,
            period_row=next(p for p in report.periods if p.period == period),
            sort_label=dict(form.fields["sort"].choices)[sort],
        )
        return context


class LedgerView(TablePageMixin, CommissionsPage):
    template_name = "payroll/ledger.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filter_form = LedgerFilterForm(self.request.GET or None, actor=self.actor)
        rows = selectors.transaction_list(actor=self.actor, filters=filter_form.filters())
        table = LedgerTable(self.request, rows, currency=self.actor.organisation.currency)
        context.update(filter_form=filter_form, table=table)
        return context


# =============================================================================
# A transaction, a producer's sales and overrides
# =============================================================================


class TransactionDetailView(CommissionsPage):
    """One line, its override history and a form to override it."""

    template_name = "payroll/transaction_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not isinstance(context.get("txn"), CommissionTransaction):
            context["txn"] = self.transaction()
        txn = context["txn"]
        context["base_amount"] = services.producer_share(txn.gross_commission, txn.split_percent)
        context["transitions"] = transition_buttons(txn.status)  # issue 14 point 9: only legal moves
        context.setdefault("form", OverrideForm())
        return context

    def post(self, request, *args, **kwargs):
        txn = self.transaction()
        form = OverrideForm(request.POST)
        if form.is_valid() and self._override(form, txn):
            messages.success(request, _("Override saved."))
            return HttpResponseRedirect(reverse("commissions:transaction", args=[txn.pk]))
        return self.redisplay(form=form, txn=txn)

    def _override(self, form, txn) -> bool:
        override = self.apply(
            form, lambda: services.override_create(actor=self.actor, transaction=txn, **form.cleaned_data)
        )
        return override is not None


class ProducerSalesView(TablePageMixin, CommissionsPage):
    """A producer's lines with per-row and bulk overrides, their totals and override history."""

    template_name = "payroll/producer_sales.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        producer = self.producer()
        filter_form = LedgerFilterForm(self.request.GET or None, actor=self.actor, producer_filter=False)
        filters = {**filter_form.filters(), "producer_id": str(producer.pk)}
        rows = selectors.transaction_list(actor=self.actor, filters=filters)
        report = reports.commission_report(actor=self.actor, group_by="period", filters=filters)
        context.update(
            producer=producer,
            filter_form=filter_form,
            table=ProducerLinesTable(
                self.request,
                rows,
                currency=self.actor.organisation.currency,
                report_filters={"producer_id": producer.pk},
            ),
            report=report,
            override_form=OverrideForm(),
            history=selectors.override_history(actor=self.actor, transactions=rows)[:HISTORY_ROWS],
            override_kinds=OverrideKind.choices,
        )
        return context


class ProducerOverrideView(CommissionsPage):
    """POST: override one of the producer's lines (the per-row form of the sales page)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        producer = self.producer()
        txn = self.transaction()
        if txn.producer_id != producer.pk:
            raise Http404(_("Not found."))
        form = OverrideForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The override was not saved: %(errors)s") % {"errors": form_error_text(form)})
        else:
            try:
                services.override_create(actor=self.actor, transaction=txn, **form.cleaned_data)
            except SERVICE_ERRORS as error:
                messages.error(request, _("The override was not saved: %(errors)s") % {"errors": error_text(error)})
            else:
                messages.success(request, _("Override saved on line %(pk)s.") % {"pk": txn.pk})
        return HttpResponseRedirect(_back(request, producer))


class ProducerBulkOverrideView(CommissionsPage):
    """POST: the same override on the chosen lines of the producer, all or nothing."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        producer = self.producer()
        mine = selectors.transaction_list(actor=self.actor).filter(producer=producer)
        form = BulkOverrideForm(request.POST, transactions=mine)
        if not form.is_valid():
            messages.error(request, _("Nothing was overridden: %(errors)s") % {"errors": form_error_text(form)})
            return HttpResponseRedirect(_back(request, producer))
        chosen = form.chosen()
        values = {k: form.cleaned_data[k] for k in ("kind", "value", "reason")}
        try:
            overrides = services.override_bulk_create(actor=self.actor, transactions=chosen, **values)
        except SERVICE_ERRORS as error:
            messages.error(request, _("Nothing was overridden: %(errors)s") % {"errors": error_text(error)})
        else:
            messages.success(request, _("Override saved on %(count)s lines.") % {"count": len(overrides)})
        return HttpResponseRedirect(_back(request, producer))


def _back(request, producer) -> str:
    """Back to the sales page, keeping its filters and page (a relative query string only)."""
    url = reverse("commissions:producer", args=[producer.pk])
    query = request.POST.get("return_query", "")
    return f"{url}?{query}" if query and "//" not in query and "\n" not in query else url


# =============================================================================
# Analytics and manual sale entry
# =============================================================================


class AnalyticsView(CommissionsPage):
    """Filters, a grouping and a period; a chart and a table of the groups. The table is
    rendered here; commissions.js redraws it from /v1/reports/commissions when the
    grouping changes (the same report, read with the session)."""

    template_name = "payroll/analytics.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = AnalyticsForm(self.request.GET or None, actor=self.actor)
        options = form.report_options()
        report = reports.commission_report(actor=self.actor, filters=form.filters(), **options)
        context.update(
            filter_form=form,
            report=report,
            group_label=reports.GROUP_BY_LABELS[report.group_by],
            chart=chart_data(report, by="groups"),
            api_url="/v1/reports/commissions",
        )
        return context


class SaleCreateView(CommissionsPage):
    """Manual sale entry: a pending ``manual`` line through ``transaction_create``."""

    template_name = "payroll/sale_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = reports.organisation_today(self.actor.organisation)
        context.setdefault("form", ManualSaleForm(actor=self.actor, initial={"transaction_date": today}))
        return context

    def post(self, request, *args, **kwargs):
        form = ManualSaleForm(request.POST, actor=self.actor)
        if not form.is_valid():
            return self.redisplay(form=form)
        data = form.cleaned_data
        txn = self.apply(
            form,
            lambda: services.transaction_create(
                actor=self.actor,
                producer=data["producer"],
                carrier=data.get("carrier"),
                policy=data.get("policy"),
                transaction_date=data["transaction_date"],
                type=data["type"],
                line_of_business=data.get("line_of_business"),
                category=data.get("category"),
                premium=data["premium"],
                gross_commission=data.get("gross_commission"),
                split_percent=data.get("split_percent"),
                notes=data.get("notes", ""),
                source=TransactionSource.MANUAL,
            ),
        )
        if txn is None:
            return self.redisplay(form=form)
        messages.success(
            request,
            _("Sale saved: gross commission %(gross)s, producer amount %(amount)s.")
            % {
                "gross": format_money(txn.gross_commission, self.actor.organisation.currency),
                "amount": format_money(txn.producer_amount, self.actor.organisation.currency),
            },
        )
        return HttpResponseRedirect(reverse("commissions:transaction", args=[txn.pk]))
