"""Demo data of the hr app: ``seed(organisation)`` fills the directory of the demo
organisation's members, publishes a small handbook and files one ticket. Idempotent: every
row is looked up before it is created. Registered with ``organisations.hooks.register_demo_seed``
from ``apps.py``; ``manage.py seed_demo`` runs it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from organisations.actors import Actor, system_actor
from organisations.choices import MembershipStatus, Role
from organisations.demo import demo_email
from organisations.models import Membership, Office

from . import leave_demo, services
from .choices import PayType
from .models import Complaint, Employee, HRDocument

HANDBOOK_TITLE = "Employee handbook"
HANDBOOK = b"""Employee handbook (demo)

1. Be kind to colleagues and clients.
2. Record your time every day.
3. Report concerns to HR: anonymously if you prefer, from "Concerns" in the app.
"""
TICKET_SUBJECT = "Broken heating in the London office"
#: the roster seeded before the directory: (first name, last name, email local part, office, linked member)
EMPLOYEES = (
    ("Eli", "Employee", "eli.employee", "London", "eli.employee"),
    ("Hana", "HR", "hana.hr", "London", "hana.hr"),
    ("Riley", "Nguyen", "riley.nguyen", "New York", None),
    ("Taylor", "Brooks", "taylor.brooks", "New York", None),
)

#: job details by role for members without an employee record yet
JOBS = {
    Role.OWNER: ("Managing director", "Leadership", PayType.SALARY, Decimal("120000.00")),
    Role.ADMIN: ("Operations administrator", "Operations", PayType.SALARY, Decimal("65000.00")),
    Role.MANAGER: ("Sales manager", "Sales", PayType.SALARY, Decimal("80000.00")),
    Role.HR: ("HR partner", "People", PayType.SALARY, Decimal("60000.00")),
    Role.PRODUCER: ("Insurance producer", "Sales", PayType.SALARY, Decimal("45000.00")),
    Role.EMPLOYEE: ("Account assistant", "Operations", PayType.HOURLY, Decimal("22.50")),
}


def _roster(organisation) -> None:
    """Employees of the demo offices (two linked to members); created as they were by ``seed_demo``."""
    for first_name, last_name, local_part, office, member in EMPLOYEES:
        email = demo_email(local_part)
        if Employee.objects.for_organisation(organisation).filter(email=email).exists():
            continue
        membership = None
        if member:
            membership = (
                Membership.objects.for_organisation(organisation).filter(user__email__iexact=demo_email(member)).first()
            )
        employee = Employee(
            organisation=organisation,
            first_name=first_name,
            last_name=last_name,
            email=email,
            office=Office.objects.for_organisation(organisation).filter(name=office).first(),
            membership=membership,
        )
        employee.full_clean()
        employee.save()


@transaction.atomic
def seed(organisation) -> None:
    _roster(organisation)
    actor = system_actor(organisation)
    today = timezone.localdate()
    members = (
        Membership.objects.for_organisation(organisation)
        .filter(status=MembershipStatus.ACTIVE)
        .exclude(role=Role.VIEWER)  # project viewers are client contacts, not staff
        .select_related("user", "office")
    )
    for number, membership in enumerate(members.order_by("id"), start=1):
        employee = Employee.objects.for_organisation(organisation).filter(membership=membership).first()
        if employee is None:
            employee = (
                Employee.objects.for_organisation(organisation)
                .filter(membership__isnull=True, email__iexact=membership.user.email)
                .first()
            )
        title, department, pay_type, rate = JOBS[membership.role]
        details = {
            "job_title": title,
            "department": department,
            "pay_type": pay_type,
            "pay_rate": rate,
            "hire_date": today - datetime.timedelta(days=30 * number),
        }
        if employee is None:
            full_name = membership.user.full_name or membership.user.email.split("@")[0]
            first, _space, last = full_name.partition(" ")
            services.employee_create(
                actor=actor,
                first_name=first,
                last_name=last,
                email=membership.user.email,
                office=membership.office,
                membership=membership,
                employee_number=f"DEMO-E{number:03d}",
                **details,
            )
        elif not employee.job_title:
            changes = dict(details, membership=membership)
            if not employee.employee_number:
                changes["employee_number"] = f"DEMO-E{number:03d}"
            services.employee_update(actor=actor, employee=employee, data=changes)

    if not HRDocument.objects.for_organisation(organisation).filter(title=HANDBOOK_TITLE).exists():
        services.document_create(
            actor=actor,
            title=HANDBOOK_TITLE,
            file=SimpleUploadedFile("handbook.txt", HANDBOOK, content_type="text/plain"),
            version="2025.1",
            category="policy",
            summary="How we work together. Please read and acknowledge it.",
        )

    if not Complaint.objects.for_organisation(organisation).filter(subject=TICKET_SUBJECT).exists():
        reporter = members.filter(role=Role.EMPLOYEE).order_by("id").first()
        if reporter is not None:
            services.complaint_create(
                actor=Actor(organisation=organisation, user=reporter.user, membership=reporter, kind="system"),
                subject=TICKET_SUBJECT,
                description="The radiators on the second floor have not worked for a week.",
                category="safety",
                priority="normal",
            )

    leave_demo.seed(organisation)  # issue 16
