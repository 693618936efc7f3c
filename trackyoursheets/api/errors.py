"""RFC 7807 problem details for every error the API returns.

One builder (:func:`problem_body`), used by the DRF exception handler, the
middleware that rewrites non-DRF error responses (unknown URLs, 405s, OAuth
token errors, crashes) and the GraphQL view.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response

from trackyoursheets.exceptions import DomainError
from trackyoursheets.limits import capped

from .request_id import current_request_id

logger = logging.getLogger("trackyoursheets.api")

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://docs.trackyoursheets.com/errors/"

#: status -> (type slug, title) for errors that have no more specific type
DEFAULTS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    412: ("precondition-failed", "Precondition failed"),
    413: ("payload-too-large", "Payload too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation", "Validation failed"),
    429: ("rate-limited", "Too many requests"),
    500: ("server-error", "Internal server error"),
    503: ("service-unavailable", "Service unavailable"),
}


def instance_urn(request_id: str | None = None) -> str:
    return f"urn:trackyoursheets:request:{request_id or current_request_id() or 'unknown'}"


def problem_body(
    status: int,
    detail: str | None = None,
    *,
    slug: str | None = None,
    title: str | None = None,
    errors: dict | list | None = None,
    **extra,
) -> dict:
    default_slug, default_title = DEFAULTS.get(status, ("error", "Error"))
    body = {
        "type": TYPE_BASE + (slug or default_slug),
        "title": title or default_title,
        "status": status,
        "detail": detail or title or default_title,
        "instance": instance_urn(),
        "request_id": current_request_id(),
    }
    if errors is not None:
        # error lists are capped (issue 13): the first MAX_ERRORS, and how many there were
        shown, total = capped(list(errors.items()) if isinstance(errors, dict) else list(errors))
        body["errors"] = dict(shown) if isinstance(errors, dict) else shown
        if total > len(shown):
            body["error_count"] = total
    body.update(extra)
    return body


def max_body_bytes() -> int:
    """The one limit on a request body (``API_MAX_BODY_BYTES``): raw, JSON and multipart alike."""
    return int(settings.API_MAX_BODY_BYTES)


def body_too_large_body(size: int | None = None) -> dict:
    """The 413 problem for a body over :func:`max_body_bytes` (its size when known)."""
    limit = max_body_bytes()
    if size is None:
        detail = f"The request body is larger than {limit} bytes, the largest accepted."
    else:
        detail = f"The request body is {size} bytes; the largest accepted is {limit} bytes."
    return problem_body(413, detail, code="body_too_large", max_body_bytes=limit)


def problem_response(status: int, detail: str | None = None, *, headers: dict | None = None, **kwargs) -> JsonResponse:
    response = JsonResponse(problem_body(status, detail, **kwargs), status=status, content_type=PROBLEM_CONTENT_TYPE)
    for key, value in (headers or {}).items():
        response[key] = value
    return response


# =============================================================================
# API exceptions of our own
# =============================================================================


class ValidationFailed(drf_exceptions.APIException):
    """422 with field errors; used for query parameters (filters, pagination)."""

    status_code = 422
    default_detail = "Validation failed"

    def __init__(self, errors: dict, detail: str | None = None) -> None:
        self.errors = errors
        super().__init__(detail or summarise_errors(errors))


class MissingScope(drf_exceptions.PermissionDenied):
    def __init__(self, scope: str) -> None:
        self.required_scope = scope
        super().__init__(f"This request needs the {scope} scope, which the credential does not have.")


class OrganisationNotGranted(drf_exceptions.PermissionDenied):
    pass


# =============================================================================
# Normalising error structures
# =============================================================================


def _flatten(errors, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error structures into {"field.sub": ["message", ...]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            if isinstance(key, int):  # an item of a list field
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(_flatten(value, name))
    elif isinstance(errors, list):
        if all(not isinstance(item, (dict, list)) for item in errors):
            flat[prefix or "non_field_errors"] = [str(item) for item in errors]
        else:
            for index, item in enumerate(errors):
                flat.update(_flatten(item, f"{prefix}[{index}]" if prefix else f"[{index}]"))
    else:
        flat[prefix or "non_field_errors"] = [str(errors)]
    return {k: v for k, v in flat.items() if v}


def summarise_errors(errors: dict) -> str:
    fields = list(errors)
    if not fields:
        return "Validation failed"
    if len(fields) == 1:
        field, messages = fields[0], errors[fields[0]]
        message = messages[0] if messages else "is invalid"
        if field == "non_field_errors":
            return message
        return f"{field}: {message}"
    return f"{len(fields)} fields failed validation: {', '.join(fields)}"


def django_validation_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if key == "__all__" else key): [str(m) for m in messages]
            for key, messages in exc.message_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


# =============================================================================
# DRF exception handler
# =============================================================================


def problem_exception_handler(exc, context) -> Response | None:
    """Map every exception raised in a DRF view to a problem response."""
    headers: dict[str, str] = {}
    extra: dict = {}
    errors = None
    slug = title = None

    if isinstance(exc, RequestDataTooBig):
        return Response(body_too_large_body(), status=413, content_type=PROBLEM_CONTENT_TYPE)
    if isinstance(exc, DjangoValidationError):
        errors = django_validation_errors(exc)
        status, detail = 422, summarise_errors(errors)
    elif isinstance(exc, DomainError):
        status, detail, slug, title = exc.status, exc.detail, exc.slug, exc.title
        errors = exc.errors
        extra.update(exc.extra)
    elif isinstance(exc, (Http404, ObjectDoesNotExist)):
        status, detail = 404, "Not found."
    elif isinstance(exc, PermissionDenied):
        status, detail = 403, str(exc) or "You do not have permission to perform this action."
    elif isinstance(exc, ValidationFailed):
        status, detail, errors = 422, str(exc.detail), exc.errors
    elif isinstance(exc, drf_exceptions.ValidationError):
        errors = _flatten(exc.detail)
        status, detail = 422, summarise_errors(errors)
    elif isinstance(exc, drf_exceptions.ParseError):
        status, detail, slug, title = 400, str(exc.detail), "malformed-body", "Malformed request body"
    elif isinstance(exc, MissingScope):
        status, detail, slug, title = 403, str(exc.detail), "missing-scope", "Missing scope"
        extra["required_scope"] = exc.required_scope
    elif isinstance(exc, (drf_exceptions.NotAuthenticated, drf_exceptions.AuthenticationFailed)):
        status, detail = 401, str(exc.detail)
        headers["WWW-Authenticate"] = 'Bearer realm="trackyoursheets"'
    elif isinstance(exc, drf_exceptions.Throttled):
        status, detail = 429, str(exc.detail)
        wait = getattr(exc, "wait", None)  # set by Throttled.__init__; not in the stubs
        if wait is not None:
            headers["Retry-After"] = str(int(wait))
    elif isinstance(exc, drf_exceptions.APIException):
        status = exc.status_code
        if isinstance(exc.detail, (dict, list)):
            errors = _flatten(exc.detail)
            detail = summarise_errors(errors)
        else:
            detail = str(exc.detail)
        if isinstance(exc, drf_exceptions.MethodNotAllowed):
            view = context.get("view")
            if view is not None:
                headers["Allow"] = ", ".join(view.allowed_methods)
    else:
        return None  # a crash: the middleware logs it and answers 500

    body = problem_body(status, detail, slug=slug, title=title, errors=errors, **extra)
    return Response(body, status=status, headers=headers, content_type=PROBLEM_CONTENT_TYPE)
