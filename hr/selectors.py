"""Reads of the hr app, scoped to the actor's organisation and role (DESIGN §3; the rules
are in hr/models/): the directory, documents and their acknowledgement coverage, tickets,
the onboarding checklist and the HR dashboard.
"""

from __future__ import annotations

import datetime
import hashlib
import zoneinfo
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.actors import Actor
from organisations.choices import MembershipStatus
from organisations.models import WorkspaceAgent
from trackyoursheets.api.filters import apply_filterset
from trackyoursheets.exceptions import NotPermitted

from .choices import OPEN_COMPLAINT_STATUSES, Audience, ComplaintPriority, ComplaintStatus, EmployeeStatus, PayType
from .filters import ComplaintFilterSet, EmployeeFilterSet, HRDocumentFilterSet
from .leave_selectors import (  # noqa: F401 - re-exported: other apps call them as hr.selectors.<name>
    ApprovedLeaveDay,
    HolidayDay,
    approved_leave_hours,
    holidays_between,
    leave_requests_to_decide,
    leave_type_list,
    work_schedule_for,
    work_schedules_for,
)
from .models import (
    Complaint,
    ComplaintNote,
    Employee,
    EmployeeExternalId,
    EmployeeQuerySet,
    HRDocument,
    HRDocumentAcknowledgement,
    HRDocumentVersion,
    handles_complaints,
    sees_hr_portal,
)
from .onboarding import ONBOARDING_CHECKS, PROFILE_FIELDS, Onboarding

#: an employee counts as new (onboarding) this many days after their hire date (or record creation)
ONBOARDING_DAYS = 90


# =============================================================================
# Employees
# =============================================================================


def employee_list(*, actor: Actor, filters: dict | None = None) -> EmployeeQuerySet:
    """The directory the actor may see (HR, owners, admins: all; managers: their office;
    others: themselves), with office, manager, login and external ids loaded."""

    qs = (
        Employee.objects.visible_to(actor)
        .select_related("office", "manager", "membership__user")
        .prefetch_related(Prefetch("external_ids", queryset=EmployeeExternalId.objects.order_by("source")))
        .order_by("last_name", "first_name", "id")
    )
    return apply_filterset(EmployeeFilterSet, filters, qs) if filters else qs


def employee_get(*, actor: Actor, pk: int) -> Employee:
    return employee_list(actor=actor).get(pk=pk)


def employee_for_actor(*, actor: Actor) -> Employee | None:
    """The employee record behind the person of the credential or session, if any."""
    if actor.membership is None or actor.impersonated_producer_id:
        return None
    return (
        Employee.objects.for_organisation(actor.organisation)
        .filter(membership=actor.membership)
        .select_related("office", "membership")
        .first()
    )


def employee_choices(*, actor: Actor) -> QuerySet[Employee]:
    """Names of the organisation's current employees, for "who is this about" on a report form
    (names only: every member may name a colleague, nobody reads their record through this)."""
    return (
        Employee.objects.for_organisation(actor.organisation)
        .current()
        .only("id", "first_name", "last_name", "preferred_name")
        .order_by("last_name", "first_name", "id")
    )


# -----------------------------------------------------------------------------
# For the apps above hr (timetracking, payroll): they read employees only through these,
# and apply their own visibility rules on top
# -----------------------------------------------------------------------------


def employee_queryset(*, organisation) -> QuerySet[Employee]:
    """Every employee of the organisation, unscoped by role (the caller scopes)."""
    return Employee.objects.for_organisation(organisation)


def employee_active_list(*, organisation) -> QuerySet[Employee]:
    """The organisation's active employees (not on leave, not terminated), offices loaded."""
    return employee_queryset(organisation=organisation).filter(status=EmployeeStatus.ACTIVE).select_related("office")


def employee_accrual_refusal(
    *, employee: Employee, start: datetime.datetime, end: datetime.datetime | None = None
) -> str | None:
    """Why time (later leave, expenses, pay) from ``start`` to ``end`` cannot be booked for
    ``employee`` (issue 13 point 4), or None: nothing after their termination date (the day
    counts, in their office's timezone), nothing at all for a terminated employee without a
    date or for a deactivated member."""
    name = employee.display_name or _("This employee")
    membership, office = employee.membership, employee.office
    if membership is not None and membership.status == MembershipStatus.DEACTIVATED:
        return _("%(name)s is a deactivated member: time cannot be booked.") % {"name": name}
    if employee.termination_date is None:
        if employee.status == EmployeeStatus.TERMINATED:
            return _("%(name)s has left: time cannot be booked.") % {"name": name}
        return None
    zone = zoneinfo.ZoneInfo(office.timezone if office is not None else employee.organisation.timezone)
    day_after = employee.termination_date + datetime.timedelta(days=1)
    boundary = datetime.datetime.combine(day_after, datetime.time(), tzinfo=zone)
    if start >= boundary or (end is not None and end > boundary):
        return _("%(name)s left on %(date)s: time after that date cannot be booked.") % {
            "name": name,
            "date": employee.termination_date.isoformat(),
        }
    return None


def employee_hourly_pay_rate(*, employee: Employee):
    """The HR record's hourly pay rate (None for a salary): timetracking's pay-rate fallback."""
    return employee.pay_rate if employee.pay_type == PayType.HOURLY else None


def employee_lock(*, employee: Employee, read: dict | None = None) -> dict | None:
    """Serialise writes about one employee: a PostgreSQL row lock held to the end of the caller's
    transaction (a no-op on SQLite, which has one writer anyway). ``read`` (name -> expression)
    is read in the same statement and returned: a statement saved (issue 13 point 14)."""
    locked = Employee.objects.select_for_update().filter(pk=employee.pk)
    row = locked.values(**read).first() if read else locked.values("pk").first()
    return dict(row) if read and row is not None else None


# =============================================================================
# Documents
# =============================================================================


def document_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[HRDocument]:
    """Documents the actor may see (HR portal roles: all, drafts included; others: published,
    in their audience), with the current version and audience offices loaded."""

    qs = (
        HRDocument.objects.visible_to(actor)
        .select_related("current_version")
        .prefetch_related("audience_offices")
        .order_by("title", "id")
    )
    return apply_filterset(HRDocumentFilterSet, filters, qs) if filters else qs


def document_get(*, actor: Actor, pk: int) -> HRDocument:
    return document_list(actor=actor).get(pk=pk)


def document_audience(*, document: HRDocument) -> QuerySet[Employee]:
    """Current (not terminated) employees the document is for."""
    qs = Employee.objects.for_organisation(document.organisation_id).current()
    if document.audience == Audience.OFFICES:
        office_ids = [office.pk for office in document.audience_offices.all()]
        qs = qs.filter(Q(office_id__in=office_ids) | Q(office__isnull=True, membership__office_id__in=office_ids))
    elif document.audience == Audience.ROLES:
        qs = qs.filter(membership__role__in=document.roles)
    return qs


def employee_in_audience(*, document: HRDocument, employee: Employee) -> bool:
    return document_audience(document=document).filter(pk=employee.pk).exists()


def acknowledgement_status_list(*, actor: Actor, document: HRDocument, state: str | None = None) -> QuerySet[Employee]:
    """The document's audience, each annotated with ``acknowledged_at`` of the current version
    (null: not yet); ``state`` ``acknowledged`` / ``pending`` keeps one half. HR portal roles only."""
    if not sees_hr_portal(actor):
        raise NotPermitted("Only HR, owners and admins see who has acknowledged a document.")
    acks = HRDocumentAcknowledgement.objects.filter(version_id=document.current_version_id, employee=OuterRef("pk"))
    qs = (
        document_audience(document=document)
        .select_related("office")
        .annotate(acknowledged_at=Subquery(acks.values("acknowledged_at")[:1]))
        .order_by("last_name", "first_name", "id")
    )
    if state == "acknowledged":
        qs = qs.filter(acknowledged_at__isnull=False)
    elif state == "pending":
        qs = qs.filter(acknowledged_at__isnull=True)
    return qs


@dataclass(frozen=True)
class Coverage:
    audience: int
    acknowledged: int

    @property
    def pending(self) -> int:
        return self.audience - self.acknowledged

    @property
    def percent(self) -> int:
        return round(100 * self.acknowledged / self.audience) if self.audience else 100


def document_coverage(*, document: HRDocument) -> Coverage:
    """How many of the audience acknowledged the current version."""
    audience = document_audience(document=document)
    acknowledged = audience.filter(
        Exists(
            HRDocumentAcknowledgement.objects.filter(version_id=document.current_version_id, employee=OuterRef("pk"))
        )
    ).count()
    return Coverage(audience=audience.count(), acknowledged=acknowledged)


@dataclass
class DocumentToRead:
    document: HRDocument
    acknowledged_at: datetime.datetime | None
    previous_version_acknowledged: bool = False


def documents_to_read(*, actor: Actor) -> list[DocumentToRead]:
    """ "Documents to read" for the person: published documents of their audience, with whether
    they acknowledged the current version (unacknowledged first)."""
    employee = employee_for_actor(actor=actor)
    docs = list(
        HRDocument.objects.for_organisation(actor.organisation)
        .published()
        .select_related("current_version")
        .prefetch_related("audience_offices")
        .order_by("title", "id")
    )
    if employee is None:
        return []
    audience_ids = {doc.pk for doc in docs if _is_for(doc, employee)}
    acks = {
        (row["document_id"], row["version_id"]): row["acknowledged_at"]
        for row in HRDocumentAcknowledgement.objects.filter(employee=employee).values(
            "document_id", "version_id", "acknowledged_at"
        )
    }
    acknowledged_docs = {doc_id for doc_id, _version in acks}
    rows = [
        DocumentToRead(
            document=doc,
            acknowledged_at=acks.get((doc.pk, doc.current_version_id)),
            previous_version_acknowledged=doc.pk in acknowledged_docs,
        )
        for doc in docs
        if doc.pk in audience_ids
    ]
    rows.sort(key=lambda row: (row.acknowledged_at is not None or not row.document.requires_acknowledgement,))
    return rows


def version_list(*, document: HRDocument) -> QuerySet[HRDocumentVersion]:
    return document.versions.select_related("uploaded_by").order_by("-number")


# =============================================================================
# Complaints
# =============================================================================


def complaint_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Complaint]:
    """Tickets the actor may see (reporter, assignee, HR unless it is about them, integrations),
    newest first, with people and internal notes loaded."""

    qs = (
        Complaint.objects.visible_to(actor)
        .select_related("reporter__user", "assignee__user", "about_employee")
        .prefetch_related(
            Prefetch(
                "notes", queryset=ComplaintNote.objects.select_related("author__user").order_by("created_at", "id")
            )
        )
        .order_by("-created_at", "-id")
    )
    return apply_filterset(ComplaintFilterSet, filters, qs) if filters else qs


def complaint_get(*, actor: Actor, pk: int) -> Complaint:
    return complaint_list(actor=actor).get(pk=pk)


def follow_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def complaint_for_token(*, actor: Actor, token: str) -> Complaint:
    """The ticket this private follow token belongs to, in the actor's organisation; a wrong
    token and another organisation's token are the same ``DoesNotExist``."""
    token = (token or "").strip()
    if len(token) < 20:
        raise Complaint.DoesNotExist("No ticket for this token.")
    return (
        Complaint.objects.for_organisation(actor.organisation)
        .select_related("about_employee")
        .get(follow_token_hash=follow_token_hash(token))
    )


def complaint_can_handle(*, actor: Actor, complaint: Complaint) -> bool:
    """HR (not the subject), integrations and the assignee act on a ticket and read its notes."""
    if actor.membership is not None and complaint.assignee_id == actor.membership.pk:
        return True
    if not handles_complaints(actor):
        return False
    about = complaint.about_employee
    return actor.membership is None or about is None or about.membership_id != actor.membership.pk


# =============================================================================
# Onboarding and the dashboard (the checks themselves: hr/onboarding.py)
# =============================================================================


def _required_documents(organisation_id: int) -> list[HRDocument]:
    return list(
        HRDocument.objects.for_organisation(organisation_id)
        .published()
        .filter(requires_acknowledgement=True)
        .prefetch_related("audience_offices")
    )


def _is_for(document: HRDocument, employee: Employee) -> bool:
    """The audience rule of :func:`document_audience`, in memory (for a page of employees)."""
    if employee.status == EmployeeStatus.TERMINATED:
        return False
    if document.audience == Audience.OFFICES:
        office_ids = {office.pk for office in document.audience_offices.all()}
        office_id = employee.office_id or (employee.membership.office_id if employee.membership else None)
        return office_id in office_ids
    if document.audience == Audience.ROLES:
        return employee.membership is not None and employee.membership.role in document.roles
    return True


def onboarding_for(*, employees: list[Employee], organisation_id: int) -> list[Onboarding]:
    """The five checks for each employee, in a constant number of queries."""
    documents = _required_documents(organisation_id)
    ids = [e.pk for e in employees]
    acknowledged = set(
        HRDocumentAcknowledgement.objects.filter(
            employee_id__in=ids, version_id__in=[d.current_version_id for d in documents]
        ).values_list("employee_id", "version_id")
    )
    unknown = [e.membership_id for e in employees if e.membership_id and not hasattr(e, "has_workspace")]
    with_workspace = (
        set(WorkspaceAgent.objects.filter(membership_id__in=unknown).values_list("membership_id", flat=True))
        if unknown
        else set()
    )
    result = []
    for employee in employees:
        membership = employee.membership
        user = membership.user if membership is not None else None
        required = [d for d in documents if _is_for(d, employee)]
        checks = {
            "account_active": bool(
                membership is not None
                and membership.status == MembershipStatus.ACTIVE
                and user is not None
                and user.is_active
            ),
            "first_login": bool(user is not None and user.last_login is not None),
            "documents_acknowledged": all((employee.pk, d.current_version_id) in acknowledged for d in required),
            "workspace_assigned": bool(
                getattr(employee, "has_workspace", False) or employee.membership_id in with_workspace
            ),
            "profile_complete": all(getattr(employee, name) for name in PROFILE_FIELDS),
        }
        result.append(Onboarding(employee=employee, checks=checks))
    return result


def onboarding_list(*, actor: Actor, filters: dict | None = None) -> QuerySet[Employee]:
    """New employees (hired, or added, in the last 90 days) who are not terminated; HR portal roles."""
    if not sees_hr_portal(actor):
        raise NotPermitted("Only HR, owners and admins see the onboarding tracker.")
    since = timezone.localdate() - datetime.timedelta(days=ONBOARDING_DAYS)
    return (
        employee_list(actor=actor, filters=filters)
        .current()
        .filter(Q(hire_date__gte=since) | Q(hire_date__isnull=True, created_at__date__gte=since))
        .annotate(has_workspace=Exists(WorkspaceAgent.objects.filter(membership_id=OuterRef("membership_id"))))
    )


def onboarding_sorted(*, actor: Actor) -> list[Onboarding]:
    """The onboarding tracker for a page: least complete first."""
    rows = onboarding_for(employees=list(onboarding_list(actor=actor)), organisation_id=actor.organisation.pk)
    return sorted(rows, key=lambda row: (row.done, row.employee.last_name, row.employee.pk))


def hr_dashboard(*, actor: Actor) -> dict:
    """Headcount, open tickets by status and priority, acknowledgement coverage.

    Ticket numbers are counts only (no ticket is shown), so owners and admins see how busy
    HR is without reading a single ticket."""
    if not sees_hr_portal(actor):
        raise NotPermitted("Only HR, owners and admins see the HR dashboard.")
    organisation = actor.organisation
    employees = Employee.objects.for_organisation(organisation)
    by_status = dict(employees.values_list("status").annotate(n=Count("id")).order_by())
    headcount = {
        "total": by_status.get(EmployeeStatus.ACTIVE, 0) + by_status.get(EmployeeStatus.ON_LEAVE, 0),
        "active": by_status.get(EmployeeStatus.ACTIVE, 0),
        "on_leave": by_status.get(EmployeeStatus.ON_LEAVE, 0),
        "terminated": by_status.get(EmployeeStatus.TERMINATED, 0),
        "by_department": [
            {"department": row["department"] or "", "count": row["n"]}
            for row in employees.current().values("department").annotate(n=Count("id")).order_by("department")
        ],
        "by_office": [
            {"office_id": row["office_id"], "office": row["office__name"] or "", "count": row["n"]}
            for row in employees.current()
            .values("office_id", "office__name")
            .annotate(n=Count("id"))
            .order_by("office__name")
        ],
    }
    complaints = Complaint.objects.for_organisation(organisation)
    status_counts = dict(complaints.values_list("status").annotate(n=Count("id")).order_by())
    priority_counts = dict(
        complaints.filter(status__in=OPEN_COMPLAINT_STATUSES).values_list("priority").annotate(n=Count("id")).order_by()
    )
    tickets = {
        "by_status": {status: status_counts.get(status, 0) for status in ComplaintStatus.values},
        "open_by_priority": {priority: priority_counts.get(priority, 0) for priority in ComplaintPriority.values},
        "open": sum(status_counts.get(status, 0) for status in OPEN_COMPLAINT_STATUSES),
    }
    coverage = []
    for document in _required_documents(organisation.pk):
        numbers = document_coverage(document=document)
        coverage.append(
            {
                "document_id": document.pk,
                "title": document.title,
                "version": document.current_version.label if document.current_version else None,
                "audience": numbers.audience,
                "acknowledged": numbers.acknowledged,
                "percent": numbers.percent,
            }
        )
    onboarding = onboarding_for(employees=list(onboarding_list(actor=actor)), organisation_id=organisation.pk)
    return {
        "headcount": headcount,
        "tickets": tickets,
        "acknowledgement_coverage": coverage,
        "onboarding": {
            "new_employees": len(onboarding),
            "complete": sum(1 for row in onboarding if row.done == len(ONBOARDING_CHECKS)),
        },
    }


def employee_ids_for_source(*, organisation, source: str) -> dict[str, int]:
    """External id -> employee id of every employee linked to ``source`` (a directory sync's map)."""
    return dict(
        EmployeeExternalId.objects.for_organisation(organisation)
        .filter(source=source)
        .values_list("external_id", "employee_id")
    )
