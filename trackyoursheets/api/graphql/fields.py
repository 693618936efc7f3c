"""Root fields: Relay connections over app selectors with FilterSet filters and limits,
single objects by id and ``node(id:)``."""

from __future__ import annotations

from collections.abc import Mapping

import django_filters
import graphene
from django.conf import settings
from django.utils.translation import gettext as _
from graphene import relay
from graphene_django.fields import DjangoConnectionField
from graphql_relay import from_global_id

from ..errors import ValidationFailed, summarise_errors
from .problems import problem_error, require_scope, validation_error
from .types import decode_id

# =============================================================================
# Root fields: lists, single objects, node(id:)
# =============================================================================


class PaginationInput(graphene.InputObjectType):
    """Pagination in one argument: the contract's `page`/`pageSize` (as REST's `page`/`page_size`),
    or Relay's `first`/`after`/`last`/`before`; not both."""

    class Meta:
        name = "Pagination"

    page = graphene.Int(description="Page number, from 1 (with pageSize; as REST's page).")
    page_size = graphene.Int(description="Rows per page (1-100, default 25; as REST's page_size).")
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
            data[name] = pk if pk is not None else value  # not an id: the FilterSet reports it
        else:
            data[name] = value
    return data


def _page_args(args: dict, pagination: Mapping, max_limit: int | None) -> dict[str, list[str]]:
    """``pagination: {page, pageSize}`` as Relay's ``offset``/``first`` (issue 13 point 10)."""
    page, page_size = pagination.get("page"), pagination.get("page_size")
    if page is None and page_size is None:
        return {}
    if any(args.get(name) is not None or pagination.get(name) is not None for name in (*PAGINATION_ARGS, "offset")):
        return {"pagination.page": [_("Give page/pageSize or first/after/last/before, not both.")]}
    errors: dict[str, list[str]] = {}
    page = 1 if page is None else page
    page_size = settings.API_PAGE_SIZE_DEFAULT if page_size is None else page_size
    if page < 1:
        errors["pagination.page"] = [_("Must be 1 or more.")]
    if page_size < 1 or (max_limit is not None and page_size > max_limit):
        errors["pagination.pageSize"] = [_("Must be between 1 and %(max)s.") % {"max": max_limit or page_size}]
    if not errors:
        args["first"], args["offset"] = page_size, (page - 1) * page_size
    return errors


def _pagination_args(args: dict, max_limit: int | None) -> dict:
    """Merge ``pagination:`` into the Relay arguments and refuse out-of-range sizes with a 422."""
    pagination = args.pop("pagination", None) or {}
    errors: dict[str, list[str]] = _page_args(args, pagination, max_limit)
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
