"""The GraphQL endpoint and the base pieces every app's GraphQL module uses (a package by
concern: ``problems`` errors and scopes, ``types`` scalars, ids and object types, ``fields``
connections, filters and limits, ``mutations``, ``view`` the endpoint; import from here).

Same credential, scopes, tenancy, filters, services and errors as REST (DESIGN §4,
STYLE §3-4):

- :class:`GraphQLView` authenticates with the REST mechanism (bearer or session),
  counts the request against the same rate limits, and puts the
  :class:`~organisations.actors.Actor` on ``info.context.actor``; a depth limit
  (``settings.GRAPHQL_MAX_DEPTH``) stops hostile nesting;
- :class:`TenantObjectType` scopes ``get_queryset`` (and so ``node(id:)``) to the
  actor; another tenant's id resolves to null, never to an error;
- :class:`TenantRelation` resolves a foreign key through the related type's own
  scoping without one query per row (see its docstring);
- :class:`TenantConnectionField` is a root Relay connection over an app selector,
  with the app's FilterSet behind ``filter:``; :class:`TenantObjectField` is
  ``thing(id:)``; :func:`node_field` is the root ``node(id:)``;
- :class:`TenantMutation` declares its scope and maps service errors to problems;
- every error carries the REST problem fields in ``extensions`` (``type``,
  ``title``, ``status``, ``detail``, ``instance``, ``request_id``, field ``errors``).

Apps use the :class:`DateTime` scalar here (ISO 8601, UTC, ``Z``), never
``graphene.DateTime``: two scalars named ``DateTime`` cannot share a schema.
"""

import graphene

from .fields import (
    PAGINATION_ARGS,
    PaginationInput,
    TenantConnectionField,
    TenantObjectField,
    filter_data,
    filterset_input_type,
    node_field,
)
from .mutations import TenantMutation, object_action
from .problems import (
    MAX_PK,
    UNAUTHENTICATED_HEADERS,
    UNEXPECTED_ERROR,
    domain_error_to_graphql,
    exception_to_graphql,
    graphql_field_errors,
    is_mutation,
    problem_error,
    require_scope,
    validation_error,
)
from .types import (
    RELATION_DEPTH,
    VISIBLE_PREFIX,
    CountableConnection,
    DateTime,
    Related,
    TenantObjectType,
    TenantRelation,
    decode_id,
    scoped_related,
    scoped_target,
)
from .view import GraphQLView

__all__ = [
    "MAX_PK",
    "PAGINATION_ARGS",
    "RELATION_DEPTH",
    "UNAUTHENTICATED_HEADERS",
    "UNEXPECTED_ERROR",
    "VISIBLE_PREFIX",
    "CountableConnection",
    "DateTime",
    "GraphQLView",
    "PaginationInput",
    "Related",
    "TenantConnectionField",
    "TenantMutation",
    "object_action",
    "TenantObjectField",
    "TenantObjectType",
    "TenantRelation",
    "decode_id",
    "domain_error_to_graphql",
    "exception_to_graphql",
    "filter_data",
    "filterset_input_type",
    "graphene",
    "graphql_field_errors",
    "is_mutation",
    "node_field",
    "problem_error",
    "require_scope",
    "scoped_related",
    "scoped_target",
    "validation_error",
]
