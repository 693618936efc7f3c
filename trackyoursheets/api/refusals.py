"""DRF's exception handler: every error becomes a problem, and a refused write is audited.

``errors.problem_exception_handler`` builds the problem; this wrapper (``EXCEPTION_HANDLER``)
adds the audit row of a refused mutating call — its status and no changes (issue 12) — in
the one place errors become responses, instead of an after-response middleware. A separate
module because ``errors`` is imported while logging is configured, before the models load.
"""

from __future__ import annotations

from rest_framework.response import Response

from organisations.audit import audit_refusal

from .errors import problem_exception_handler


def audited_problem_exception_handler(exc, context) -> Response | None:
    response = problem_exception_handler(exc, context)
    request = context.get("request")
    if response is not None and request is not None and not request.path.startswith("/oauth/"):
        # the actor is known only once authentication succeeded (``_auth``: never re-run it here)
        audit_refusal(actor=getattr(request, "_auth", None), status_code=response.status_code)
    return response


__all__ = ["audited_problem_exception_handler"]
