"""OpenAPI generation: every problem an operation can answer, scopes and credentials."""

from __future__ import annotations

import re

import django_filters
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_doc
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from ..limits import FREE_TEXT_MAX_LENGTH, MAX_WHOLE_NUMBER
from .filters import MAX_FILTER_NUMBER, BaseFilterSet
from .permissions import required_scope_for
from .scopes import SCOPES
from .viewsets import RetrieveModelMixin

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 7807 problem details.",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string", "format": "uri", "example": "https://docs.trackyoursheets.com/errors/validation"},
        "title": {"type": "string", "example": "Validation failed"},
        "status": {"type": "integer", "example": 422},
        "detail": {"type": "string", "example": "workspace_id: This field is required."},
        "instance": {"type": "string", "example": "urn:trackyoursheets:request:4f7c2e0a9b1d4e3f8a6b5c4d3e2f1a0b"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "example": {"workspace_id": ["This field is required."]},
        },
        "required_scope": {"type": "string", "description": "Present on missing-scope 403s."},
        "code": {"type": "string", "description": "A machine-readable reason, e.g. `body_too_large`."},
        "conflicting_entry_id": {
            "type": "integer",
            "description": "On a time-entry 409: the entry this one overlaps.",
        },
        "running_entry_id": {
            "type": "integer",
            "description": "On a timer 409: the timer already running.",
        },
        "total_errors": {"type": "integer", "description": "How many errors there were when `errors` is capped."},
        "total_rows": {"type": "integer", "description": "On an import's validation problem: the rows read."},
        "valid_rows": {"type": "integer", "description": "On an import's validation problem: the rows that passed."},
        "limit": {"type": "integer", "description": "On a `plan-limit` problem: the plan's limit."},
        "used": {"type": "integer", "description": "On a `plan-limit` problem: how many are in use."},
        "max_body_bytes": {"type": "integer", "description": "On a 413: the largest body accepted."},
        "error": {"type": "string", "description": "On OAuth endpoints: the RFC 6749 error code."},
        "error_description": {"type": "string", "description": "On OAuth endpoints: the RFC 6749 description."},
    },
    "additionalProperties": True,
}
PROBLEM_RESPONSE = {
    "description": "Problem details",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}
NOT_MODIFIED_RESPONSE = {"description": "Not modified: `If-None-Match` named the current `ETag` (no body)."}
#: what every authenticated operation can answer; writes add WRITE_CODES, writes on one object 412
COMMON_CODES = ("401", "403", "404", "406", "422", "429", "500")
WRITE_CODES = ("400", "409", "413", "415")
#: the platform mixins' docstrings, which are no operation's description
PLATFORM_DOCS = ("List with the envelope", "Validate with the input serializer")
CONDITIONAL_DELETE = "`If-Match` with its `ETag` makes the delete conditional: a stale one is a 412."
#: the platform's CRUD operations, each described with its resource's name (``{one}``: "a time
#: entry", ``{the}``: "the time entry", ``{many}``: "time entries")
ACTION_DESCRIPTIONS = {
    "list": 'List {many} with the envelope; `Prefer: return=minimal` returns `[{{"id": ...}}]` only.',
    "create": (
        "Create {one}; answers 201 with it, its `ETag` and `Location`. "
        '`Idempotency-Key` makes a retry safe; `Prefer: return=minimal` returns `{{"id": ...}}` only.'
    ),
    "retrieve": "Read {the} with its `ETag`; `If-None-Match` with the current one answers 304.",
    "partial_update": (
        "Update the fields of {the} that are sent (a partial body). `If-Match` with its `ETag` makes the "
        "write conditional: a stale one is a 412."
    ),
    "destroy": "Delete {the}. " + CONDITIONAL_DELETE,
}
ACTION_DESCRIPTIONS["update"] = "PUT behaves as PATCH. " + ACTION_DESCRIPTIONS["partial_update"]


class ProblemAutoSchema(AutoSchema):
    """Adds the problem responses each operation can return, and its required scope."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self.problem_codes():
            responses.setdefault(code, PROBLEM_RESPONSE)
        if getattr(self.view, "action", None) == "retrieve" and isinstance(self.view, RetrieveModelMixin):
            responses.setdefault("304", NOT_MODIFIED_RESPONSE)
        for code, response in responses.items():
            # an error a view documents by its description alone is a problem too
            if str(code).startswith(("4", "5")) and isinstance(response, dict) and not response.get("content"):
                response["content"] = PROBLEM_RESPONSE["content"]
        return responses

    def _is_list_view(self, serializer=None):
        if getattr(self.view, "list_returns_one_object", False):
            return False
        return super()._is_list_view(serializer)

    def get_response_serializers(self):
        """A write answers with the output representation, not the input serializer it validated with."""
        view = self.view
        writes_with_input = getattr(view, "input_serializer_class", None) or getattr(
            view, "update_serializer_class", None
        )
        if getattr(view, "action", None) in ("create", "update", "partial_update") and writes_with_input:
            output = getattr(view, "serializer_class", None)
            if output is not None:
                return output
        return super().get_response_serializers()

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        unbounded_text = (
            isinstance(field, serializers.CharField)
            and not field.read_only
            and schema.get("type") == "string"
            and not {"maxLength", "enum", "format", "$ref"} & set(schema)
        )
        if unbounded_text:
            bound = model_text_bound(field, self.view)
            if bound is not None:
                schema["maxLength"] = bound
        # an id refers to a row: a whole number within bigint (past it, "Invalid pk": a 422)
        if isinstance(field, serializers.PrimaryKeyRelatedField) and schema.get("type") == "integer":
            schema.setdefault("minimum", 1)
            schema.setdefault("maximum", MAX_WHOLE_NUMBER)
        return schema

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        # an optional email address may be "": documented as a string, not `format: email`
        optional_email = isinstance(field, serializers.EmailField) and (field.allow_blank or field.read_only)
        if optional_email and schema.get("format") == "email":
            del schema["format"]

    def problem_codes(self) -> tuple[str, ...]:
        """Every problem status this operation can answer (the platform's, not each view's)."""
        name = self.view.__class__.__name__
        if name == "HealthView":
            return ("429", "500", "503")
        if name == "InfoView":
            return ("406", "429", "500")
        codes: tuple[str, ...] = COMMON_CODES
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes = (*WRITE_CODES, *codes)
            if "{" in self.path:  # a write on one object: If-Match makes it conditional
                codes = ("412", *codes)
        return tuple(sorted(codes))

    def get_auth(self):
        auth = super().get_auth()
        if not auth:
            return auth
        scope = required_scope_for(self.view, _FakeRequest(self.method))
        return [{"oauth2": [scope] if scope else []}, {"personalToken": []}, {"apiKey": []}]

    def get_description(self):
        action = getattr(self.view, "action", None) or self.method.lower()
        action_doc = get_doc(getattr(self.view, action, None))
        view_doc = get_doc(self.view.__class__)
        if view_doc.startswith(PLATFORM_DOCS) or view_doc.startswith("``/"):  # a mixin's, or a route's label
            view_doc = ""
        summary = self.get_summary()
        if action_doc:
            description = action_doc
        elif summary and (action not in ACTION_DESCRIPTIONS or getattr(self.view, "list_returns_one_object", False)):
            # an action's (or a one-object "list"'s) extend_schema summary says what it does
            description = summary if summary.endswith(".") else f"{summary}."
        elif action == "list" and view_doc:
            description = view_doc
        elif action == "destroy" and summary:  # DELETE that archives, revokes, ...: its summary says which
            description = f"{summary.rstrip('.')}. {CONDITIONAL_DELETE}"
        elif action in ACTION_DESCRIPTIONS:
            description = ACTION_DESCRIPTIONS[action].format(**_nouns(self.view))
        elif getattr(self.view, "action", None):  # a viewset's own action: its name, never the list's text
            description = f"{action.replace('_', ' ').capitalize()}."
        else:  # a plain view: its docstring describes each of its methods, else its name does
            description = view_doc or _name_of(self.view)
        scope = required_scope_for(self.view, _FakeRequest(self.method))
        if scope:
            description = f"{description}\n\nRequired scope: `{scope}`.".strip()
        return description


def model_text_bound(field, view) -> int | None:
    """The most characters the model behind a serializer field stores (issue 13 point 3): a
    ``CharField``'s ``max_length``, a ``TextField``'s :data:`~trackyoursheets.limits.FREE_TEXT_MAX_LENGTH`
    (enforced by ``TenantModel.clean_fields``); None when the field stores no model text field.
    The model is the serializer's, else the one the view lists."""
    candidates = [getattr(getattr(field.parent, "Meta", None), "model", None)]
    output = getattr(view, "serializer_class", None)
    candidates.append(getattr(getattr(output, "Meta", None), "model", None))
    queryset = getattr(view, "queryset", None)
    candidates.append(getattr(queryset, "model", None))
    name = (field.source or field.field_name or "").split(".")[0]
    for model in candidates:
        if model is None or not name:
            continue
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(model_field, models.TextField):
            if name in getattr(model, "unbounded_text_fields", ()) or not hasattr(model, "unbounded_text_fields"):
                return None
            return FREE_TEXT_MAX_LENGTH
        if isinstance(model_field, models.CharField) and model_field.max_length:
            return model_field.max_length
        return None
    return None


def _nouns(view) -> dict[str, str]:
    """How the descriptions name a view's resource: its model's verbose names."""
    output = getattr(view, "serializer_class", None)
    model = getattr(getattr(output, "Meta", None), "model", None) or getattr(
        getattr(view, "queryset", None), "model", None
    )
    one = str(model._meta.verbose_name) if model is not None else "object"
    many = str(model._meta.verbose_name_plural) if model is not None else "objects"
    first = one.split(" ")[0]
    vowel_sound = first[:1] in "AEFHILMNORSX" if first.isupper() else first[:1].lower() in "aeiou"  # an HR ticket
    article = "an" if vowel_sound else "a"
    return {"one": f"{article} {one}", "the": f"the {one}", "many": many}


def _name_of(view) -> str:
    """``TimerStartView`` -> ``Timer start.``"""
    name = re.sub(r"(ViewSet|View|API)$", "", type(view).__name__)
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).capitalize() + "."


class ApiAuthenticationScheme(OpenApiAuthenticationExtension):
    """Bearer tokens from ``POST /oauth/token`` (the oauth2 scheme declared in settings)."""

    target_class = "trackyoursheets.api.authentication.ApiAuthentication"
    name = "oauth2"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "description": (
                "OAuth 2.1 client credentials; tokens live 60 minutes. Send `Authorization: Bearer <token>`."
            ),
            "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": {}}},
        }


class BoundedFilterExtension(DjangoFilterExtension):
    """django-filter parameters as the server takes them: a numeric filter of a
    :class:`~trackyoursheets.api.filters.BaseFilterSet` is a whole number within bigint (else a 422)."""

    target_class = "trackyoursheets.api.filters.ProblemFilterBackend"
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        if isinstance(filter_field, django_filters.NumberFilter) and issubclass(filterset_class, BaseFilterSet):
            for parameter in parameters:
                parameter["schema"] = {
                    **{k: v for k, v in parameter["schema"].items() if k != "format"},
                    "type": "integer",
                    "minimum": filter_field.extra.get("min_value", -MAX_FILTER_NUMBER),
                    "maximum": filter_field.extra.get("max_value", MAX_FILTER_NUMBER),
                }
        return parameters


def filter_parameters(filterset_class) -> list[OpenApiParameter]:
    """A FilterSet's query parameters as a list documents them, for a view that filters other
    than through ``filterset_class`` (a report, a nested list of another model)."""
    parameters = []
    for name, flt in filterset_class.base_filters.items():
        if isinstance(flt, django_filters.NumberFilter):  # a whole number within bigint, as on the list
            kind: dict | OpenApiTypes = {"type": "integer", "minimum": -MAX_FILTER_NUMBER, "maximum": MAX_FILTER_NUMBER}
        elif isinstance(flt, django_filters.IsoDateTimeFilter):
            kind = OpenApiTypes.DATETIME
        elif isinstance(flt, django_filters.DateFilter):
            kind = OpenApiTypes.DATE
        elif isinstance(flt, django_filters.BooleanFilter):
            kind = OpenApiTypes.BOOL
        else:
            kind = OpenApiTypes.STR
        choices = flt.extra.get("choices")
        parameters.append(
            OpenApiParameter(
                name,
                kind,
                description=str(flt.label or name.replace("_", " ").capitalize()),
                enum=[value for value, _label in choices] if choices else None,
            )
        )
    return parameters


class _FakeRequest:
    def __init__(self, method: str) -> None:
        self.method = method


PERSONAL_TOKEN_SCHEMES = {
    "personalToken": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "tys_...",
        "description": (
            "A member's personal API token (`tys_...`), created in the member's settings; it acts as that "
            "member. Send `Authorization: Bearer tys_...`."
        ),
    },
    "apiKey": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "The same personal API token, sent as `X-API-Key: tys_...`.",
    },
}


def add_scopes_to_security_scheme(result, generator, request, public):
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    schemes = components.setdefault("securitySchemes", {})
    scheme = schemes.get("oauth2")
    if scheme:
        scheme["flows"]["clientCredentials"]["scopes"] = dict(SCOPES)
    schemes.update(PERSONAL_TOKEN_SCHEMES)
    return result


__all__ = ["ProblemAutoSchema", "add_scopes_to_security_scheme", "OpenApiResponse"]
