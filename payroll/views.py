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

import datetime
import re
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction as db_transaction
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from organisations import selectors as organisation_selectors
from organisations.choices import Role
from organisations.forms import ConsoleFilterForm, add_service_errors
from organisations.models import Producer
from organisations.views import OWNER_ADMIN, forbidden
from organisations.views.console import ConsolePage, Pager, scoped_or_404
from trackyoursheets.exceptions import DomainError

from . import reports, selectors, services
from .choices import CategoryKind, OverrideKind, TransactionSource, TransactionStatus, TransactionType
from .models import CommissionTransaction

SERVICE_ERRORS = (ValidationError, DomainError)
#: who works with the whole ledger pages (a manager: their office, through the selectors)
LEDGER_ROLES = (*OWNER_ADMIN, Role.MANAGER)
TOP_PRODUCERS = 5
HISTORY_ROWS = 20
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


# =============================================================================
# Forms (parse input only; the services hold the rules)
# =============================================================================


def _choices(empty_label, rows, label=str) -> list:
    return [("", empty_label)] + [(row.pk, label(row)) for row in rows]


class LedgerFilterForm(ConsoleFilterForm):
    """The filters of ``/v1/transactions`` as a GET form (values go to the same FilterSet)."""

    producer_id = forms.TypedChoiceField(label=_lazy("Producer"), required=False, coerce=int)
    carrier_id = forms.TypedChoiceField(label=_lazy("Carrier"), required=False, coerce=int)
    workspace_id = forms.TypedChoiceField(label=_lazy("Workspace"), required=False, coerce=int)
    status = forms.ChoiceField(
        label=_lazy("Status"), required=False, choices=[("", _lazy("Any status")), *TransactionStatus.choices]
    )
    type = forms.ChoiceField(
        label=_lazy("Type"), required=False, choices=[("", _lazy("Any type")), *TransactionType.choices]
    )
    statement_period = forms.RegexField(
        label=_lazy("Statement month"),
        required=False,
        regex=MONTH,
        max_length=7,
        widget=forms.TextInput(attrs={"placeholder": "YYYY-MM"}),
        error_messages={"invalid": _lazy("Use YYYY-MM.")},
    )
    date_from = forms.DateField(label=_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actor, producer_filter: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if producer_filter:
            self.fields["producer_id"].choices = _choices(
                _lazy("All producers"), organisation_selectors.producer_list(actor=actor)
            )
        else:
            del self.fields["producer_id"]
        self.fields["carrier_id"].choices = _choices(_lazy("All carriers"), selectors.carrier_list(actor=actor))
        self.fields["workspace_id"].choices = _choices(
            _lazy("All workspaces"), organisation_selectors.workspace_list(actor=actor)
        )

    def filters(self) -> dict:
        values = super().filters()
        return {name: value for name, value in values.items() if name in self.filter_names()}

    def filter_names(self) -> set[str]:
        return set(LedgerFilterForm.base_fields) & set(self.fields)


class AnalyticsForm(LedgerFilterForm):
    """Filters plus the period, the grouping and the ranking of the analytics page."""

    period = forms.ChoiceField(
        label=_lazy("Period"),
        required=False,
        choices=[("", _lazy("Any date")), *((p, reports.PERIOD_LABELS[p]) for p in reports.PERIODS)],
    )
    group_by = forms.ChoiceField(
        label=_lazy("Group by"), required=False, choices=[(g, reports.GROUP_BY_LABELS[g]) for g in reports.GROUP_BY]
    )
    sort = forms.ChoiceField(
        label=_lazy("Rank by"),
        required=False,
        choices=[
            ("premium", _lazy("Premium")),
            ("producer_amount", _lazy("Producer commission")),
            ("gross_commission", _lazy("Gross commission")),
            ("count", _lazy("Number of lines")),
        ],
    )

    def report_options(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "group_by": data.get("group_by") or "carrier",
            "period": data.get("period") or None,
            "sort": data.get("sort") or "premium",
        }


class LeaderboardForm(forms.Form):
    period = forms.ChoiceField(
        label=_lazy("Period"), required=False, choices=[(p, reports.PERIOD_LABELS[p]) for p in reports.PERIODS]
    )
    sort = AnalyticsForm.base_fields["sort"]


class OverrideForm(forms.Form):
    kind = forms.ChoiceField(label=_lazy("Override"), choices=OverrideKind.choices)
    value = forms.DecimalField(
        label=_lazy("Value"),
        max_digits=14,
        decimal_places=4,
        help_text=_lazy("An amount for a flat override; a percentage (0-100) for the others."),
    )
    reason = forms.CharField(label=_lazy("Reason"), max_length=2000)


class BulkOverrideForm(OverrideForm):
    transaction_ids = forms.TypedMultipleChoiceField(label=_lazy("Lines"), coerce=int)

    def __init__(self, *args, transactions, **kwargs):
        super().__init__(*args, **kwargs)
        self.transactions = transactions
        self.fields["transaction_ids"].choices = [(pk, pk) for pk in transactions.values_list("pk", flat=True)]
        self.fields["transaction_ids"].error_messages["required"] = _("Select at least one line.")

    def chosen(self) -> list[CommissionTransaction]:
        return list(self.transactions.filter(pk__in=self.cleaned_data["transaction_ids"]))


class ManualSaleForm(forms.Form):
    """A sale typed in by a person (issue 6 point 4); an empty gross is computed by the rules,
    an empty split is the producer's (on the policy, else their default)."""

    producer = forms.ModelChoiceField(label=_lazy("Producer"), queryset=Producer.objects.none())
    policy = forms.ModelChoiceField(
        label=_lazy("Policy"), queryset=None, required=False, help_text=_lazy("Optional; sets the carrier.")
    )
    carrier = forms.ModelChoiceField(
        label=_lazy("Carrier"), queryset=None, required=False, help_text=_lazy("Required without a policy.")
    )
    transaction_date = forms.DateField(label=_lazy("Sale date"), widget=forms.DateInput(attrs={"type": "date"}))
    type = forms.ChoiceField(
        label=_lazy("Business"),
        choices=[
            (TransactionType.NEW, TransactionType.NEW.label),
            (TransactionType.RENEWAL, TransactionType.RENEWAL.label),
        ],
    )
    line_of_business = forms.ModelChoiceField(label=_lazy("Line of business"), queryset=None, required=False)
    category = forms.ModelChoiceField(label=_lazy("Revenue status"), queryset=None, required=False)
    premium = forms.DecimalField(label=_lazy("Premium"), max_digits=14, decimal_places=2, min_value=0)
    gross_commission = forms.DecimalField(
        label=_lazy("Gross commission"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_lazy("Leave empty to compute it with the carrier's commission rules."),
    )
    split_percent = forms.DecimalField(
        label=_lazy("Split %"),
        max_digits=7,
        decimal_places=4,
        min_value=0,
        max_value=100,
        required=False,
        help_text=_lazy("Leave empty for the producer's split on the policy, else their default split."),
    )
    notes = forms.CharField(label=_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["producer"].queryset = organisation_selectors.producer_list(actor=actor)
        self.fields["policy"].queryset = selectors.policy_list(actor=actor)
        self.fields["carrier"].queryset = selectors.carrier_list(actor=actor)
        categories = selectors.category_list(actor=actor)
        self.fields["line_of_business"].queryset = categories.filter(kind=CategoryKind.LINE_OF_BUSINESS)
        self.fields["category"].queryset = categories.filter(kind=CategoryKind.REVENUE_STATUS)

    def clean(self):
        data = super().clean()
        policy, carrier = data.get("policy"), data.get("carrier")
        if policy is None and carrier is None and "carrier" not in self.errors:
            self.add_error("carrier", _("Choose a carrier or a policy."))
        elif policy is not None and carrier is None:
            data["carrier"] = policy.carrier
        return data


# =============================================================================
# Shared
# =============================================================================


class CommissionsPage(ConsolePage):
    """A commissions page for owners, admins and managers."""

    allowed_roles = LEDGER_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["currency"] = self.actor.organisation.currency
        context["commission_links"] = [
            (reverse(f"commissions:{name}"), label)
            for name, label in (
                ("dashboard", _("Dashboard")),
                ("leaderboard", _("Leaderboard")),
                ("ledger", _("Ledger")),
                ("analytics", _("Analytics")),
                ("sale-create", _("New sale")),
            )
        ]
        return context

    def producer(self) -> Producer:
        return scoped_or_404(organisation_selectors.producer_get, actor=self.actor, pk=self.kwargs["pk"])

    def transaction(self, pk=None) -> CommissionTransaction:
        return scoped_or_404(selectors.transaction_get, actor=self.actor, pk=pk or self.kwargs["txn_pk"])


def chart_data(report: reports.CommissionReport, *, by: str) -> dict:
    """What commissions.js draws: labels and decimal strings (never floats in Python)."""
    rows = report.periods if by == "periods" else report.groups
    return {
        "currency": report.currency,
        "labels": [row.label for row in rows],
        "premium": [str(row.premium) for row in rows],
        "producer_amount": [str(row.producer_amount) for row in rows],
        "gross_commission": [str(row.gross_commission) for row in rows],
    }


def _override_changes(previous: Decimal, override) -> dict:
    return {
        "producer_amount": [str(previous), str(override.resulting_amount)],
        "override": [None, f"{override.kind} {override.value}"],
    }


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


class LedgerView(CommissionsPage):
    template_name = "payroll/ledger.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filter_form = LedgerFilterForm(self.request.GET or None, actor=self.actor)
        rows = selectors.transaction_list(actor=self.actor, filters=filter_form.filters())
        context.update(filter_form=filter_form, transactions=Pager(self.request, rows))
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
        try:
            with db_transaction.atomic():
                previous = txn.producer_amount
                override = services.override_create(actor=self.actor, transaction=txn, **form.cleaned_data)
                self.audit("commissiontransaction.override", txn, _override_changes(previous, override))
        except SERVICE_ERRORS as error:
            add_service_errors(form, error)
            return False
        return True


class ProducerSalesView(CommissionsPage):
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
            transactions=Pager(self.request, rows),
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
            messages.error(request, _("The override was not saved: %(errors)s") % {"errors": _form_errors(form)})
        else:
            try:
                with db_transaction.atomic():
                    previous = txn.producer_amount
                    override = services.override_create(actor=self.actor, transaction=txn, **form.cleaned_data)
                    self.audit("commissiontransaction.override", txn, _override_changes(previous, override))
            except SERVICE_ERRORS as error:
                messages.error(request, _("The override was not saved: %(errors)s") % {"errors": _error_text(error)})
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
            messages.error(request, _("Nothing was overridden: %(errors)s") % {"errors": _form_errors(form)})
            return HttpResponseRedirect(_back(request, producer))
        chosen = form.chosen()
        values = {k: form.cleaned_data[k] for k in ("kind", "value", "reason")}
        try:
            with db_transaction.atomic():
                before = {txn.pk: txn.producer_amount for txn in chosen}
                overrides = services.override_bulk_create(actor=self.actor, transactions=chosen, **values)
                for override in overrides:
                    self.audit(
                        "commissiontransaction.bulk_override",
                        override.transaction,
                        _override_changes(before[override.transaction_id], override),
                    )
        except SERVICE_ERRORS as error:
            messages.error(request, _("Nothing was overridden: %(errors)s") % {"errors": _error_text(error)})
        else:
            messages.success(request, _("Override saved on %(count)s lines.") % {"count": len(overrides)})
        return HttpResponseRedirect(_back(request, producer))


def _back(request, producer) -> str:
    """Back to the sales page, keeping its filters and page (a relative query string only)."""
    url = reverse("commissions:producer", args=[producer.pk])
    query = request.POST.get("return_query", "")
    return f"{url}?{query}" if query and "//" not in query and "\n" not in query else url


def _form_errors(form) -> str:
    return "; ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {message}".lstrip(": ")
        for name, errors in form.errors.items()
        for message in errors
    )


def _error_text(error) -> str:
    if isinstance(error, DomainError):
        return str(error.detail)
    return "; ".join(error.messages)


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
            "commissiontransaction.create",
            lambda: services.transaction_create(
                actor=self.actor,
                producer=data["producer"],
                carrier=data["carrier"],
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
            lambda t: {
                "producer_id": t.producer_id,
                "carrier_id": t.carrier_id,
                "premium": str(t.premium),
                "gross_commission": str(t.gross_commission),
                "split_percent": str(t.split_percent),
                "producer_amount": str(t.producer_amount),
                "source": t.source,
            },
        )
        if txn is None:
            return self.redisplay(form=form)
        messages.success(
            request,
            _("Sale saved: gross commission %(gross)s, producer amount %(amount)s (%(currency)s).")
            % {
                "gross": txn.gross_commission,
                "amount": txn.producer_amount,
                "currency": self.actor.organisation.currency,
            },
        )
        return HttpResponseRedirect(reverse("commissions:transaction", args=[txn.pk]))


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


class PortalTransactionsView(PortalPage):
    template_name = "payroll/portal/transactions.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filter_form = LedgerFilterForm(self.request.GET or None, actor=self.actor, producer_filter=False)
        del filter_form.fields["workspace_id"]
        rows = selectors.transaction_list(actor=self.actor, filters=filter_form.filters())
        context.update(filter_form=filter_form, transactions=Pager(self.request, rows))
        return context


class PortalPoliciesView(PortalPage):
    template_name = "payroll/portal/policies.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["policies"] = Pager(self.request, selectors.policy_list(actor=self.actor))
        return context


class PortalStatementsView(PortalPage):
    """A statement per statement month: the month's totals, newest first."""

    template_name = "payroll/portal/statements.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = reports.commission_report(actor=self.actor, group_by="period")
        context.update(statements=list(reversed(report.groups)), report=report)
        return context


class PortalStatementView(PortalPage):
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
            lines=lines,
            totals=report.totals,
        )
        return context


# =============================================================================
# URLs (namespace "commissions", mounted at /app/commissions/ by payroll/urls.py)
# =============================================================================

urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("leaderboard", LeaderboardView.as_view(), name="leaderboard"),
    path("ledger", LedgerView.as_view(), name="ledger"),
    path("analytics", AnalyticsView.as_view(), name="analytics"),
    path("sales/new", SaleCreateView.as_view(), name="sale-create"),
    path("transactions/<int:txn_pk>", TransactionDetailView.as_view(), name="transaction"),
    path("producers/<int:pk>", ProducerSalesView.as_view(), name="producer"),
    path(
        "producers/<int:pk>/transactions/<int:txn_pk>/override",
        ProducerOverrideView.as_view(),
        name="producer-override",
    ),
    path("producers/<int:pk>/overrides", ProducerBulkOverrideView.as_view(), name="producer-bulk-override"),
    path("portal/", PortalView.as_view(), name="portal"),
    path("portal/sales", PortalTransactionsView.as_view(), name="portal-transactions"),
    path("portal/policies", PortalPoliciesView.as_view(), name="portal-policies"),
    path("portal/statements", PortalStatementsView.as_view(), name="portal-statements"),
    path("portal/statements/<str:month>", PortalStatementView.as_view(), name="portal-statement"),
]
