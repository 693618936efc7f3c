"""The employee directory: employees (with the manager chain check) and their ids in other systems."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.choices import Role
from organisations.models import TenantModel, TenantQuerySet

from ..choices import (
    EmployeeStatus,
    EmploymentType,
    PayType,
)

#: how far up a manager chain the cycle check walks before giving up (a deeper chain is refused)
MAX_HIERARCHY_DEPTH = 200


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
