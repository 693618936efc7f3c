"""Pages: statement imports at ``/app/imports/`` (issue 6 point 3), for owners, admins and managers.

The list of batches with their status and progress, the upload form (file, carrier, mapping,
period), and a batch's page: counts, totals, errors by line, the exception queue with a match
form per row, and finalise / roll back. Thin views: reads through selectors, changes through
the same services as the API, an audit row (source "page") in the transaction of each change.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from organisations.choices import OWNER_ADMIN, Role
from trackyoursheets.exceptions import DomainError
from trackyoursheets.web import MemberPageMixin, TablePageMixin, add_service_errors

from .. import selectors, services
from ..choices import ImportStatus, RowStatus
from ..forms import FinaliseForm, ImportUploadForm, RowFilterForm, RowMatchForm
from ..models import ImportBatch
from ..services.parsing import FIELDS, policy_key
from ..tables import ImportRowTable, ImportTable

SERVICE_ERRORS = (ValidationError, DomainError)
QUEUE_SIZE = 50


class ImportPage(MemberPageMixin, TemplateView):
    """A statement import page: owners, admins and managers (others get the 403 page)."""

    allowed_roles = (*OWNER_ADMIN, Role.MANAGER)

    def batch(self) -> ImportBatch:
        """The batch of the URL, scoped: another organisation's is the same 404 as a missing one."""
        try:
            return selectors.import_batch_get(actor=self.actor, pk=self.kwargs["pk"])
        except ObjectDoesNotExist as error:
            raise Http404(_("Not found.")) from error

    def show(self, template_name: str, **context):
        self.template_name = template_name
        return self.render_to_response(self.get_context_data(**context))

    def back(self, batch: ImportBatch):
        return HttpResponseRedirect(reverse("imports:detail", args=[batch.pk]))


class ImportListView(TablePageMixin, ImportPage):
    template_name = "imports/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = {"top_level": True}
        status = self.request.GET.get("status", "")
        if status in ImportStatus.values:  # the dashboard's "imports to review" link
            filters["status"] = status
        batches = selectors.import_batch_list(actor=self.actor, filters=filters)
        context["table"] = ImportTable(self.request, batches, currency=self.actor.organisation.currency)
        context["statuses"] = ImportStatus.choices
        context["status"] = status
        return context


class ImportUploadView(ImportPage):
    template_name = "imports/upload.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ImportUploadForm(actor=self.actor))
        context["fields"] = FIELDS
        return context

    def post(self, request, *args, **kwargs):
        form = ImportUploadForm(request.POST, request.FILES, actor=self.actor)
        if not form.is_valid():
            return self.show(self.template_name, form=form)
        data = form.cleaned_data
        try:
            batch = services.import_batch_create(
                actor=self.actor,
                upload=data["file"],
                carrier=data["carrier"],
                workspace=data["workspace"],
                column_mapping=data["column_mapping"],
                save_mapping=data["save_mapping"],
                statement_period=data["statement_period"],
                date_format=data["date_format"] or "",
            )
        except SERVICE_ERRORS as error:
            if isinstance(error, DomainError) and error.errors:  # a file too large (413): next to the file
                error = ValidationError(error.errors)
            add_service_errors(form, error, {"carrier_id": "carrier", "workspace_id": "workspace"})
            return self.show(self.template_name, form=form)
        messages.success(request, _("Statement uploaded; it is being read."))
        return self.back(batch)


class ImportDetailView(TablePageMixin, ImportPage):
    """Counts, totals, errors by line, the exception queue and the actions."""

    template_name = "imports/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = kwargs.get("batch") or self.batch()
        queue = selectors.import_row_list(
            actor=self.actor, batch=batch, filters={"needs_attention": True}
        ).select_related("policy", "producer")
        filters = RowFilterForm(self.request.GET or None)
        status = filters.cleaned_data["status"] if filters.is_valid() else ""
        rows = selectors.import_row_list(actor=self.actor, batch=batch, filters={"status": status} if status else None)
        match_form = RowMatchForm(actor=self.actor)
        context.update(
            batch=batch,
            children=selectors.import_batch_list(actor=self.actor, filters={"parent_id": batch.pk}),
            errors=selectors.import_batch_errors(batch=batch),
            queue=Paginator(queue, QUEUE_SIZE).get_page(self.request.GET.get("queue_page")),
            table=ImportRowTable(
                self.request,
                rows,
                currency=self.actor.organisation.currency,
                # its download: the import_batch_exceptions report of this batch, every row as the
                # page shows them (an empty needs_attention), with the status shown
                report_filters={"batch_id": batch.pk, "needs_attention": ""},
            ),
            filters=filters,
            producers=match_form.fields["producer"].queryset,
            finalise_form=FinaliseForm(),
            in_progress=batch.status in (ImportStatus.QUEUED, ImportStatus.PROCESSING),
            can_finalise=batch.status == ImportStatus.REVIEW
            or (
                batch.status == ImportStatus.SPLIT
                and all(c.status == ImportStatus.REVIEW for c in batch.children.all())
            ),
            can_roll_back=batch.status in (ImportStatus.REVIEW, ImportStatus.FINALISED, ImportStatus.SPLIT),
            can_match=batch.status in (ImportStatus.REVIEW, ImportStatus.SPLIT),
        )
        return context


class ImportProgressView(ImportPage):
    """JSON for the page's progress bar (static/js/imports.js polls it)."""

    def get(self, request, *args, **kwargs):
        batch = self.batch()
        return JsonResponse(
            {
                "status": batch.status,
                "status_label": batch.get_status_display(),
                "processed": batch.rows_processed,
                "expected": batch.rows_expected,
                "percent": batch.progress_percent,
            }
        )


class ImportRowMatchView(ImportPage):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        batch = self.batch()
        try:
            row = selectors.import_row_get(actor=self.actor, batch=batch, pk=self.kwargs["row_pk"])
        except ObjectDoesNotExist as error:
            raise Http404(_("Not found.")) from error
        form = RowMatchForm(request.POST, actor=self.actor)
        if not form.is_valid():
            messages.error(request, _("Line %(line)s: pick a producer from the list.") % {"line": row.line})
            return self.back(batch)
        data = form.cleaned_data
        policy = None
        if data["policy_number"] and not data["skip"]:
            wanted = policy_key(data["policy_number"])
            candidates = selectors.policy_list(actor=self.actor).filter(carrier_id=batch.carrier_id)
            same_number = candidates.filter(number__iexact=data["policy_number"].strip())
            policy = next((p for p in same_number if policy_key(p.number) == wanted), None)
            if policy is None:
                messages.error(
                    request,
                    _("Line %(line)s: no policy %(number)s for this carrier.")
                    % {"line": row.line, "number": data["policy_number"]},
                )
                return self.back(batch)
        try:
            row = services.import_row_match(
                actor=self.actor, row=row, policy=policy, producer=data["producer"], skip=data["skip"]
            )
        except SERVICE_ERRORS as error:
            detail = getattr(error, "detail", None) or "; ".join(getattr(error, "messages", [str(error)]))
            messages.error(request, _("Line %(line)s: %(detail)s") % {"line": row.line, "detail": detail})
            return self.back(batch)
        if row.status == RowStatus.SKIPPED:
            messages.success(request, _("Line %(line)s skipped.") % {"line": row.line})
        else:
            message = _("Line %(line)s matched; similar lines will match by themselves.")
            messages.success(request, message % {"line": row.line})
        return self.back(batch)


class ImportFinaliseView(ImportPage):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        batch = self.batch()
        form = FinaliseForm(request.POST)
        form.is_valid()
        try:
            result = services.import_batch_finalise(
                actor=self.actor, batch=batch, skip_unresolved=form.cleaned_data.get("skip_unresolved", False)
            )
        except SERVICE_ERRORS as error:
            messages.error(request, getattr(error, "detail", None) or "; ".join(error.messages))
            return self.back(batch)
        messages.success(
            request, _("Import finalised: %(count)s reconciled ledger lines.") % {"count": result.transaction_count}
        )
        return self.back(batch)


class ImportRollbackView(ImportPage):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        batch = self.batch()
        try:
            services.import_batch_rollback(actor=self.actor, batch=batch)
        except SERVICE_ERRORS as error:
            messages.error(request, getattr(error, "detail", None) or "; ".join(error.messages))
            return self.back(batch)
        messages.success(request, _("Import rolled back."))
        return self.back(batch)
