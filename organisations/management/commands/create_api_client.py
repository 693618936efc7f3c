"""``manage.py create_api_client``: an OAuth client-credentials client for an organisation.

The secret is printed this once; only its hash is stored.
"""

from __future__ import annotations

import json
import re

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from organisations import services
from organisations.models import Organisation
from trackyoursheets.api.scopes import SCOPES


def _valid_scopes() -> str:
    return ", ".join(SCOPES)


class Command(BaseCommand):
    help = (
        "Create an OAuth 2.1 client-credentials client for an organisation and print its client_id and "
        "client_secret (the secret is shown only this once)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, metavar="SLUG", help="The organisation's slug.")
        parser.add_argument("--name", required=True, help='A name for the client, e.g. "Finance sync".')
        parser.add_argument(
            "--scopes",
            required=True,
            help=f'Space- or comma-separated scopes, e.g. "workspaces.read producers.read". Valid: {_valid_scopes()}.',
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **options):
        slug = options["organisation"].strip()
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"No organisation with the slug {slug!r}.")
        name = options["name"].strip()
        if not name:
            raise CommandError("--name must not be blank.")
        scopes = [s for s in re.split(r"[\s,]+", options["scopes"]) if s]
        if not scopes:
            raise CommandError(f"Give at least one scope. Valid scopes: {_valid_scopes()}.")
        unknown = [s for s in scopes if s not in SCOPES]
        if unknown:
            raise CommandError(f"Unknown scope(s): {', '.join(unknown)}. Valid scopes: {_valid_scopes()}.")

        try:
            created = services.api_client_create(organisation=organisation, name=name, scopes=scopes)
        except ValidationError as exc:
            raise CommandError(f"Could not create the client: {' '.join(exc.messages)}") from exc

        application = created.application
        facts = {
            "id": application.pk,
            "organisation": organisation.slug,
            "name": application.name,
            "client_id": application.client_id,
            "client_secret": created.client_secret,
            "scopes": sorted(application.scope_set),
        }
        if options["json"]:
            self.stdout.write(json.dumps(facts))
            return
        self.stdout.write(
            f"Created OAuth client {application.name!r} for {organisation.name} ({organisation.slug}).\n"
            f"  client_id      {facts['client_id']}\n"
            f"  client_secret  {facts['client_secret']}\n"
            f"  scopes         {' '.join(facts['scopes'])}\n"
            "Store the secret now: it is shown only this once (only its hash is kept).\n"
            "Get a token: POST /oauth/token with grant_type=client_credentials, client_id and client_secret."
        )
