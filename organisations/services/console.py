"""Services of the admin console pages (issue 4 point 5, issue 3 point 2): organisation settings
and deleting OAuth clients.

The section at the end holds the few reads the console pages need that
``organisations/selectors.py`` does not have yet; they are reads, not services, and are
not exported from :mod:`organisations.services` (move them into ``selectors.py``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..actors import Actor
from ..audit import audit_change, summarise_changes
from ..models import OAuthApplication, Organisation
from ..plans import FEATURES
from .structure import currency_clean, require_role

__all__ = ["api_client_delete", "organisation_update_settings"]


def _settings_snapshot(organisation: Organisation) -> dict:
    return {
        "timezone": organisation.timezone,
        "currency": organisation.currency,
        "feature_toggles": dict(sorted(organisation.feature_toggles.items())),
    }


@transaction.atomic
def organisation_update_settings(
    *,
    actor: Actor,
    timezone: str | None = None,
    currency: str | None = None,
    feature_toggles: dict[str, bool] | None = None,
) -> Organisation:
    """Owners and admins set the organisation's timezone, currency and feature toggles.

    A toggle can switch a feature of the plan off and on again, never switch on one the
    plan does not include (``Organisation.features`` would ignore it anyway, so storing it
    would only mislead). Toggles not given keep their value. The change is validated with
    ``full_clean`` and audited (one row naming the changed fields; none when nothing changed).
    """
    require_role(actor)
    organisation = Organisation.objects.select_for_update().get(pk=actor.organisation.pk)
    before = _settings_snapshot(organisation)
    if timezone is not None:
        organisation.timezone = timezone.strip()
    if currency is not None:
        organisation.currency = currency_clean(currency)
    if feature_toggles is not None:
        included = organisation.plan_details.features
        outside = sorted(
            name for name, on in feature_toggles.items() if on is True and name in FEATURES and name not in included
        )
        if outside:
            raise ValidationError(
                {
                    "feature_toggles": _("Not included in the %(plan)s plan: %(names)s.")
                    % {"plan": organisation.plan_details.name, "names": ", ".join(outside)}
                }
            )
        organisation.feature_toggles = {**organisation.feature_toggles, **feature_toggles}
    organisation.full_clean()
    organisation.save()
    changes = summarise_changes(before, _settings_snapshot(organisation))
    if changes:
        audit_change(actor=actor, action="organisation.update_settings", obj=organisation, changes=changes)
    return organisation


@transaction.atomic
def api_client_delete(*, actor: Actor, application: OAuthApplication) -> None:
    """Delete one of the organisation's OAuth clients (owners and admins; issue 3 point 2).

    Everything it holds goes with it through the foreign keys: access and refresh tokens
    (so every token it issued stops working at once), secrets in their rotation grace,
    organisation grants and impersonation tokens. Audit rows keep their history
    (``application`` becomes empty, ``actor_label`` keeps the client id).
    """
    require_role(actor)
    if application.organisation_id != actor.organisation.pk:
        raise OAuthApplication.DoesNotExist()
    pk, name, client_id = application.pk, application.name, application.client_id
    application.delete()
    audit_change(
        actor=actor,
        action="oauth_client.delete",
        obj=application,
        object_id=pk,
        changes={"name": [name, None], "client_id": [client_id, None]},
    )
