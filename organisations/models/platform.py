"""API platform records: OAuth clients and their secrets and grants, personal and impersonation
tokens, idempotency keys, the audit trail, the public status feed."""

from __future__ import annotations

import ipaddress

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AbstractApplication, ApplicationManager

from trackyoursheets.api.scopes import SCOPES

from .structure import Membership, Producer
from .tenancy import Organisation, TenantModel, TenantQuerySet, User


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


#: at most this many entries in a personal token's IP allowlist
IP_ALLOWLIST_MAX = 50


def ip_allowlist_parse(entries) -> list[str]:
    """Normalise an IP allowlist: exact IPv4/IPv6 addresses and CIDR ranges (issue 13 point 7).

    Raises ``ValidationError`` naming every entry that is neither (a range with host bits
    set, ``10.0.0.5/24``, is refused: write ``10.0.0.0/24``). Duplicates collapse; order is kept.
    """
    if entries is None:
        return []
    if not isinstance(entries, list | tuple) or not all(isinstance(e, str) for e in entries):
        raise ValidationError(_("Give a list of IP addresses and CIDR ranges."))
    if len(entries) > IP_ALLOWLIST_MAX:
        raise ValidationError(_("At most %(max)s entries.") % {"max": IP_ALLOWLIST_MAX})
    normalised: list[str] = []
    invalid: list[str] = []
    for entry in entries:
        text = entry.strip()
        try:
            value = str(ipaddress.ip_network(text, strict=True)) if "/" in text else str(ipaddress.ip_address(text))
        except ValueError:
            invalid.append(text[:60])
            continue
        if value not in normalised:
            normalised.append(value)
    if invalid:
        raise ValidationError(
            _("Not an IP address or CIDR range: %(entries)s.") % {"entries": ", ".join(invalid)}, code="invalid"
        )
    return normalised


def ip_allowlist_allows(entries: list[str], address: str) -> bool:
    """Whether ``address`` is in the allowlist (an empty list allows every address)."""
    if not entries:
        return True
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in ipaddress.ip_network(entry) for entry in entries)


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
    allowed_ips = models.JSONField(
        _("allowed IP addresses"),
        default=list,
        blank=True,
        help_text=_("Exact IPv4/IPv6 addresses and CIDR ranges the token may be used from; empty: anywhere."),
    )

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

    def clean(self) -> None:
        super().clean()
        try:
            self.allowed_ips = ip_allowlist_parse(self.allowed_ips)
        except ValidationError as error:
            raise ValidationError({"allowed_ips": error.messages}) from error

    def allows_address(self, address: str) -> bool:
        return ip_allowlist_allows(self.allowed_ips, address)


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
