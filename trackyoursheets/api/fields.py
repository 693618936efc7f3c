"""Serializer fields and context helpers shared by every app (issue 12 point 3)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_choice_field
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..limits import MAX_WHOLE_NUMBER
from .schema_enums import name_enum

__all__ = ["ChoiceField", "ScopedPrimaryKeyRelatedField", "actor_of"]


def actor_of(context: dict):
    """The actor a serializer works for: ``context["actor"]`` (GraphQL, services) or the REST
    request's credential (``request.auth``); ``None`` outside a request."""
    request = context.get("request")
    return context.get("actor") or (request.auth if request is not None else None)


class ChoiceField(serializers.ChoiceField):
    """A choice of a ``TextChoices``/``IntegerChoices`` class (or ``(value, label)`` pairs).

    Documented in OpenAPI as an ``enum`` (of integers for integer choices), named after its
    choices class (``EmployeeStatusEnum``; see :mod:`trackyoursheets.api.schema_enums`). Integer
    choices are rendered as integers.
    """

    def __init__(self, choices, **kwargs):
        pairs = choices.choices if hasattr(choices, "choices") else list(choices)
        values = [value for value, _label in pairs]
        self.integer = bool(values) and all(isinstance(value, int) for value in values)
        #: the TextChoices/IntegerChoices class, which names the enum in the schema
        self.choices_class = choices if hasattr(choices, "choices") else None
        super().__init__(choices=pairs, **kwargs)

    def to_representation(self, value):
        if self.integer and value not in (None, ""):
            return int(value)
        return super().to_representation(value)


class ChoiceFieldExtension(OpenApiSerializerFieldExtension):
    """OpenAPI: a ``ChoiceField`` is an enum; one of a choices class is named after the class."""

    target_class = ChoiceField

    def map_serializer_field(self, auto_schema, direction):
        schema = build_choice_field(self.target)
        if self.target.choices_class is not None:
            name_enum(schema, self.target.choices_class)
        return schema


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_WHOLE_NUMBER})
class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An ``<thing>_id`` input validated against a selector's scoped queryset (STYLE §3.5).

    Another organisation's id gets the same message as a missing one, and so does an id no
    table can hold (past bigint: a 422, never a database error).
    """

    def __init__(self, selector, **kwargs):
        self.selector = selector
        kwargs.setdefault("queryset", None)
        kwargs["queryset"] = None
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.selector(actor=actor_of(self.context))

    def to_internal_value(self, data):
        if isinstance(data, int) and not isinstance(data, bool) and not 1 <= data <= MAX_WHOLE_NUMBER:
            self.fail("does_not_exist", pk_value=data)
        if isinstance(data, str) and data.strip().isdigit() and int(data) > MAX_WHOLE_NUMBER:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)

    def to_representation(self, value):
        return value.pk if hasattr(value, "pk") else value

    def use_pk_only_optimization(self):
        return True
