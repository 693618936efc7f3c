"""HR documents: the portal's list, create and detail pages; every member's documents to read,
download and acknowledge."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from organisations import selectors as organisation_selectors
from trackyoursheets.exceptions import DomainError
from trackyoursheets.web import (
    SERVICE_ERRORS,
    TablePageMixin,
    add_service_errors,
)

from .. import selectors, services
from ..api.views import file_response
from ..forms import (
    SERVICE_FIELDS,
    DocumentForm,
    VersionForm,
)
from ..tables import DocumentTable
from .base import HRPage, MemberHRPage


class DocumentListView(TablePageMixin, HRPage):
    template_name = "hr/documents.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        documents = list(selectors.document_list(actor=self.actor))
        rows = [(doc, selectors.document_coverage(document=doc)) for doc in documents]
        context["table"] = DocumentTable(self.request, rows)
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
