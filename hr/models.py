"""HR: the people on the roster. Later issues extend :class:`Employee` into the directory."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import Membership, Office, TenantModel, TenantQuerySet


class EmployeeStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    TERMINATED = "terminated", _("Terminated")


class EmployeeQuerySet(TenantQuerySet):
    def restrict_to(self, actor):
        from organisations.choices import Role

        if actor.sees_whole_organisation or actor.role == Role.HR:
            return self
        if actor.role == Role.MANAGER and actor.membership.office_id:
            return self.filter(office_id=actor.membership.office_id)
        return self.filter(membership=actor.membership) if actor.membership else self.none()


class Employee(TenantModel):
    """A person on the roster (who tracks time, takes leave); may or may not have a login."""

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    office = models.ForeignKey(Office, on_delete=models.SET_NULL, null=True, blank=True, related_name="employees")
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="employees"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=EmployeeStatus.choices, default=EmployeeStatus.ACTIVE, db_index=True
    )

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "membership"],
                condition=models.Q(membership__isnull=False),
                name="hr_employee_unique_membership",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self) -> None:
        super().clean()
        errors = self._check_same_organisation(office=self.office, membership=self.membership)
        if errors:
            raise ValidationError(errors)
