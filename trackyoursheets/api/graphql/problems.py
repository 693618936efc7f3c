"""GraphQL errors carry the REST problem fields (``type``, ``title``, ``status``, ``detail``,
``instance``, ``request_id``, field ``errors``) in ``extensions``; scope checks."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from graphene.utils.str_converters import to_camel_case
from graphql import GraphQLError, OperationType, parse
from graphql.error import GraphQLSyntaxError

from trackyoursheets.exceptions import DomainError

from ..errors import ValidationFailed, django_validation_errors, problem_body, summarise_errors

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
