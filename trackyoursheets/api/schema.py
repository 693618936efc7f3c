"""OpenAPI generation: problem responses and scopes on every operation."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from .permissions import required_scope_for
from .scopes import SCOPES

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 7807 problem details.",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string", "format": "uri", "example": "https://docs.trackyoursheets.com/errors/validation"},
        "title": {"type": "string", "example": "Validation failed"},
        "status": {"type": "integer", "example": 422},
        "detail": {"type": "string", "example": "workspace_id: This field is required."},
        "instance": {"type": "string", "example": "urn:trackyoursheets:request:4f7c2e0a9b1d4e3f8a6b5c4d3e2f1a0b"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "example": {"workspace_id": ["This field is required."]},
        },
        "required_scope": {"type": "string", "description": "Present on missing-scope 403s."},
    },
}


class ProblemAutoSchema(AutoSchema):
    """Adds the problem responses each operation can return, and its required scope."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.view.__class__.__name__ in ("InfoView", "HealthView"):
            codes = ("500", "503") if self.view.__class__.__name__ == "HealthView" else ("500",)
        else:
            codes = ("401", "403", "404", "422", "429", "500")
            if self.method in ("POST", "PUT", "PATCH"):
                codes = ("400", "415", *codes)
        for code in codes:
            responses.setdefault(
                code,
                {
                    "description": "Problem details",
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
                },
            )
        return responses

    def get_auth(self):
        auth = super().get_auth()
        scope = required_scope_for(self.view, _FakeRequest(self.method))
        if scope and auth:
            return [{"oauth2": [scope]}]
        return auth

    def get_description(self):
        description = super().get_description() or ""
        scope = required_scope_for(self.view, _FakeRequest(self.method))
        if scope:
            description = f"{description}\n\nRequired scope: `{scope}`.".strip()
        return description


class ApiAuthenticationScheme(OpenApiAuthenticationExtension):
    """Bearer tokens from ``POST /oauth/token`` (the oauth2 scheme declared in settings)."""

    target_class = "trackyoursheets.api.authentication.ApiAuthentication"
    name = "oauth2"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "description": (
                "OAuth 2.1 client credentials; tokens live 60 minutes. Send `Authorization: Bearer <token>`."
            ),
            "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": {}}},
        }


class _FakeRequest:
    def __init__(self, method: str) -> None:
        self.method = method


def add_scopes_to_security_scheme(result, generator, request, public):
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    scheme = components.get("securitySchemes", {}).get("oauth2")
    if scheme:
        scheme["flows"]["clientCredentials"]["scopes"] = dict(SCOPES)
    return result


__all__ = ["ProblemAutoSchema", "add_scopes_to_security_scheme", "OpenApiResponse"]
