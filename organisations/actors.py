"""Who is acting: the organisation, the person (if any) and what the credential allows.

An :class:`Actor` is built once per request by the API platform (or by a page,
task or command) and handed to every selector and service. Scopes limit what a
credential may do; the role limits what the person behind it may see (DESIGN §3).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trackyoursheets.api.scopes import SCOPES

from .choices import ORGANISATION_WIDE_ROLES, Role


@dataclass(frozen=True)
class Actor:
    organisation: object  # Organisation
    user: object | None = None  # User
    membership: object | None = None  # Membership
    scopes: frozenset[str] = field(default_factory=frozenset)
    #: "oauth" (client credentials), "token" (personal API token), "impersonation",
    #: "session" (browser), "system" (commands, tasks)
    kind: str = "system"
    application: object | None = None  # OAuthApplication (also the parent of an impersonation)
    api_token: object | None = None  # ApiToken
    impersonation: object | None = None  # ImpersonationToken
    impersonated_producer_id: int | None = None

    @property
    def role(self) -> str | None:
        if self.impersonated_producer_id:
            return Role.PRODUCER
        return self.membership.role if self.membership is not None else None

    @property
    def sees_whole_organisation(self) -> bool:
        """Integrations and system jobs act for the organisation; people see by role."""
        if self.impersonated_producer_id:
            return False
        if self.membership is None:
            return self.kind in {"oauth", "system"}
        return self.membership.role in ORGANISATION_WIDE_ROLES

    def has_role(self, *roles: str) -> bool:
        return self.sees_whole_organisation or self.role in roles

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def credential_key(self) -> str:
        """Identifies the credential (not the short-lived token) for idempotency keys and rate limits."""
        if self.kind == "impersonation" and self.impersonation is not None:
            return f"imp:{self.impersonation.pk}"
        if self.kind == "token" and self.api_token is not None:
            return f"pat:{self.api_token.pk}"
        if self.kind == "oauth" and self.application is not None:
            return f"oauth:{self.application.pk}:org:{self.organisation.pk}"
        if self.user is not None:
            return f"user:{self.user.pk}:org:{self.organisation.pk}"
        return f"{self.kind}:org:{self.organisation.pk}"

    @property
    def label(self) -> str:
        """Who did it, for audit rows and events; an impersonation names both identities."""
        if self.impersonation is not None:
            return f"oauth:{self.application.client_id} as producer:{self.impersonated_producer_id}"
        if self.api_token is not None:
            return f"{self.user} (token {self.api_token.prefix})"
        if self.user is not None:
            return str(self.user)
        if self.application is not None:
            return f"oauth:{self.application.client_id}"
        return "system"


def system_actor(organisation) -> Actor:
    """The actor for commands and tasks acting on the organisation's behalf."""
    return Actor(organisation=organisation, kind="system", scopes=frozenset(SCOPES))
