"""Owners and admins grant an integration client their organisation (issue 13 point 12).

A multi-tenant integration (a client of another organisation) may act in ours once an owner
or admin of ours grants it, through ``/v1/integration-grants`` or the Integrations page;
before issue 13 only platform staff could, in the Django admin. The client is named by its
public ``client_id``; the grant itself is :func:`.credentials.oauth_client_grant_organisation`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from trackyoursheets.exceptions import NotPermitted

from ..actors import Actor
from ..choices import OWNER_ADMIN
from ..models import OAuthApplication, OAuthApplicationGrant
from .credentials import PERSON_KINDS, oauth_client_grant_organisation, oauth_client_revoke_organisation


def oauth_grant_require_manager(*, actor: Actor) -> None:
    """Grants are given and withdrawn by owner and admin people (a session or their personal token)."""
    if actor.kind not in PERSON_KINDS | {"system"} or actor.impersonation is not None:
        raise NotPermitted(_("Only an owner or admin person can grant or withdraw a client's access."))
    if actor.kind != "system" and actor.role not in OWNER_ADMIN:
        raise NotPermitted(_("Only owners and admins can grant or withdraw a client's access."))


@transaction.atomic
def oauth_grant_create(*, actor: Actor, client_id: str) -> OAuthApplicationGrant:
    """Let the client with ``client_id`` (of another, active organisation) act in ``actor.organisation``.

    Granting twice returns the existing grant; the organisation's own clients need no grant.
    """
    oauth_grant_require_manager(actor=actor)
    application = OAuthApplication.objects.select_related("organisation").filter(client_id=client_id.strip()).first()
    if application is None or not application.organisation.is_active:
        raise ValidationError({"client_id": _("No OAuth client has this client ID.")})
    if application.organisation_id == actor.organisation.pk:
        raise ValidationError({"client_id": _("This is one of your own clients: it always acts here.")})
    return oauth_client_grant_organisation(actor=actor, application=application)


@transaction.atomic
def oauth_grant_withdraw(*, actor: Actor, grant: OAuthApplicationGrant) -> int:
    """The client stops acting in ``actor.organisation`` at once (its tokens for it fail)."""
    oauth_grant_require_manager(actor=actor)
    if grant.organisation_id != actor.organisation.pk:
        raise OAuthApplicationGrant.DoesNotExist()
    return oauth_client_revoke_organisation(actor=actor, application=grant.application, organisation=grant.organisation)
