"""The mutation base: one operation, its scope, service errors as problems."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import graphene
from django.core.exceptions import ValidationError as DjangoValidationError

from trackyoursheets.exceptions import DomainError

from .problems import domain_error_to_graphql, require_scope

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


def object_action(
    name: str,
    doc: str,
    *,
    scope: str,
    output,
    target: Callable,
    answer: Callable,
    action: Callable,
    object_arg: str,
    reason: bool = False,
    id_description: str = "Integer id or global id.",
    error_field_names: Mapping[str, str] | None = None,
) -> type[TenantMutation]:
    """A workflow mutation on one object by id (submit, approve, reject with a reason, cancel...):
    ``target(actor, id)`` loads it through its scoped selector (another tenant's is not found),
    ``action(actor=actor, <object_arg>=obj[, reason=...])`` is the service REST calls too, and
    ``answer(actor, obj)`` reads it back for the response. ``name`` is the mutation's class name
    (what the audit trail records)."""

    arguments = {"id": graphene.ID(required=True, description=id_description)}
    if reason:
        arguments["reason"] = graphene.String(required=True, description="Why; shown to the person concerned.")

    def perform_mutate(cls, info, actor, id, **kwargs):
        return answer(actor, action(actor=actor, **{object_arg: target(actor, id)}, **kwargs))

    return type(
        name,
        (TenantMutation,),
        {
            "__doc__": doc,
            "__module__": target.__module__,
            "required_scope": scope,
            "error_field_names": error_field_names or {},
            "Arguments": type("Arguments", (), arguments),
            "Output": graphene.NonNull(output),
            "perform_mutate": classmethod(perform_mutate),
        },
    )
