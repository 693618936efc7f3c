"""Leave pages (issue 16): every member requests leave (balances and the working days shown live,
their requests as a list and a month calendar); managers, HR, owners and admins see the team
absence calendar and decide requests (also in the approval inbox); HR manages leave types and
policies, holiday calendars, balances and adjustments."""

from __future__ import annotations

import calendar
import datetime

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from organisations import selectors as organisation_selectors
from organisations.choices import OWNER_ADMIN, Role
from trackyoursheets.web import SERVICE_ERRORS, TablePageMixin, add_service_errors, error_text, scoped_or_404

from .. import leave_selectors, selectors, services
from ..leave_forms import (
    POLICY_FIELDS,
    AdjustmentForm,
    HolidayGroupForm,
    LeavePolicyForm,
    LeaveRequestForm,
    LeaveTypeForm,
    holidays_text,
    policy_initial,
)
from ..leave_tables import (
    BalanceTable,
    HolidayGroupTable,
    LeaveTypeTable,
    MyLeaveTable,
    PendingLeaveTable,
    PolicyTable,
)
from .base import HRPage, MemberHRPage

TEAM_ROLES = (*OWNER_ADMIN, Role.HR, Role.MANAGER)
LEAVE_FIELDS = {"employee": "leave_type", "hours": "end_date", "leave_type_id": "leave_type"}


def _month(value: str | None, today: datetime.date) -> datetime.date:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return datetime.date(year, month, 1)
    except (TypeError, ValueError):
        return today.replace(day=1)


def _calendar(rows, first: datetime.date) -> dict:
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = last + datetime.timedelta(days=1)
    return {
        "month": first,
        "days": [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)],
        "rows": rows,
        "previous": previous.strftime("%Y-%m"),
        "next": following.strftime("%Y-%m"),
    }


class MyLeaveView(TablePageMixin, MemberHRPage):
    """Request leave; see your balances, your requests and your month."""

    template_name = "hr/my_leave.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        employee = selectors.employee_for_actor(actor=self.actor)
        context["employee"] = employee
        if employee is None:
            return context
        leave_types = leave_selectors.leave_type_list(actor=self.actor).filter(active=True)
        form = form or LeaveRequestForm(leave_types=leave_types)
        balances = leave_selectors.leave_balance_list(actor=self.actor).filter(employee=employee)
        requests = leave_selectors.leave_request_list(actor=self.actor).filter(employee=employee)
        first = _month(self.request.GET.get("month"), services.employee_today(employee))
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        rows = [
            r
            for r in leave_selectors.team_absences(actor=self.actor, first=first, last=last)
            if r.employee.pk == employee.pk
        ]
        context.update(
            form=form,
            balances=BalanceTable(
                self.request, balances, prefix="balances-", report_filters={"employee_id": employee.pk}
            ),
            table=MyLeaveTable(self.request, requests, report_filters={"employee_id": employee.pk}),
            calendar=_calendar(rows, first),
            preview_url=reverse("hr:leave-preview"),
        )
        return context

    def post(self, request, *args, **kwargs):
        employee = selectors.employee_for_actor(actor=self.actor)
        if employee is None:
            raise Http404
        leave_types = leave_selectors.leave_type_list(actor=self.actor).filter(active=True)
        form = LeaveRequestForm(request.POST, leave_types=leave_types)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            created = services.leave_request_create(actor=self.actor, employee=employee, **form.cleaned_data)
        except SERVICE_ERRORS as error:
            add_service_errors(form, error, LEAVE_FIELDS)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(
            request,
            _("Leave requested: %(days)s working days, %(hours)s hours. Your manager decides.")
            % {"days": created.working_days, "hours": created.hours},
        )
        return HttpResponseRedirect(reverse("hr:my-leave"))


class LeavePreviewView(MemberHRPage):
    """The request form's live preview (JSON): working days, hours, the balance left."""

    def get(self, request, *args, **kwargs):
        employee = selectors.employee_for_actor(actor=self.actor)
        leave_types = leave_selectors.leave_type_list(actor=self.actor).filter(active=True)
        form = LeaveRequestForm(request.GET, leave_types=leave_types)
        if employee is None or not form.is_valid():
            return JsonResponse({"ok": False, "errors": form.errors if employee else {}}, status=200)
        data = {k: v for k, v in form.cleaned_data.items() if k != "notes"}
        try:
            found = services.leave_preview(actor=self.actor, employee=employee, **data)
        except SERVICE_ERRORS as error:
            return JsonResponse({"ok": False, "detail": error_text(error)})
        return JsonResponse(
            {
                "ok": True,
                "working_days": f"{found.count.working_days:.2f}",
                "hours": f"{found.count.hours:.2f}",
                "available": f"{found.available:.2f}",
                "available_after": f"{found.after:.2f}",
                "allowed": found.allowed,
            }
        )


class LeaveActionView(MemberHRPage):
    """One button: approve, reject (with a reason) or cancel a leave request."""

    http_method_names = ["post"]

    def post(self, request, pk, action):
        leave = scoped_or_404(leave_selectors.leave_request_get, actor=self.actor, pk=pk)
        back = request.POST.get("next") or reverse("hr:my-leave")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("hr:my-leave")
        try:
            if action == "approve":
                services.leave_request_approve(actor=self.actor, request=leave)
                messages.success(request, _("Leave of %(name)s approved.") % {"name": leave.employee.display_name})
            elif action == "reject":
                services.leave_request_reject(actor=self.actor, request=leave, reason=request.POST.get("reason", ""))
                messages.success(request, _("Leave of %(name)s rejected.") % {"name": leave.employee.display_name})
            elif action == "cancel":
                services.leave_request_cancel(actor=self.actor, request=leave)
                messages.success(request, _("Leave request cancelled."))
            else:
                raise Http404
        except SERVICE_ERRORS as error:
            messages.error(request, error_text(error))
        return HttpResponseRedirect(back)


class TeamLeaveView(TablePageMixin, HRPage):
    """The team absence calendar and the requests waiting for the reader's decision."""

    allowed_roles = TEAM_ROLES
    template_name = "hr/team_leave.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = datetime.date.today()
        first = _month(self.request.GET.get("month"), today)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        rows = leave_selectors.team_absences(actor=self.actor, first=first, last=last)
        pending = leave_selectors.leave_requests_to_decide(actor=self.actor)
        context.update(
            calendar=_calendar(rows, first), pending=PendingLeaveTable(self.request, pending, prefix="pending-")
        )
        return context


# =============================================================================
# HR: types, policies, calendars, balances
# =============================================================================


class LeavePoliciesView(TablePageMixin, HRPage):
    template_name = "hr/leave_policies.html"

    def get_context_data(self, type_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            policies=PolicyTable(self.request, leave_selectors.leave_policy_list(actor=self.actor), prefix="policies-"),
            types=LeaveTypeTable(self.request, leave_selectors.leave_type_list(actor=self.actor), prefix="types-"),
            type_form=type_form or LeaveTypeForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = LeaveTypeForm(request.POST)
        if form.is_valid():
            try:
                services.leave_type_create(actor=self.actor, **form.cleaned_data)
            except SERVICE_ERRORS as error:
                add_service_errors(form, error, {})
            else:
                messages.success(request, _("Leave type added."))
                return HttpResponseRedirect(reverse("hr:leave-policies"))
        return self.render_to_response(self.get_context_data(type_form=form))


class LeaveTypeEditView(HRPage):
    template_name = "hr/leave_form.html"

    def form(self, data=None, leave_type=None):
        initial = {name: getattr(leave_type, name) for name in LeaveTypeForm.base_fields}
        return LeaveTypeForm(data, initial=initial)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("title", _("Leave type"))
        context.setdefault("back", reverse("hr:leave-policies"))
        return context

    def get(self, request, pk):
        leave_type = scoped_or_404(_type_get, actor=self.actor, pk=pk)
        return self.show(self.template_name, form=self.form(leave_type=leave_type))

    def post(self, request, pk):
        leave_type = scoped_or_404(_type_get, actor=self.actor, pk=pk)
        form = self.form(request.POST, leave_type=leave_type)
        if form.is_valid():
            try:
                services.leave_type_update(actor=self.actor, leave_type=leave_type, data=form.cleaned_data)
            except SERVICE_ERRORS as error:
                add_service_errors(form, error, {})
            else:
                messages.success(request, _("Leave type saved."))
                return HttpResponseRedirect(reverse("hr:leave-policies"))
        return self.show(self.template_name, form=form)


def _type_get(*, actor, pk):
    return leave_selectors.leave_type_list(actor=actor).get(pk=pk)


def _policy_get(*, actor, pk):
    return leave_selectors.leave_policy_list(actor=actor).get(pk=pk)


def _group_get(*, actor, pk):
    return leave_selectors.holiday_group_list(actor=actor).get(pk=pk)


class LeavePolicyFormView(HRPage):
    """Add (no ``pk``) or change a leave policy."""

    template_name = "hr/leave_form.html"

    def form(self, data=None, policy=None):
        return LeavePolicyForm(
            data,
            initial=policy_initial(policy) if policy is not None else None,
            leave_types=leave_selectors.leave_type_list(actor=self.actor),
            offices=organisation_selectors.office_list(actor=self.actor),
            employees=selectors.employee_list(actor=self.actor).current(),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("title", _("Leave policy"))
        context.setdefault("back", reverse("hr:leave-policies"))
        return context

    def get(self, request, pk=None):
        policy = scoped_or_404(_policy_get, actor=self.actor, pk=pk) if pk else None
        return self.show(self.template_name, form=self.form(policy=policy))

    def post(self, request, pk=None):
        policy = scoped_or_404(_policy_get, actor=self.actor, pk=pk) if pk else None
        form = self.form(request.POST, policy=policy)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in POLICY_FIELDS}
            try:
                if policy is None:
                    services.leave_policy_create(actor=self.actor, **data)
                else:
                    services.leave_policy_update(actor=self.actor, policy=policy, data=data)
            except SERVICE_ERRORS as error:
                add_service_errors(form, error, {})
            else:
                messages.success(request, _("Leave policy saved."))
                return HttpResponseRedirect(reverse("hr:leave-policies"))
        return self.show(self.template_name, form=form)


class HolidayCalendarsView(TablePageMixin, HRPage):
    template_name = "hr/holiday_calendars.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["table"] = HolidayGroupTable(self.request, leave_selectors.holiday_group_list(actor=self.actor))
        return context


class HolidayCalendarFormView(HRPage):
    """Add (no ``pk``) or change a holiday calendar and its holidays."""

    template_name = "hr/leave_form.html"

    def form(self, data=None, group=None):
        initial = None
        if group is not None:
            initial = {
                "name": group.name,
                "region": group.region,
                "offices": [o.pk for o in group.offices.all()],
                "holidays": holidays_text(group),
            }
        return HolidayGroupForm(data, initial=initial, offices=organisation_selectors.office_list(actor=self.actor))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("title", _("Holiday calendar"))
        context.setdefault("back", reverse("hr:holiday-calendars"))
        return context

    def get(self, request, pk=None):
        group = scoped_or_404(_group_get, actor=self.actor, pk=pk) if pk else None
        return self.show(self.template_name, form=self.form(group=group))

    def post(self, request, pk=None):
        group = scoped_or_404(_group_get, actor=self.actor, pk=pk) if pk else None
        form = self.form(request.POST, group=group)
        if form.is_valid():
            try:
                if group is None:
                    services.holiday_group_create(actor=self.actor, **form.cleaned_data)
                else:
                    services.holiday_group_update(actor=self.actor, group=group, data=form.cleaned_data)
            except SERVICE_ERRORS as error:
                add_service_errors(form, error, {})
            else:
                messages.success(request, _("Holiday calendar saved."))
                return HttpResponseRedirect(reverse("hr:holiday-calendars"))
        return self.show(self.template_name, form=form)


class LeaveBalancesView(TablePageMixin, HRPage):
    """Every balance, and the adjustment form (with a reason; audited)."""

    template_name = "hr/leave_balances.html"

    def adjustment_form(self, data=None):
        return AdjustmentForm(
            data,
            employees=selectors.employee_list(actor=self.actor).current(),
            leave_types=leave_selectors.leave_type_list(actor=self.actor),
        )

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            table=BalanceTable(self.request, leave_selectors.leave_balance_list(actor=self.actor)),
            form=form or self.adjustment_form(),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self.adjustment_form(request.POST)
        if form.is_valid():
            try:
                services.leave_adjust(actor=self.actor, **form.cleaned_data)
            except SERVICE_ERRORS as error:
                add_service_errors(form, error, {})
            else:
                messages.success(request, _("Balance adjusted (%(hours)s h).") % {"hours": form.cleaned_data["hours"]})
                return HttpResponseRedirect(reverse("hr:leave-balances"))
        return self.render_to_response(self.get_context_data(form=form))
