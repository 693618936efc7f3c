"""``manage.py seed_demo``: a demo organisation to click through and call (issue 2).

Idempotent: every row is looked up before it is created, so running it again
gives the same organisations, members, workspaces, producers and clients. Each
run rotates the demo client's secret (only its hash is stored, so the previous
one cannot be printed again) and issues a fresh 60-minute bearer token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.crypto import get_random_string

from organisations import hooks, services
from organisations.actors import system_actor
from organisations.choices import ProducerStatus, Role
from organisations.demo import DEMO_DOMAIN, DEMO_SLUG, demo_email
from organisations.models import Membership, OAuthApplication, Office, Organisation, Producer, User, Workspace
from organisations.plans import PlanCode
from trackyoursheets.api.scopes import SCOPES
from trackyoursheets.exceptions import DomainError

# =============================================================================
# The demo data (documented in README.md; change both together)
# =============================================================================

DEMO_NAME = "Demo Insurance Agency"
#: Every demo login uses this password. It is public: never seed a reachable server.
DEMO_PASSWORD = "sheets-demo-2468"
OWNER_EMAIL = f"owner@{DEMO_DOMAIN}"
#: A Django staff superuser for /admin/, separate from the tenant's owner.
SUPERUSER_EMAIL = f"admin@{DEMO_DOMAIN}"
CLIENT_NAME = "Demo integration"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"

OFFICES = (
    {"name": "New York", "timezone": "America/New_York", "address": "120 Broadway, New York, NY 10271"},
    {"name": "London", "timezone": "Europe/London", "address": "1 Lime Street, London EC3M 7HA"},
)
#: (workspace, office)
WORKSPACES = (
    ("Personal Lines", "New York"),
    ("Commercial Lines", "New York"),
    ("London Brokerage", "London"),
)
#: (email local part, full name, role, office, workspaces the member is an agent of)
MEMBERS = (
    ("alice.admin", "Alice Admin", Role.ADMIN, None, ()),
    ("morgan.manager", "Morgan Manager", Role.MANAGER, "New York", ("Personal Lines", "Commercial Lines")),
    ("hana.hr", "Hana HR", Role.HR, "London", ()),
    ("pat.producer", "Pat Producer", Role.PRODUCER, "New York", ("Personal Lines",)),
    ("eli.employee", "Eli Employee", Role.EMPLOYEE, "London", ("London Brokerage",)),
    # a client contact; timetracking's demo data gives them a project (issue 15 point 4)
    ("vic.viewer", "Vic Viewer", Role.VIEWER, None, ()),
)
#: (producer code, display name, email local part, workspace, linked member, portal access, status)
PRODUCERS = (
    ("DEMO-001", "Pat Producer", "pat.producer", "Personal Lines", "pat.producer", True, ProducerStatus.ACTIVE),
    ("DEMO-002", "Chris Carter", "chris.carter", "Commercial Lines", None, False, ProducerStatus.ACTIVE),
    ("DEMO-003", "Sam Whitfield", "sam.whitfield", "London Brokerage", None, False, ProducerStatus.ACTIVE),
    ("DEMO-004", "Jordan Reyes", "jordan.reyes", "Personal Lines", None, False, ProducerStatus.INACTIVE),
)
# the HR roster, commissions and time tracking are each app's own demo data, registered in
# organisations.hooks from the app's apps.py (hr/demo.py, payroll/demo.py, timetracking/demo.py)


# =============================================================================
# Seeding (idempotent; services do every write they have a service for)
# =============================================================================


@dataclass(frozen=True)
class DemoSeeded:
    organisation: Organisation
    created: bool
    application: OAuthApplication
    client_secret: str
    access_token: str
    token_expires_at: object  # datetime


def _user(email: str, full_name: str) -> User:
    """The demo user with this email; created with the demo password on first run only."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)
    return user


def _superuser() -> User:
    """The operator's login for /admin/: staff and superuser, not a member of any organisation."""
    user = User.objects.filter(email__iexact=SUPERUSER_EMAIL).first()
    if user is None:
        return User.objects.create_superuser(SUPERUSER_EMAIL, DEMO_PASSWORD, full_name="Demo Administrator")
    if not (user.is_staff and user.is_superuser and user.is_active):
        user.is_staff = user.is_superuser = user.is_active = True
        user.save(update_fields=["is_staff", "is_superuser", "is_active"])
    return user


@transaction.atomic
def seed_demo() -> DemoSeeded:
    organisation = Organisation.objects.filter(slug=DEMO_SLUG).first()
    created = organisation is None
    if created:
        organisation = services.organisation_create(
            name=DEMO_NAME,
            slug=DEMO_SLUG,
            owner_email=OWNER_EMAIL,
            owner_password=DEMO_PASSWORD,
            plan=PlanCode.SCALE,
            timezone="America/New_York",
            currency="USD",
            head_office=OFFICES[0]["name"],
            head_office_address=OFFICES[0]["address"],
        ).organisation
    owner = User.objects.get(email__iexact=OWNER_EMAIL)
    actor = system_actor(organisation)

    offices = {}
    for spec in OFFICES:
        offices[spec["name"]] = Office.objects.for_organisation(organisation).filter(
            name=spec["name"]
        ).first() or services.office_create(actor=actor, **spec)

    workspaces = {}
    for name, office in WORKSPACES:
        workspaces[name] = Workspace.objects.for_organisation(organisation).filter(name=name).first() or (
            services.workspace_create(actor=actor, office=offices[office], name=name)
        )

    memberships = {}
    agents: dict[str, list[Membership]] = {name: [] for name, _office in WORKSPACES}
    for local_part, full_name, role, office, agent_of in MEMBERS:
        user = _user(demo_email(local_part), full_name)
        membership = Membership.objects.for_organisation(organisation).filter(user=user).first()
        if membership is None:
            membership = services.membership_add(
                organisation=organisation, user=user, role=role, office=offices[office] if office else None
            )
        memberships[local_part] = membership
        for workspace_name in agent_of:
            agents[workspace_name].append(membership)

    for workspace_name, members in agents.items():
        if members:  # already-assigned agents are left as they are
            services.workspace_assign_agents(actor=actor, workspace=workspaces[workspace_name], memberships=members)

    for code, display_name, local_part, workspace, member, portal_access, status in PRODUCERS:
        if not Producer.objects.for_organisation(organisation).filter(producer_code=code).exists():
            services.producer_create(
                actor=actor,
                display_name=display_name,
                email=demo_email(local_part),
                producer_code=code,
                default_split_percent=Decimal("80.00") if member else Decimal("70.00"),
                portal_access=portal_access,
                status=status,
                workspace=workspaces[workspace],
                membership=memberships[member] if member else None,
            )

    # each area's demo data (idempotent too), registered by the apps above in order: the HR roster,
    # directory, documents and a ticket; commissions; time tracking
    for entry in hooks.demo_seeds():
        entry.seed(organisation)

    _superuser()

    application, client_secret = _demo_client(organisation, owner)
    raw_token, access_token = services.access_token_issue(application=application)
    return DemoSeeded(
        organisation=organisation,
        created=created,
        application=application,
        client_secret=client_secret,
        access_token=raw_token,
        token_expires_at=access_token.expires,
    )


def _demo_client(organisation: Organisation, owner: User) -> tuple[OAuthApplication, str]:
    """The demo OAuth client with every scope; its secret is new on every run."""
    application = OAuthApplication.objects.for_organisation(organisation).filter(name=CLIENT_NAME).first()
    if application is None:
        created = services.api_client_create(
            organisation=organisation, name=CLIENT_NAME, scopes=list(SCOPES), created_by=owner
        )
        return created.application, created.client_secret
    secret = get_random_string(48)
    application.client_secret = secret  # DOT hashes it on save
    application.scopes = " ".join(sorted(SCOPES))  # the catalogue may have grown since the last run
    application.save()
    return application, secret


# =============================================================================
# The command
# =============================================================================


class Command(BaseCommand):
    help = (
        "Create (or refresh) the demo organisation 'demo' and print its URLs, logins, "
        "an OAuth client id/secret and a ready bearer token. Safe to run repeatedly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default=DEFAULT_BASE_URL,
            help=f"Where the server runs, for the printed URLs (default {DEFAULT_BASE_URL}).",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object instead of text.")

    def handle(self, *args, **options):
        try:
            seeded = seed_demo()
        except (ValidationError, DomainError) as exc:
            raise CommandError(f"Could not seed the demo organisation: {exc}") from exc
        facts = _facts(seeded, options["base_url"].rstrip("/"))
        if options["json"]:
            self.stdout.write(json.dumps(facts, indent=2))
        else:
            self.stdout.write(_text(facts))


def _facts(seeded: DemoSeeded, base: str) -> dict:
    organisation = seeded.organisation
    return {
        "created": seeded.created,
        "organisation": {
            "id": organisation.pk,
            "slug": organisation.slug,
            "name": organisation.name,
            "plan": organisation.plan,
        },
        "urls": {
            "app": f"{base}/",
            "api_docs": f"{base}/api/docs",
            "api_guide": f"{base}/api-guide",
            "graphql": f"{base}/graphql",
            "admin": f"{base}/admin/",
        },
        "owner": {"email": OWNER_EMAIL, "password": DEMO_PASSWORD},
        "superuser": {"email": SUPERUSER_EMAIL, "password": DEMO_PASSWORD},
        "members": [{"email": OWNER_EMAIL, "role": Role.OWNER.value}]
        + [{"email": demo_email(m[0]), "role": m[2].value} for m in MEMBERS],
        "client": {
            "name": seeded.application.name,
            "client_id": seeded.application.client_id,
            "client_secret": seeded.client_secret,
            "scopes": sorted(seeded.application.scope_set),
        },
        "access_token": seeded.access_token,
        "token_expires_at": seeded.token_expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "authorization": f"Bearer {seeded.access_token}",
    }


def _text(facts: dict) -> str:
    urls, client = facts["urls"], facts["client"]
    members = "\n".join(f"    {m['role']:<9} {m['email']}" for m in facts["members"])
    state = "created" if facts["created"] else "already there; refreshed"
    return f"""
TrackYourSheets demo ({state}): {facts["organisation"]["name"]} (slug {facts["organisation"]["slug"]}, \
plan {facts["organisation"]["plan"]})

  App         {urls["app"]}
  API docs    {urls["api_docs"]}
  API guide   {urls["api_guide"]}
  GraphQL     {urls["graphql"]}
  Admin       {urls["admin"]}

  Owner login       {facts["owner"]["email"]} / {facts["owner"]["password"]}
  Django admin      {facts["superuser"]["email"]} / {facts["superuser"]["password"]}  (staff superuser)
  Members (same password):
{members}

  OAuth client      "{client["name"]}" (every scope)
    client_id       {client["client_id"]}
    client_secret   {client["client_secret"]}
    (a new secret on every run: only its hash is stored)

  Access token (60 minutes, every scope, expires {facts["token_expires_at"]}):
Bearer {facts["access_token"]}

  Try: curl -H "Authorization: Bearer {facts["access_token"]}" {urls["app"]}v1/workspaces
"""
