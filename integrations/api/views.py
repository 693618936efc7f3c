"""REST endpoints for webhooks (issue 5): ``/v1/webhooks`` and its delivery log.

Thin and declarative: the base viewset scopes every lookup to the caller's
organisation, services do every change, selectors every read. Every endpoint needs
the ``webhooks.manage`` scope, and the person behind the credential must be an
owner or admin (an OAuth client acts for the whole organisation).
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from trackyoursheets.api import viewsets as base
from trackyoursheets.api.idempotency import SECRET_FIELDS_ATTRIBUTE

from .. import events, selectors, services
from ..filters import WebhookDeliveryFilterSet, WebhookSubscriptionFilterSet
from ..models import WebhookDelivery
from .serializers import (
    WebhookDeliverySerializer,
    WebhookSubscriptionInputSerializer,
    WebhookSubscriptionSecretSerializer,
    WebhookSubscriptionSerializer,
    WebhookSubscriptionUpdateSerializer,
    WebhookTopicSerializer,
)

SCOPE = "webhooks.manage"


class _Rows(list):
    """A plain list the paginator can count (``queryset.count()``)."""

    def count(self, *args):  # noqa: D401 - list.count() with no argument is the length, as for a queryset
        return len(self) if not args else super().count(*args)


class WebhookPermissionMixin:
    required_scope = SCOPE

    def check_permissions(self, request):
        super().check_permissions(request)
        actor = request.auth
        if actor.kind == "impersonation" or not actor.sees_whole_organisation:
            raise exceptions.PermissionDenied("Only owners and admins can manage webhooks.")


@extend_schema_view(
    list=extend_schema(summary="List webhook subscriptions"),
    create=extend_schema(
        summary="Create a webhook subscription (its signing secret is shown once)",
        description='An `https://` URL, a list of topics from `GET /v1/webhooks/topics` (or `["*"]` for every '
        "topic), an optional description and active flag. The answer carries `secret` (`whsec_…`): copy it now, "
        "it is never shown again. URLs that resolve to private, loopback or link-local addresses are refused.",
        request=WebhookSubscriptionInputSerializer,
        responses={201: WebhookSubscriptionSecretSerializer},
    ),
    retrieve=extend_schema(summary="Get a webhook subscription"),
    partial_update=extend_schema(
        summary="Update a webhook subscription",
        description="Re-activating (`is_active: true`) clears the failure count of a subscription that was "
        "disabled after repeated failures.",
        request=WebhookSubscriptionUpdateSerializer,
    ),
    destroy=extend_schema(summary="Delete a webhook subscription and its delivery log"),
)
class WebhookSubscriptionViewSet(WebhookPermissionMixin, base.TenantModelViewSet):
    """``/v1/webhooks`` (issue 5 points 1, 2 and 5)."""

    list_selector = selectors.webhook_subscription_list
    serializer_class = WebhookSubscriptionSerializer
    input_serializer_class = WebhookSubscriptionInputSerializer
    update_serializer_class = WebhookSubscriptionUpdateSerializer
    filterset_class = WebhookSubscriptionFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def _with_secret(self, response: Response, secret: str) -> Response:
        response.data = {**response.data, "secret": secret}  # a copy: the audit trail never sees it
        response["Cache-Control"] = "no-store"
        setattr(response, SECRET_FIELDS_ATTRIBUTE, ("secret",))  # an idempotent replay carries null
        return response

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = services.webhook_subscription_create(actor=self.actor, **serializer.validated_data)
        location = request.build_absolute_uri(f"{request.path.rstrip('/')}/{created.subscription.pk}")
        response = self.output(
            created.subscription, status_code=status.HTTP_201_CREATED, headers={"Location": location}
        )
        return self._with_secret(response, created.secret)

    def perform_update(self, instance, serializer):
        return services.webhook_subscription_update(
            actor=self.actor, subscription=instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.webhook_subscription_delete(actor=self.actor, subscription=instance)

    @extend_schema(
        summary="The topic catalogue",
        description="Every topic a subscription can receive, `<domain>.<entity>.<past verb>`. "
        "`ping` (sent by `POST /v1/webhooks/{id}/test`) is not in it: it goes to one subscription only.",
        responses=WebhookTopicSerializer(many=True),
        filters=False,
    )
    @action(detail=False, methods=["get"], url_path="topics", filterset_class=None)
    def topics(self, request):
        rows = _Rows({"name": t.name, "domain": t.domain, "description": t.description} for t in events.topic_list())
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(WebhookTopicSerializer(page, many=True).data)

    @extend_schema(
        summary="Rotate the signing secret (the old one keeps signing for 24 hours)",
        description="Returns the new `secret` once. For 24 hours every delivery carries two signatures "
        "(`webhook-signature: v1,<new> v1,<old>`; `X-TrackYourSheets-Signature: t=…,v1=<new>,v1=<old>`), so "
        "receivers can switch secrets without losing events.",
        request=None,
        responses={200: WebhookSubscriptionSecretSerializer},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        subscription = self.get_object()
        rotated = services.webhook_subscription_rotate_secret(actor=self.actor, subscription=subscription)
        return self._with_secret(self.output(rotated.subscription), rotated.secret)

    @extend_schema(
        summary="Send a test ping to this subscription",
        description="Creates a `ping` event for this subscription only (also when it is inactive) and delivers "
        "it like any other event; the answer is its delivery, to follow in the delivery log.",
        request=None,
        responses={202: WebhookDeliverySerializer},
    )
    @action(detail=True, methods=["post"], url_path="test")
    def test(self, request, pk=None):
        subscription = self.get_object()
        delivery = services.webhook_subscription_test(actor=self.actor, subscription=subscription)
        delivery = selectors.webhook_delivery_get(actor=self.actor, subscription=subscription, pk=delivery.pk)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


_WEBHOOK_ID = OpenApiParameter("webhook_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The subscription.")


@extend_schema_view(
    list=extend_schema(
        summary="A subscription's delivery log, newest first",
        description="One row per event sent (or to be sent) to the subscription, with every attempt: status code, "
        "duration, the first 2 KB of the response body, and when the next attempt is due.",
        parameters=[_WEBHOOK_ID],
    ),
    retrieve=extend_schema(summary="One delivery with its attempts", parameters=[_WEBHOOK_ID]),
    redeliver=extend_schema(
        summary="Send a delivered or failed delivery again",
        description="The same event (same id: receivers dedupe by it) with a fresh retry schedule. A delivery that "
        "is still pending or being sent is a 409.",
        parameters=[_WEBHOOK_ID],
        request=None,
        responses={202: WebhookDeliverySerializer},
    ),
)
class WebhookDeliveryViewSet(WebhookPermissionMixin, base.ListModelMixin, base.RetrieveModelMixin, base.TenantViewSet):
    """``/v1/webhooks/{webhook_id}/deliveries`` (issue 5 point 5)."""

    serializer_class = WebhookDeliverySerializer
    filterset_class = WebhookDeliveryFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def get_subscription(self):
        if not hasattr(self, "_subscription"):
            self._subscription = selectors.webhook_subscription_get(actor=self.actor, pk=self.kwargs["webhook_id"])
        return self._subscription

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookDelivery.objects.none()
        try:
            subscription = self.get_subscription()
        except ObjectDoesNotExist:
            raise exceptions.NotFound("Not found.") from None
        return selectors.webhook_delivery_list(actor=self.actor, subscription=subscription)

    @action(detail=True, methods=["post"], url_path="redeliver")
    def redeliver(self, request, webhook_id=None, pk=None):
        delivery = self.get_object()
        delivery = services.webhook_delivery_redeliver(actor=self.actor, delivery=delivery)
        delivery = selectors.webhook_delivery_get(
            actor=self.actor, subscription=self.get_subscription(), pk=delivery.pk
        )
        return self.output(delivery, status_code=status.HTTP_202_ACCEPTED)
