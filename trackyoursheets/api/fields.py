"""Serializer fields and context helpers shared by every app (issue 12 point 3)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

__all__ = ["ChoiceField", "ScopedPrimaryKeyRelatedField", "actor_of"]


def actor_of(context: dict):
    """The actor a serializer works for: ``context["actor"]`` (GraphQL, services) or the REST
    request's credential (``request.auth``); ``None`` outside a request."""
    request = context.get("request")
    return context.get("actor") or (request.auth if request is not None else None)


class ChoiceField(serializers.ChoiceField):
    """A choice of a ``TextChoices``/``IntegerChoices`` class (or ``(value, label)`` pairs).

    Documented in OpenAPI as a plain string (an integer for integer choices) whose
    description lists the values: enum component names stay unique in the schema (they are
    reserved for the organisations app's choices). Integer choices are rendered as integers.
    """

    def __init__(self, choices, **kwargs):
        pairs = choices.choices if hasattr(choices, "choices") else list(choices)
        values = [value for value, _label in pairs]
        self.integer = bool(values) and all(isinstance(value, int) for value in values)
        text = kwargs.pop("help_text", "")
        listed = ", ".join(str(value) for value in values)
        kwargs["help_text"] = (f"{text} " if text else "") + f"One of: {listed}."
        super().__init__(choices=pairs, **kwargs)

    def to_representation(self, value):
        if self.integer and value not in (None, ""):
            return int(value)
        return super().to_representation(value)


class ChoiceFieldExtension(OpenApiSerializerFieldExtension):
    """OpenAPI: a ``ChoiceField`` is a string (or integer), its values listed in the description."""

    target_class = ChoiceField

    def map_serializer_field(self, auto_schema, direction):
        return build_basic_type(OpenApiTypes.INT if self.target.integer else OpenApiTypes.STR)


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
        return self.selector(actor=actor_of(self.context))

    def to_representation(self, value):
        return value.pk if hasattr(value, "pk") else value

    def use_pk_only_optimization(self):
        return True
