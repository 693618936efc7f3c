"""What onboarding checks for each employee (the HR dashboard and ``/v1/hr/onboarding``): the
checks, the profile fields that make a profile complete, and one employee's progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Employee


ONBOARDING_CHECKS = (
    ("account_active", "Account active"),
    ("first_login", "Logged in at least once"),
    ("documents_acknowledged", "Documents acknowledged"),
    ("workspace_assigned", "Workspace assigned"),
    ("profile_complete", "Profile complete"),
)
PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "job_title",
    "department",
    "hire_date",
    "emergency_contact_name",
    "emergency_contact_phone",
)


@dataclass
class Onboarding:
    employee: Employee
    checks: dict[str, bool] = field(default_factory=dict)

    @property
    def done(self) -> int:
        return sum(1 for value in self.checks.values() if value)

    @property
    def progress(self) -> int:
        return round(100 * self.done / len(ONBOARDING_CHECKS))

    @property
    def items(self) -> list[tuple[str, str, bool]]:
        return [(key, label, self.checks[key]) for key, label in ONBOARDING_CHECKS]
