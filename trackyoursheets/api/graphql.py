"""The GraphQL endpoint and the base pieces every app's GraphQL module uses.

Same credential, scopes, tenancy and services as REST:

- the view authenticates with the REST mechanism (bearer or session) and puts the
  :class:`~organisations.actors.Actor` on ``info.context.actor``;
- :class:`TenantObjectType` scopes ``get_queryset`` (and so ``node(id:)`` and
  nested connections) to the actor; another tenant's id resolves to null;
- :func:`require_scope` refuses a field or mutation without its scope;
- a depth limit stops hostile nesting.
"""

from __future__ import annotations

import graphene
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene.validation import depth_limit_validator
from graphene_django import DjangoObjectType
from graphene_django.views import GraphQLView as BaseGraphQLView
from graphql import GraphQLError
from rest_framework import exceptions as drf_exceptions

from trackyoursheets.exceptions import DomainError

from .authentication import actor_from_django_request
from .errors import TYPE_BASE, django_validation_errors, instance_urn, problem_response


def problem_error(status: int, slug: str, detail: str, **extensions) -> GraphQLError:
    """A GraphQL error whose ``extensions`` carry the same problem fields as REST."""
    return GraphQLError(
        detail,
        extensions={"type": TYPE_BASE + slug, "status": status, "instance": instance_urn(), **extensions},
    )


def require_scope(info, scope: str):
    actor = info.context.actor
    if not actor.has_scope(scope):
        raise problem_error(
            403,
            "missing-scope",
            f"This request needs the {scope} scope, which the credential does not have.",
            required_scope=scope,
        )
    return actor


def domain_error_to_graphql(exc: Exception) -> GraphQLError:
    if isinstance(exc, DjangoValidationError):
        errors = django_validation_errors(exc)
        return problem_error(422, "validation", "Validation failed", errors=errors)
    if isinstance(exc, DomainError):
        return problem_error(exc.status, exc.slug, exc.detail, errors=exc.errors, **exc.extra)
    raise exc


class TenantObjectType(DjangoObjectType):
    """Base type: every query through it is scoped to the request's actor."""

    class Meta:
        abstract = True

    #: the scope needed to read this type, e.g. "workspaces.read"
    read_scope: str | None = None

    @classmethod
    def get_queryset(cls, queryset, info):
        actor = info.context.actor
        if cls.read_scope and not actor.has_scope(cls.read_scope):
            return queryset.none()
        return queryset.visible_to(actor)


@method_decorator(csrf_exempt, name="dispatch")
class GraphQLView(BaseGraphQLView):
    graphiql = False
    validation_rules = (depth_limit_validator(max_depth=settings.GRAPHQL_MAX_DEPTH),)

    def dispatch(self, request, *args, **kwargs):
        try:
            actor = actor_from_django_request(request)
        except drf_exceptions.AuthenticationFailed as exc:
            return problem_response(401, str(exc.detail), headers={"WWW-Authenticate": 'Bearer realm="trackyoursheets"'})
        except drf_exceptions.PermissionDenied as exc:
            return problem_response(403, str(exc.detail))
        if actor is None:
            return problem_response(
                401,
                "Authentication credentials were not provided.",
                headers={"WWW-Authenticate": 'Bearer realm="trackyoursheets"'},
            )
        if actor.kind == "oauth" and not actor.organisation.has_feature("graphql"):
            return problem_response(403, "Your organisation's plan does not include the GraphQL API.")
        request.actor = actor
        return super().dispatch(request, *args, **kwargs)


__all__ = [
    "GraphQLView",
    "TenantObjectType",
    "require_scope",
    "problem_error",
    "domain_error_to_graphql",
    "graphene",
]
