"""HR documents: policy documents, their versions and per-version acknowledgements."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.choices import Role
from organisations.models import TenantModel, TenantQuerySet

from ..choices import (
    Audience,
    DocumentCategory,
)
from .access import sees_hr_portal
from .employees import Employee


def _actor_offices(actor) -> Q:
    """Offices the actor belongs to: their employee record's office, or their membership's."""
    office_ids = Employee.objects.filter(membership=actor.membership, office__isnull=False).values("office_id")
    query = Q(office_id__in=office_ids)
    if actor.membership.office_id:
        query |= Q(office_id=actor.membership.office_id)
    return query


class HRDocumentQuerySet(TenantQuerySet):
    def published(self):
        return self.filter(published_at__isnull=False, published_at__lte=timezone.now(), current_version__isnull=False)

    def restrict_to(self, actor):
        """HR portal roles: every document. Others: published documents whose audience they are in."""
        if sees_hr_portal(actor):
            return self
        if actor.membership is None:
            return self.none()
        links = HRDocument.audience_offices.through.objects.filter(hrdocument_id=OuterRef("pk"))
        in_audience = (
            Q(audience=Audience.EVERYONE)
            | (Q(audience=Audience.OFFICES) & Q(Exists(links.filter(_actor_offices(actor)))))
            | Q(audience=Audience.ROLES, audience_roles__contains=f",{actor.role},")
        )
        return self.published().filter(in_audience)


class HRDocument(TenantModel):
    """A policy document (handbook, code of conduct, ...) with its file versions.

    ``audience`` says who must read it: everyone, the people of ``audience_offices``, or the
    members whose role is in ``audience_roles``. It is visible to them from ``published_at``
    (none: a draft). A new version asks everyone to acknowledge again (acknowledgements are
    per version)."""

    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(
        _("category"), max_length=20, choices=DocumentCategory.choices, default=DocumentCategory.POLICY, db_index=True
    )
    summary = models.TextField(_("summary"), blank=True)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    audience_offices = models.ManyToManyField(
        "organisations.Office", blank=True, related_name="+", verbose_name=_("offices")
    )
    #: the roles of a role audience, stored as ",employee,producer," (so a lookup works on every database)
    audience_roles = models.CharField(_("roles"), max_length=200, blank=True)
    requires_acknowledgement = models.BooleanField(_("requires acknowledgement"), default=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    current_version = models.ForeignKey(
        "HRDocumentVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
    )
    created_by = models.ForeignKey(
        "organisations.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = HRDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("HR document")

    def __str__(self) -> str:
        return self.title

    @property
    def roles(self) -> list[str]:
        return [role for role in self.audience_roles.split(",") if role]

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and self.published_at <= timezone.now()

    def clean(self) -> None:
        super().clean()
        errors = {}
        unknown = [role for role in self.roles if role not in Role.values]
        if unknown:
            errors["audience_roles"] = _("Unknown roles: %(roles)s.") % {"roles": ", ".join(unknown)}
        if self.audience == Audience.ROLES and not self.roles:
            errors["audience_roles"] = _("Name at least one role for a role audience.")
        if self.audience != Audience.ROLES and self.roles:
            errors["audience_roles"] = _("Roles are only used with the roles audience.")
        if errors:
            raise ValidationError(errors)


class HRDocumentVersion(TenantModel):
    """One uploaded file of a document. The file lives under ``PRIVATE_FILES_ROOT`` (never
    web-served) at ``storage_path``; ``content_type`` is what its bytes are, not what its name
    claims. Numbers count up from 1 per document."""

    document = models.ForeignKey(HRDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    label = models.CharField(_("version"), max_length=50, help_text=_("As the document names it, e.g. 2025.1."))
    file_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    storage_path = models.CharField(_("storage path"), max_length=300)
    notes = models.TextField(_("what changed"), blank=True)
    uploaded_by = models.ForeignKey(
        "organisations.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["document_id", "-number"]
        verbose_name = _("HR document version")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="hr_hrdocumentversion_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.label}"

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(document=getattr(self, "document", None))
        if errors:
            raise ValidationError(errors)


class HRDocumentAcknowledgement(TenantModel):
    """An employee confirmed they read one version of a document (once per version)."""

    document = models.ForeignKey(HRDocument, on_delete=models.CASCADE, related_name="acknowledgements")
    version = models.ForeignKey(HRDocumentVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="acknowledgements")
    acknowledged_at = models.DateTimeField(_("acknowledged at"), default=timezone.now)

    class Meta:
        ordering = ["-acknowledged_at", "-id"]
        verbose_name = _("HR document acknowledgement")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "employee"],
                name="hr_hrdocumentacknowledgement_unique_version_employee",
                violation_error_message=_("This employee already acknowledged this version."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee} read {self.version}"

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(
            document=getattr(self, "document", None),
            version=getattr(self, "version", None),
            employee=getattr(self, "employee", None),
        )
        if getattr(self, "version", None) is not None and self.version.document_id != self.document_id:
            errors["version"] = _("Not a version of this document.")
        if errors:
            raise ValidationError(errors)
