"""Pages of the hr app at ``/app/hr/`` (issue 8 point 6).

- the HR portal (owners, admins, HR): dashboard, directory with search and filters and a
  CSV export, employee profile with the onboarding checklist, documents with
  acknowledgement coverage; the ticket queue is for HR only (owners and admins do not read
  tickets by role);
- every member: "documents to read" with an acknowledge button, "report a concern",
  "my tickets", a ticket's page (only if they may see it) and the private follow page of an
  anonymous report.

Thin views: reads through selectors, changes through services; everything users typed is
escaped by the templates (no ``|safe``); no inline scripts (static/js/hr.js).
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from organisations import selectors as organisation_selectors
from organisations.choices import OWNER_ADMIN, MembershipStatus, Role
from organisations.models import Membership
from trackyoursheets.exceptions import DomainError
from trackyoursheets.web import (
    SERVICE_ERRORS,
    MemberPageMixin,
    NavItem,
    add_service_errors,
    scoped_or_404,
    visible_links,
)

from . import selectors, services
from .api.views import file_response
from .choices import OPEN_COMPLAINT_STATUSES
from .forms import (
    SERVICE_FIELDS,
    AssignForm,
    DirectoryFilterForm,
    DocumentForm,
    EmployeeForm,
    FollowForm,
    NoteForm,
    ReportForm,
    TicketFilterForm,
    TransitionForm,
    VersionForm,
    employee_initial,
)
from .policies import can_see_pay

HR_PORTAL = (*OWNER_ADMIN, Role.HR)
PAGE_SIZE = 50


def _csv_cell(value) -> str:
    """Spreadsheet-safe text: a leading =, +, - or @ is not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class HRPage(MemberPageMixin, TemplateView):
    allowed_roles = HR_PORTAL

    def show(self, template_name: str, status: int = 200, **context):
        self.template_name = template_name
        response = self.render_to_response(self.get_context_data(**context))
        response.status_code = status
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # the area's links, each shown to the roles its page declares (issue 12 point 5)
        if self.actor.role in HRPage.allowed_roles:
            context["hr_links"] = [(link["url"], link["label"]) for link in visible_links(self.actor, HR_LINKS)]
        return context

    def employee(self, pk):
        return scoped_or_404(selectors.employee_get, actor=self.actor, pk=pk)

    def document(self, pk):
        return scoped_or_404(selectors.document_get, actor=self.actor, pk=pk)

    def complaint(self, pk):
        return scoped_or_404(selectors.complaint_get, actor=self.actor, pk=pk)


#: the HR portal's sub-navigation (who sees a link: its page's ``allowed_roles``)
HR_LINKS = (
    NavItem(gettext_lazy("Overview"), "hr:dashboard"),
    NavItem(gettext_lazy("Directory"), "hr:directory"),
    NavItem(gettext_lazy("Documents"), "hr:documents"),
    NavItem(gettext_lazy("Tickets"), "hr:tickets"),
)


# =============================================================================
# HR portal
# =============================================================================


class DashboardView(HRPage):
    template_name = "hr/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stats"] = selectors.hr_dashboard(actor=self.actor)
        context["onboarding"] = selectors.onboarding_sorted(actor=self.actor)
        return context


class DirectoryView(HRPage):
    template_name = "hr/directory.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        offices = organisation_selectors.office_list(actor=self.actor)
        form = DirectoryFilterForm(self.request.GET or None, offices=offices)
        employees = selectors.employee_list(actor=self.actor, filters=form.filters() or None)
        page = Paginator(employees, PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(form=form, employees=page, query=query.urlencode(), show_pay=can_see_pay(self.actor))
        return context


class DirectoryExportView(HRPage):
    """The directory as CSV: the same rows and filters as the page; pay only for HR, owners, admins."""

    def get(self, request, *args, **kwargs):
        offices = organisation_selectors.office_list(actor=self.actor)
        form = DirectoryFilterForm(request.GET or None, offices=offices)
        employees = selectors.employee_list(actor=self.actor, filters=form.filters() or None)
        show_pay = can_see_pay(self.actor)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="directory.csv"'
        response["Cache-Control"] = "no-store"
        writer = csv.writer(response)
        header = [
            "id",
            "employee_number",
            "first_name",
            "last_name",
            "preferred_name",
            "email",
            "phone",
            "job_title",
            "department",
            "office",
            "manager_id",
            "employment_type",
            "hire_date",
            "termination_date",
            "status",
        ]
        writer.writerow(header + (["pay_type", "pay_rate", "currency"] if show_pay else []))
        for e in employees:
            row = [
                e.pk,
                e.employee_number,
                e.first_name,
                e.last_name,
                e.preferred_name,
                e.email,
                e.phone,
                e.job_title,
                e.department,
                e.office.name if e.office_id else "",
                e.manager_id or "",
                e.employment_type,
                e.hire_date or "",
                e.termination_date or "",
                e.status,
            ]
            if show_pay:
                row += [e.pay_type, e.pay_rate if e.pay_rate is not None else "", self.actor.organisation.currency]
            writer.writerow([_csv_cell(v) for v in row])
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


class DocumentListView(HRPage):
    template_name = "hr/documents.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        documents = list(selectors.document_list(actor=self.actor))
        context["rows"] = [(doc, selectors.document_coverage(document=doc)) for doc in documents]
        return context


class DocumentCreateView(HRPage):
    template_name = "hr/document_form.html"

    def form(self, data=None, files=None):
        return DocumentForm(data, files, offices=organisation_selectors.office_list(actor=self.actor))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.form())
        return context

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST, request.FILES)
        if not form.is_valid():
            return self.show(self.template_name, form=form, status=422)
        data = dict(form.cleaned_data)
        data["offices"] = list(data["offices"])
        try:
            document = services.document_create(actor=self.actor, **data)
        except SERVICE_ERRORS as error:
            add_service_errors(form, error, SERVICE_FIELDS)
            return self.show(self.template_name, form=form, status=422)
        messages.success(request, _("Document uploaded."))
        return HttpResponseRedirect(reverse("hr:document", args=[document.pk]))


class DocumentDetailView(HRPage):
    template_name = "hr/document.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = self.document(self.kwargs["pk"])
        rows = list(selectors.acknowledgement_status_list(actor=self.actor, document=document))
        context.update(
            document=document,
            coverage=selectors.document_coverage(document=document),
            acknowledged=[r for r in rows if r.acknowledged_at],
            pending=[r for r in rows if not r.acknowledged_at],
            versions=selectors.version_list(document=document),
        )
        context.setdefault("version_form", VersionForm())
        return context

    def post(self, request, *args, **kwargs):
        document = self.document(self.kwargs["pk"])
        form = VersionForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.document_version_add(actor=self.actor, document=document, **form.cleaned_data)
            except SERVICE_ERRORS as error:
                add_service_errors(form, error, SERVICE_FIELDS)
            else:
                messages.success(request, _("New version uploaded: everyone acknowledges it again."))
                return HttpResponseRedirect(reverse("hr:document", args=[document.pk]))
        return self.show(self.template_name, version_form=form, status=422)


class TicketQueueView(HRPage):
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
        page = Paginator(tickets, PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(form=form, tickets=page, query=query.urlencode())
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
            writer.writerow([_csv_cell(v) for v in row])
        return response


# =============================================================================
# Every member
# =============================================================================


class MemberHRPage(HRPage):
    allowed_roles = None


class MyDocumentsView(MemberHRPage):
    template_name = "hr/my_documents.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = selectors.documents_to_read(actor=self.actor)
        context["has_employee"] = selectors.employee_for_actor(actor=self.actor) is not None
        return context


class DocumentDownloadView(MemberHRPage):
    def get(self, request, *args, **kwargs):
        return file_response(self.document(self.kwargs["pk"]))


class DocumentAcknowledgeView(MemberHRPage):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        document = self.document(self.kwargs["pk"])
        try:
            acknowledgement, _created = services.document_acknowledge(actor=self.actor, document=document)
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(
                request,
                _("Thank you: you acknowledged “%(title)s” (version %(version)s).")
                % {"title": document.title, "version": acknowledgement.version.label},
            )
        return HttpResponseRedirect(reverse("hr:my-documents"))


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


class MyTicketsView(MemberHRPage):
    template_name = "hr/my_tickets.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tickets"] = selectors.complaint_list(actor=self.actor).filter(reporter=self.actor.membership)
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
        context.update(complaint=complaint, can_handle=can_handle)
        if can_handle:
            context.setdefault(
                "assign_form",
                AssignForm(initial={"assignee": complaint.assignee_id}, members=self.hr_members(complaint)),
            )
            context.setdefault("transition_form", TransitionForm(initial={"resolution": complaint.resolution}))
            context.setdefault("note_form", NoteForm())
        return context

    def post(self, request, *args, **kwargs):
        complaint = self.complaint(self.kwargs["pk"])
        if not selectors.complaint_can_handle(actor=self.actor, complaint=complaint):
            raise Http404(_("Not found."))
        action = request.POST.get("action")
        forms = {
            "assign": ("assign_form", AssignForm(request.POST, members=self.hr_members(complaint))),
            "transition": ("transition_form", TransitionForm(request.POST)),
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


class FollowTicketView(MemberHRPage):
    """The private page of an anonymous report: status and resolution, never notes or names."""

    template_name = "hr/follow.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            context["complaint"] = selectors.complaint_for_token(actor=self.actor, token=self.kwargs["token"])
        except ObjectDoesNotExist as error:
            raise Http404(_("Not found.")) from error
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response
