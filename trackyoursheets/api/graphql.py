"""The GraphQL endpoint and the base pieces every app's GraphQL module uses.

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

from __future__ import annotations

import datetime
import logging
import math
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import django_filters
import graphene
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from graphene import relay
from graphene.utils.str_converters import to_camel_case
from graphene.validation import depth_limit_validator
from graphene_django import DjangoObjectType
from graphene_django.converter import convert_django_field, get_django_field_description
from graphene_django.fields import DjangoConnectionField
from graphene_django.views import GraphQLView as BaseGraphQLView
from graphql import GraphQLError, OperationType, parse
from graphql.error import GraphQLSyntaxError
from graphql.validation import specified_rules
from graphql_relay import from_global_id
from rest_framework import exceptions as drf_exceptions
from rest_framework.request import Request
from rest_framework.settings import api_settings

from organisations.actors import AuditContext
from organisations.audit import audit_refusal
from organisations.models import AuditEvent
from trackyoursheets.exceptions import DomainError

from .authentication import actor_from_django_request
from .errors import ValidationFailed, django_validation_errors, problem_body, problem_response, summarise_errors

logger = logging.getLogger("trackyoursheets.api")

UNEXPECTED_ERROR = "An unexpected error occurred. Quote the request id when contacting support."
UNAUTHENTICATED_HEADERS = {"WWW-Authenticate": 'Bearer realm="trackyoursheets"'}

#: the largest primary key a lookup will try (bigint); larger "ids" are simply not found
MAX_PK = 2**63 - 1


# =============================================================================
# Errors: the REST problem fields, in ``extensions``
# =============================================================================


def is_mutation(query: str | None) -> bool:
    """Whether a GraphQL document holds a mutation (an unparsable one holds none)."""
    try:
        document = parse(query or "")
    except (GraphQLSyntaxError, TypeError):
        return False
    return any(getattr(definition, "operation", None) == OperationType.MUTATION for definition in document.definitions)


def problem_error(status: int, slug: str, detail: str, *, title: str | None = None, **extensions) -> GraphQLError:
    """A GraphQL error whose ``extensions`` carry the same problem fields as a REST answer."""
    return GraphQLError(detail, extensions=problem_body(status, detail, slug=slug, title=title, **extensions))


def graphql_field_errors(errors: Mapping[str, list], field_names: Mapping[str, str] | None = None) -> dict:
    """Name field errors as the GraphQL input names them: ``office`` -> ``officeId``, ``due_on`` -> ``dueOn``."""
    names = field_names or {}
    return {names.get(key, to_camel_case(key)): [str(m) for m in messages] for key, messages in errors.items()}


def validation_error(errors: Mapping[str, list], field_names: Mapping[str, str] | None = None) -> GraphQLError:
    """422 naming each bad input field, like REST's validation problem."""
    named = graphql_field_errors(errors, field_names)
    return problem_error(422, "validation", summarise_errors(named), title="Validation failed", errors=named)


def require_scope(info, scope: str):
    """The actor, if its credential holds ``scope``; else a 403 error naming the scope."""
    actor = info.context.actor
    if not actor.has_scope(scope):
        raise problem_error(
            403,
            "missing-scope",
            f"This request needs the {scope} scope, which the credential does not have.",
            title="Missing scope",
            required_scope=scope,
        )
    return actor


def domain_error_to_graphql(exc: Exception, field_names: Mapping[str, str] | None = None) -> GraphQLError:
    """Map a service's ``ValidationError`` or :class:`DomainError` to the problem REST would answer."""
    if isinstance(exc, DjangoValidationError):
        return validation_error(django_validation_errors(exc), field_names)
    if isinstance(exc, DomainError):
        errors = graphql_field_errors(exc.errors, field_names) if exc.errors else exc.errors
        return problem_error(exc.status, exc.slug, exc.detail, title=exc.title, errors=errors, **exc.extra)
    raise exc


def exception_to_graphql(exc: Exception) -> GraphQLError:
    """Any exception a resolver let through, as a problem; unexpected ones are logged, never shown."""
    if isinstance(exc, (DjangoValidationError, DomainError)):
        return domain_error_to_graphql(exc)
    if isinstance(exc, ValidationFailed):
        return validation_error(exc.errors)
    if isinstance(exc, ObjectDoesNotExist):
        return problem_error(404, "not-found", "Not found.")
    if isinstance(exc, PermissionDenied):
        return problem_error(403, "forbidden", str(exc) or "You do not have permission to perform this action.")
    logger.error("Unhandled error in a GraphQL resolver", exc_info=exc)
    return problem_error(500, "server-error", UNEXPECTED_ERROR)


# =============================================================================
# Scalars and ids
# =============================================================================


class DateTime(graphene.DateTime):
    """An instant as ISO 8601 in UTC with `Z` (`2025-01-31T09:30:00Z`), the same text REST returns."""

    @staticmethod
    def serialize(dt):
        if isinstance(dt, datetime.datetime) and dt.tzinfo is not None:
            return dt.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return graphene.DateTime.serialize(dt)


@convert_django_field.register(models.DateTimeField)
def _convert_datetime(field, registry=None):
    return DateTime(description=get_django_field_description(field), required=not field.null)


def decode_id(value: Any, type_name: str) -> int | None:
    """An integer id, or a Relay global id of ``type_name``, as a primary key; ``None`` for anything else."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()):
        kind, text = from_global_id(text)
        if kind != type_name or not (text.isascii() and text.isdigit()):
            return None
    pk = int(text)
    return pk if 0 < pk <= MAX_PK else None


def _not_found_message(value: Any) -> str:
    # the wording of REST's related-id fields, for a missing and a foreign id alike
    return _('Invalid pk "%(pk)s" - object does not exist.') % {"pk": value}


class Related(NamedTuple):
    """An id given in a mutation's input, and where it must be found."""

    value: Any
    type_name: str  # the GraphQL type of a global id, e.g. "Office"
    selector: Callable  # (*, actor) -> the actor's scoped queryset


def scoped_related(actor, related: Mapping[str, Related]) -> dict:
    """Load each input id through the actor's scoped selector (STYLE §3.5).

    Returns ``{input field: row}`` for the ids given (``None`` values are skipped).
    One 422 names every id that is missing or belongs to another organisation,
    with the same message for both.
    """
    found, errors = {}, {}
    for field, (value, type_name, selector) in related.items():
        if value is None:
            continue
        pk = decode_id(value, type_name)
        row = selector(actor=actor).filter(pk=pk).first() if pk is not None else None
        if row is None:
            errors[field] = [_not_found_message(value)]
        else:
            found[field] = row
    if errors:
        raise validation_error(errors)
    return found


def scoped_target(actor, value: Any, type_name: str, selector: Callable):
    """The row a mutation acts on, through the actor's scoped selector; 404 when missing or foreign."""
    pk = decode_id(value, type_name)
    row = selector(actor=actor).filter(pk=pk).first() if pk is not None else None
    if row is None:
        raise problem_error(404, "not-found", _("No %(type)s with this id.") % {"type": type_name.lower()})
    return row


# =============================================================================
# Types
# =============================================================================


class CountableConnection(relay.Connection):
    """A Relay connection that also says how many rows match (before pagination)."""

    class Meta:
        abstract = True

    total_count = graphene.Int(required=True, description="Rows matching the filter, on all pages.")

    @staticmethod
    def resolve_total_count(root, info):
        return root.length


VISIBLE_PREFIX = "_tys_visible__"
#: how many foreign keys deep a list's query checks relations in bulk (deeper ones: one query per row)
RELATION_DEPTH = 2


class TenantRelation(graphene.Field):
    """A foreign key to another tenant type, shown only when that type would show the row.

    The parent type's ``get_queryset`` annotates each relation (and their relations,
    ``RELATION_DEPTH`` deep) with ``EXISTS`` over the related type's own scoping, and
    ``select_related``s it: a page of rows costs no extra query, and a relation the
    actor may not see (role, scope, another tenant) is null (STYLE §4.5). A row that
    was not loaded through ``get_queryset`` (a mutation's result) falls back to the
    related type's ``get_node``: one scoped query.
    """

    def __init__(self, type_, model_field: str, **kwargs):
        self.model_field = model_field
        kwargs.pop("required", None)  # a relation the actor may not see is null
        super().__init__(type_, resolver=self.resolve_relation, **kwargs)

    @property
    def related_type(self):
        type_ = self.type
        while hasattr(type_, "of_type"):
            type_ = type_.of_type
        return type_

    def resolve_relation(self, root, info):
        pk = getattr(root, root._meta.get_field(self.model_field).attname)
        if pk is None:
            return None
        flag = VISIBLE_PREFIX + self.model_field
        if flag not in vars(root):
            return self.related_type.get_node(info, pk)
        if not getattr(root, flag):
            return None
        related = getattr(root, self.model_field)
        # hand the checks of the related row's own relations down to it
        prefix = flag + "__"
        for key, value in list(vars(root).items()):
            if key.startswith(prefix):
                setattr(related, VISIBLE_PREFIX + key[len(prefix) :], value)
        return related


def _relation_paths(type_, prefix: str = "", depth: int = RELATION_DEPTH):
    for field in type_._meta.fields.values():
        if isinstance(field, TenantRelation):
            path = prefix + field.model_field
            yield path, field.related_type
            if depth > 1:
                yield from _relation_paths(field.related_type, path + "__", depth - 1)


def _prefixed(lookup: str | Prefetch, path: str) -> str | Prefetch:
    if isinstance(lookup, str):
        return f"{path}__{lookup}"
    return Prefetch(f"{path}__{lookup.prefetch_through}", queryset=lookup.queryset, to_attr=lookup.to_attr)


class TenantObjectType(DjangoObjectType):
    """Base type: every query through it is scoped to the request's actor (STYLE §3.3).

    Subclasses declare ``read_scope`` (without it the type reads as empty / null)
    and ``list_selector`` (the app selector, so ``node(id:)`` and lists read rows
    exactly as REST does), and list their ``fields`` explicitly.
    """

    class Meta:
        abstract = True

    #: the scope needed to read this type, e.g. "workspaces.read"
    read_scope: str | None = None
    #: ``(*, actor, filters=None) -> QuerySet``: the app's list selector
    list_selector: Callable | None = None
    #: what this type's list fields need loaded when it is reached through a
    #: :class:`TenantRelation` (the list selector already loads it for lists)
    related_prefetches: tuple[str | Prefetch, ...] = ()

    database_id = graphene.Int(required=True, description="The integer id, as REST uses it.")

    @staticmethod
    def resolve_database_id(root, info):
        return root.pk

    @classmethod
    def scope_queryset(cls, queryset, info):
        """The rows the actor may read: its organisation, its role's rows, and only with the read scope."""
        actor = info.context.actor
        if cls.read_scope and not actor.has_scope(cls.read_scope):
            return queryset.none()
        return queryset.visible_to(actor)

    @classmethod
    def get_queryset(cls, queryset, info):
        queryset = cls.scope_queryset(queryset, info)
        paths = list(_relation_paths(cls))
        if not paths:
            return queryset
        checks = {
            VISIBLE_PREFIX + path: Exists(
                related.scope_queryset(related._meta.model.objects.filter(pk=OuterRef(f"{path}_id")), info)
            )
            for path, related in paths
        }
        prefetches = [_prefixed(lookup, path) for path, related in paths for lookup in related.related_prefetches]
        queryset = queryset.select_related(*(path for path, _related in paths)).annotate(**checks)
        return queryset.prefetch_related(*prefetches) if prefetches else queryset

    @classmethod
    def get_node(cls, info, id):
        pk = decode_id(id, cls._meta.name)
        if pk is None:
            return None
        actor = info.context.actor
        base = cls.list_selector(actor=actor) if cls.list_selector else cls._meta.model.objects.all()
        return cls.get_queryset(base, info).filter(pk=pk).first()


# =============================================================================
# Root fields: lists, single objects, node(id:)
# =============================================================================


class PaginationInput(graphene.InputObjectType):
    """Relay pagination in one argument; the same as `first`/`after`/`last`/`before`."""

    class Meta:
        name = "Pagination"

    first = graphene.Int(description="At most this many rows from the start (0-100).")
    after = graphene.String(description="Rows after this cursor.")
    last = graphene.Int(description="At most this many rows from the end (0-100).")
    before = graphene.String(description="Rows before this cursor.")


PAGINATION_ARGS = ("first", "after", "last", "before")
_FILTER_INPUTS: dict[str, type[graphene.InputObjectType]] = {}


def _filter_description(name: str, flt) -> str:
    if name.endswith("_id"):
        return f"Integer id or global id ({name})."
    text = (str(flt.label) if flt.label else name.replace("_", " ").capitalize()).rstrip(".") + "."
    choices = flt.extra.get("choices")
    if choices:
        text += " One of: " + ", ".join(str(value) for value, _label in choices) + "."
    return text


def filterset_input_type(filterset_class, name: str) -> type[graphene.InputObjectType]:
    """The ``filter:`` input of a list: one field per filter of the app's FilterSet (STYLE §4.1).

    Values go to the FilterSet unchanged (ids decoded), so REST and GraphQL accept
    and refuse the same values; a bad one is a 422 naming the field.
    """
    if name not in _FILTER_INPUTS:
        fields = {}
        for filter_name, flt in filterset_class.base_filters.items():
            description = _filter_description(filter_name, flt)
            if isinstance(flt, django_filters.BooleanFilter):
                fields[filter_name] = graphene.Boolean(description=description)
            elif filter_name.endswith("_id"):
                fields[filter_name] = graphene.ID(description=description)
            else:
                fields[filter_name] = graphene.String(description=description)
        doc = f"Filters of the list, as in REST's query parameters ({filterset_class.__name__})."
        _FILTER_INPUTS[name] = type(name, (graphene.InputObjectType,), {"__doc__": doc, **fields})
    return _FILTER_INPUTS[name]


def filter_data(values: Mapping | None) -> dict:
    """A ``filter:`` input as FilterSet data: unset fields dropped, ``<thing>_id`` global ids decoded."""
    data = {}
    for name, value in (values or {}).items():
        if value is None:
            continue
        if name.endswith("_id"):
            type_name = "".join(part.capitalize() for part in name[:-3].split("_"))
            pk = decode_id(value, type_name)
            value = pk if pk is not None else value  # not an id: the FilterSet reports it
        data[name] = value
    return data


def _pagination_args(args: dict, max_limit: int | None) -> dict:
    """Merge ``pagination:`` into the Relay arguments and refuse out-of-range sizes with a 422."""
    pagination = args.pop("pagination", None) or {}
    errors: dict[str, list[str]] = {}
    for name in PAGINATION_ARGS:
        if pagination.get(name) is None:
            continue
        if args.get(name) is not None:
            message = _("Give %(name)s as an argument or in pagination, not both.") % {"name": name}
            errors[f"pagination.{name}"] = [message]
        else:
            args[name] = pagination[name]
    if args.get("offset") is not None and args.get("before") is not None:
        errors["offset"] = [_("Cannot be combined with before.")]
    for name in ("first", "last", "offset"):
        value = args.get(name)
        if value is None:
            continue
        if value < 0:
            errors[name] = [_("Must be 0 or more.")]
        elif max_limit is not None and name != "offset" and value > max_limit:
            errors[name] = [_("Must be %(max)s or less.") % {"max": max_limit}]
    if errors:
        raise problem_error(422, "validation", summarise_errors(errors), title="Validation failed", errors=errors)
    return args


class TenantConnectionField(DjangoConnectionField):
    """A root Relay connection over the node type's ``list_selector``.

    Needs the node type's ``read_scope`` (403 naming it otherwise), takes
    ``filter:`` (the FilterSet's fields, applied by the selector) and
    ``pagination:`` or ``first``/``after``/``last``/``before`` (at most
    ``RELAY_CONNECTION_MAX_LIMIT`` rows). Rows come in the selector's stable order.
    """

    def __init__(self, type_, *, filterset_class=None, **kwargs):
        if filterset_class is not None:
            filter_input = filterset_input_type(filterset_class, f"{type_._meta.name}Filter")
            kwargs.setdefault("filter", filter_input(description="Only rows matching every given field."))
        kwargs.setdefault("pagination", PaginationInput(description="Relay pagination in one argument."))
        kwargs.setdefault("required", True)
        super().__init__(type_, **kwargs)

    @classmethod
    def connection_resolver(
        cls,
        resolver,
        connection,
        default_manager,
        queryset_resolver,
        max_limit,
        enforce_first_or_last,
        root,
        info,
        **args,
    ):
        read_scope = connection._meta.node.read_scope
        if read_scope:
            require_scope(info, read_scope)
        args = _pagination_args(args, max_limit)
        return super().connection_resolver(
            resolver,
            connection,
            default_manager,
            queryset_resolver,
            max_limit,
            enforce_first_or_last,
            root,
            info,
            **args,
        )

    def wrap_resolve(self, parent_resolver):
        return super().wrap_resolve(self.resolve_rows)

    def resolve_rows(self, root, info, **args):
        try:
            return self.node_type.list_selector(actor=info.context.actor, filters=filter_data(args.get("filter")))
        except ValidationFailed as exc:
            raise validation_error(exc.errors) from exc


class TenantObjectField(graphene.Field):
    """``thing(id: ID!)``: one row by integer or global id, through the type's scoping.

    Needs the type's ``read_scope``; a missing id and another tenant's id are both null.
    """

    def __init__(self, type_, **kwargs):
        kwargs.setdefault("id", graphene.ID(required=True, description="Integer id or global id."))
        super().__init__(type_, **kwargs)

    def wrap_resolve(self, parent_resolver):
        return self.resolve_object

    def resolve_object(self, root, info, id):
        node_type = self.type
        if node_type.read_scope:
            require_scope(info, node_type.read_scope)
        return node_type.get_node(info, id)


def _resolve_node(root, info, id):
    kind, _pk = from_global_id(str(id))
    graphql_type = info.schema.get_type(kind) if kind else None
    graphene_type = getattr(graphql_type, "graphene_type", None)
    if graphene_type is None or relay.Node not in getattr(graphene_type._meta, "interfaces", ()):
        return None
    return graphene_type.get_node(info, id)  # each type decodes (and checks) the global id itself


def node_field() -> graphene.Field:
    """The root ``node(id:)``: any object by global id, through its type's scoping; null when unknown or foreign."""
    return graphene.Field(
        relay.Node,
        id=graphene.ID(required=True, description="A global id."),
        resolver=_resolve_node,
        description="Any object by its global id; null when it does not exist or is not yours to see.",
    )


# =============================================================================
# Mutations
# =============================================================================


class TenantMutation(graphene.Mutation):
    """Base of every mutation (STYLE §4.4): ``<Entity><Verb>``, one operation, thin.

    Subclasses declare ``required_scope`` and implement ``perform_mutate(info,
    actor, **arguments)``, which loads related ids through scoped selectors and
    calls the same service as REST. Service errors become problems (422 with
    field errors named as in the input, plan limits included; 403 for roles);
    ``error_field_names`` maps service field names to input names, e.g.
    ``{"office": "officeId"}``.
    """

    class Meta:
        abstract = True

    required_scope: str | None = None
    error_field_names: Mapping[str, str] = {}

    @classmethod
    def __init_subclass_with_meta__(cls, **options):
        assert cls.required_scope, f"{cls.__name__} must declare required_scope"
        super().__init_subclass_with_meta__(**options)

    @classmethod
    def mutate(cls, root, info, **arguments):
        context = getattr(info.context.actor, "audit", None)
        if context is not None:  # services record this mutation's changes under its name (issue 12)
            context.mutation, context.status_code = cls.__name__, 200
        actor = require_scope(info, cls.required_scope)
        try:
            return cls.perform_mutate(info, actor, **arguments)
        except (DjangoValidationError, DomainError) as exc:
            raise domain_error_to_graphql(exc, cls.error_field_names) from exc

    @classmethod
    def perform_mutate(cls, info, actor, **arguments):
        raise NotImplementedError


# =============================================================================
# The endpoint
# =============================================================================


@method_decorator(csrf_exempt, name="dispatch")
class GraphQLView(BaseGraphQLView):
    """``/graphql``: POST (queries and mutations) or GET (queries), JSON answers, problem+json failures."""

    graphiql = False

    def dispatch(self, request, *args, **kwargs):
        try:
            actor = actor_from_django_request(request)
        except drf_exceptions.AuthenticationFailed as exc:
            return problem_response(401, str(exc.detail), headers=UNAUTHENTICATED_HEADERS)
        except drf_exceptions.PermissionDenied as exc:
            return problem_response(403, str(exc.detail))
        if actor is None:
            return problem_response(
                401, "Authentication credentials were not provided.", headers=UNAUTHENTICATED_HEADERS
            )
        if actor.kind != "session" and not actor.organisation.has_feature("api"):
            return problem_response(403, "Your organisation's plan or settings do not include API access.")
        if actor.kind == "oauth" and not actor.organisation.has_feature("graphql"):
            return problem_response(403, "Your organisation's plan does not include the GraphQL API.")
        throttled = self.throttle(request, actor)
        if throttled is not None:
            return throttled
        request.actor = actor = actor.with_audit(
            AuditContext.from_request(request, source=AuditEvent.Source.GRAPHQL, status_code=200)
        )
        # read per request, so the setting (and a test's override of it) always applies
        # validate() replaces graphql-core's standard rules with these, so keep them
        self.validation_rules = (*specified_rules, depth_limit_validator(max_depth=settings.GRAPHQL_MAX_DEPTH))
        return super().dispatch(request, *args, **kwargs)

    def execute_graphql_request(self, request, data, query, variables, operation_name, show_graphiql=False):
        result = super().execute_graphql_request(request, data, query, variables, operation_name, show_graphiql)
        self.audit_refused_mutation(request, query, result)
        return result

    @staticmethod
    def audit_refused_mutation(request, query, result) -> None:
        """A mutation that changed nothing because it was refused is audited with the problem's
        status (issue 12): the GraphQL counterpart of the REST exception handler's row. Runs after
        the mutation's transaction, so the row stays although the change rolled back."""
        actor = getattr(request, "actor", None)
        context = getattr(actor, "audit", None)
        if context is None or result is None or not result.errors:
            return
        if not context.mutation and not is_mutation(query):
            return
        statuses = [(getattr(error, "extensions", None) or {}).get("status") for error in result.errors]
        status = next((code for code in statuses if isinstance(code, int)), 400)
        audit_refusal(actor=actor, status_code=status)

    def throttle(self, request, actor):
        """The REST rate limits (DRF throttle classes), counted once per GraphQL request; a 429 problem when over."""
        drf_request = Request(request)
        drf_request.auth = actor
        for throttle_class in api_settings.DEFAULT_THROTTLE_CLASSES:
            throttle = throttle_class()
            if not throttle.allow_request(drf_request, self):
                wait = throttle.wait()
                headers = {"Retry-After": str(math.ceil(wait))} if wait is not None else {}
                return problem_response(429, str(drf_exceptions.Throttled(wait).detail), headers=headers)
        return None

    @staticmethod
    def format_error(error):
        if isinstance(error, GraphQLError):
            original = error.original_error
            if original is not None and not isinstance(original, GraphQLError):
                mapped = exception_to_graphql(original)
                error = GraphQLError(mapped.message, nodes=error.nodes, path=error.path, extensions=mapped.extensions)
            return error.formatted
        return {"message": str(error)}


__all__ = [
    "CountableConnection",
    "DateTime",
    "GraphQLView",
    "PaginationInput",
    "Related",
    "TenantConnectionField",
    "TenantMutation",
    "TenantObjectField",
    "TenantObjectType",
    "TenantRelation",
    "decode_id",
    "domain_error_to_graphql",
    "filter_data",
    "filterset_input_type",
    "graphene",
    "node_field",
    "problem_error",
    "require_scope",
    "scoped_related",
    "scoped_target",
    "validation_error",
]
