"""REST endpoints of manual time requests (``/v1/time-requests`` with ``approve``, ``reject``,
``cancel``) and rate history (``/v1/rates``), issue 15 points 3 and 5. Thin: the services decide.
Scope ``time.read`` for GET, ``time.write`` otherwise."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action

from trackyoursheets.api import viewsets as base

from .. import request_selectors, services
from ..filters import RateChangeFilterSet, TimeRequestFilterSet
from .serializers.requests import (
    RateChangeInputSerializer,
    RateChangeSerializer,
    TimeRequestInputSerializer,
    TimeRequestRejectSerializer,
    TimeRequestSerializer,
)
from .views import SCOPE_AREA


@extend_schema_view(
    list=extend_schema(summary="List time requests (own; a manager's people; everyone for owners and admins)"),
    retrieve=extend_schema(summary="Get a time request"),
    create=extend_schema(
        summary="Ask to add time for a past interval, with a reason (validated as a time entry)",
        request=TimeRequestInputSerializer,
    ),
)
class TimeRequestViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    http_method_names = ["get", "post", "head", "options"]
    list_selector = request_selectors.time_request_list
    serializer_class = TimeRequestSerializer
    input_serializer_class = TimeRequestInputSerializer
    filterset_class = TimeRequestFilterSet

    def perform_create(self, serializer):
        request = services.time_request_create(actor=self.actor, **serializer.validated_data)
        return request_selectors.time_request_get(actor=self.actor, pk=request.pk)

    def _after(self, request):
        return self.output(request_selectors.time_request_get(actor=self.actor, pk=request.pk))

    @extend_schema(
        summary="Approve: creates the time entry (source request); into a locked period owners and admins only",
        request=None,
    )
    @action(detail=True, methods=["post"], url_path="approve")
    def approve(self, request, pk=None):
        return self._after(services.time_request_approve(actor=self.actor, request=self.get_object()))

    @extend_schema(summary="Reject with a reason (pending → rejected)", request=TimeRequestRejectSerializer)
    @action(detail=True, methods=["post"], url_path="reject")
    def reject(self, request, pk=None):
        target = self.get_object()
        serializer = TimeRequestRejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._after(services.time_request_reject(actor=self.actor, request=target, **serializer.validated_data))

    @extend_schema(summary="Cancel your own pending request", request=None)
    @action(detail=True, methods=["post"], url_path="cancel")
    def cancel(self, request, pk=None):
        return self._after(services.time_request_cancel(actor=self.actor, request=self.get_object()))


@extend_schema_view(
    list=extend_schema(summary="List rate changes (bill and pay rates in force from a day; owners, admins, managers)"),
    retrieve=extend_schema(summary="Get a rate change"),
    create=extend_schema(
        summary="Add a rate change: a bill rate of a task, contract, project or client, or a contract's pay rate",
        request=RateChangeInputSerializer,
    ),
    destroy=extend_schema(summary="Delete a rate change that has not taken effect yet (409 otherwise)"),
)
class RateChangeViewSet(base.TenantModelViewSet):
    scope_area = SCOPE_AREA
    http_method_names = ["get", "post", "delete", "head", "options"]
    list_selector = request_selectors.rate_change_list
    serializer_class = RateChangeSerializer
    input_serializer_class = RateChangeInputSerializer
    filterset_class = RateChangeFilterSet

    def perform_create(self, serializer):
        return services.rate_change_create(actor=self.actor, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.rate_change_delete(actor=self.actor, change=instance)
