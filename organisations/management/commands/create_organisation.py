"""``manage.py create_organisation``: a new tenant and its owner, for operators and scripts."""

from __future__ import annotations

import json

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.text import slugify

from organisations import services
from organisations.models import Organisation, User
from organisations.plans import PLANS, PlanCode
from trackyoursheets.exceptions import DomainError


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = "Create an organisation with its owner. Prints id, slug and name (--json for scripts)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The organisation's name.")
        parser.add_argument("--owner-email", required=True, help="The owner's email (their login).")
        parser.add_argument(
            "--owner-password",
            help="The owner's password (checked by the password validators). "
            "Not needed, and not changed, when the owner already has a login.",
        )
        parser.add_argument(
            "--plan", default=PlanCode.STARTER.value, help=f"One of: {', '.join(PLANS)} (default starter)."
        )
        parser.add_argument(
            "--rate-limit",
            type=int,
            help="API requests per minute for the whole organisation (default: API_DEFAULT_RATE_LIMIT_PER_MINUTE).",
        )
        parser.add_argument("--json", action="store_true", help='Print {"id", "slug", "name"} as JSON.')

    def handle(self, *args, **options):
        name = options["name"].strip()
        email = User.objects.normalize_email(options["owner_email"].strip()).lower()
        password = options["owner_password"]
        plan = options["plan"]
        if not name:
            raise CommandError("--name must not be blank.")
        if plan not in PLANS:
            raise CommandError(f"Unknown plan {plan!r}. Choose one of: {', '.join(PLANS)}.")
        duplicate = Organisation.objects.filter(Q(name__iexact=name) | Q(slug=slugify(name))).first()
        if duplicate is not None:
            raise CommandError(
                f"An organisation with this name already exists: {duplicate.name!r} (id {duplicate.pk}, "
                f"slug {duplicate.slug})."
            )
        existing_owner = User.objects.filter(email__iexact=email).exists()
        if not existing_owner:
            if not password:
                raise CommandError("--owner-password is required: there is no user with this email yet.")
            try:
                password_validation.validate_password(password, user=User(email=email))
            except ValidationError as exc:
                raise CommandError(f"The owner password is too weak: {' '.join(exc.messages)}") from exc
        elif password:
            self.stderr.write(f"{email} already has a login; their password is left unchanged.")

        try:
            created = services.organisation_create(
                name=name,
                owner_email=email,
                owner_password=password,
                plan=plan,
                rate_limit_per_minute=options["rate_limit"],
            )
        except ValidationError as exc:
            raise CommandError(f"Could not create the organisation: {_messages(exc)}") from exc
        except DomainError as exc:
            raise CommandError(f"Could not create the organisation: {exc.detail}") from exc

        organisation = created.organisation
        if options["json"]:
            self.stdout.write(json.dumps({"id": organisation.pk, "slug": organisation.slug, "name": organisation.name}))
            return
        self.stdout.write(
            f"Created organisation {organisation.pk} {organisation.name!r} (slug {organisation.slug}, "
            f"plan {organisation.plan}, {organisation.api_rate_limit_per_minute} API requests/minute); "
            f"owner {created.owner.email}."
        )
