"""CSV import and the managers' project pages (issue 7 point 10)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Sum
from django.http import Http404
from django.utils.translation import gettext as _

from trackyoursheets import storage
from trackyoursheets.exceptions import DomainError
from trackyoursheets.web import TablePageMixin, error_text

from .. import estimates, importer, selectors
from ..choices import ProjectStatus
from ..tables import ProjectTable
from .base import MANAGERS, TimePage


class ImportPage(TimePage):
    template_name = "timetracking/import.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["columns"] = importer.COLUMNS
        return context

    def post(self, request, *args, **kwargs):
        upload = request.FILES.get("file")
        text = request.POST.get("csv_text", "")
        try:
            if upload is not None:
                text = importer.decode_csv(storage.read_upload(upload))
            if not text.strip():
                raise ValidationError({"file": _("Choose a CSV file.")})
            commit = request.POST.get("commit") == "1"
            rows = importer.count_rows(text)
            if commit and rows > importer.async_threshold():
                job = importer.import_job_create(actor=self.actor, text=text, total_rows=rows, dry_run=False)
                messages.success(
                    request, _("The import of %(n)s rows is running as job %(id)s.") % {"n": rows, "id": job.pk}
                )
                return self.back("time:import")
            if commit:
                report = importer.import_csv(actor=self.actor, text=text)
                messages.success(request, _("Imported %(n)s entries.") % {"n": report.created})
                return self.back()
            report = importer.validate(self.actor, text)
        except storage.UploadTooLarge as error:
            messages.error(request, error_text(error))
            return self.back("time:import")
        except DomainError as error:
            report = importer.ImportReport(
                dry_run=True,
                total_rows=error.extra.get("total_rows", 0),
                valid_rows=error.extra.get("valid_rows", 0),
                row_errors=error.extra.get("row_errors", []),
            )
        except ValidationError as error:
            # the messages alone: the API's parameter names ("file: ...") mean nothing here (issue 14 point 10)
            messages.error(request, " ".join(error.messages))
            return self.back("time:import")
        return self.render_to_response(self.get_context_data(report=report, csv_text=text))


class ProjectListView(TablePageMixin, TimePage):
    template_name = "timetracking/projects.html"
    allowed_roles = MANAGERS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        projects = selectors.project_list(actor=self.actor)
        context["show_archived"] = self.request.GET.get("archived") == "1"
        if not context["show_archived"]:
            projects = projects.exclude(status=ProjectStatus.ARCHIVED)
        tracked = dict(
            selectors.time_entry_list(actor=self.actor)
            .filter(end_time__isnull=False)
            .order_by()
            .values("project_id")
            .annotate(seconds=Sum("duration_seconds"))
            .values_list("project_id", "seconds")
        )
        rows = [{"project": p, "hours": selectors.hours(tracked.get(p.pk) or 0)} for p in projects]
        context["table"] = ProjectTable(self.request, rows)
        return context


class ProjectDetailView(TimePage):
    template_name = "timetracking/project.html"
    allowed_roles = MANAGERS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            project = selectors.project_get(actor=self.actor, pk=self.kwargs["pk"])
        except ObjectDoesNotExist as error:
            raise Http404(_("Not found.")) from error
        figures = estimates.project_hours_against_estimate(actor=self.actor, project=project)
        tasks = list(selectors.task_list(actor=self.actor).filter(project=project))
        task_rows = estimates.task_hours_against_estimate(actor=self.actor, project=project, tasks=tasks)
        summary = selectors.summary_report(actor=self.actor, project_id=project.pk)
        chart = {
            "labels": [str(t.name) for t in tasks] + [_("Whole project")],
            "hours": [float(r.total.hours) for r in task_rows] + [float(figures.total.hours)],
            "estimates": [float(t.estimated_hours) if t.estimated_hours is not None else None for t in tasks]
            + [float(project.estimated_hours) if project.estimated_hours is not None else None],
            "hours_label": _("Hours tracked (everyone)"),
            "estimate_label": _("Estimate"),
        }
        context.update(
            project=project,
            figures=figures,
            task_rows=task_rows,
            by_employee=summary["by_employee"],
            chart_data=chart,
        )
        return context
