"""The base viewset every REST endpoint builds on (STYLE §3.3, §4.2).

Scoping happens here, once: ``get_queryset()`` calls the view's selector with the
request's actor, so every list, detail and mutation sees only the caller's
organisation (another tenant's row is a 404, never a 403). Subclasses declare:

- ``list_selector``   ``(*, actor) -> QuerySet`` (scoped, optimised);
- ``scope_area``      e.g. ``"workspaces"`` (read for GET, write otherwise);
- ``serializer_class`` / ``input_serializer_class``;
- ``filterset_class``;
- ``perform_create/perform_update/perform_destroy`` calling services.

CRUD endpoints subclass :class:`TenantModelViewSet`; others combine the mixins with
:class:`TenantViewSet`.
"""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from rest_framework import exceptions, status, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

MINIMAL = "return=minimal"


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_detail = "The resource has changed since you read it (If-Match does not match its ETag)."


def representation_etag(data) -> str:
    """A strong ETag over the JSON representation (so agent changes count, not only updated_at)."""
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder).encode()).hexdigest()
    return f'"{digest[:32]}"'


def _etag_list(header: str) -> list[str]:
    return [part.strip().removeprefix("W/") for part in header.split(",") if part.strip()]


def prefers_minimal(request) -> bool:
    prefer = request.headers.get("Prefer", "")
    return any(part.strip().lower() == MINIMAL for part in prefer.split(","))


class TenantViewSet(viewsets.GenericViewSet):
    list_selector = None
    input_serializer_class = None
    update_serializer_class = None
    scope_area: str | None = None
    lookup_value_regex = r"[0-9]+"

    #: the success status recorded on the audit rows of each write (issue 12); others answer 200
    audit_status_codes = {"create": status.HTTP_201_CREATED, "destroy": status.HTTP_204_NO_CONTENT}

    def initial(self, request, *args, **kwargs):
        # an unsupported method is a 405 before anything else, whoever asks
        if request.method.lower() not in self.http_method_names or not hasattr(self, request.method.lower()):
            raise exceptions.MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)
        context = getattr(self.actor, "audit", None)
        if context is not None and request.method not in SAFE_METHODS:
            # services audit this call's changes as ``<model>.<view action>`` (the public trail's names)
            context.view_action = self.action or ""
            context.status_code = self.audit_status_codes.get(self.action, status.HTTP_200_OK)

    @property
    def actor(self):
        return self.request.auth

    def filter_queryset(self, queryset):
        """List filters narrow lists only: one object is reached by its id whatever the query
        string says (a list's default narrowing, such as leaving running timers out, never
        hides it)."""
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular introspecting, no request
            return self.serializer_class.Meta.model.objects.none()
        selector = type(self).list_selector
        return selector(actor=self.actor)

    def get_serializer_class(self):
        if self.action == "create" and self.input_serializer_class is not None:
            return self.input_serializer_class
        update_class = self.update_serializer_class or self.input_serializer_class
        if self.action in ("update", "partial_update") and update_class is not None:
            return update_class
        return super().get_serializer_class()

    def represent(self, instance) -> dict:
        output_class = self.serializer_class
        if output_class is None:
            raise ImproperlyConfigured(f"{type(self).__name__} declares no serializer_class")
        return output_class(instance, context=self.get_serializer_context()).data

    def get_object(self):
        """The object, scoped; for writes, ``If-Match`` must match its current ETag (else 412)."""
        instance = super().get_object()
        if_match = self.request.headers.get("If-Match") if self.request.method not in SAFE_METHODS else None
        if if_match:
            tags = _etag_list(if_match)
            if "*" not in tags and representation_etag(self.represent(instance)) not in tags:
                raise PreconditionFailed()
        return instance

    def output(self, instance, *, status_code: int = status.HTTP_200_OK, headers: dict | None = None) -> Response:
        """Render one object with the output serializer and its ETag, honouring ``Prefer: return=minimal``."""
        headers = dict(headers or {})
        data = self.represent(instance)
        headers["ETag"] = representation_etag(data)
        if prefers_minimal(self.request):
            headers["Preference-Applied"] = MINIMAL
            return Response({"id": instance.pk}, status=status_code, headers=headers)
        return Response(data, status=status_code, headers=headers)

    def finalize_response(self, request, response, *args, **kwargs):
        if getattr(self, "_minimal_applied", False):
            response["Preference-Applied"] = MINIMAL
        return super().finalize_response(request, response, *args, **kwargs)


class ListModelMixin:
    """List with the envelope; ``Prefer: return=minimal`` returns ``[{"id": ...}]`` only."""

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        if prefers_minimal(request):
            self._minimal_applied = True
            page = self.paginate_queryset(queryset.values("id"))
            return self.get_paginated_response([{"id": row["id"]} for row in page])
        page = self.paginate_queryset(queryset)
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)


class RetrieveModelMixin:
    def retrieve(self, request, *args, **kwargs):
        response = self.output(self.get_object())
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match and response["ETag"] in _etag_list(if_none_match):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": response["ETag"]})
        return response


class CreateModelMixin:
    """Validate with the input serializer, create through ``perform_create`` (a service)."""

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.perform_create(serializer)
        location = request.build_absolute_uri(f"{request.path.rstrip('/')}/{instance.pk}")
        return self.output(instance, status_code=status.HTTP_201_CREATED, headers={"Location": location})


class UpdateModelMixin:
    def partial_update(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        instance = self.perform_update(instance, serializer)
        return self.output(instance)


class DestroyModelMixin:
    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        self.perform_destroy(instance)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TenantModelViewSet(
    ListModelMixin,
    CreateModelMixin,
    RetrieveModelMixin,
    UpdateModelMixin,
    DestroyModelMixin,
    TenantViewSet,
):
    # The one CRUD viewset (issue 12 point 3): list, create, retrieve, update, destroy.
    #
    # Which of them an endpoint answers is its ``http_method_names`` (by default GET, POST and
    # PATCH: no PUT, no DELETE; anything else is a 405 before authentication, and the OpenAPI
    # schema lists only what is allowed). Add ``"put"`` where PUT is an update: it behaves as
    # PATCH (partial bodies, as the TimeTracker API updates); add ``"delete"`` and implement
    # ``perform_destroy``. Subclasses declare ``list_selector``, ``scope_area``, the
    # serializers and ``filterset_class``, and write through ``perform_create(serializer)``,
    # ``perform_update(instance, serializer)`` and ``perform_destroy(instance)`` (services).
    #
    # (A comment, not a docstring: drf-spectacular would publish it as the description of
    # every endpoint that has none of its own.)

    http_method_names = ["get", "post", "patch", "head", "options"]

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def perform_create(self, serializer):
        raise NotImplementedError(f"{type(self).__name__}.perform_create must call a service")

    def perform_update(self, instance, serializer):
        raise NotImplementedError(f"{type(self).__name__}.perform_update must call a service")

    def perform_destroy(self, instance):
        raise NotImplementedError(f"{type(self).__name__}.perform_destroy must call a service")


__all__ = [
    "TenantModelViewSet",
    "TenantViewSet",
    "ListModelMixin",
    "RetrieveModelMixin",
    "CreateModelMixin",
    "UpdateModelMixin",
    "DestroyModelMixin",
    "prefers_minimal",
]
