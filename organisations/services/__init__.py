"""Writes of the organisations app (STYLE §2.2), one module per area:

- :mod:`.structure`   organisations, members, offices, workspaces, producers;
- :mod:`.seats`, :mod:`.invitations`, :mod:`.members` team management: the seat limit and
  permission checks, invitations, role/office/status changes;
- :mod:`.credentials` OAuth clients, rotation, grants, impersonation, personal tokens.
- :mod:`.authorisations` apps a member authorised (authorization code with PKCE, issue 13);
- :mod:`.grants`      owners and admins grant integration clients their organisation (issue 13);
- :mod:`.console`     organisation settings and deleting OAuth clients (the admin console pages).

Callers import from ``organisations.services``; the modules are an internal split.
"""

from ..actors import Actor
from .authorisations import (
    AuthorisedApp,
    member_allowed_scopes,
    oauth_authorisation_list,
    oauth_authorisation_revoke,
)
from .console import api_client_delete, organisation_update_settings
from .credentials import (
    API_TOKEN_DISPLAY_LENGTH,
    API_TOKEN_PREFIX,
    API_TOKEN_RANDOM_LENGTH,
    IMPERSONATION_TOKEN_PREFIX,
    IMPERSONATION_TTL_MAX,
    IMPERSONATION_TTL_MIN,
    PERSON_KINDS,
    SECRET_ROTATION_GRACE,
    ApiClientCreated,
    ApiTokenCreated,
    ClientSecretRotated,
    ImpersonationCreated,
    access_token_issue,
    api_client_create,
    api_token_create,
    api_token_mark_used,
    api_token_require_creator,
    api_token_revoke,
    impersonation_create,
    impersonation_revoke,
    impersonation_scopes,
    oauth_client_grant_organisation,
    oauth_client_previous_secrets_revoke,
    oauth_client_revoke_organisation,
    oauth_client_secret_rotate,
)
from .grants import oauth_grant_create, oauth_grant_require_manager, oauth_grant_withdraw
from .invitations import (
    invitation_accept,
    invitation_for_token,
    invitation_resend,
    invitation_revoke,
    member_invite,
    viewer_invite,
)
from .members import member_deactivate, member_reactivate, member_timezone_set, member_update
from .seats import (
    INVITATION_TTL,
    ROLE_RANK,
    InvitationInvalid,
    MemberInvited,
    member_grantable_roles,
    member_require_manager,
    member_seat_usage,
)
from .structure import (
    OrganisationCreated,
    head_office_ensure,
    membership_add,
    office_create,
    office_update,
    organisation_create,
    producer_create,
    producer_update,
    producer_upsert,
    require_role,
    workspace_archive,
    workspace_assign_agents,
    workspace_create,
    workspace_reactivate,
    workspace_update,
)

__all__ = [
    "AuthorisedApp",
    "member_allowed_scopes",
    "oauth_authorisation_list",
    "oauth_authorisation_revoke",
    "oauth_grant_create",
    "oauth_grant_require_manager",
    "oauth_grant_withdraw",
    "API_TOKEN_DISPLAY_LENGTH",
    "API_TOKEN_PREFIX",
    "API_TOKEN_RANDOM_LENGTH",
    "Actor",
    "IMPERSONATION_TOKEN_PREFIX",
    "IMPERSONATION_TTL_MAX",
    "IMPERSONATION_TTL_MIN",
    "INVITATION_TTL",
    "ROLE_RANK",
    "PERSON_KINDS",
    "SECRET_ROTATION_GRACE",
    "ApiClientCreated",
    "ApiTokenCreated",
    "ClientSecretRotated",
    "ImpersonationCreated",
    "InvitationInvalid",
    "MemberInvited",
    "OrganisationCreated",
    "access_token_issue",
    "api_client_create",
    "api_client_delete",
    "api_token_create",
    "api_token_mark_used",
    "api_token_require_creator",
    "api_token_revoke",
    "impersonation_create",
    "impersonation_revoke",
    "impersonation_scopes",
    "invitation_accept",
    "invitation_for_token",
    "invitation_resend",
    "invitation_revoke",
    "member_deactivate",
    "member_grantable_roles",
    "member_invite",
    "viewer_invite",
    "member_reactivate",
    "member_require_manager",
    "member_seat_usage",
    "member_update",
    "head_office_ensure",
    "membership_add",
    "member_timezone_set",
    "office_create",
    "office_update",
    "oauth_client_grant_organisation",
    "oauth_client_previous_secrets_revoke",
    "oauth_client_revoke_organisation",
    "oauth_client_secret_rotate",
    "organisation_create",
    "organisation_update_settings",
    "producer_create",
    "producer_update",
    "producer_upsert",
    "require_role",
    "workspace_archive",
    "workspace_assign_agents",
    "workspace_create",
    "workspace_reactivate",
    "workspace_update",
]
