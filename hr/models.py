"""HR (issue 8): the employee directory, policy documents with versions and acknowledgements,
and confidential HR tickets (complaints) with internal notes.

Who sees what (DESIGN §3, reference §7.1 — the original let anyone read complaints and
every agent read salaries):

- employees: owners, admins and HR the whole directory, managers their office, everyone
  else their own record; pay type and rate only to HR, owners and admins
  (:func:`hr.policies.can_see_pay`);
- documents: HR, owners and admins all of them (drafts included); everyone else the
  published ones whose audience they are in;
- complaints: only the reporter (never for an anonymous ticket: its reporter is not
  stored), HR (except the person the ticket is about) and the assignee; organisation-wide
  integration credentials (OAuth clients granted ``hr.*``) route tickets and see them too.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.choices import Role
from organisations.models import TenantModel, TenantQuerySet

from .choices import (
    Audience,
    ComplaintCategory,
    ComplaintPriority,
    ComplaintStatus,
    DocumentCategory,
    EmployeeStatus,
    EmploymentType,
    PayType,
)
from .policies import can_see_hr_portal

__all__ = [
    "EmployeeStatus",
    "Employee",
    "EmployeeExternalId",
    "HRDocument",
    "HRDocumentVersion",
    "HRDocumentAcknowledgement",
    "Complaint",
    "ComplaintNote",
    "sees_hr_portal",
    "handles_complaints",
]

#: how far up a manager chain the cycle check walks before giving up (a deeper chain is refused)
MAX_HIERARCHY_DEPTH = 200


# =============================================================================
# Who may see what
# =============================================================================


def is_integration(actor) -> bool:
    """An organisation-wide credential with no person behind it (OAuth client, system job)."""
    return actor.membership is None and actor.sees_whole_organisation


def sees_hr_portal(actor) -> bool:
    """Owners, admins, HR and organisation-wide credentials (the rule: ``hr.policies.can_see_hr_portal``)."""
    return can_see_hr_portal(actor)


def handles_complaints(actor) -> bool:
    """HR people and integrations handle tickets; owners and admins do not read them by role."""
    return actor.role == Role.HR or is_integration(actor)


# =============================================================================
# Employees
# =============================================================================


class EmployeeQuerySet(TenantQuerySet):
    def restrict_to(self, actor):
        if actor.sees_whole_organisation or actor.role == Role.HR:
            return self
        if actor.role == Role.MANAGER and actor.membership.office_id:
            return self.filter(office_id=actor.membership.office_id)
        return self.filter(membership=actor.membership) if actor.membership else self.none()

    def current(self):
        """Not terminated: active or on leave."""
        return self.exclude(status=EmployeeStatus.TERMINATED)


class Employee(TenantModel):
    """A person in the directory (who tracks time, reads policies, files tickets); may or may
    not have a login. The employee number is unique per organisation when set; the manager
    chain never loops; terminated people are kept (terminate, never delete)."""

    employee_number = models.CharField(_("employee number"), max_length=50, blank=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True, db_index=True)
    office = models.ForeignKey(
        "organisations.Office", on_delete=models.SET_NULL, null=True, blank=True, related_name="employees"
    )
    membership = models.ForeignKey(
        "organisations.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="employees"
    )
    manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports", verbose_name=_("manager")
    )
    employment_type = models.CharField(
        _("employment type"), max_length=20, choices=EmploymentType.choices, default=EmploymentType.FULL_TIME
    )
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    termination_date = models.DateField(_("termination date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=EmployeeStatus.choices, default=EmployeeStatus.ACTIVE, db_index=True
    )
    pay_type = models.CharField(_("pay type"), max_length=20, choices=PayType.choices, blank=True)
    pay_rate = models.DecimalField(
        _("pay rate"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Per hour for hourly pay, per year for a salary, in the organisation's currency."),
    )
    emergency_contact_name = models.CharField(_("emergency contact name"), max_length=200, blank=True)
    emergency_contact_phone = models.CharField(_("emergency contact phone"), max_length=50, blank=True)
    emergency_contact_relationship = models.CharField(_("emergency contact relationship"), max_length=100, blank=True)

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "membership"],
                condition=models.Q(membership__isnull=False),
                name="hr_employee_unique_membership",
            ),
            models.UniqueConstraint(
                fields=["organisation", "employee_number"],
                condition=~models.Q(employee_number=""),
                name="hr_employee_unique_employee_number",
                violation_error_message=_("An employee with this employee number already exists."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def display_name(self) -> str:
        return f"{self.preferred_name or self.first_name} {self.last_name}".strip()

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(office=self.office, membership=self.membership, manager=self.manager)
        if self.manager_id is not None and "manager" not in errors:
            problem = manager_chain_problem(self, self.manager)
            if problem:
                errors["manager"] = problem
        if self.termination_date and self.hire_date and self.termination_date < self.hire_date:
            errors["termination_date"] = _("Cannot be before the hire date.")
        if self.pay_rate is not None and not self.pay_type:
            errors["pay_type"] = _("Say whether the rate is hourly or a salary.")
        if errors:
            raise ValidationError(errors)


def manager_chain_problem(employee: Employee, manager: Employee | None) -> str | None:
    """Why ``manager`` cannot manage ``employee`` (a cycle, or a chain too deep), or None."""
    if manager is None:
        return None
    if employee.pk is not None and manager.pk == employee.pk:
        return _("An employee cannot be their own manager.")
    seen, current_id = set(), manager.manager_id
    chain = dict(
        Employee.objects.filter(organisation_id=manager.organisation_id, manager__isnull=False).values_list(
            "pk", "manager_id"
        )
    )
    for _step in range(MAX_HIERARCHY_DEPTH):
        if current_id is None:
            return None
        if employee.pk is not None and current_id == employee.pk:
            return _("This manager reports (directly or indirectly) to this employee: that would make a loop.")
        if current_id in seen:
            return None  # an existing loop elsewhere is not this change's doing
        seen.add(current_id)
        current_id = chain.get(current_id)
    return _("The management chain is too deep.")


class EmployeeExternalId(TenantModel):
    """An employee's id in another system (``source`` e.g. ``tracktik`` or ``custom``): directory
    sync upserts by it. One employee per (source, external id) in an organisation."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="external_ids")
    source = models.SlugField(_("source"), max_length=50)
    external_id = models.CharField(_("external id"), max_length=100)

    class Meta:
        ordering = ["source", "external_id", "id"]
        verbose_name = _("employee external id")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "source", "external_id"],
                name="hr_employeeexternalid_unique_source_external_id",
                violation_error_message=_("Another employee already has this external id."),
            ),
            models.UniqueConstraint(
                fields=["employee", "source"],
                name="hr_employeeexternalid_unique_employee_source",
                violation_error_message=_("This employee already has an id from this source."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(employee=getattr(self, "employee", None))
        if errors:
            raise ValidationError(errors)


# =============================================================================
# Documents, versions, acknowledgements
# =============================================================================


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


# =============================================================================
# Complaints (HR tickets)
# =============================================================================


class ComplaintQuerySet(TenantQuerySet):
    def restrict_to(self, actor):
        """The reporter, the assignee, HR (unless the ticket is about them) and integrations."""
        if is_integration(actor):
            return self
        if actor.membership is None or actor.impersonated_producer_id:
            return self.none()
        seen = Q(reporter=actor.membership) | Q(assignee=actor.membership)
        if actor.role == Role.HR:
            seen |= ~Q(about_employee__membership=actor.membership) | Q(about_employee__isnull=True)
        return self.filter(seen)


class Complaint(TenantModel):
    """A confidential HR ticket. An anonymous ticket stores no reporter at all: its reporter
    follows it with the private token they were given (only its hash is kept)."""

    reporter = models.ForeignKey(
        "organisations.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reporter"),
    )
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    follow_token_hash = models.CharField(_("follow token hash"), max_length=64, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=200)
    category = models.CharField(
        _("category"), max_length=20, choices=ComplaintCategory.choices, default=ComplaintCategory.OTHER
    )
    priority = models.CharField(
        _("priority"),
        max_length=10,
        choices=ComplaintPriority.choices,
        default=ComplaintPriority.NORMAL,
        db_index=True,
    )
    description = models.TextField(_("description"))
    about_employee = models.ForeignKey(
        Employee,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("about"),
        help_text=_("The person the ticket is about; never its assignee."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN, db_index=True
    )
    assignee = models.ForeignKey(
        "organisations.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("HR ticket")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_anonymous=False) | Q(reporter__isnull=True),
                name="hr_complaint_anonymous_has_no_reporter",
                violation_error_message=_("An anonymous ticket never records its reporter."),
            ),
        ]

    def __str__(self) -> str:
        return f"HR-{self.pk}"

    @property
    def reference(self) -> str:
        return f"HR-{self.pk}"

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(
            reporter=self.reporter, assignee=self.assignee, about_employee=self.about_employee
        )
        if (
            self.assignee_id
            and self.about_employee_id
            and self.about_employee is not None
            and self.about_employee.membership_id == self.assignee_id
        ):
            errors["assignee"] = _("A ticket is never assigned to the person it is about.")
        if errors:
            raise ValidationError(errors)


class ComplaintNote(TenantModel):
    """An internal note on a ticket: HR and the assignee read it, the reporter never does."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        "organisations.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_label = models.CharField(_("author"), max_length=255, blank=True)
    body = models.TextField(_("note"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("HR ticket note")

    def __str__(self) -> str:
        return f"Note on HR-{self.complaint_id}"

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(complaint=getattr(self, "complaint", None), author=self.author)
        if errors:
            raise ValidationError(errors)
