"""Audit middleware: one audit row per mutating REST call or GraphQL mutation (issue 3).

Views tell it what they touched through ``request.audit`` (the base viewset does
this for every endpoint); the middleware adds who, the request id, status and time.
Placed inside the idempotency middleware, so a replayed response is not audited twice.
"""

from __future__ import annotations

import json
import logging

from graphql import OperationType, parse
from graphql.error import GraphQLSyntaxError

from organisations.audit import audit_record, summarise_changes
from organisations.models import AuditEvent

from .middleware import is_api_path

logger = logging.getLogger("trackyoursheets.audit")

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _is_graphql_mutation(request) -> bool:
    try:
        payload = json.loads(request.body or b"{}")
        document = parse(payload.get("query") or "")
    except (ValueError, GraphQLSyntaxError, AttributeError, TypeError):
        return False
    return any(
        getattr(definition, "operation", None) == OperationType.MUTATION for definition in document.definitions
    )


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in MUTATING or not is_api_path(request.path) or request.path.startswith("/oauth/"):
            return response
        actor = getattr(request, "actor", None)
        if actor is None:
            return response  # nobody authenticated: nothing was changed
        graphql = request.path.startswith("/graphql")
        if graphql and not _is_graphql_mutation(request):
            return response
        info = getattr(request, "audit", {}) or {}
        try:
            audit_record(
                actor=actor,
                source=AuditEvent.Source.GRAPHQL if graphql else AuditEvent.Source.API,
                method=request.method,
                path=request.path,
                action=info.get("action", ""),
                object_type=info.get("object_type", ""),
                object_id=info.get("object_id", ""),
                changes=info.get("changes") or summarise_changes(info.get("before"), info.get("after")),
                status_code=response.status_code,
                request_id=getattr(request, "request_id", None),
            )
        except Exception:  # never turn a done change into an error; but say so
            logger.exception("Could not write the audit row for %s %s", request.method, request.path)
        logger.info(
            "audit %s %s by %s -> %s", request.method, request.path, actor.label, response.status_code
        )
        return response
