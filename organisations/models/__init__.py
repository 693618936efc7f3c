"""People and tenancy: who belongs to which organisation, and with what role.

Every tenant-owned row in every app subclasses :class:`TenantModel`, whose
default manager only hands out rows through ``for_organisation(org)`` and
``visible_to(actor)`` (DESIGN §3, STYLE §3).

By sub-domain: ``tenancy.py`` (users, organisations, TenantQuerySet/TenantModel),
``structure.py`` (offices, memberships, workspaces, producers, invitations), ``platform.py``
(OAuth clients, tokens, idempotency, the audit trail, the status feed). Django finds the
models through this package, which imports them all.
"""

from .platform import (
    ApiToken,
    ApiTokenQuerySet,
    AuditEvent,
    IdempotencyRecord,
    ImpersonationToken,
    OAuthApplication,
    OAuthApplicationGrant,
    OAuthApplicationManager,
    OAuthClientSecret,
    StatusIncident,
    ip_allowlist_allows,
    ip_allowlist_parse,
)
from .structure import (
    Invitation,
    Membership,
    MembershipQuerySet,
    Office,
    Producer,
    ProducerQuerySet,
    Workspace,
    WorkspaceAgent,
    WorkspaceQuerySet,
)
from .tenancy import (
    Organisation,
    TenantModel,
    TenantQuerySet,
    User,
    UserManager,
    currency_validator,
    default_feature_toggles,
    default_rate_limit,
    validate_timezone,
)

__all__ = [
    "Organisation",
    "TenantModel",
    "TenantQuerySet",
    "User",
    "UserManager",
    "currency_validator",
    "default_feature_toggles",
    "default_rate_limit",
    "validate_timezone",
    "Invitation",
    "Membership",
    "MembershipQuerySet",
    "Office",
    "Producer",
    "ProducerQuerySet",
    "Workspace",
    "WorkspaceAgent",
    "WorkspaceQuerySet",
    "ApiToken",
    "ApiTokenQuerySet",
    "AuditEvent",
    "IdempotencyRecord",
    "ImpersonationToken",
    "OAuthApplication",
    "OAuthApplicationGrant",
    "OAuthApplicationManager",
    "OAuthClientSecret",
    "StatusIncident",
    "ip_allowlist_allows",
    "ip_allowlist_parse",
]
