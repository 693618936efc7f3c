"""Pages of report exports at ``/app/exports/`` (issue 17 point 7), for every member.

Request an export (each list page's **Export** button opens the form with that page's filters),
follow its progress bar (``static/js/exports.js`` polls ``status``), download it until it
expires, delete it. Thin: the same services and selectors as ``/v1/reports/export(s)``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from trackyoursheets.api.errors import ValidationFailed
from trackyoursheets.exceptions import DomainError
from trackyoursheets.web import MemberPageMixin, PageForm, TablePageMixin, scoped_or_404
from trackyoursheets.web.tables import DATETIME, NUMBER, Column, Table

from . import registry, selectors, services
from .models import ExportFormat, ExportStatus

#: query parameters of a list page that are not filters
_NOT_FILTERS = {"page", "page_size", "per_page", "sort", "export", "report", "format"}


class ExportRequestForm(PageForm):
    report = forms.ChoiceField(label=gettext_lazy("Report"))
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=ExportFormat.choices[:3])
    filters = forms.CharField(
        label=gettext_lazy("Filters"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One name=value a line: the list's filters, e.g. start_date=2026-03-01."),
    )
    bom = forms.BooleanField(label=gettext_lazy("CSV for Excel (UTF-8 BOM)"), required=False)
    delimiter = forms.ChoiceField(
        label=gettext_lazy("CSV separator"),
        choices=((",", gettext_lazy("comma")), (";", gettext_lazy("semicolon"))),
        required=False,
    )

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].choices = [
            (r.name, r.title) for r in registry.report_list() if actor is None or actor.has_scope(r.scope)
        ]

    def clean_filters(self) -> dict:
        filters = {}
        for line in (self.cleaned_data.get("filters") or "").splitlines():
            if not line.strip():
                continue
            name, sep, value = line.partition("=")
            if not sep or not name.strip():
                raise forms.ValidationError(_("Write each filter as name=value."))
            filters[name.strip()] = value.strip()
        return filters


class ExportTable(Table):
    name = "exports"
    noun = gettext_lazy("exports")
    empty_text = gettext_lazy("No exports yet.")
    exportable = False
    columns = (
        Column(
            "report",
            gettext_lazy("Report"),
            sort="report",
            link=lambda e: reverse("exports:detail", args=[e.pk]),
            detail=lambda e: e.get_format_display(),
        ),
        Column("status", gettext_lazy("Status"), accessor=lambda e: e.get_status_display(), sort="status"),
        Column("row_count", gettext_lazy("Rows"), kind=NUMBER, sort="row_count"),
        Column("size", gettext_lazy("Bytes"), kind=NUMBER, sort="size"),
        Column("created_at", gettext_lazy("Requested"), kind=DATETIME, sort="created_at"),
        Column("expires_at", gettext_lazy("Expires"), kind=DATETIME, sort="expires_at"),
        Column("download", gettext_lazy("File"), template="integrations/exports/_download_cell.html"),
    )


class ExportPage(MemberPageMixin, TemplateView):
    def export(self):
        return scoped_or_404(selectors.export_get, actor=self.actor, pk=self.kwargs["pk"])


class ExportListView(TablePageMixin, ExportPage):
    """History and the request form (prefilled from ``?report=…&<filters>``: the Export button)."""

    template_name = "integrations/exports/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["table"] = ExportTable(self.request, selectors.export_list(actor=self.actor))
        context.setdefault("form", self._initial_form())
        return context

    def _initial_form(self) -> ExportRequestForm:
        query = self.request.GET
        initial = {"format": "csv", "delimiter": ","}
        name = query.get("report", "")
        if registry.is_registered(name):
            report = registry.get_report(name)
            initial["report"] = name
            wanted = [(k, v) for k, v in query.items() if k not in _NOT_FILTERS and k in report.filter_names and v]
            initial["filters"] = "\n".join(f"{k}={v}" for k, v in wanted)
        return ExportRequestForm(initial=initial, actor=self.actor)

    def post(self, request, *args, **kwargs):
        form = ExportRequestForm(request.POST, actor=self.actor)
        if form.is_valid():
            data = form.cleaned_data
            try:
                export = services.export_request(
                    actor=self.actor,
                    report=data["report"],
                    format=data["format"],
                    filters=data["filters"],
                    bom=data["bom"],
                    delimiter=data["delimiter"] or ",",
                    base_url=request.build_absolute_uri("/"),
                )
            except ValidationFailed as exc:
                for messages_ in (exc.errors or {}).values():
                    for message in messages_:
                        form.add_error("filters", message)
            except DomainError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, _("Export queued."))
                return HttpResponseRedirect(reverse("exports:detail", args=[export.pk]))
        return self.render_to_response(self.get_context_data(form=form))


class ExportDetailView(ExportPage):
    template_name = "integrations/exports/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["export"] = self.export()
        return context


class ExportStatusView(MemberPageMixin, View):
    """``status``: the progress bar's JSON."""

    def get(self, request, pk):
        export = scoped_or_404(selectors.export_get, actor=self.actor, pk=pk)
        return JsonResponse(
            {
                "status": export.status,
                "done": export.progress_done,
                "total": export.progress_total,
                "percent": export.progress_percent,
            }
        )


class ExportDownloadView(MemberPageMixin, View):
    def get(self, request, pk):
        export = scoped_or_404(selectors.export_get, actor=self.actor, pk=pk)
        if export.status != ExportStatus.READY:
            raise Http404
        handle = services.export_storage().open(export.file.name, "rb")
        response = FileResponse(handle, as_attachment=True, filename=export.file_name, content_type=export.content_type)
        response["Cache-Control"] = "private, no-store"
        return response


class ExportDeleteView(MemberPageMixin, View):
    def post(self, request, pk):
        export = scoped_or_404(selectors.export_get, actor=self.actor, pk=pk)
        try:
            services.export_delete(actor=self.actor, export=export)
        except DomainError as exc:
            messages.error(request, exc.detail)
            return HttpResponseRedirect(reverse("exports:detail", args=[pk]))
        messages.success(request, _("Export deleted."))
        return HttpResponseRedirect(reverse("exports:list"))
