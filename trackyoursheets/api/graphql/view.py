"""``/graphql``: authentication, rate limits, depth limit, audit of refused mutations, errors."""

from __future__ import annotations

import math

from django.conf import settings
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene.validation import depth_limit_validator
from graphene_django.views import GraphQLView as BaseGraphQLView
from graphql import GraphQLError
from graphql.validation import specified_rules
from rest_framework import exceptions as drf_exceptions
from rest_framework.request import Request
from rest_framework.settings import api_settings

from organisations.actors import AuditContext
from organisations.audit import audit_refusal
from organisations.models import AuditEvent

from ..authentication import actor_from_django_request
from ..errors import problem_response
from .problems import UNAUTHENTICATED_HEADERS, exception_to_graphql, is_mutation

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
