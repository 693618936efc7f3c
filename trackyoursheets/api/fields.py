"""Serializer fields shared by every app."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An ``<thing>_id`` input validated against a selector's scoped queryset (STYLE §3.5).

    Another organisation's id gets the same message as a missing one.
    """

    def __init__(self, selector, **kwargs):
        self.selector = selector
        kwargs.setdefault("queryset", None)
        kwargs["queryset"] = None
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        actor = self.context.get("actor") or (request.auth if request is not None else None)
        return self.selector(actor=actor)

    def to_representation(self, value):
        return value.pk if hasattr(value, "pk") else value

    def use_pk_only_optimization(self):
        return True
