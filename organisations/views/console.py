"""Pages: the admin console (issue 4 point 5) — organisation settings, offices and workspaces, producers.

Thin views: they read through selectors and FilterSets, write through services (which
record the audit row, source "page", in the change's transaction: issue 12) and show a
service's error on the form (or as a flash message for one-button actions).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _

from trackyoursheets.web import (
    SERVICE_ERRORS,
    ConsolePage,
    TablePageMixin,
    add_service_errors,
    error_text,
    scoped_or_404,
)

from .. import selectors, services
from ..choices import OWNER_ADMIN, Role, WorkspaceStatus
from ..forms import (
    OfficeForm,
    OrganisationSettingsForm,
    ProducerFilterForm,
    ProducerForm,
    WorkspaceAgentsForm,
    WorkspaceFilterForm,
    WorkspaceForm,
    feature_label,
)
from ..models import Office, Producer, Workspace
from ..plans import FEATURES
from ..selectors import console_office_list
from ..tables import EditableOfficeTable, OfficeTable, ProducerTable, WorkspaceTable

# compat: payroll until the issue-12 merge — payroll/views.py imports ConsolePage, Pager and
# scoped_or_404 from this module (imported above from their home, trackyoursheets.web).

STRUCTURE_ROLES = (*OWNER_ADMIN, Role.MANAGER)
PRODUCER_EDITORS = (*OWNER_ADMIN, Role.MANAGER)
PRODUCER_READERS = (*PRODUCER_EDITORS, Role.HR)


def usage_messages(organisation) -> dict:
    """Plan limits and usage as sentences (the numbers come from the selector)."""
    plan = organisation.plan_details
    usage = selectors.organisation_usage(organisation=organisation)
    workspaces = usage["workspaces"]
    seats = usage["seats"]
    if workspaces["available"]:
        workspace_text = _(
            "%(used)s of %(limit)s active workspaces in use on the %(plan)s plan; %(available)s more can be created."
        ) % {**workspaces, "plan": plan.name}
    else:
        workspace_text = _(
            "All %(limit)s active workspaces of the %(plan)s plan are in use: archive one or change plan "
            "before creating another."
        ) % {**workspaces, "plan": plan.name}
    return {
        "plan": plan,
        "usage": usage,
        "workspaces_full": not workspaces["available"],
        "workspace_text": workspace_text,
        "seat_text": _("%(used)s of %(limit)s seats in use on the %(plan)s plan.") % {**seats, "plan": plan.name},
        "agents_text": _("Each workspace can have up to %(limit)s agents on the %(plan)s plan.")
        % {"limit": plan.max_agents_per_workspace, "plan": plan.name},
    }


# =============================================================================
# Organisation settings
# =============================================================================


class OrganisationSettingsView(ConsolePage):
    """Timezone, currency and the feature toggles the plan allows; the plan's limits and usage."""

    allowed_roles = OWNER_ADMIN
    template_name = "app/console/organisation_settings.html"

    def make_form(self, data=None):
        organisation = self.actor.organisation
        included = [name for name in FEATURES if name in organisation.plan_details.features]
        initial = {
            "timezone": organisation.timezone,
            "currency": organisation.currency,
            **{f"feature_{name}": organisation.features[name] for name in included},
        }
        return OrganisationSettingsForm(data, initial=initial, features=included)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.actor.organisation
        context.setdefault("form", self.make_form())
        context.update(usage_messages(organisation))
        context["features_outside_plan"] = [
            feature_label(name) for name in FEATURES if name not in organisation.plan_details.features
        ]
        return context

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.redisplay(form=form)
        try:
            services.organisation_update_settings(
                actor=self.actor,
                timezone=form.cleaned_data["timezone"],
                currency=form.cleaned_data["currency"],
                feature_toggles=form.feature_toggles(),
            )
        except SERVICE_ERRORS as error:
            add_service_errors(form, error)
            return self.redisplay(form=form)
        messages.success(request, _("Organisation settings saved."))
        return HttpResponseRedirect(reverse("app:organisation-settings"))


# =============================================================================
# Offices and workspaces
# =============================================================================


def office_snapshot(office: Office) -> dict:
    return {"name": office.name, "timezone": office.timezone, "address": office.address}


def workspace_snapshot(workspace: Workspace) -> dict:
    return {
        "name": workspace.name,
        "office_id": workspace.office_id,
        "description": workspace.description,
        "status": workspace.status,
    }


class StructureView(TablePageMixin, ConsolePage):
    """Offices and workspaces; a manager sees only their office and its workspaces."""

    allowed_roles = STRUCTURE_ROLES
    template_name = "app/console/structure.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        offices = console_office_list(actor=self.actor)
        filter_form = WorkspaceFilterForm(self.request.GET or None, offices=offices)
        workspaces = selectors.workspace_list(actor=self.actor, filters=filter_form.filters())
        office_table = EditableOfficeTable if self.actor.role in OWNER_ADMIN else OfficeTable
        context.update(
            offices=office_table(self.request, offices, prefix="offices_"),
            workspaces=WorkspaceTable(self.request, workspaces),
            filter_form=filter_form,
            can_edit_offices=self.actor.role in OWNER_ADMIN,
            **usage_messages(self.actor.organisation),
        )
        return context


class OfficeCreateView(ConsolePage):
    """Offices are created by owners and admins (``office_create`` allows no one else)."""

    allowed_roles = OWNER_ADMIN
    template_name = "app/console/office_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", OfficeForm(initial={"timezone": self.actor.organisation.timezone}))
        return context

    def post(self, request, *args, **kwargs):
        form = OfficeForm(request.POST)
        if not form.is_valid():
            return self.redisplay(form=form)
        office = self.apply(
            form,
            lambda: services.office_create(actor=self.actor, **form.cleaned_data),
        )
        if office is None:
            return self.redisplay(form=form)
        messages.success(request, _("Office “%(name)s” created.") % {"name": office.name})
        return HttpResponseRedirect(reverse("app:structure"))


class OfficeEditView(ConsolePage):
    allowed_roles = OWNER_ADMIN
    template_name = "app/console/office_form.html"

    def get_office(self) -> Office:
        return scoped_or_404(selectors.office_get, actor=self.actor, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        office = kwargs.get("office") or self.get_office()
        context["office"] = office
        context.setdefault("form", OfficeForm(initial=office_snapshot(office)))
        return context

    def post(self, request, *args, **kwargs):
        office = self.get_office()
        form = OfficeForm(request.POST)
        if not form.is_valid():
            return self.redisplay(form=form, office=office)
        saved = self.apply(
            form,
            lambda: services.office_update(actor=self.actor, office=office, data=form.cleaned_data),
        )
        if saved is None:
            return self.redisplay(form=form, office=self.get_office())
        messages.success(request, _("Office “%(name)s” saved.") % {"name": office.name})
        return HttpResponseRedirect(reverse("app:structure"))


class WorkspaceCreateView(ConsolePage):
    allowed_roles = STRUCTURE_ROLES
    template_name = "app/console/workspace_form.html"

    def make_form(self, data=None):
        return WorkspaceForm(data, offices=console_office_list(actor=self.actor))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.make_form())
        context.update(usage_messages(self.actor.organisation))
        return context

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.redisplay(form=form)
        workspace = self.apply(
            form,
            lambda: services.workspace_create(actor=self.actor, **form.cleaned_data),
        )
        if workspace is None:
            return self.redisplay(form=form)
        messages.success(request, _("Workspace “%(name)s” created.") % {"name": workspace.name})
        return HttpResponseRedirect(reverse("app:workspace-edit", args=[workspace.pk]))


class WorkspaceEditView(ConsolePage):
    """Edit a workspace, assign agents to it, archive or re-activate it."""

    allowed_roles = STRUCTURE_ROLES
    template_name = "app/console/workspace_edit.html"

    def get_workspace(self) -> Workspace:
        return scoped_or_404(selectors.workspace_get, actor=self.actor, pk=self.kwargs["pk"])

    def make_form(self, workspace: Workspace, data=None):
        initial = {"office": workspace.office_id, "name": workspace.name, "description": workspace.description}
        return WorkspaceForm(data, initial=initial, offices=console_office_list(actor=self.actor))

    def make_agents_form(self, workspace: Workspace, data=None):
        assigned = [link.membership_id for link in workspace.agent_links.all()]
        candidates = selectors.membership_list(actor=self.actor).active().exclude(pk__in=assigned)
        return WorkspaceAgentsForm(data, memberships=candidates)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        workspace = kwargs.get("workspace") or self.get_workspace()
        context["workspace"] = workspace
        context.setdefault("form", self.make_form(workspace))
        context.setdefault("agents_form", self.make_agents_form(workspace))
        context["agents"] = [link.membership for link in workspace.agent_links.all()]
        plan = self.actor.organisation.plan_details
        context["agents_limit_text"] = _(
            "This workspace has %(used)s of the %(limit)s agents a workspace can have on the %(plan)s plan."
        ) % {"used": len(context["agents"]), "limit": plan.max_agents_per_workspace, "plan": plan.name}
        context["is_active"] = workspace.status == WorkspaceStatus.ACTIVE
        return context

    def post(self, request, *args, **kwargs):
        workspace = self.get_workspace()
        form = self.make_form(workspace, request.POST)
        if not form.is_valid():
            return self.redisplay(form=form, workspace=workspace)
        saved = self.apply(
            form,
            lambda: services.workspace_update(actor=self.actor, workspace=workspace, data=form.cleaned_data),
        )
        if saved is None:
            return self.redisplay(form=form, workspace=self.get_workspace())
        messages.success(request, _("Workspace “%(name)s” saved.") % {"name": workspace.name})
        return HttpResponseRedirect(reverse("app:workspace-edit", args=[workspace.pk]))


class WorkspaceAgentsView(WorkspaceEditView):
    """POST: add the chosen active members as agents (within the plan's limit)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        workspace = self.get_workspace()
        form = self.make_agents_form(workspace, request.POST)
        if not form.is_valid():
            return self.redisplay(agents_form=form, workspace=workspace)
        memberships = list(form.cleaned_data["memberships"])
        try:
            services.workspace_assign_agents(actor=self.actor, workspace=workspace, memberships=memberships)
        except SERVICE_ERRORS as error:
            add_service_errors(form, error, {"membership_ids": "memberships"})
            return self.redisplay(agents_form=form, workspace=self.get_workspace())
        messages.success(
            request,
            _("%(count)s agent(s) assigned to “%(name)s”.") % {"count": len(memberships), "name": workspace.name},
        )
        return HttpResponseRedirect(reverse("app:workspace-edit", args=[workspace.pk]))


class WorkspaceStatusView(WorkspaceEditView):
    """POST ``status=archived`` archives (never deletes); ``status=active`` re-activates within the plan."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        workspace = self.get_workspace()
        status = request.POST.get("status")
        if status not in WorkspaceStatus.values:
            messages.error(request, _("Choose archive or re-activate."))
            return HttpResponseRedirect(reverse("app:workspace-edit", args=[workspace.pk]))
        try:
            if status == WorkspaceStatus.ARCHIVED:
                services.workspace_archive(actor=self.actor, workspace=workspace)
            else:
                services.workspace_reactivate(actor=self.actor, workspace=workspace)
        except SERVICE_ERRORS as error:
            messages.error(request, error_text(error))
        else:
            if status == WorkspaceStatus.ARCHIVED:
                messages.success(request, _("Workspace “%(name)s” archived.") % {"name": workspace.name})
            else:
                messages.success(request, _("Workspace “%(name)s” is active again.") % {"name": workspace.name})
        return HttpResponseRedirect(reverse("app:workspace-edit", args=[workspace.pk]))


# =============================================================================
# Producers
# =============================================================================


def producer_snapshot(producer: Producer) -> dict:
    return {
        "display_name": producer.display_name,
        "email": producer.email,
        "producer_code": producer.producer_code,
        "default_split_percent": str(producer.default_split_percent),
        "portal_access": producer.portal_access,
        "status": producer.status,
        "workspace_id": producer.workspace_id,
        "membership_id": producer.membership_id,
    }


class ProducerFormMixin:
    def make_form(self, data=None, initial=None):
        return ProducerForm(
            data,
            initial=initial,
            workspaces=selectors.workspace_list(actor=self.actor),
            memberships=selectors.membership_list(actor=self.actor).active(),
        )


class ProducerListView(TablePageMixin, ConsolePage):
    """Producers with search and filters (``ProducerFilterSet``); HR reads only."""

    allowed_roles = PRODUCER_READERS
    template_name = "app/console/producers.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        workspaces = selectors.workspace_list(actor=self.actor)
        filter_form = ProducerFilterForm(self.request.GET or None, workspaces=workspaces)
        producers = selectors.producer_list(actor=self.actor, filters=filter_form.filters())
        context.update(
            filter_form=filter_form,
            table=ProducerTable(self.request, producers),
            can_edit=self.actor.role in PRODUCER_EDITORS,
        )
        return context


class ProducerDetailView(ConsolePage):
    allowed_roles = PRODUCER_READERS
    template_name = "app/console/producer_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["producer"] = scoped_or_404(selectors.producer_get, actor=self.actor, pk=self.kwargs["pk"])
        context["can_edit"] = self.actor.role in PRODUCER_EDITORS
        return context


class ProducerCreateView(ProducerFormMixin, ConsolePage):
    allowed_roles = PRODUCER_EDITORS
    template_name = "app/console/producer_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.make_form())
        return context

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.redisplay(form=form)
        producer = self.apply(
            form,
            lambda: services.producer_create(actor=self.actor, **form.cleaned_data),
        )
        if producer is None:
            return self.redisplay(form=form)
        messages.success(request, _("Producer “%(name)s” created.") % {"name": producer.display_name})
        return HttpResponseRedirect(reverse("app:producer-detail", args=[producer.pk]))


class ProducerEditView(ProducerFormMixin, ConsolePage):
    allowed_roles = PRODUCER_EDITORS
    template_name = "app/console/producer_form.html"

    def get_producer(self) -> Producer:
        return scoped_or_404(selectors.producer_get, actor=self.actor, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        producer = kwargs.get("producer") or self.get_producer()
        context["producer"] = producer
        if "form" not in context:
            initial = producer_snapshot(producer)
            initial["workspace"] = initial.pop("workspace_id")
            initial["membership"] = initial.pop("membership_id")
            context["form"] = self.make_form(initial=initial)
        return context

    def post(self, request, *args, **kwargs):
        producer = self.get_producer()
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.redisplay(form=form, producer=producer)
        saved = self.apply(
            form,
            lambda: services.producer_update(actor=self.actor, producer=producer, data=form.cleaned_data),
        )
        if saved is None:
            return self.redisplay(form=form, producer=self.get_producer())
        messages.success(request, _("Producer “%(name)s” saved.") % {"name": producer.display_name})
        return HttpResponseRedirect(reverse("app:producer-detail", args=[producer.pk]))


urlpatterns = [
    path("settings/organisation", OrganisationSettingsView.as_view(), name="organisation-settings"),
    path("structure", StructureView.as_view(), name="structure"),
    path("structure/offices/new", OfficeCreateView.as_view(), name="office-create"),
    path("structure/offices/<int:pk>", OfficeEditView.as_view(), name="office-edit"),
    path("structure/workspaces/new", WorkspaceCreateView.as_view(), name="workspace-create"),
    path("structure/workspaces/<int:pk>", WorkspaceEditView.as_view(), name="workspace-edit"),
    path("structure/workspaces/<int:pk>/agents", WorkspaceAgentsView.as_view(), name="workspace-agents"),
    path("structure/workspaces/<int:pk>/status", WorkspaceStatusView.as_view(), name="workspace-status"),
    path("producers", ProducerListView.as_view(), name="producers"),
    path("producers/new", ProducerCreateView.as_view(), name="producer-create"),
    path("producers/<int:pk>", ProducerDetailView.as_view(), name="producer-detail"),
    path("producers/<int:pk>/edit", ProducerEditView.as_view(), name="producer-edit"),
]
