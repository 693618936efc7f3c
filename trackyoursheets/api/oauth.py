"""OAuth 2.1 client credentials on django-oauth-toolkit.

- The token endpoint takes a JSON body (as our guide's curl example) or a form body.
- A confidential client with a blank secret can never authenticate (DOT hashes
  secrets; ``check_password("", make_password(""))`` would otherwise pass).
- Clients of a deactivated organisation get no tokens and their tokens stop working
  (``OAuthApplication.is_usable``).
"""

from __future__ import annotations

import json

from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider import oauth2_validators
from oauth2_provider.oauth2_backends import OAuthLibCore
from oauth2_provider.views import IntrospectTokenView, RevokeTokenView, TokenView

from .errors import problem_response


class JsonOrFormOAuthLibCore(OAuthLibCore):
    """Reads ``application/json`` bodies as well as form-encoded ones."""

    def extract_body(self, request):
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.startswith("application/json"):
            try:
                data = json.loads(request.body.decode("utf-8") or "{}")
            except (ValueError, UnicodeDecodeError):
                return []
            if not isinstance(data, dict):
                return []
            return [(k, v if isinstance(v, str) else json.dumps(v)) for k, v in data.items() if v is not None]
        return super().extract_body(request)

    def extract_headers(self, request):
        headers = super().extract_headers(request)
        # the JSON body has been re-encoded as a form body for oauthlib
        if headers.get("CONTENT_TYPE", "").startswith("application/json"):
            headers["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
            headers.pop("Content-Type", None)
        return headers


class OAuth2Validator(oauth2_validators.OAuth2Validator):
    def _check_secret(self, provided_secret, stored_secret):
        if not provided_secret:
            return False
        return super()._check_secret(provided_secret, stored_secret)


def _malformed_json(request) -> bool:
    if not request.META.get("CONTENT_TYPE", "").startswith("application/json"):
        return False
    try:
        return not isinstance(json.loads(request.body.decode("utf-8") or "{}"), dict)
    except (ValueError, UnicodeDecodeError):
        return True


class _BodyCheckMixin:
    def post(self, request, *args, **kwargs):
        if _malformed_json(request):
            return problem_response(
                400,
                "The request body is not a JSON object.",
                slug="malformed-body",
                title="Malformed request body",
                error="invalid_request",
                error_description="The request body is not a JSON object.",
            )
        return super().post(request, *args, **kwargs)


@method_decorator(csrf_exempt, name="dispatch")
class ClientCredentialsTokenView(_BodyCheckMixin, TokenView):
    """``POST /oauth/token``: errors become problem+json through the middleware."""


@method_decorator(csrf_exempt, name="dispatch")
class TokenRevokeView(_BodyCheckMixin, RevokeTokenView):
    pass


@method_decorator(csrf_exempt, name="dispatch")
class TokenIntrospectView(IntrospectTokenView):
    pass
