"""REST endpoints of the organisations app: thin, declarative, services do the work."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from trackyoursheets.api import viewsets as base

from .. import selectors, services
from .filters import OfficeFilterSet, ProducerFilterSet, WorkspaceFilterSet
from .serializers import (
    OfficeSerializer,
    OrganisationSerializer,
    ProducerInputSerializer,
    ProducerSerializer,
    WorkspaceAgentsInputSerializer,
    WorkspaceInputSerializer,
    WorkspaceSerializer,
)


class OrganisationCurrentView(APIView):
    """The caller's organisation: plan, limits with used/available counts, feature toggles."""

    required_scope = "organisation.read"

    @extend_schema(responses=OrganisationSerializer, operation_id="organisations_current")
    def get(self, request):
        organisation = request.auth.organisation
        usage = selectors.organisation_usage(organisation=organisation)
        return Response(OrganisationSerializer(organisation, context={"usage": usage}).data)


@extend_schema_view(
    list=extend_schema(summary="List offices"),
    create=extend_schema(summary="Create an office", request=OfficeSerializer),
    retrieve=extend_schema(summary="Get an office"),
    partial_update=extend_schema(summary="Update an office", request=OfficeSerializer),
)
class OfficeViewSet(
    base.ListModelMixin, base.CreateModelMixin, base.RetrieveModelMixin, base.UpdateModelMixin, base.TenantViewSet
):
    scope_area = "workspaces"
    list_selector = selectors.office_list
    serializer_class = OfficeSerializer
    filterset_class = OfficeFilterSet

    def perform_create(self, serializer):
        return services.office_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, instance, serializer):
        return services.office_update(actor=self.actor, office=instance, **serializer.validated_data)


@extend_schema_view(
    list=extend_schema(summary="List workspaces"),
    create=extend_schema(summary="Create a workspace", request=WorkspaceInputSerializer),
    retrieve=extend_schema(summary="Get a workspace with its agents"),
    partial_update=extend_schema(summary="Update a workspace", request=WorkspaceInputSerializer),
    destroy=extend_schema(summary="Archive a workspace (workspaces are never hard-deleted)"),
)
class WorkspaceViewSet(
    base.ListModelMixin,
    base.CreateModelMixin,
    base.RetrieveModelMixin,
    base.UpdateModelMixin,
    base.DestroyModelMixin,
    base.TenantViewSet,
):
    scope_area = "workspaces"
    list_selector = selectors.workspace_list
    serializer_class = WorkspaceSerializer
    input_serializer_class = WorkspaceInputSerializer
    filterset_class = WorkspaceFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("status", None)
        return services.workspace_create(actor=self.actor, **data)

    def perform_update(self, instance, serializer):
        services.workspace_update(actor=self.actor, workspace=instance, **serializer.validated_data)
        return selectors.workspace_get(actor=self.actor, pk=instance.pk)

    def perform_destroy(self, instance):
        services.workspace_archive(actor=self.actor, workspace=instance)

    @extend_schema(
        summary="Assign members as agents of the workspace",
        request=WorkspaceAgentsInputSerializer,
        responses=WorkspaceSerializer,
    )
    @action(detail=True, methods=["post"], url_path="agents")
    def agents(self, request, pk=None):
        workspace = self.get_object()
        serializer = WorkspaceAgentsInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.workspace_assign_agents(
            actor=self.actor, workspace=workspace, memberships=serializer.validated_data["membership_ids"]
        )
        return self.output(selectors.workspace_get(actor=self.actor, pk=workspace.pk))


@extend_schema_view(
    list=extend_schema(summary="List producers"),
    create=extend_schema(summary="Create a producer", request=ProducerInputSerializer),
    retrieve=extend_schema(summary="Get a producer"),
    partial_update=extend_schema(
        summary="Update a producer (display name, portal access, split, status, ...)", request=ProducerInputSerializer
    ),
)
class ProducerViewSet(
    base.ListModelMixin, base.CreateModelMixin, base.RetrieveModelMixin, base.UpdateModelMixin, base.TenantViewSet
):
    scope_area = "producers"
    list_selector = selectors.producer_list
    serializer_class = ProducerSerializer
    input_serializer_class = ProducerInputSerializer
    filterset_class = ProducerFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        return services.producer_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, instance, serializer):
        services.producer_update(actor=self.actor, producer=instance, **serializer.validated_data)
        return selectors.producer_get(actor=self.actor, pk=instance.pk)
