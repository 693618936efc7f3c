"""Pages of the TrackTik connector at ``/app/tracktik/`` for owners and admins: the connection
settings with Test and Sync now, the sync history (progress and errors), the synced contracts,
the weekly billing report, SCR upload and results, invoice reconciliation. Thin: services and selectors decide."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from organisations.choices import OWNER_ADMIN
from trackyoursheets.exceptions import DomainError, NotPermitted
from trackyoursheets.web import SERVICE_ERRORS, MemberPageMixin, TablePageMixin, add_service_errors, scoped_or_404

from . import selectors, services
from .forms import ConnectionForm, ContractFilterForm, UploadForm, WeekForm
from .tables import ContractTable, InvoiceReconciliationTable, ScrMatchTable, SyncRunTable

SETTINGS_FIELDS = (
    "base_url",
    "client_id",
    "username",
    "enabled",
    "sync_interval_minutes",
    "trust_approval",
    "lookback_days",
    "sync_from",
)


class TracktikPage(MemberPageMixin, TemplateView):
    allowed_roles = OWNER_ADMIN

    def dispatch(self, request, *args, **kwargs):
        # the connector switched off for the organisation (plan or feature toggle): a 403 page
        try:
            return super().dispatch(request, *args, **kwargs)
        except NotPermitted as error:
            raise PermissionDenied(error.detail) from error

    def show(self, **context):
        return self.render_to_response(self.get_context_data(**context))


class SettingsView(TablePageMixin, TracktikPage):
    template_name = "tracktik/settings.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        connection = selectors.connection_get(actor=self.actor)
        context["connection"] = connection
        context.setdefault(
            "form", ConnectionForm(initial={name: getattr(connection, name) for name in SETTINGS_FIELDS})
        )
        context["table"] = SyncRunTable(self.request, selectors.sync_run_list(actor=self.actor))
        context["pay_codes"] = list(selectors.pay_code_list(actor=self.actor))
        return context

    def post(self, request, *args, **kwargs):
        form = ConnectionForm(request.POST)
        if not form.is_valid():
            return self.show(form=form)
        try:
            services.connection_update(actor=self.actor, data=form.cleaned_data)
        except SERVICE_ERRORS as error:
            add_service_errors(form, error)
            return self.show(form=form)
        messages.success(request, _("TrackTik connection saved."))
        return HttpResponseRedirect(reverse("tracktik:settings"))


class TestView(TracktikPage):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            result = services.connection_test(actor=self.actor)
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            if result["ok"]:
                messages.success(
                    request, _("Connected: TrackTik lists %(n)s employees.") % {"n": result.get("employees", 0)}
                )
            else:
                messages.error(request, result["detail"])
        return HttpResponseRedirect(reverse("tracktik:settings"))


class SyncView(TracktikPage):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            run = services.sync_start(actor=self.actor, full=request.POST.get("full") == "1")
        except DomainError as error:
            messages.error(request, error.detail)
            return HttpResponseRedirect(reverse("tracktik:settings"))
        messages.success(request, _("Sync #%(id)s queued.") % {"id": run.pk})
        return HttpResponseRedirect(reverse("tracktik:run", args=[run.pk]))


class RunView(TracktikPage):
    template_name = "tracktik/run.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["run"] = scoped_or_404(selectors.sync_run_get, actor=self.actor, pk=self.kwargs["pk"])
        return context


class BillingView(TracktikPage):
    template_name = "tracktik/billing.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = WeekForm(self.request.GET or None)
        week = form.cleaned_data["week"] if form.is_valid() else datetime.date.today()
        if not self.request.GET:
            form = WeekForm(initial={"week": week})
        context.update(form=form, report=selectors.billing_report(actor=self.actor, week=week))
        return context


class ContractListView(TablePageMixin, TracktikPage):
    template_name = "tracktik/contracts.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = ContractFilterForm(self.request.GET or None)
        rows = selectors.contract_list(actor=self.actor, filters=form.filters())
        context.update(filter_form=form, table=ContractTable(self.request, rows))
        return context


class _UploadView(TablePageMixin, TracktikPage):
    service = None
    list_selector = None
    table_class = None
    detail_name = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", UploadForm())
        context["table"] = self.table_class(self.request, type(self).list_selector(actor=self.actor))
        return context

    def post(self, request, *args, **kwargs):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.show(form=form)
        try:
            created = type(self).service(actor=self.actor, upload=form.cleaned_data["file"])
        except SERVICE_ERRORS as error:
            add_service_errors(form, error)
            return self.show(form=form)
        messages.success(request, _("Uploaded and compared."))
        return HttpResponseRedirect(reverse(self.detail_name, args=[created.pk]))


class ScrListView(_UploadView):
    template_name = "tracktik/scr_list.html"
    service = staticmethod(services.scr_match_create)
    list_selector = staticmethod(selectors.scr_match_list)
    table_class = ScrMatchTable
    detail_name = "tracktik:scr-match"


class ScrDetailView(TracktikPage):
    template_name = "tracktik/scr_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["match"] = scoped_or_404(selectors.scr_match_get, actor=self.actor, pk=self.kwargs["pk"])
        return context


class InvoiceListView(_UploadView):
    template_name = "tracktik/invoice_list.html"
    service = staticmethod(services.invoice_reconciliation_create)
    list_selector = staticmethod(selectors.invoice_reconciliation_list)
    table_class = InvoiceReconciliationTable
    detail_name = "tracktik:invoice"


class InvoiceDetailView(TracktikPage):
    template_name = "tracktik/invoice_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reconciliation"] = scoped_or_404(
            selectors.invoice_reconciliation_get, actor=self.actor, pk=self.kwargs["pk"]
        )
        return context
