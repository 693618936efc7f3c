"""Pages for what only the API or the admin could do before issue 14 (point 9): clients, projects
and tasks -- create, edit, archive (a task, which has no archive in the API either, is deleted;
its time entries stay, without a task).

Thin views (STYLE §2.5): the forms in :mod:`timetracking.forms` parse, :mod:`timetracking.services`
decide (the same ``client_*``, ``project_*`` and ``task_*`` services as ``/v1/clients``,
``/v1/projects`` and ``/v1/tasks``), audited with source "page". For owners, admins and managers;
another organisation's ids are a 404; a service refusal shows on the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from trackyoursheets.web import SERVICE_ERRORS, TablePageMixin, add_service_errors, error_text, scoped_or_404

from . import selectors, services
from .forms import ClientForm, ProjectForm, TaskForm
from .tables import ClientTable
from .views import MANAGERS, TimePage

CLIENT_FIELDS = ("name", "company", "email", "phone", "default_rate")
PROJECT_FIELDS = ("name", "client", "description", "status", "billable", "hourly_rate", "estimated_hours", "budget")
TASK_FIELDS = ("name", "description", "status", "priority", "assignee", "estimated_hours", "hourly_rate")


def _values(obj, names) -> dict:
    return {name: getattr(obj, name) for name in names}


def _blank_to_empty(data: dict, *names: str) -> dict:
    """Optional text fields are stored empty, never NULL."""
    return {key: ("" if key in names and value is None else value) for key, value in data.items()}


class CataloguePage(TimePage):
    allowed_roles = MANAGERS

    def run(self, form, call):
        """``call()`` (a service) in a transaction; a refusal goes onto ``form`` and gives ``None``."""
        try:
            with transaction.atomic():
                return call()
        except SERVICE_ERRORS as error:
            add_service_errors(form, error)
            return None

    def show(self, **context):
        return self.render_to_response(self.get_context_data(**context))

    def client(self):
        return scoped_or_404(selectors.client_get, actor=self.actor, pk=self.kwargs["pk"])

    def project(self, pk=None):
        return scoped_or_404(selectors.project_get, actor=self.actor, pk=pk or self.kwargs["pk"])

    def task(self):
        return scoped_or_404(selectors.task_get, actor=self.actor, pk=self.kwargs["pk"])


# =============================================================================
# Clients
# =============================================================================


class ClientListView(TablePageMixin, CataloguePage):
    template_name = "timetracking/clients.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        show_archived = self.request.GET.get("archived") == "1"
        clients = selectors.client_list(actor=self.actor)
        context.update(
            show_archived=show_archived,
            table=ClientTable(self.request, clients if show_archived else clients.filter(archived=False)),
        )
        return context


class ClientFormView(CataloguePage):
    """``clients/new`` and ``clients/<pk>``."""

    template_name = "timetracking/client_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        client = context.setdefault("client", self.client() if "pk" in self.kwargs else None)
        context.setdefault("form", ClientForm(initial=_values(client, CLIENT_FIELDS) if client else None))
        return context

    def post(self, request, *args, **kwargs):
        client = self.client() if "pk" in self.kwargs else None
        form = ClientForm(request.POST)
        if form.is_valid():
            data = _blank_to_empty(form.cleaned_data, "company", "email", "phone")
            saved = self.run(
                form,
                (lambda: services.client_update(actor=self.actor, client=client, data=data))
                if client
                else (lambda: services.client_create(actor=self.actor, **data)),
            )
            if saved is not None:
                messages.success(request, _("Client %(name)s saved.") % {"name": saved.name})
                return HttpResponseRedirect(reverse("time:clients"))
        return self.show(form=form, client=client)


class ClientArchiveView(CataloguePage):
    """POST: archive (``restore=1``: bring back) a client; its projects and their time stay."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        client = self.client()
        restore = request.POST.get("restore") == "1"
        try:
            if restore:
                services.client_update(actor=self.actor, client=client, data={"archived": False})
            else:
                services.client_delete(actor=self.actor, client=client)
        except SERVICE_ERRORS as error:
            messages.error(request, error_text(error))
        else:
            message = _("Client %(name)s restored.") if restore else _("Client %(name)s archived.")
            messages.success(request, message % {"name": client.name})
        return HttpResponseRedirect(reverse("time:clients"))


# =============================================================================
# Projects
# =============================================================================


class ProjectFormView(CataloguePage):
    """``projects/new`` and ``projects/<pk>/edit``."""

    template_name = "timetracking/project_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project = context.setdefault("project", self.project() if "pk" in self.kwargs else None)
        if "form" not in context:
            initial = _values(project, PROJECT_FIELDS) if project else None
            context["form"] = ProjectForm(initial=initial, actor=self.actor, client=project.client if project else None)
        return context

    def post(self, request, *args, **kwargs):
        project = self.project() if "pk" in self.kwargs else None
        form = ProjectForm(request.POST, actor=self.actor, client=project.client if project else None)
        if form.is_valid():
            data = _blank_to_empty(form.cleaned_data, "description")
            saved = self.run(
                form,
                (lambda: services.project_update(actor=self.actor, project=project, data=data))
                if project
                else (lambda: services.project_create(actor=self.actor, **data)),
            )
            if saved is not None:
                messages.success(request, _("Project %(name)s saved.") % {"name": saved.name})
                return HttpResponseRedirect(reverse("time:project", args=[saved.pk]))
        return self.show(form=form, project=project)


class ProjectArchiveView(CataloguePage):
    """POST: archive a project (it keeps its time and takes no new)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        project = self.project()
        try:
            services.project_archive(actor=self.actor, project=project)
        except SERVICE_ERRORS as error:
            messages.error(request, error_text(error))
            return HttpResponseRedirect(reverse("time:project", args=[project.pk]))
        messages.success(request, _("Project %(name)s archived.") % {"name": project.name})
        return HttpResponseRedirect(reverse("time:projects"))


# =============================================================================
# Tasks
# =============================================================================


class TaskFormView(CataloguePage):
    """``projects/<pk>/tasks/new`` and ``tasks/<pk>``."""

    template_name = "timetracking/task_form.html"
    creating = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        task = context.setdefault("task", None if self.creating else self.task())
        context.setdefault("project", task.project if task else self.project())
        context.setdefault("form", TaskForm(initial=_values(task, TASK_FIELDS) if task else None, actor=self.actor))
        return context

    def post(self, request, *args, **kwargs):
        task = None if self.creating else self.task()
        project = task.project if task else self.project()
        form = TaskForm(request.POST, actor=self.actor)
        if form.is_valid():
            data = _blank_to_empty(form.cleaned_data, "description")
            saved = self.run(
                form,
                (lambda: services.task_update(actor=self.actor, task=task, data=data))
                if task
                else (lambda: services.task_create(actor=self.actor, project=project, **data)),
            )
            if saved is not None:
                messages.success(request, _("Task %(name)s saved.") % {"name": saved.name})
                return HttpResponseRedirect(reverse("time:project", args=[project.pk]))
        return self.show(form=form, task=task, project=project)


class TaskDeleteView(CataloguePage):
    """POST: delete a task (its time entries stay, without a task)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        task = self.task()
        project_pk, name = task.project_id, task.name
        try:
            services.task_delete(actor=self.actor, task=task)
        except SERVICE_ERRORS as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Task %(name)s deleted; its time entries stay.") % {"name": name})
        return HttpResponseRedirect(reverse("time:project", args=[project_pk]))


__all__ = [
    "ClientArchiveView",
    "ClientFormView",
    "ClientListView",
    "ProjectArchiveView",
    "ProjectFormView",
    "TaskDeleteView",
    "TaskFormView",
]
