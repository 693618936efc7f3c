"""The console pages' tables (issue 14 point 5) on the shared :class:`~trackyoursheets.web.tables.Table`."""

from __future__ import annotations

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from trackyoursheets.web.tables import BADGE, CHOICE, DATETIME, NUMBER, PERCENT, Column, Table


def _member_status_note(member) -> str:
    invitation = getattr(member, "invitation", None)
    if member.status == "invited" and invitation is not None and not invitation.is_open:
        return str(_("link expired"))
    return ""


class MemberTable(Table):
    name = "team"
    noun = _("members")
    empty_text = _("No members match.")
    default_sort = "email"
    columns = (
        Column(
            "email",
            _("Email"),
            accessor="user.email",
            sort="user__email",
            link=lambda m: reverse("app:team-member", args=[m.pk]),
        ),
        Column("name", _("Name"), accessor="user.full_name", sort="user__full_name"),
        Column("role", _("Role"), kind=CHOICE, sort="role"),
        Column("office", _("Office"), accessor="office.name", sort="office__name"),
        Column("status", _("Status"), kind=BADGE, sort="status", detail=_member_status_note),
        Column("created_at", _("Member since"), kind=DATETIME, sort="created_at", export_only=True),
    )


class ProducerTable(Table):
    name = "producers"
    noun = _("producers")
    empty_text = _("No producers match.")
    columns = (
        Column(
            "name",
            _("Name"),
            accessor="display_name",
            sort="display_name",
            link=lambda p: reverse("app:producer-detail", args=[p.pk]),
        ),
        Column("code", _("Code"), accessor="producer_code", sort="producer_code"),
        Column("email", _("Email"), sort="email", export_only=True),
        Column("split", _("Split %"), accessor="default_split_percent", kind=PERCENT, sort="default_split_percent"),
        Column("portal_access", _("Portal"), sort="portal_access"),
        Column("status", _("Status"), kind=BADGE, sort="status"),
        Column("workspace", _("Workspace"), accessor="workspace.name", sort="workspace__name"),
        Column("member", _("Linked member"), accessor="membership.user.email", sort="membership__user__email"),
    )


def _token_status(token) -> str:
    if token.revoked_at:
        return str(_("Revoked"))
    return str(_("Active") if token.is_active else _("Expired"))


def _allowed_from(token) -> str:
    return " ".join(token.allowed_ips) or str(_("anywhere"))


class ApiTokenTable(Table):
    """Personal API tokens, masked (only the prefix); a revoke button per active token."""

    name = "api-tokens"
    noun = _("tokens")
    empty_text = _("No tokens.")
    exportable = False
    columns = (
        Column("name", _("Name"), sort="name"),
        Column("prefix", _("Token"), template="app/integrations/_prefix_cell.html"),
        Column("scopes", _("Scopes"), sort="scopes"),
        Column("allowed_ips", _("Allowed from"), accessor=_allowed_from),
        Column("created_at", _("Created"), kind=DATETIME, sort="created_at"),
        Column("last_used_at", _("Last used"), kind=DATETIME, sort="last_used_at"),
        Column("expires_at", _("Expires"), kind=DATETIME, sort="expires_at"),
        Column("status", _("Status"), accessor=_token_status),
        Column("actions", _("Actions"), template="app/integrations/_revoke_cell.html"),
    )


class OtherApiTokenTable(ApiTokenTable):
    """The other members' tokens (owners and admins)."""

    name = "member-api-tokens"
    columns = (
        ApiTokenTable.columns[0],
        Column("member", _("Member"), accessor="membership.user.email", sort="membership__user__email"),
        *ApiTokenTable.columns[1:],
    )


class OfficeTable(Table):
    name = "offices"
    noun = _("offices")
    empty_text = _("No offices yet.")
    columns = (
        Column("name", _("Name"), sort="name"),
        Column("timezone", _("Timezone"), sort="timezone"),
        Column("address", _("Address"), css="pre-line"),
    )


class EditableOfficeTable(OfficeTable):
    """For owners and admins: an edit link per office."""

    columns = (
        Column("name", _("Name"), sort="name", link=lambda o: reverse("app:office-edit", args=[o.pk])),
        *OfficeTable.columns[1:],
    )


class WorkspaceTable(Table):
    name = "workspaces"
    noun = _("workspaces")
    empty_text = _("No workspaces match.")
    columns = (
        Column("name", _("Name"), sort="name", link=lambda w: reverse("app:workspace-edit", args=[w.pk])),
        Column("office", _("Office"), accessor="office.name", sort="office__name"),
        Column("status", _("Status"), kind=CHOICE, sort="status"),
        Column("agents", _("Agents"), accessor=lambda w: len(w.agent_links.all()), kind=NUMBER),
        Column("description", _("Description"), accessor=lambda w: Truncator(w.description).chars(80)),
    )


class OAuthClientTable(Table):
    """The organisation's OAuth clients (no secrets); rotate, delete and the grace period as cells."""

    name = "oauth-clients"
    noun = _("clients")
    empty_text = _("No OAuth clients yet.")
    exportable = False
    columns = (
        Column("name", _("Name"), sort="name"),
        Column("client_id", _("Client ID"), template="app/integrations/cells/client_id.html"),
        Column("scopes", _("Scopes"), template="app/integrations/cells/scopes.html"),
        Column("created", _("Created"), kind=DATETIME, sort="created"),
        Column("grace", _("Previous secret"), template="app/integrations/cells/grace.html"),
        Column("actions", _("Actions"), template="app/integrations/cells/client_actions.html"),
    )


class OAuthGrantTable(Table):
    """Other organisations' integrations granted here; a withdraw button per grant."""

    name = "oauth-grants"
    noun = _("grants")
    empty_text = _("No integrations of other organisations.")
    exportable = False
    columns = (
        Column("client", _("Client"), accessor="application.name"),
        Column("client_id", _("Client ID"), template="app/integrations/cells/grant_client_id.html"),
        Column("of", _("Of"), accessor="application.organisation.name"),
        Column("scopes", _("Scopes"), template="app/integrations/cells/grant_scopes.html"),
        Column(
            "created_at",
            _("Granted"),
            kind=DATETIME,
            sort="created_at",
            detail=lambda g: g.granted_by.email if g.granted_by_id else "",
        ),
        Column("actions", _("Actions"), template="app/integrations/cells/grant_actions.html"),
    )


class AuthorisedAppTable(Table):
    """The apps acting for the signed-in member (``oauth_authorisation_list`` rows), a revoke
    button each; sorted in memory (one member's handful)."""

    name = "authorised-apps"
    noun = _("apps")
    empty_text = _("No apps act for you.")
    exportable = False
    default_sort = "app"
    columns = (
        Column("app", _("App"), accessor="application.name", sort=True),
        Column("of", _("Of"), accessor="application.organisation.name", sort=True),
        Column("scopes", _("Scopes"), template="app/integrations/cells/app_scopes.html"),
        Column("last_authorised_at", _("Last authorised"), kind=DATETIME, sort=True),
        Column("actions", _("Actions"), template="app/integrations/cells/app_actions.html"),
    )
