"""An organisation's structure: offices, memberships, workspaces and their agents, producers, invitations."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import MembershipStatus, ProducerStatus, Role, WorkspaceStatus
from .tenancy import TenantModel, TenantQuerySet, User, validate_timezone


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
    timezone = models.CharField(
        _("timezone"),
        max_length=64,
        blank=True,
        default="",
        validators=[validate_timezone],
        help_text=_("The zone pages show this member's times in; empty: their office's (else the organisation's)."),
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="organisations_membership_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def zone_name(self) -> str:
        """The member's timezone (issue 14 point 3): their own choice, else their office's, else
        the organisation's."""
        if self.timezone:
            return self.timezone
        if self.office_id is not None and self.office is not None:
            return self.office.timezone
        return self.organisation.timezone or "UTC"

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
