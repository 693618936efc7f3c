"""``/v1/project-viewers`` (issue 15 point 4): owners, admins and managers give client contacts
(the ``viewer`` role, invited by link) some projects. Thin: the services decide."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view

from trackyoursheets.api import viewsets as base

from .. import selectors, services
from ..filters import ProjectViewerFilterSet
from .serializers.viewers import ProjectViewerInputSerializer, ProjectViewerSerializer, ProjectViewerUpdateSerializer
from .views import SCOPE_AREA


@extend_schema_view(
    list=extend_schema(summary="List project viewers and their projects"),
    create=extend_schema(
        summary="Give a project to a client contact (invited by email when new)", request=ProjectViewerInputSerializer
    ),
    retrieve=extend_schema(summary="Get a project viewer's grant"),
    partial_update=extend_schema(
        summary="Change whether the viewer sees amounts", request=ProjectViewerUpdateSerializer
    ),
    destroy=extend_schema(summary="Take the project away from the viewer (the membership stays)"),
)
class ProjectViewerViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    list_selector = selectors.project_viewer_list
    serializer_class = ProjectViewerSerializer
    input_serializer_class = ProjectViewerInputSerializer
    update_serializer_class = ProjectViewerUpdateSerializer
    filterset_class = ProjectViewerFilterSet

    def perform_create(self, serializer):
        grant = services.project_viewer_create(
            actor=self.actor, base_url=self.request.build_absolute_uri("/"), **serializer.validated_data
        )
        return selectors.project_viewer_get(actor=self.actor, pk=grant.pk)

    def perform_update(self, instance, serializer):
        return services.project_viewer_update(actor=self.actor, grant=instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.project_viewer_delete(actor=self.actor, grant=instance)
