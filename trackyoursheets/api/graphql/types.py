"""Scalars, global ids and the scoped object types every app's GraphQL types build on."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import graphene
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch
from django.utils.translation import gettext as _
from graphene import relay
from graphene_django import DjangoObjectType
from graphene_django.converter import convert_django_field, get_django_field_description
from graphql_relay import from_global_id

from .problems import MAX_PK, problem_error, validation_error

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
    #: a project viewer (issue 15 point 4) reads this type (the model's ``viewer_rows`` say which
    #: rows); every other type reads as empty / null for them
    viewer_access: bool = False

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
        if actor.is_viewer and not cls.viewer_access:
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
