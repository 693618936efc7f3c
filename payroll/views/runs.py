"""Pages of payroll runs (issue 18 point 9) under ``/app/payroll/`` (namespace ``payroll``):

- the console (owners, admins; HR reads): schedules with their upcoming periods, recent runs,
  create a run;
- a run: entries by employee with their lines (expandable explanations and sources), warnings,
  the diff with the previous run, approve / mark paid / recalculate / cancel, acknowledgements;
- "My pay" for every member: their lines in ready and paid runs, hours by code, year to date.

Thin: the selectors read, the services decide (the same as REST and GraphQL)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.choices import OWNER_ADMIN, Role
from trackyoursheets.web import SERVICE_ERRORS, ConsolePage, PageForm, error_text, scoped_or_404

from .. import selectors, services
from ..models import NOTES_MAX_LENGTH

#: who opens the console and run pages (HR reads; owners and admins act)
CONSOLE_ROLES = (*OWNER_ADMIN, Role.HR)
ACTIONS = {
    "approve": (services.payroll_run_approve, _("The run is approved: it is ready to pay.")),
    "mark-paid": (services.payroll_run_mark_paid, _("The run is marked paid.")),
    "recalculate": (services.payroll_run_recalculate, _("The draft is recalculated from its sources.")),
    "cancel": (services.payroll_run_cancel, _("The run is cancelled; its sources are released.")),
}


class RunCreateForm(PageForm):
    pay_schedule = forms.ModelChoiceField(queryset=None, label=_("Pay schedule"))
    period_start = forms.DateField(label=_("Period start"), required=False, help_text=_("Empty: the current period."))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pay_schedule"].queryset = selectors.pay_schedule_list(actor=actor).filter(active=True)


class AcknowledgeForm(PageForm):
    notes = forms.CharField(label=_("Notes"), max_length=NOTES_MAX_LENGTH, required=False)


class PayrollConsoleView(ConsolePage):
    template_name = "payroll/runs/console.html"
    allowed_roles = CONSOLE_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        schedules = list(selectors.pay_schedule_list(actor=self.actor))
        context["schedules"] = [(s, s.periods(today, 2)) for s in schedules]
        context["runs"] = list(selectors.payroll_run_list(actor=self.actor).select_related("pay_schedule")[:20])
        context.setdefault("form", RunCreateForm(actor=self.actor))
        context["can_write"] = self.actor.role in OWNER_ADMIN
        context["currency"] = self.actor.organisation.currency
        return context

    def post(self, request, *args, **kwargs):
        form = RunCreateForm(request.POST, actor=self.actor)
        if not form.is_valid():
            return self.redisplay(form=form)
        data = form.cleaned_data
        run = self.apply(
            form,
            lambda: services.payroll_run_create(
                actor=self.actor, pay_schedule=data["pay_schedule"], period_start=data.get("period_start")
            ),
        )
        if run is None:
            return self.redisplay(form=form)
        messages.success(request, _("Draft run created."))
        return HttpResponseRedirect(reverse("payroll:run", args=[run.pk]))


class PayrollRunPageView(ConsolePage):
    template_name = "payroll/runs/run.html"
    allowed_roles = CONSOLE_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = scoped_or_404(selectors.payroll_run_get, actor=self.actor, pk=self.kwargs["pk"])
        entries = list(run.entries.all())
        context.update(
            run=run,
            entries=entries,
            warnings=sum(len(e.warnings) for e in entries),
            diff=selectors.payroll_run_diff(run=run),
            can_write=self.actor.role in OWNER_ADMIN,
            acknowledge_form=AcknowledgeForm(),
            currency=self.actor.organisation.currency,
        )
        return context


class PayrollRunActionView(ConsolePage):
    """POST: approve, mark-paid, recalculate, cancel or acknowledge a run (one button each)."""

    allowed_roles = CONSOLE_ROLES
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        run = scoped_or_404(selectors.payroll_run_get, actor=self.actor, pk=self.kwargs["pk"])
        action = self.kwargs["action"]
        try:
            if action == "acknowledge":
                form = AcknowledgeForm(request.POST)
                notes = form.cleaned_data["notes"] if form.is_valid() else ""
                services.payroll_run_acknowledge(actor=self.actor, run=run, notes=notes)
                messages.success(request, _("Acknowledged."))
            elif action in ACTIONS:
                service, done = ACTIONS[action]
                service(actor=self.actor, run=run)
                messages.success(request, done)
            else:
                messages.error(request, _("Unknown action."))
        except SERVICE_ERRORS as error:
            messages.error(request, error_text(error))
        return HttpResponseRedirect(reverse("payroll:run", args=[run.pk]))


class MyPayView(ConsolePage):
    """Every member: their pay in ready and paid runs, hours by code, year to date."""

    template_name = "payroll/runs/my_pay.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = selectors.my_pay(actor=self.actor)
        year = timezone.localdate().year
        ytd, ytd_hours = Decimal("0.00"), defaultdict(Decimal)
        for entry in entries:
            if entry.run.pay_date.year == year:
                ytd += entry.gross
                for code, hours in entry.hours_by_code.items():
                    ytd_hours[code] += Decimal(hours)
        context.update(
            entries=entries,
            ytd=ytd,
            ytd_hours=sorted(ytd_hours.items()),
            year=year,
            currency=self.actor.organisation.currency,
            today=datetime.date.today(),
        )
        return context
