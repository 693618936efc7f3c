"""HR tickets: HR's queue and export; every member's report form, their tickets, a ticket's
page, the anonymous follow page."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from organisations.choices import MembershipStatus, Role
from organisations.models import Membership
from trackyoursheets.web import (
    SERVICE_ERRORS,
    TablePageMixin,
    add_service_errors,
    spreadsheet_cell,
)

from .. import selectors, services
from ..choices import OPEN_COMPLAINT_STATUSES
from ..forms import (
    SERVICE_FIELDS,
    AssignForm,
    FollowForm,
    NoteForm,
    ReplyForm,
    ReportForm,
    TicketFilterForm,
    TransitionForm,
)
from ..tables import MyTicketTable, TicketTable
from .base import HRPage, MemberHRPage


class TicketQueueView(TablePageMixin, HRPage):
    """The HR queue: tickets HR may see (never those about the viewer)."""

    allowed_roles = (Role.HR,)
    template_name = "hr/tickets.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = TicketFilterForm(self.request.GET or None)
        filters = form.filters()
        tickets = selectors.complaint_list(actor=self.actor, filters=filters or None)
        if not filters:
            tickets = tickets.filter(status__in=OPEN_COMPLAINT_STATUSES)
        context.update(form=form, table=TicketTable(self.request, tickets))
        return context


class TicketExportView(HRPage):
    """The queue as CSV (HR only; the same confidentiality as the queue; reporters of
    anonymous tickets are never in it)."""

    allowed_roles = (Role.HR,)

    def get(self, request, *args, **kwargs):
        form = TicketFilterForm(request.GET or None)
        tickets = selectors.complaint_list(actor=self.actor, filters=form.filters() or None)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="hr-tickets.csv"'
        response["Cache-Control"] = "no-store"
        writer = csv.writer(response)
        writer.writerow(
            ["reference", "created_at", "subject", "category", "priority", "status", "reporter", "assignee"]
        )
        for t in tickets:
            reporter = "anonymous" if t.is_anonymous else (t.reporter.user.email if t.reporter_id else "")
            assignee = t.assignee.user.email if t.assignee_id else ""
            row = [
                t.reference,
                t.created_at.isoformat(),
                t.subject,
                t.category,
                t.priority,
                t.status,
                reporter,
                assignee,
            ]
            writer.writerow([spreadsheet_cell(v) for v in row])
        return response


class ReportConcernView(MemberHRPage):
    template_name = "hr/report.html"

    def form(self, data=None):
        return ReportForm(data, employees=selectors.employee_choices(actor=self.actor))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.form())
        return context

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.show(self.template_name, form=form, status=422)
        try:
            created = services.complaint_create(actor=self.actor, **form.cleaned_data)  # audited (anonymously)
            complaint = created.complaint
        except SERVICE_ERRORS as error:
            add_service_errors(form, error, SERVICE_FIELDS)
            return self.show(self.template_name, form=form, status=422)
        if complaint.is_anonymous:
            follow_url = request.build_absolute_uri(reverse("hr:follow-ticket", args=[created.follow_token]))
            response = self.show(
                "hr/report_done.html", complaint=complaint, follow_url=follow_url, token=created.follow_token
            )
            response["Cache-Control"] = "no-store"
            response["Referrer-Policy"] = "no-referrer"
            return response
        messages.success(request, _("Thank you. HR has your report %(ref)s.") % {"ref": complaint.reference})
        return HttpResponseRedirect(reverse("hr:ticket", args=[complaint.pk]))


class MyTicketsView(TablePageMixin, MemberHRPage):
    template_name = "hr/my_tickets.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mine = selectors.complaint_list(actor=self.actor).filter(reporter=self.actor.membership)
        context["table"] = MyTicketTable(self.request, mine)
        context.setdefault("follow_form", FollowForm())
        return context

    def post(self, request, *args, **kwargs):
        form = FollowForm(request.POST)
        if form.is_valid():
            token = form.cleaned_data["token"].strip().rstrip("/").rsplit("/", 1)[-1]
            try:
                selectors.complaint_for_token(actor=self.actor, token=token)
            except ObjectDoesNotExist:
                form.add_error("token", _("No report matches this code."))
            else:
                return HttpResponseRedirect(reverse("hr:follow-ticket", args=[token]))
        return self.show(self.template_name, follow_form=form, status=422)


class TicketDetailView(MemberHRPage):
    """A ticket, for whoever may see it: the reporter reads status and resolution; HR and the
    assignee also read internal notes and act on it."""

    template_name = "hr/ticket.html"

    def hr_members(self, complaint):
        members = (
            Membership.objects.for_organisation(self.actor.organisation)
            .filter(role=Role.HR, status=MembershipStatus.ACTIVE)
            .select_related("user")
        )
        if complaint.about_employee is not None and complaint.about_employee.membership_id:
            members = members.exclude(pk=complaint.about_employee.membership_id)
        return members.order_by("user__full_name", "user__email")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        complaint = kwargs.get("complaint") or self.complaint(self.kwargs["pk"])
        can_handle = selectors.complaint_can_handle(actor=self.actor, complaint=complaint)
        can_reply = can_handle or (
            not complaint.is_anonymous
            and complaint.reporter_id is not None
            and complaint.reporter_id == getattr(self.actor.membership, "pk", None)
        )
        context.update(complaint=complaint, can_handle=can_handle, can_reply=can_reply)
        context["replies"] = complaint.replies.select_related("author__user")
        if can_reply:
            context.setdefault("reply_form", ReplyForm())
        if can_handle:
            context.setdefault(
                "assign_form",
                AssignForm(initial={"assignee": complaint.assignee_id}, members=self.hr_members(complaint)),
            )
            context.setdefault(
                "transition_form",
                TransitionForm(initial={"resolution": complaint.resolution}, current=complaint.status),
            )
            context.setdefault("note_form", NoteForm())
        return context

    def post(self, request, *args, **kwargs):
        complaint = self.complaint(self.kwargs["pk"])
        action = request.POST.get("action")
        if action == "reply":  # HR or the named reporter: the service decides (issue 14 point 9)
            return self.reply(request, complaint)
        if not selectors.complaint_can_handle(actor=self.actor, complaint=complaint):
            raise Http404(_("Not found."))
        forms = {
            "assign": ("assign_form", AssignForm(request.POST, members=self.hr_members(complaint))),
            "transition": ("transition_form", TransitionForm(request.POST, current=complaint.status)),
            "note": ("note_form", NoteForm(request.POST)),
        }
        if action not in forms:
            raise Http404(_("Not found."))
        name, form = forms[action]
        if form.is_valid():
            try:
                if action == "assign":
                    services.complaint_assign(
                        actor=self.actor, complaint=complaint, assignee=form.cleaned_data["assignee"]
                    )
                elif action == "transition":
                    services.complaint_transition(actor=self.actor, complaint=complaint, **form.cleaned_data)
                else:
                    services.complaint_note_add(actor=self.actor, complaint=complaint, **form.cleaned_data)
            except SERVICE_ERRORS as error:
                add_service_errors(form, error, SERVICE_FIELDS)
            else:
                messages.success(request, _("Ticket updated."))
                return HttpResponseRedirect(reverse("hr:ticket", args=[complaint.pk]))
        return self.show(self.template_name, complaint=self.complaint(complaint.pk), status=422, **{name: form})

    def reply(self, request, complaint):
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                services.complaint_reply_add(actor=self.actor, complaint=complaint, **form.cleaned_data)
            except SERVICE_ERRORS as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Reply sent."))
                return HttpResponseRedirect(reverse("hr:ticket", args=[complaint.pk]) + "#replies")
        return self.show(self.template_name, complaint=self.complaint(complaint.pk), status=422, reply_form=form)


class FollowTicketView(MemberHRPage):
    """The private page of an anonymous report: status and resolution, never notes or names."""

    template_name = "hr/follow.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            complaint = selectors.complaint_for_token(actor=self.actor, token=self.kwargs["token"])
        except ObjectDoesNotExist as error:
            raise Http404(_("Not found.")) from error
        context["complaint"] = complaint
        context["replies"] = complaint.replies.all()
        context.setdefault("reply_form", ReplyForm())
        return context

    def post(self, request, *args, **kwargs):
        """The anonymous reporter's reply (issue 14 point 9): stored without any author."""
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                services.complaint_reply_add_by_token(actor=self.actor, token=self.kwargs["token"], **form.cleaned_data)
            except ObjectDoesNotExist as error:
                raise Http404(_("Not found.")) from error
            except SERVICE_ERRORS as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Reply sent to HR."))
                return HttpResponseRedirect(request.path + "#replies")
        return self.show(self.template_name, status=422, reply_form=form)

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        response["Cache-Control"] = "no-store"
        # the private link never leaves the site in a Referer; "same-origin" (not "no-referrer") so the
        # reply form's POST carries its Origin and passes Django's CSRF check (issue 14 point 9)
        response["Referrer-Policy"] = "same-origin"
        return response
