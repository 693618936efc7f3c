"""The organisation's TrackTik connection: settings with encrypted secrets, and the test."""

from __future__ import annotations

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from integrations import crypto
from organisations.actors import Actor
from organisations.audit import audit_change
from trackyoursheets.exceptions import Conflict, NotPermitted

from ..client import RetryPolicy, TracktikClient, TracktikError
from ..models import TracktikConnection

#: what ``connection_update`` may set besides the two secrets
FIELDS = (
    "base_url",
    "client_id",
    "username",
    "enabled",
    "sync_interval_minutes",
    "trust_approval",
    "lookback_days",
    "sync_from",
)
SECRETS = {"client_secret": "client_secret_encrypted", "password": "password_encrypted"}


def require_admin(actor: Actor) -> None:
    """Owners, admins and integrations manage the connection and its syncs, when the
    organisation's plan and settings include the ``tracktik`` feature."""
    if actor.kind == "impersonation" or not actor.sees_whole_organisation:
        raise NotPermitted(_("Only owners and admins can manage the TrackTik connection."))
    if not actor.organisation.has_feature("tracktik"):
        raise NotPermitted(_("Your organisation's plan or settings do not include the TrackTik connector."))


def connection_for(organisation) -> TracktikConnection:
    """The organisation's connection (unsaved and empty when it has none yet)."""
    return TracktikConnection.objects.for_organisation(organisation).first() or TracktikConnection(
        organisation=organisation
    )


@transaction.atomic
def connection_update(*, actor: Actor, data: dict) -> TracktikConnection:
    """Change the connection; a secret given is encrypted before it is stored, an empty one
    clears it, one not given (or null) stays. Saves only when something changed (an unchanged
    form changes nothing); the audit row says a secret changed, never its value."""
    require_admin(actor)
    connection = connection_for(actor.organisation)
    changes: dict[str, list] = {}
    for key in FIELDS:
        if key not in data:
            continue
        value = data[key]
        if key == "base_url":
            value = (value or "").rstrip("/")
        if getattr(connection, key) != value:
            changes[key] = [str(getattr(connection, key)), str(value)]
            setattr(connection, key, value)
    for given, column in SECRETS.items():
        value = data.get(given)
        if value is None:
            continue
        stored = getattr(connection, column)
        if (not value and stored) or (value and (not stored or crypto.decrypt(stored) != value)):
            setattr(connection, column, crypto.encrypt(value) if value else "")
            changes[given] = ["…", "…"]
    if connection.enabled and not (connection.base_url and connection.client_id and connection.username):
        raise ValidationError({"enabled": [_("Give the base URL, client id and username before enabling.")]})
    if connection.pk is not None and not changes:
        return connection
    connection.full_clean()
    connection.save()
    audit_change(actor=actor, action="tracktik.connection.update", obj=connection, changes=changes)
    return connection


def client_for(connection: TracktikConnection) -> TracktikClient:
    """A client with the connection's decrypted credentials and the configured timeouts/retries."""
    if not (connection.base_url and connection.client_id and connection.username):
        raise Conflict(_("The TrackTik connection is not configured yet."), code="tracktik_not_configured")
    return TracktikClient(
        base_url=connection.base_url,
        client_id=connection.client_id,
        client_secret=crypto.decrypt(connection.client_secret_encrypted) if connection.client_secret_encrypted else "",
        username=connection.username,
        password=crypto.decrypt(connection.password_encrypted) if connection.password_encrypted else "",
        timeout=httpx.Timeout(settings.TRACKTIK_TIMEOUT_SECONDS, connect=min(5.0, settings.TRACKTIK_TIMEOUT_SECONDS)),
        retry=RetryPolicy(
            attempts=settings.TRACKTIK_RETRY_ATTEMPTS,
            backoff_base=settings.TRACKTIK_BACKOFF_BASE_SECONDS,
            max_wait=settings.TRACKTIK_MAX_WAIT_SECONDS,
        ),
    )


def connection_test(*, actor: Actor) -> dict:
    """Authenticate and read one page of employees: ``{"ok": true, "employees": n}`` or
    ``{"ok": false, "detail": why}`` (never the credentials)."""
    require_admin(actor)
    connection = connection_for(actor.organisation)
    client = client_for(connection)
    try:
        with client:
            found = client.test()
    except TracktikError as exc:
        return {"ok": False, "detail": str(exc)}
    return {"ok": True, "detail": _("Connected."), **found}
