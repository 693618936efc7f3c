"""Request ids and problem details for every API response, whoever produced it."""

from __future__ import annotations

import io
import json
import logging

from django.core.exceptions import RequestDataTooBig
from django.core.handlers.wsgi import LimitedStream
from django.http import JsonResponse

from . import request_id as rid
from .errors import PROBLEM_CONTENT_TYPE, body_too_large_body, max_body_bytes, problem_response

logger = logging.getLogger("trackyoursheets.api")

#: Paths whose errors are always problem+json (DESIGN §4).
API_PREFIXES = ("/v1/", "/oauth/", "/graphql")


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES) or path == "/v1"


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = rid.current_request_id() or "-"
        return True


class RequestIdMiddleware:
    """Give every request an id (keeping a well-formed one the client sent) and echo it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = rid.accept_or_new(request.META.get(rid.META_KEY))
        token = rid.set_current(request.request_id)
        try:
            response = self.get_response(request)
            response[rid.HEADER] = request.request_id
            return response
        finally:
            rid.reset_current(token)


class BodySizeMiddleware:
    """One body-size rule for every API path, checked before anything parses the body.

    A declared ``Content-Length`` over ``API_MAX_BODY_BYTES`` is a 413 problem at once; a body
    without one (chunked, on a server that passes it through) is read up to the limit plus one
    byte and refused the same way when it goes past it. JSON, multipart and raw bodies alike.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api_path(request.path):
            refused = self._refuse_oversized(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _refuse_oversized(self, request) -> JsonResponse | None:
        limit = max_body_bytes()
        declared = request.META.get("CONTENT_LENGTH")
        if declared:
            try:
                size = int(declared)
            except ValueError:
                return problem_response(400, "Content-Length is not a number.", slug="malformed-body")
            return _too_large(size) if size > limit else None
        if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower() and request.META.get(
            "wsgi.input_terminated"
        ):
            data = request.META["wsgi.input"].read(limit + 1)
            if len(data) > limit:
                return _too_large(None)
            request.META["CONTENT_LENGTH"] = str(len(data))
            request._stream = LimitedStream(io.BytesIO(data), len(data))
        return None


def _too_large(size: int | None) -> JsonResponse:
    return JsonResponse(body_too_large_body(size), status=413, content_type=PROBLEM_CONTENT_TYPE)


class ProblemDetailsMiddleware:
    """Turn any error response on an API path into ``application/problem+json``.

    DRF views already answer with problems; this catches the rest: unknown URLs,
    405s from plain Django views, CSRF failures, OAuth token errors (keeping
    OAuth's ``error``/``error_description``) and unhandled exceptions (logged with
    the request id; no traceback in the body).
    """

    #: headers worth keeping from the original response
    KEEP_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Cache-Control", "Pragma")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not is_api_path(request.path):
            return response
        if response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE):
            return response
        return self._rewrite(request, response)

    def process_exception(self, request, exception):
        if not is_api_path(request.path):
            return None
        if isinstance(exception, RequestDataTooBig):
            return _too_large(None)
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return problem_response(500, "An unexpected error occurred. Quote the request id when contacting support.")

    def _rewrite(self, request, response):
        status = response.status_code
        original: dict = {}
        if not getattr(response, "streaming", False):
            try:
                parsed = json.loads(response.content or b"{}")
                original = parsed if isinstance(parsed, dict) else {}
            except (ValueError, UnicodeDecodeError):
                original = {}
        extra: dict = {}
        detail = None
        if "error" in original and isinstance(original.get("error"), str):
            # OAuth 2 error (RFC 6749 §5.2): keep its fields for OAuth client libraries
            extra["error"] = original["error"]
            extra["error_description"] = original.get("error_description") or original["error"]
            detail = extra["error_description"]
        elif isinstance(original.get("errors"), list):
            # a GraphQL error response
            extra["errors"] = original["errors"]
            messages = [e.get("message", "") for e in original["errors"] if isinstance(e, dict)]
            detail = "; ".join(m for m in messages if m) or None
        if status == 404 and detail is None:
            detail = f"No resource at {request.path}."
        elif status == 405 and detail is None:
            detail = f"{request.method} is not allowed on {request.path}."
        elif status == 403 and detail is None and getattr(request, "csrf_processing_done", False) is False:
            detail = "Forbidden."
        elif status >= 500 and detail is None:
            detail = "An unexpected error occurred. Quote the request id when contacting support."
        headers = {k: response[k] for k in self.KEEP_HEADERS if response.has_header(k)}
        return problem_response(status, detail, headers=headers, **extra)
