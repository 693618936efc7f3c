"""People and tenancy: who belongs to which organisation, and with what role.

Every tenant-owned row in every app subclasses :class:`TenantModel`, whose
default manager only hands out rows through ``for_organisation(org)`` and
``visible_to(actor)`` (DESIGN §3, STYLE §3).
"""

from __future__ import annotations

import zoneinfo
from decimal import Decimal
from typing import Self

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AbstractApplication, ApplicationManager

from trackyoursheets.api.scopes import SCOPES

from .choices import MembershipStatus, ProducerStatus, Role, WorkspaceStatus
from .plans import FEATURES, PlanCode, get_plan

__all__ = [
    "User",
    "Organisation",
    "TenantQuerySet",
    "TenantModel",
    "Office",
    "Membership",
    "Workspace",
    "WorkspaceAgent",
    "Producer",
    "OAuthApplication",
    "IdempotencyRecord",
    "OAuthClientSecret",
    "OAuthApplicationGrant",
    "ApiToken",
    "ImpersonationToken",
    "AuditEvent",
    "Invitation",
    "StatusIncident",
]


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known IANA timezone."), params={"value": value})


currency_validator = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code, e.g. USD."))


# =============================================================================
# Users
# =============================================================================


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who can log in. Identified by email; may belong to several organisations."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False, help_text=_("Can log into the Django admin."))
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


# =============================================================================
# Organisation and the tenancy mechanism
# =============================================================================


def default_feature_toggles() -> dict:
    return {}


def default_rate_limit() -> int:
    return settings.API_DEFAULT_RATE_LIMIT_PER_MINUTE


class Organisation(models.Model):
    """A tenant. Its plan sets the seat, workspace and agent limits and the default features."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    plan = models.CharField(_("plan"), max_length=20, choices=PlanCode.choices, default=PlanCode.STARTER)
    feature_toggles = models.JSONField(
        _("feature toggles"),
        default=default_feature_toggles,
        blank=True,
        help_text=_('Overrides of the plan\'s features, e.g. {"webhooks": false}.'),
    )
    timezone = models.CharField(_("timezone"), max_length=64, default="UTC", validators=[validate_timezone])
    currency = models.CharField(_("currency"), max_length=3, default="USD", validators=[currency_validator])
    api_rate_limit_per_minute = models.PositiveIntegerField(
        _("API rate limit per minute"),
        default=default_rate_limit,
        validators=[MinValueValidator(1), MaxValueValidator(1_000_000)],
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if not isinstance(self.feature_toggles, dict):
            raise ValidationError({"feature_toggles": _("Must be an object of feature name to true/false.")})
        unknown = sorted(set(self.feature_toggles) - set(FEATURES))
        if unknown:
            raise ValidationError(
                {"feature_toggles": _("Unknown features: %(names)s.") % {"names": ", ".join(unknown)}}
            )
        if any(not isinstance(v, bool) for v in self.feature_toggles.values()):
            raise ValidationError({"feature_toggles": _("Every toggle must be true or false.")})

    @property
    def plan_details(self):
        return get_plan(self.plan)

    @property
    def features(self) -> dict[str, bool]:
        """Effective features: the plan's, then the organisation's toggles (never beyond the plan)."""
        included = self.plan_details.features
        return {name: (name in included) and bool(self.feature_toggles.get(name, True)) for name in FEATURES}

    def has_feature(self, name: str) -> bool:
        return self.features.get(name, False)


class TenantQuerySet(models.QuerySet):
    """Query vocabulary shared by every tenant-owned model."""

    def for_organisation(self, organisation: Organisation | int) -> Self:
        organisation_id = organisation if isinstance(organisation, int) else organisation.pk
        return self.filter(organisation_id=organisation_id)

    def visible_to(self, actor) -> Self:
        """Rows of the actor's organisation that the actor's role may see.

        The default lets anyone in the organisation see every row; models with
        row-level rules override :meth:`restrict_to`.
        """
        return self.for_organisation(actor.organisation).restrict_to(actor)

    def restrict_to(self, actor) -> Self:
        return self


class TenantModel(models.Model):
    """Abstract base for every row that belongs to one organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=True, verbose_name=_("organisation")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True

    def _check_same_organisation(self, **related) -> dict:
        """Errors for related rows that belong to another organisation."""
        errors = {}
        for field, obj in related.items():
            if obj is not None and obj.organisation_id != self.organisation_id:
                errors[field] = _("Not found in this organisation.")
        return errors


# =============================================================================
# Structure: offices, memberships, workspaces
# =============================================================================


class Office(TenantModel):
    """A physical or regional office; its timezone sets day boundaries for its people."""

    name = models.CharField(_("name"), max_length=200)
    timezone = models.CharField(_("timezone"), max_length=64, default="UTC", validators=[validate_timezone])
    address = models.TextField(_("address"), blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="organisations_office_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(TenantQuerySet):
    def active(self) -> MembershipQuerySet:
        return self.filter(status=MembershipStatus.ACTIVE)

    def restrict_to(self, actor) -> MembershipQuerySet:
        if actor.sees_whole_organisation or actor.role == Role.HR:
            return self
        if actor.role == Role.MANAGER and actor.membership.office_id:
            return self.filter(office_id=actor.membership.office_id)
        return self.filter(pk=actor.membership.pk if actor.membership else None)


class Membership(TenantModel):
    """A user's place in an organisation: their role and, for managers, their office."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.EMPLOYEE, db_index=True)
    office = models.ForeignKey(Office, on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships")
    status = models.CharField(
        _("status"), max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE, db_index=True
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="organisations_membership_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(office=self.office)
        if errors:
            raise ValidationError(errors)


class WorkspaceQuerySet(TenantQuerySet):
    def active(self) -> WorkspaceQuerySet:
        return self.filter(status=WorkspaceStatus.ACTIVE)

    def restrict_to(self, actor) -> WorkspaceQuerySet:
        if actor.sees_whole_organisation or actor.role == Role.HR:
            return self
        if actor.role == Role.MANAGER and actor.membership.office_id:
            return self.filter(office_id=actor.membership.office_id)
        if actor.impersonated_producer_id:
            # an impersonation (issue 3) sees the producer's workspace, and where their login is an agent;
            # a producer without a login has no membership, and membership=None would match by IS NULL
            seen = models.Q(producers__pk=actor.impersonated_producer_id)
            if actor.membership is not None:
                seen |= models.Q(agent_links__membership=actor.membership)
            return self.filter(seen).distinct()
        if actor.membership is None:
            return self.none()
        # producers and employees: the workspaces they work in
        return self.filter(
            models.Q(agent_links__membership=actor.membership) | models.Q(producers__membership=actor.membership)
        ).distinct()


class Workspace(TenantModel):
    """A team inside an office (an "agent pod"); its agents are members of the organisation."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="workspaces")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=WorkspaceStatus.choices, default=WorkspaceStatus.ACTIVE, db_index=True
    )
    agents = models.ManyToManyField(Membership, through="WorkspaceAgent", related_name="workspaces", blank=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="organisations_workspace_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(office=getattr(self, "office", None))
        if errors:
            raise ValidationError(errors)


class WorkspaceAgent(TenantModel):
    """An agent (a member) assigned to a workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="agent_links")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="workspace_links")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "membership"], name="organisations_workspaceagent_unique_membership"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership} in {self.workspace}"

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(
            workspace=getattr(self, "workspace", None), membership=getattr(self, "membership", None)
        )
        if errors:
            raise ValidationError(errors)


# =============================================================================
# Producers
# =============================================================================


class ProducerQuerySet(TenantQuerySet):
    def restrict_to(self, actor) -> ProducerQuerySet:
        if actor.sees_whole_organisation or actor.role == Role.HR:
            return self
        if actor.role == Role.MANAGER and actor.membership.office_id:
            return self.filter(workspace__office_id=actor.membership.office_id)
        if actor.impersonated_producer_id:
            return self.filter(pk=actor.impersonated_producer_id)
        return self.filter(membership=actor.membership) if actor.membership else self.none()


class Producer(TenantModel):
    """A commissionable person (an agent who sells policies). May exist without a login."""

    display_name = models.CharField(_("display name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    producer_code = models.CharField(
        _("producer code"), max_length=50, blank=True, help_text=_("The carrier-facing code; unique when set.")
    )
    default_split_percent = models.DecimalField(
        _("default split %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("100.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    portal_access = models.BooleanField(_("portal access"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ProducerStatus.choices, default=ProducerStatus.ACTIVE, db_index=True
    )
    workspace = models.ForeignKey(
        Workspace,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="producers",
        help_text=_("Primary workspace."),
    )
    membership = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="producers",
        help_text=_("The login behind this producer, if any."),
    )

    objects = ProducerQuerySet.as_manager()

    class Meta:
        ordering = ["display_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "producer_code"],
                condition=~models.Q(producer_code=""),
                name="organisations_producer_unique_producer_code",
                violation_error_message=_("A producer with this code already exists."),
            ),
            models.UniqueConstraint(
                fields=["organisation", "membership"],
                condition=models.Q(membership__isnull=False),
                name="organisations_producer_unique_membership",
                violation_error_message=_("This member is already linked to another producer."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(workspace=self.workspace, membership=self.membership)
        if errors:
            raise ValidationError(errors)


# =============================================================================
# OAuth clients
# =============================================================================


class OAuthApplicationManager(ApplicationManager.from_queryset(TenantQuerySet)):
    pass


class OAuthApplication(AbstractApplication):
    """An OAuth client that belongs to one organisation and may be granted a set of scopes.

    Swapped in for django-oauth-toolkit's Application from the first migration.
    The secret is hashed on save (DOT) and shown once.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="oauth_applications")
    scopes = models.TextField(
        _("granted scopes"), blank=True, help_text=_("Space-separated scopes this client may request.")
    )
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    rate_limit_per_minute = models.PositiveIntegerField(
        _("rate limit per minute"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("This client's own limit; empty uses API_CREDENTIAL_RATE_LIMIT_PER_MINUTE."),
    )

    objects = OAuthApplicationManager()

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"
        ordering = ["id"]
        verbose_name = _("OAuth application")
        verbose_name_plural = _("OAuth applications")

    def is_usable(self, request) -> bool:
        """DOT asks this when issuing and when accepting a token."""
        return self.organisation.is_active

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def clean(self) -> None:
        super().clean()
        unknown = sorted(self.scope_set - set(SCOPES))
        if unknown:
            raise ValidationError({"scopes": _("Unknown scopes: %(names)s.") % {"names": ", ".join(unknown)}})


# =============================================================================
# API platform records
# =============================================================================


class IdempotencyRecord(models.Model):
    """One ``Idempotency-Key`` of one credential: claimed before the request runs, then
    holding the response to replay for 24 hours (issue 3). The unique constraint is the lock:
    of twenty concurrent requests with one key exactly one inserts the row and runs."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    credential = models.CharField(_("credential"), max_length=100)
    key = models.CharField(_("idempotency key"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    state = models.CharField(max_length=20, choices=State.choices, default=State.IN_PROGRESS)
    locked_until = models.DateTimeField(_("in-flight lock expires"))
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["credential", "key"], name="organisations_idempotencyrecord_unique_credential_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.credential} {self.key}"


class OAuthClientSecret(models.Model):
    """A previous client secret still accepted during its rotation grace period (issue 3).

    The current secret lives (hashed) on the application; on rotation the old hash
    moves here with ``expires_at = now + 24 h``. django-oauth-toolkit has no grace
    period of its own, so our OAuth2 validator consults this table.
    """

    application = models.ForeignKey(OAuthApplication, on_delete=models.CASCADE, related_name="previous_secrets")
    secret_hash = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("OAuth client secret (in grace period)")
        verbose_name_plural = _("OAuth client secrets (in grace period)")

    def __str__(self) -> str:
        return f"previous secret of {self.application.client_id}"


class OAuthApplicationGrant(models.Model):
    """An extra organisation an OAuth client may act in (selected with x-trackyoursheets-organisation).

    The client's own organisation is always granted and needs no row.
    """

    application = models.ForeignKey(OAuthApplication, on_delete=models.CASCADE, related_name="grants")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="oauth_grants")
    granted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("OAuth organisation grant")
        verbose_name_plural = _("OAuth organisation grants")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "organisation"], name="organisations_oauthapplicationgrant_unique_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} -> {self.organisation}"

    def clean(self) -> None:
        super().clean()
        application = getattr(self, "application", None)
        if application is not None and application.organisation_id == self.organisation_id:
            raise ValidationError({"organisation": _("A client always acts in its own organisation.")})


class ApiTokenQuerySet(TenantQuerySet):
    def restrict_to(self, actor) -> ApiTokenQuerySet:
        if actor.impersonated_producer_id:
            return self.none()  # an impersonation never sees credentials
        if actor.sees_whole_organisation:
            # owners/admins, and organisation-wide OAuth clients (scopes integrations.*), see every token
            return self
        if actor.membership is None:
            return self.none()
        return self.filter(membership=actor.membership)


class ApiToken(TenantModel):
    """A personal API token for scripts: ``tys_`` + 32 random characters, shown once.

    Only a SHA-256 of the token is stored (it is high-entropy, so no slow hash is
    needed) plus its first characters for display. It acts as its member, limited
    further by its scopes.
    """

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, help_text=_("The first characters, for recognising it."))
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.TextField(_("scopes"), help_text=_("Space-separated."))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, db_index=True)
    rate_limit_per_minute = models.PositiveIntegerField(null=True, blank=True, validators=[MinValueValidator(1)])

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())


class ImpersonationToken(TenantModel):
    """A short-lived token (at most 15 minutes) that acts as one producer (issue 3).

    Minted by an OAuth client holding the ``impersonation`` scope; it dies with its
    parent access token and can never mint another impersonation.
    """

    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="impersonations")
    application = models.ForeignKey(OAuthApplication, on_delete=models.CASCADE, related_name="impersonations")
    parent_token_checksum = models.CharField(max_length=64, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=16)
    scopes = models.TextField()
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"act as {self.producer} via {self.application}"

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


class AuditEvent(TenantModel):
    """One change made through the API, GraphQL, the admin or a page: who, what, when (issue 3)."""

    class Source(models.TextChoices):
        API = "api", _("REST API")
        GRAPHQL = "graphql", _("GraphQL")
        ADMIN = "admin", _("Django admin")
        PAGE = "page", _("Page")
        SYSTEM = "system", _("System")

    source = models.CharField(max_length=20, choices=Source.choices, db_index=True)
    actor_user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_label = models.CharField(_("actor"), max_length=255)
    application = models.ForeignKey(
        OAuthApplication, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    api_token = models.ForeignKey(ApiToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    impersonated_producer = models.ForeignKey(
        Producer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    request_id = models.CharField(max_length=128, blank=True, db_index=True)
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=500, blank=True)
    action = models.CharField(max_length=100, blank=True, help_text=_("e.g. workspace.update"))
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.method} {self.path}"


# =============================================================================
# Invitations and the public status feed
# =============================================================================


class Invitation(TenantModel):
    """An emailed invitation to join an organisation (issue 4). The link carries a random token;
    only its SHA-256 is stored. Accepting it sets the person's password and activates the membership."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="invitation")
    email = models.EmailField(_("email"))
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"invitation of {self.email}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class StatusIncident(models.Model):
    """An entry of the public API status feed (``/api-status.xml``), edited by staff in the admin."""

    class Severity(models.TextChoices):
        INFO = "info", _("Information")
        DEGRADED = "degraded", _("Degraded performance")
        OUTAGE = "outage", _("Outage")
        MAINTENANCE = "maintenance", _("Planned maintenance")

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("what happened"), help_text=_("Plain text; shown escaped."))
    severity = models.CharField(max_length=20, choices=Severity.choices, default=Severity.INFO)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return self.title
