"""OAuth 2.1 client credentials on django-oauth-toolkit.

- The token endpoint takes a JSON body (as our guide's curl example) or a form body.
- A confidential client with a blank secret can never authenticate (DOT hashes
  secrets; ``check_password("", make_password(""))`` would otherwise pass).
- Clients of a deactivated organisation get no tokens and their tokens stop working
  (``OAuthApplication.is_usable``).
- Secret rotation (issue 3): ``POST /oauth/rotate`` with the current secret issues a
  new one; the replaced secret keeps authenticating for 24 hours (``OAuthClientSecret``,
  checked by :meth:`OAuth2Validator.authenticate_client` after DOT's own check).
- ``POST /oauth/introspect`` (RFC 7662) is called with the client's own credentials and
  answers only about tokens of the caller's organisation; ``POST /oauth/revoke``
  (RFC 7009) also ends impersonation tokens the client minted.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import json
from datetime import UTC
from urllib.parse import unquote_plus

from django.http import JsonResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider import oauth2_validators
from oauth2_provider.models import get_access_token_model
from oauth2_provider.oauth2_backends import OAuthLibCore, get_oauthlib_core
from oauth2_provider.views import RevokeTokenView, TokenView
from oauthlib.common import Request as OauthlibRequest

from organisations import selectors, services
from organisations.models import OAuthClientSecret
from organisations.services import IMPERSONATION_TOKEN_PREFIX

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
    """DOT's validator plus the blank-secret guard and the rotation grace period.

    Pinned to django-oauth-toolkit 3.4.1: ``_check_secret``, ``_extract_basic_auth`` and
    ``_load_application`` are private; tests/platform/test_oauth.py and
    tests/platform/test_credentials.py cover every path through them.
    """

    def _check_secret(self, provided_secret, stored_secret):
        if not provided_secret:
            return False
        return super()._check_secret(provided_secret, stored_secret)

    def authenticate_client(self, request, *args, **kwargs):
        """The current secret (DOT), else a previous secret still inside its 24-hour grace.

        Sets ``request.tys_previous_secret`` to the matching ``OAuthClientSecret`` row (or
        None when the current secret matched) so /oauth/rotate can insist on the current one.
        """
        request.tys_previous_secret = None
        if super().authenticate_client(request, *args, **kwargs):
            return True
        for client_id, secret in self._presented_credentials(request):
            application = self._load_application(client_id, request)
            if application is None or application.client_type != application.CLIENT_CONFIDENTIAL:
                continue
            previous = self._matching_previous_secret(application, secret)
            if previous is not None:
                request.tys_previous_secret = previous
                return True
        return False

    def _presented_credentials(self, request) -> list[tuple[str, str]]:
        """(client_id, secret) from HTTP Basic and from the body, as DOT reads them."""
        found: list[tuple[str, str]] = []
        auth_string = self._extract_basic_auth(request)
        if auth_string:
            try:
                decoded = base64.b64decode(auth_string).decode("utf-8")
                basic_id, basic_secret = map(unquote_plus, decoded.split(":", 1))
                found.append((basic_id, basic_secret))
            except (TypeError, ValueError, binascii.Error, UnicodeDecodeError):
                pass
        client_id = getattr(request, "client_id", None)
        secret = getattr(request, "client_secret", None)
        if client_id and secret:
            found.append((client_id, secret))
        return found

    def _matching_previous_secret(self, application, secret: str):
        for row in selectors.oauth_client_previous_secrets_active(application=application):
            if self._check_secret(secret, row.secret_hash):
                now = timezone.now()
                OAuthClientSecret.objects.filter(pk=row.pk).update(last_used_at=now)
                row.last_used_at = now
                return row
        return None

    def revoke_token(self, token, token_type_hint, request, *args, **kwargs):
        """RFC 7009 for access tokens (DOT) and for impersonation tokens this client minted."""
        if token and token.startswith(IMPERSONATION_TOKEN_PREFIX):
            if getattr(request.client, "pk", None) is not None:
                services.impersonation_revoke(application=request.client, raw_token=token)
            return None
        return super().revoke_token(token, token_type_hint, request, *args, **kwargs)


def _malformed_json(request) -> bool:
    if not request.META.get("CONTENT_TYPE", "").startswith("application/json"):
        return False
    try:
        return not isinstance(json.loads(request.body.decode("utf-8") or "{}"), dict)
    except (ValueError, UnicodeDecodeError):
        return True


def _invalid_request(description: str) -> JsonResponse:
    return problem_response(
        400,
        description,
        slug="malformed-body",
        title="Malformed request body",
        error="invalid_request",
        error_description=description,
    )


class _BodyCheckMixin:
    def post(self, request, *args, **kwargs):
        if _malformed_json(request):
            return _invalid_request("The request body is not a JSON object.")
        return super().post(request, *args, **kwargs)


@method_decorator(csrf_exempt, name="dispatch")
class ClientCredentialsTokenView(_BodyCheckMixin, TokenView):
    """``POST /oauth/token``: errors become problem+json through the middleware."""


@method_decorator(csrf_exempt, name="dispatch")
class TokenRevokeView(_BodyCheckMixin, RevokeTokenView):
    pass


def _invalid_client(description: str = "Client authentication failed.") -> JsonResponse:
    return problem_response(
        401,
        description,
        slug="invalid-client",
        title="Client authentication failed",
        headers={"WWW-Authenticate": 'Basic realm="trackyoursheets"', "Cache-Control": "no-store"},
        error="invalid_client",
        error_description=description,
    )


def authenticate_client(request) -> tuple[object | None, OauthlibRequest]:
    """The client that authenticated this request (HTTP Basic, or the JSON/form body) and
    the oauthlib request holding the body parameters; ``(None, ...)`` when it did not."""
    core = get_oauthlib_core()
    uri, http_method, body, headers = core._extract_params(request)
    oauth_request = OauthlibRequest(uri, http_method, body, headers)
    if not core.server.request_validator.authenticate_client(oauth_request):
        return None, oauth_request
    return oauth_request.client, oauth_request


@method_decorator(csrf_exempt, name="dispatch")
class ClientSecretRotateView(View):
    """``POST /oauth/rotate``: authenticated by the client's *current* secret (as /oauth/token).

    Answers ``{"client_id", "client_secret", "previous_secret_expires_at"}``; the new secret
    is shown only here. A previous secret still in its grace cannot rotate (whoever holds an
    old, possibly leaked, secret must not be able to lock the owner out).
    """

    http_method_names = ["post", "options"]

    def post(self, request, *args, **kwargs):
        if _malformed_json(request):
            return _invalid_request("The request body is not a JSON object.")
        application, oauth_request = authenticate_client(request)
        if application is None:
            return _invalid_client()
        if getattr(oauth_request, "tys_previous_secret", None) is not None:
            return _invalid_client("Rotate with the current client secret; a previous secret cannot rotate.")
        rotated = services.oauth_client_secret_rotate(application=application)
        response = JsonResponse(
            {
                "client_id": rotated.application.client_id,
                "client_secret": rotated.client_secret,
                "previous_secret_expires_at": _iso_z(rotated.previous_secret_expires_at),
            }
        )
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response


@method_decorator(csrf_exempt, name="dispatch")
class TokenIntrospectView(View):
    """``POST /oauth/introspect`` (RFC 7662), authenticated by client credentials.

    DOT's ``IntrospectTokenView`` answers about any token to anyone holding a bearer token
    with an ``introspection`` scope (not in our catalogue), so we answer here instead: the
    caller authenticates with its ``client_id``/``client_secret`` (HTTP Basic or the body,
    as /oauth/token) and learns about OAuth access tokens and impersonation tokens of its
    own organisation only; any other token is ``{"active": false}``.
    """

    http_method_names = ["post", "options"]

    def post(self, request, *args, **kwargs):
        if _malformed_json(request):
            return _invalid_request("The request body is not a JSON object.")
        application, oauth_request = authenticate_client(request)
        if application is None:
            return _invalid_client()
        token = oauth_request.token
        if not token:
            return _invalid_request("The token parameter is missing.")
        data = introspect(token, organisation_id=application.organisation_id)
        response = JsonResponse(data)
        response["Cache-Control"] = "no-store"
        return response


def _iso_z(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch(moment) -> int:
    return int(calendar.timegm(moment.utctimetuple()))


def introspect(raw_token: str, *, organisation_id: int) -> dict:
    """RFC 7662 answer for ``raw_token`` as seen by a client of ``organisation_id``."""
    inactive = {"active": False}
    if raw_token.startswith(IMPERSONATION_TOKEN_PREFIX):
        impersonation = selectors.impersonation_for_secret(raw_token=raw_token)
        if impersonation is None or impersonation.organisation_id != organisation_id:
            return inactive
        parent = (
            get_access_token_model()
            .objects.filter(
                token_checksum=impersonation.parent_token_checksum, application_id=impersonation.application_id
            )
            .first()
        )
        now = timezone.now()
        if impersonation.revoked_at or impersonation.expires_at <= now or parent is None or parent.is_expired():
            return inactive
        return {
            "active": True,
            "token_type": "Bearer",
            "scope": impersonation.scopes,
            "client_id": impersonation.application.client_id,
            "exp": _epoch(impersonation.expires_at),
            "organisation": impersonation.organisation.slug,
            "producer_id": impersonation.producer_id,
        }
    token = (
        get_access_token_model()
        .objects.select_related("application__organisation")
        .filter(token_checksum=selectors.token_hash(raw_token))
        .first()
    )
    if token is None or token.application is None or token.application.organisation_id != organisation_id:
        return inactive
    if not token.is_valid() or not token.application.is_usable(None):
        return inactive
    return {
        "active": True,
        "token_type": "Bearer",
        "scope": token.scope,
        "client_id": token.application.client_id,
        "exp": _epoch(token.expires),
        "organisation": token.application.organisation.slug,
    }
