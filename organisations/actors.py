"""Who is acting: the organisation, the person (if any) and what the credential allows.

An :class:`Actor` is built once per request by the API platform (or by a page,
task or command) and handed to every selector and service. Scopes limit what a
credential may do; the role limits what the person behind it may see (DESIGN §3).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from trackyoursheets.api.scopes import SCOPES

from .choices import ORGANISATION_WIDE_ROLES, VIEWER_SCOPES, Role

if TYPE_CHECKING:  # types only: the models import nothing from here at run time either way
    from .models import ApiToken, ImpersonationToken, Membership, OAuthApplication, Organisation, User


@dataclass
class AuditContext:
    """Where a change comes from, set once per call by its entry point (issue 12 point 4).

    The authentication layer (REST), the GraphQL view, the page mixin, the admin and the
    task base build one and hand it to services on the :class:`Actor`; services write
    their audit rows with it (``organisations.audit.audit_change``), so every entry point
    produces the same row. Without one, a change is recorded as a "system" change.
    """

    #: ``AuditEvent.Source``: "api", "graphql", "page", "admin" or "system"
    source: str = "system"
    method: str = ""
    path: str = ""
    request_id: str | None = None
    #: the entry point's success status (REST: 201 create, 204 destroy, else 200; GraphQL 200)
    status_code: int | None = None
    #: how the entry point names the operation on the public audit trail: a REST view action
    #: (recorded as ``<model>.<view_action>``) or a GraphQL mutation (recorded as its name)
    view_action: str = ""
    mutation: str = ""
    #: audit rows written for this call so far (some may have rolled back with a refused change)
    rows: int = 0
    row_ids: list[int] = field(default_factory=list)

    @classmethod
    def from_request(cls, request, *, source: str, status_code: int | None = None) -> AuditContext:
        return cls(
            source=source,
            method=request.method or "",
            path=request.path,
            request_id=getattr(request, "request_id", None),
            status_code=status_code,
        )

    def action_for(self, action: str, obj=None) -> str:
        """The action recorded for a service's ``action`` (e.g. ``workspace.update``) on ``obj``."""
        if self.mutation:
            return self.mutation
        if self.view_action and obj is not None:
            return f"{obj._meta.model_name}.{self.view_action}"
        return action


@dataclass(frozen=True)
class Actor:
    organisation: Organisation
    user: User | None = None
    membership: Membership | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    #: "oauth" (client credentials), "token" (personal API token), "impersonation",
    #: "session" (browser), "system" (commands, tasks)
    kind: str = "system"
    application: OAuthApplication | None = None  # also the parent of an impersonation
    api_token: ApiToken | None = None
    impersonation: ImpersonationToken | None = None
    impersonated_producer_id: int | None = None
    #: where this actor's changes come from (issue 12): read by ``organisations.audit.audit_change``
    audit: AuditContext | None = field(default=None, compare=False, hash=False, repr=False)

    def with_audit(self, context: AuditContext) -> Actor:
        """The same actor, acting through the entry point described by ``context``."""
        return dataclasses.replace(self, audit=context)

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
        if self.is_viewer and scope not in VIEWER_SCOPES:
            return False  # a project viewer reads their projects' time, nothing else
        return scope in self.scopes

    @property
    def is_viewer(self) -> bool:
        """A project viewer (issue 15 point 4): a client contact who sees only their projects."""
        return self.membership is not None and not self.impersonated_producer_id and self.membership.role == Role.VIEWER

    @property
    def credential_key(self) -> str:
        """Identifies the credential (not the short-lived token) for idempotency keys and rate limits."""
        if self.kind == "impersonation" and self.impersonation is not None:
            return f"imp:{self.impersonation.pk}"
        if self.kind == "token" and self.api_token is not None:
            return f"pat:{self.api_token.pk}"
        if self.kind == "oauth" and self.application is not None:
            if self.user is not None:  # an app acting for a member (issue 13): never another member's keys
                return f"oauth:{self.application.pk}:user:{self.user.pk}:org:{self.organisation.pk}"
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
        if self.kind == "oauth" and self.application is not None and self.user is not None:
            return f"{self.user} (app oauth:{self.application.client_id})"
        if self.user is not None:
            return str(self.user)
        if self.application is not None:
            return f"oauth:{self.application.client_id}"
        return "system"


def system_actor(organisation) -> Actor:
    """The actor for commands and tasks acting on the organisation's behalf (audited as "system")."""
    return Actor(organisation=organisation, kind="system", scopes=frozenset(SCOPES), audit=AuditContext())
