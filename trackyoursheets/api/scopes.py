"""The scope catalogue (DESIGN §4) and django-oauth-toolkit's per-client scope backend."""

from __future__ import annotations

AREAS = ("workspaces", "producers", "transactions", "payroll", "hr", "time", "webhooks", "integrations")

SCOPES: dict[str, str] = {}
for _area in AREAS:
    SCOPES[f"{_area}.read"] = f"Read {_area}"
    SCOPES[f"{_area}.write"] = f"Create and change {_area}"
SCOPES.update(
    {
        "organisation.read": "Read the organisation, its plan, limits and feature toggles",
        "reports.export": "Generate and download report exports",
        "impersonation": "Mint short-lived tokens that act as a producer",
        "webhooks.manage": "Manage webhook subscriptions and deliveries",
    }
)


def read_scope(area: str) -> str:
    return f"{area}.read"


def write_scope(area: str) -> str:
    return f"{area}.write"


class ApplicationScopes:
    """Each OAuth client may request only the scopes it was granted; by default it gets them all."""

    def get_all_scopes(self) -> dict[str, str]:
        return dict(SCOPES)

    def get_available_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:
        if application is None:
            return list(SCOPES)
        return [s for s in application.scopes.split() if s in SCOPES]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:
        return self.get_available_scopes(application, request)
