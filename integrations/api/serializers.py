"""Serializers of the webhook API: shapes only; every rule lives in the services."""

from __future__ import annotations

from rest_framework import serializers

from ..models import WebhookAttempt, WebhookDelivery, WebhookSubscription

SUBSCRIPTION_FIELDS = [
    "id",
    "url",
    "topics",
    "description",
    "is_active",
    "secret_hint",
    "secret_rotated_at",
    "previous_secret_expires_at",
    "consecutive_failures",
    "disabled_at",
    "disabled_reason",
    "created_at",
    "updated_at",
]


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    """A subscription as listed: its secret never appears, only its first characters."""

    topics = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = WebhookSubscription
        fields = SUBSCRIPTION_FIELDS
        read_only_fields = SUBSCRIPTION_FIELDS


class WebhookSubscriptionSecretSerializer(WebhookSubscriptionSerializer):
    """The answer to creating a subscription or rotating its secret: the secret appears here once."""

    secret = serializers.CharField(
        read_only=True, help_text="whsec_ + base64 (Standard Webhooks). Shown only in this response."
    )

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*SUBSCRIPTION_FIELDS, "secret"]
        read_only_fields = fields


class WebhookSubscriptionInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000, help_text="https:// (plain http only where the server allows it).")
    topics = serializers.ListField(
        child=serializers.CharField(max_length=100),
        allow_empty=False,
        help_text='Topic names from GET /v1/webhooks/topics, or ["*"] for every topic.',
    )
    description = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")
    is_active = serializers.BooleanField(required=False, default=True)


class WebhookSubscriptionUpdateSerializer(WebhookSubscriptionInputSerializer):
    url = serializers.URLField(max_length=2000, required=False)
    topics = serializers.ListField(child=serializers.CharField(max_length=100), allow_empty=False, required=False)
    description = serializers.CharField(max_length=500, allow_blank=True, required=False)
    is_active = serializers.BooleanField(required=False)


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "requested_at", "duration_ms", "outcome", "status_code", "error", "response_body"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    """One event for one subscription, with every attempt (the delivery log)."""

    subscription_id = serializers.IntegerField(read_only=True)
    event_id = serializers.IntegerField(read_only=True)
    topic = serializers.CharField(source="event.topic", read_only=True)
    event_created_at = serializers.DateTimeField(source="event.created_at", read_only=True)
    payload = serializers.JSONField(source="event.payload", read_only=True, help_text="The event's `data`.")
    attempts = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "subscription_id",
            "event_id",
            "topic",
            "event_created_at",
            "payload",
            "status",
            "manual",
            "attempt_count",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "delivered_at",
            "failed_at",
            "attempts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WebhookTopicSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True, help_text="<domain>.<entity>.<past verb>")
    domain = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
