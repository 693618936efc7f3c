"""The HR portal's directory: dashboard, directory with filters and CSV export, employee create, profile, terminate."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from integrations.exports.registry import page_download
from organisations import selectors as organisation_selectors
from trackyoursheets.api.errors import ValidationFailed
from trackyoursheets.exceptions import DomainError
from trackyoursheets.web import (
    SERVICE_ERRORS,
    TablePageMixin,
    add_service_errors,
)
from trackyoursheets.web.formats import spreadsheet_cell

from .. import selectors, services
from ..forms import (
    SERVICE_FIELDS,
    DirectoryFilterForm,
    EmployeeForm,
    employee_initial,
)
from ..policies import can_see_pay
from ..tables import DirectoryPayTable, DirectoryTable
from .base import HRPage


class DashboardView(HRPage):
    template_name = "hr/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stats"] = selectors.hr_dashboard(actor=self.actor)
        context["onboarding"] = selectors.onboarding_sorted(actor=self.actor)
        return context


class DirectoryView(TablePageMixin, HRPage):
    template_name = "hr/directory.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        offices = organisation_selectors.office_list(actor=self.actor)
        form = DirectoryFilterForm(self.request.GET or None, offices=offices)
        employees = selectors.employee_list(actor=self.actor, filters=form.filters() or None)
        table_class = DirectoryPayTable if can_see_pay(self.actor) else DirectoryTable
        table = table_class(self.request, employees, currency=self.actor.organisation.currency)
        context.update(form=form, table=table)
        return context


class DirectoryExportView(HRPage):
    """The directory as CSV, made from the ``hr_directory`` report (issue 17): the columns,
    visibility (pay only for HR, owners, admins) and rows of its export with the page's filters,
    formulas neutralised."""

    def get(self, request, *args, **kwargs):
        try:
            header, rows = page_download("hr_directory", self.actor, request.GET)
        except ValidationFailed as exc:
            return HttpResponseBadRequest(str(exc.detail), content_type="text/plain; charset=utf-8")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="directory.csv"'
        response["Cache-Control"] = "no-store"
        writer = csv.writer(response)
        writer.writerow(header)
        writer.writerows([spreadsheet_cell(v) for v in row] for row in rows)  # the page downloads' guard
        return response


class EmployeeFormMixin:
    def employee_form(self, data=None, employee=None):
        initial = employee_initial(employee) if employee is not None else {"employment_type": "full_time"}
        managers = selectors.employee_list(actor=self.actor).current()
        if employee is not None:
            managers = managers.exclude(pk=employee.pk)
        return EmployeeForm(
            data,
            initial=initial,
            offices=organisation_selectors.office_list(actor=self.actor),
            managers=managers,
            show_pay=can_see_pay(self.actor),
        )


class EmployeeCreateView(EmployeeFormMixin, HRPage):
    template_name = "hr/employee_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.employee_form())
        return context

    def post(self, request, *args, **kwargs):
        form = self.employee_form(request.POST)
        if not form.is_valid():
            return self.show(self.template_name, form=form)
        try:
            employee = services.employee_create(actor=self.actor, **form.cleaned_data)
        except SERVICE_ERRORS as error:
            add_service_errors(form, error, SERVICE_FIELDS)
            return self.show(self.template_name, form=form)
        messages.success(request, _("Employee added."))
        return HttpResponseRedirect(reverse("hr:employee", args=[employee.pk]))


class EmployeeDetailView(EmployeeFormMixin, HRPage):
    template_name = "hr/employee.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        employee = kwargs.get("employee") or self.employee(self.kwargs["pk"])
        context["employee"] = employee
        context["show_pay"] = can_see_pay(self.actor)
        context["onboarding"] = selectors.onboarding_for(
            employees=[employee], organisation_id=self.actor.organisation.pk
        )[0]
        context["reports"] = selectors.employee_list(actor=self.actor).filter(manager=employee)
        context.setdefault("form", self.employee_form(employee=employee))
        return context

    def post(self, request, *args, **kwargs):
        employee = self.employee(self.kwargs["pk"])
        form = self.employee_form(request.POST, employee=employee)
        if not form.is_valid():
            return self.show(self.template_name, form=form, employee=employee, status=422)
        changed = {k: v for k, v in form.cleaned_data.items() if getattr(employee, k) != v}
        try:
            services.employee_update(actor=self.actor, employee=employee, data=changed)
        except SERVICE_ERRORS as error:
            add_service_errors(form, error, SERVICE_FIELDS)
            return self.show(self.template_name, form=form, employee=self.employee(self.kwargs["pk"]), status=422)
        messages.success(request, _("Employee saved."))
        return HttpResponseRedirect(reverse("hr:employee", args=[employee.pk]))


class EmployeeTerminateView(HRPage):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        employee = self.employee(self.kwargs["pk"])
        try:
            services.employee_terminate(actor=self.actor, employee=employee)
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, _("Employee terminated; the record is kept."))
        return HttpResponseRedirect(reverse("hr:employee", args=[employee.pk]))
