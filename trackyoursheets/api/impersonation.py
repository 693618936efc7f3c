"""Every request made with an impersonation token is audited, reads included (issue 13 point 12).

The authentication layer (REST and GraphQL alike, :class:`~.authentication.ApiAuthentication`)
leaves the actor it resolved on the Django request; once the answer is final this middleware
writes one audit row for an impersonation's request (method, path, status, request id) through
:func:`organisations.audit.audit_impersonated_request`. It runs outside the view's transaction,
so a refused or failed request is recorded too.
"""

from __future__ import annotations

from organisations.audit import audit_impersonated_request

#: where ``ApiAuthentication`` leaves the actor of a request (the GraphQL view's ``request.actor`` wins)
ACTOR_ATTRIBUTE = "tys_actor"


class ImpersonationAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        actor = getattr(request, "actor", None) or getattr(request, ACTOR_ATTRIBUTE, None)
        if actor is not None and getattr(actor, "kind", None) == "impersonation":
            audit_impersonated_request(actor=actor, status_code=response.status_code)
        return response
