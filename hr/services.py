"""Writes of the hr app (issue 8): the directory, documents and acknowledgements, HR tickets.

Every service is keyword-only, runs in one transaction, ``full_clean()``s what it saves and
records its outbox event in that same transaction (STYLE §2.2). Rules enforced here, once,
for REST, GraphQL, pages and the seed:

- HR, owners and admins (and integrations) edit the directory; a role change goes through
  ``organisations.services.member_update``, so nobody grants a role above their own;
- the manager chain never loops (``Employee.clean``);
- uploads are checked by content and stored privately (:mod:`trackyoursheets.storage`);
- an acknowledgement is per version and per employee; a new version asks again;
- an anonymous ticket never stores its reporter, and no event, audit row or payload about
  a ticket carries who filed it; a ticket is never assigned to the person it is about.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.outbox import record_event
from organisations.actors import Actor
from organisations.audit import audit_change, audit_snapshot
from organisations.choices import MembershipStatus, Role
from organisations.models import Membership, Office
from organisations.services import member_update
from trackyoursheets import storage
from trackyoursheets.db import model_update
from trackyoursheets.exceptions import Conflict, NotPermitted

from . import events
from .choices import COMPLAINT_TRANSITIONS, Audience, ComplaintStatus, EmployeeStatus
from .models import (
    Complaint,
    ComplaintNote,
    Employee,
    EmployeeExternalId,
    HRDocument,
    HRDocumentAcknowledgement,
    HRDocumentVersion,
    sees_hr_portal,
)
from .selectors import complaint_can_handle, employee_for_actor, employee_in_audience, follow_token_hash

__all__ = [
    "EMPLOYEE_FIELDS",
    "ComplaintCreated",
    "employee_create",
    "employee_update",
    "employee_terminate",
    "employee_upsert_many",
    "document_create",
    "document_update",
    "document_version_add",
    "document_acknowledge",
    "complaint_create",
    "complaint_update",
    "complaint_assign",
    "complaint_transition",
    "complaint_note_add",
    "complaint_require_handler",
]

#: what ``employee_create`` / ``employee_update`` may set (status changes to terminated go through terminate)
EMPLOYEE_FIELDS = frozenset(
    {
        "employee_number",
        "first_name",
        "last_name",
        "preferred_name",
        "email",
        "phone",
        "job_title",
        "department",
        "office",
        "membership",
        "manager",
        "employment_type",
        "hire_date",
        "termination_date",
        "status",
        "pay_type",
        "pay_rate",
        "emergency_contact_name",
        "emergency_contact_phone",
        "emergency_contact_relationship",
    }
)
STRIPPED = frozenset(
    {
        "employee_number",
        "first_name",
        "last_name",
        "preferred_name",
        "email",
        "phone",
        "job_title",
        "department",
        "emergency_contact_name",
        "emergency_contact_phone",
        "emergency_contact_relationship",
    }
)
#: bytes of randomness in an anonymous ticket's follow token
FOLLOW_TOKEN_BYTES = 24
MAX_UPSERT = 500


# =============================================================================
# Permission checks
# =============================================================================


def _require_hr_editor(actor: Actor) -> None:
    """HR, owners, admins and integrations edit the directory and documents."""
    if actor.impersonated_producer_id or not sees_hr_portal(actor):
        raise NotPermitted(_("Only HR, owners and admins can change HR records."))


def _save(obj) -> None:
    obj.full_clean()
    obj.save()


# =============================================================================
# Employees
# =============================================================================


#: pay is audited as changed, never with its values (issue 8 point 8)
PAY_FIELDS = ("pay_type", "pay_rate")
#: what the audit trail keeps of a ticket: never its text (subject, description, resolution)
COMPLAINT_AUDITED = ("category", "priority", "status", "about_employee", "assignee", "is_anonymous")


def _masked(changes: dict) -> dict:
    return {key: ["…", "…"] if key in PAY_FIELDS else value for key, value in changes.items()}


def _employee_created_changes(employee: Employee) -> dict:
    """The new record's filled-in fields, pay masked."""
    return _masked({key: [None, value] for key, value in audit_snapshot(employee).items() if value not in (None, "")})


def _clean_values(fields: dict) -> dict:
    unknown = set(fields) - EMPLOYEE_FIELDS
    if unknown:
        raise ValidationError({name: [_("Not a field of an employee.")] for name in sorted(unknown)})
    return {
        key: (value.strip() if key in STRIPPED and isinstance(value, str) else value) for key, value in fields.items()
    }


def _set_external_ids(actor: Actor, employee: Employee, external_ids: dict[str, str] | None) -> None:
    """Set the given sources' ids (an empty value removes that source's id)."""
    if not external_ids:
        return
    errors = {}
    for source, value in sorted(external_ids.items()):
        value = (value or "").strip() if isinstance(value, str) else str(value)
        existing = EmployeeExternalId.objects.filter(employee=employee, source=source).first()
        if not value:
            if existing is not None:
                existing.delete()
            continue
        row = existing or EmployeeExternalId(organisation=actor.organisation, employee=employee, source=source)
        row.external_id = value
        try:
            _save(row)
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                errors.setdefault(f"external_ids.{source}", []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _change_role(actor: Actor, employee: Employee, role: str | None) -> None:
    """A role lives on the membership: the members service decides (owners and admins only,
    never above their own role), so HR cannot make anyone an owner (reference §7.1.2)."""
    if role is None:
        return
    if employee.membership is None:
        raise ValidationError({"role": [_("This employee has no login, so no role.")]})
    if role != employee.membership.role:
        member_update(actor=actor, membership=employee.membership, role=role)


@transaction.atomic
def employee_create(
    *, actor: Actor, external_ids: dict[str, str] | None = None, role: str | None = None, **fields
) -> Employee:
    """Add someone to the directory (HR, owners, admins)."""
    _require_hr_editor(actor)
    values = _clean_values(fields)
    if values.get("status") == EmployeeStatus.TERMINATED:
        raise ValidationError({"status": [_("Add the employee first, then terminate them.")]})
    employee = Employee(organisation=actor.organisation, **values)
    _save(employee)
    _set_external_ids(actor, employee, external_ids)
    _change_role(actor, employee, role)
    audit_change(actor=actor, action="employee.create", obj=employee, changes=_employee_created_changes(employee))
    record_event(actor.organisation, events.EMPLOYEE_CREATED, events.employee_payload(employee), actor=actor)
    return employee


@transaction.atomic
def employee_update(*, actor: Actor, employee: Employee, data: dict) -> Employee:
    """Change a directory record (HR, owners, admins): the fields in ``EMPLOYEE_FIELDS`` that
    ``data`` carries, plus ``external_ids`` and ``role``. Terminating has its own service; a
    terminated employee comes back by setting ``status`` active (the termination date is cleared)."""
    _require_hr_editor(actor)
    data = dict(data)
    external_ids, role = data.pop("external_ids", None), data.pop("role", None)
    values = _clean_values(data)
    if values.get("status") == EmployeeStatus.TERMINATED and employee.status != EmployeeStatus.TERMINATED:
        raise ValidationError({"status": [_("Use terminate to end someone's employment.")]})
    if employee.status == EmployeeStatus.TERMINATED and values.get("status") in (
        EmployeeStatus.ACTIVE,
        EmployeeStatus.ON_LEAVE,
    ):
        values.setdefault("termination_date", None)
    employee, changes = model_update(instance=employee, fields=sorted(EMPLOYEE_FIELDS), data=values)
    _set_external_ids(actor, employee, external_ids)
    _change_role(actor, employee, role)
    audit_change(actor=actor, action="employee.update", obj=employee, changes=_masked(changes))
    record_event(actor.organisation, events.EMPLOYEE_UPDATED, events.employee_payload(employee), actor=actor)
    return employee


@transaction.atomic
def employee_terminate(*, actor: Actor, employee: Employee, termination_date: datetime.date | None = None) -> Employee:
    """End someone's employment; the record stays (terminate, never delete). Their reports keep
    pointing at them until HR moves them."""
    _require_hr_editor(actor)
    if employee.status == EmployeeStatus.TERMINATED:
        raise Conflict(_("This employee is already terminated."))
    before = audit_snapshot(employee, only=("status", "termination_date"))
    employee.status = EmployeeStatus.TERMINATED
    employee.termination_date = termination_date or timezone.localdate()
    _save(employee)
    audit_change(
        actor=actor,
        action="employee.terminate",
        obj=employee,
        before=before,
        after=audit_snapshot(employee, only=("status", "termination_date")),
    )
    record_event(actor.organisation, events.EMPLOYEE_TERMINATED, events.employee_payload(employee), actor=actor)
    return employee


@transaction.atomic
def employee_upsert_many(*, actor: Actor, source: str, rows: list[dict]) -> list[tuple[Employee, bool]]:
    """Directory sync: each row carries ``external_id`` (of ``source``); the employee with that
    id is updated, or a new one created. All rows or none; errors are named ``employees[i].field``.
    Sending the same rows again changes nothing and creates nothing (idempotent)."""
    _require_hr_editor(actor)
    if len(rows) > MAX_UPSERT:
        raise ValidationError({"employees": [_("At most %(max)s rows per request.") % {"max": MAX_UPSERT}]})
    seen, errors, results = set(), {}, []
    for index, row in enumerate(rows):
        row = dict(row)
        external_id = str(row.pop("external_id", "") or "").strip()
        if not external_id:
            errors[f"employees[{index}].external_id"] = [_("This field is required.")]
            continue
        if external_id in seen:
            errors[f"employees[{index}].external_id"] = [_("Appears twice in this request.")]
            continue
        seen.add(external_id)
        link = (
            EmployeeExternalId.objects.for_organisation(actor.organisation)
            .filter(source=source, external_id=external_id)
            .select_related("employee")
            .first()
        )
        try:
            with transaction.atomic():
                if link is None:
                    employee = employee_create(actor=actor, external_ids={source: external_id}, **row)
                    results.append((employee, True))
                else:
                    employee = link.employee
                    before = {key: getattr(employee, key) for key in row}
                    if any(before[key] != value for key, value in row.items()):
                        employee = employee_update(actor=actor, employee=employee, data=row)
                    results.append((employee, False))
        except ValidationError as exc:
            for field, messages in (exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}).items():
                name = f"employees[{index}].{field}" if field and field != "__all__" else f"employees[{index}]"
                errors[name] = list(messages)
    if errors:
        raise ValidationError(errors)
    return results


# =============================================================================
# Documents
# =============================================================================


def _audience_values(audience: str, offices: list[Office] | None, roles: list[str] | None) -> tuple[str, list]:
    roles = sorted(set(roles or []))
    if audience == Audience.OFFICES and not offices:
        raise ValidationError({"office_ids": [_("Name at least one office for an office audience.")]})
    if audience != Audience.OFFICES and offices:
        raise ValidationError({"office_ids": [_("Offices are only used with the offices audience.")]})
    return (f",{','.join(roles)}," if roles else ""), list(offices or [])


def _add_version(actor: Actor, document: HRDocument, upload, label: str, notes: str = "") -> HRDocumentVersion:
    data, name, content_type = storage.validate_upload(upload)
    stored = storage.store(organisation_id=actor.organisation.pk, data=data, file_name=name, content_type=content_type)
    number = (document.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = HRDocumentVersion(
        organisation=actor.organisation,
        document=document,
        number=number,
        label=(label or "").strip() or str(number),
        file_name=stored.file_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_path=stored.storage_path,
        notes=notes.strip(),
        uploaded_by=actor.user if getattr(actor.user, "pk", None) else None,
    )
    try:
        _save(version)
        document.current_version = version
        document.save(update_fields=["current_version", "updated_at"])
    except Exception:
        storage.remove_stored(stored.storage_path)  # no orphan file for a row that was never saved
        raise
    return version


@transaction.atomic
def document_create(
    *,
    actor: Actor,
    title: str,
    file,
    version: str = "1",
    category: str = "policy",
    summary: str = "",
    audience: str = Audience.EVERYONE,
    offices: list[Office] | None = None,
    roles: list[str] | None = None,
    requires_acknowledgement: bool = True,
    published_at: datetime.datetime | None = None,
    publish: bool = True,
) -> HRDocument:
    """Upload a policy document (HR, owners, admins). Published now unless ``published_at`` is
    given (a future date schedules it) or ``publish`` is false (a draft)."""
    _require_hr_editor(actor)
    audience_roles, offices = _audience_values(audience, offices, roles)
    if published_at is None and publish:
        published_at = timezone.now()
    document = HRDocument(
        organisation=actor.organisation,
        title=title.strip(),
        category=category,
        summary=summary.strip(),
        audience=audience,
        audience_roles=audience_roles,
        requires_acknowledgement=requires_acknowledgement,
        published_at=published_at,
        created_by=actor.user if getattr(actor.user, "pk", None) else None,
    )
    errors = {}
    for office in offices:
        if office.organisation_id != actor.organisation.pk:
            errors["office_ids"] = [_("Not found in this organisation.")]
    if errors:
        raise ValidationError(errors)
    _save(document)
    document.audience_offices.set(offices)
    _add_version(actor, document, file, version)
    audit_change(actor=actor, action="hrdocument.create", obj=document, after=audit_snapshot(document))
    if document.published_at is not None:
        record_event(actor.organisation, events.DOCUMENT_PUBLISHED, events.document_payload(document), actor=actor)
    return document


#: what a document update may change (besides its audience's offices and roles)
DOCUMENT_UPDATE_FIELDS = ("title", "category", "summary", "audience", "requires_acknowledgement", "published_at")


@transaction.atomic
def document_update(
    *,
    actor: Actor,
    document: HRDocument,
    data: dict,
) -> HRDocument:
    """Change a document's title, category, summary, audience, acknowledgement flag or publish
    date (``DOCUMENT_UPDATE_FIELDS``), and its audience's ``offices`` and ``roles``. Publishing a
    draft records ``hr.document.published``."""
    _require_hr_editor(actor)
    data = dict(data)
    offices, roles = data.pop("offices", None), data.pop("roles", None)
    was_published = document.published_at is not None
    before = audit_snapshot(document)
    for key, value in data.items():
        if key not in DOCUMENT_UPDATE_FIELDS:
            raise ValidationError({key: [_("Cannot be changed here.")]})
        setattr(document, key, value.strip() if isinstance(value, str) and key != "audience" else value)
    current_offices = list(document.audience_offices.all()) if offices is None else offices
    current_roles = document.roles if roles is None else roles
    if document.audience != Audience.ROLES and roles is None:
        current_roles = []
    if document.audience != Audience.OFFICES and offices is None:
        current_offices = []
    document.audience_roles, current_offices = _audience_values(document.audience, current_offices, current_roles)
    _save(document)
    document.audience_offices.set(current_offices)
    audit_change(actor=actor, action="hrdocument.update", obj=document, before=before, after=audit_snapshot(document))
    if not was_published and document.published_at is not None:
        record_event(actor.organisation, events.DOCUMENT_PUBLISHED, events.document_payload(document), actor=actor)
    return document


@transaction.atomic
def document_version_add(*, actor: Actor, document: HRDocument, file, version: str = "", notes: str = "") -> HRDocument:
    """Upload a new version; it becomes current, so everyone in the audience acknowledges again."""
    _require_hr_editor(actor)
    HRDocument.objects.select_for_update().filter(pk=document.pk).first()
    previous = document.current_version_id
    added = _add_version(actor, document, file, version, notes)
    audit_change(
        actor=actor,
        action="hrdocument.new_version",
        obj=document,
        changes={"current_version_id": [previous, added.pk], "version": [None, added.label]},
    )
    if document.published_at is not None:
        record_event(actor.organisation, events.DOCUMENT_PUBLISHED, events.document_payload(document), actor=actor)
    return document


@transaction.atomic
def document_acknowledge(*, actor: Actor, document: HRDocument) -> tuple[HRDocumentAcknowledgement, bool]:
    """The person behind the credential confirms they read the current version. Once per
    version: acknowledging again returns the first acknowledgement (``created`` false)."""
    employee = employee_for_actor(actor=actor)
    if employee is None:
        raise NotPermitted(_("Only a person with an employee record can acknowledge a document."))
    if not document.is_published or document.current_version_id is None:
        raise Conflict(_("This document is not published yet."))
    if not document.requires_acknowledgement:
        raise Conflict(_("This document does not ask for an acknowledgement."))
    if not employee_in_audience(document=document, employee=employee):
        raise NotPermitted(_("This document is not addressed to you."))
    existing = HRDocumentAcknowledgement.objects.filter(
        version_id=document.current_version_id, employee=employee
    ).first()
    if existing is not None:
        return existing, False
    acknowledgement = HRDocumentAcknowledgement(
        organisation=actor.organisation, document=document, version=document.current_version, employee=employee
    )
    acknowledgement.full_clean()
    try:
        with transaction.atomic():
            acknowledgement.save()
    except IntegrityError:  # a concurrent click got there first
        return HRDocumentAcknowledgement.objects.get(version_id=document.current_version_id, employee=employee), False
    audit_change(
        actor=actor,
        action="hrdocument.acknowledge",
        obj=acknowledgement,
        after=audit_snapshot(acknowledgement, only=("document", "version", "employee")),
    )
    record_event(
        actor.organisation, events.DOCUMENT_ACKNOWLEDGED, events.acknowledgement_payload(acknowledgement), actor=actor
    )
    return acknowledgement, True


# =============================================================================
# Complaints (HR tickets)
# =============================================================================


@dataclass(frozen=True)
class ComplaintCreated:
    complaint: Complaint
    #: the private follow token of an anonymous ticket: shown once, only its hash is stored
    follow_token: str | None


def complaint_require_handler(*, actor: Actor, complaint: Complaint) -> None:
    """403 unless the actor may act on the ticket (HR who is not its subject, the assignee, integrations)."""
    _require_handler(actor, complaint)


def _require_handler(actor: Actor, complaint: Complaint) -> None:
    if not complaint_can_handle(actor=actor, complaint=complaint):
        raise NotPermitted(_("Only HR and the assignee can act on a ticket."))


@transaction.atomic
def complaint_create(
    *,
    actor: Actor,
    subject: str,
    description: str,
    category: str = "other",
    priority: str = "normal",
    anonymous: bool = False,
    about_employee: Employee | None = None,
) -> ComplaintCreated:
    """Any member files a ticket. Anonymous: the reporter is not stored anywhere (not on the
    ticket, the event or its actor) and gets a private follow token instead."""
    if actor.membership is None or actor.impersonated_producer_id:
        raise NotPermitted(_("HR tickets are filed by people, with their own login."))
    token = secrets.token_urlsafe(FOLLOW_TOKEN_BYTES) if anonymous else None
    complaint = Complaint(
        organisation=actor.organisation,
        reporter=None if anonymous else actor.membership,
        is_anonymous=anonymous,
        follow_token_hash=follow_token_hash(token) if token else "",
        subject=subject.strip(),
        description=description.strip(),
        category=category,
        priority=priority,
        about_employee=about_employee,
    )
    _save(complaint)
    # an anonymous ticket's audit row names nobody (the entry point's context is kept): one row
    audit_change(
        actor=Actor(organisation=actor.organisation, kind="system", audit=actor.audit) if anonymous else actor,
        action="complaint.create",
        obj=complaint,
        after=audit_snapshot(complaint, only=COMPLAINT_AUDITED),
    )
    # actor=None: the outbox row must not name the reporter either
    record_event(actor.organisation, events.COMPLAINT_CREATED, events.complaint_payload(complaint), actor=None)
    return ComplaintCreated(complaint=complaint, follow_token=token)


#: what HR may re-triage on a ticket
COMPLAINT_UPDATE_FIELDS = ["category", "priority", "about_employee"]


@transaction.atomic
def complaint_update(*, actor: Actor, complaint: Complaint, data: dict) -> Complaint:
    """HR re-triages a ticket: category, priority, who it is about."""
    _require_handler(actor, complaint)
    for key in data:
        if key not in COMPLAINT_UPDATE_FIELDS:
            raise ValidationError({key: [_("Cannot be changed here.")]})
    complaint, changes = model_update(instance=complaint, fields=COMPLAINT_UPDATE_FIELDS, data=data)
    audit_change(actor=actor, action="complaint.update", obj=complaint, changes=changes)
    return complaint


@transaction.atomic
def complaint_assign(*, actor: Actor, complaint: Complaint, assignee: Membership) -> Complaint:
    """Give the ticket to an active HR member, never to the person it is about."""
    _require_handler(actor, complaint)
    if complaint.status == ComplaintStatus.CLOSED:
        raise Conflict(_("A closed ticket cannot be reassigned."))
    if assignee.organisation_id != actor.organisation.pk:
        raise ValidationError({"assignee_id": [_("Not found in this organisation.")]})
    if assignee.role != Role.HR or assignee.status != MembershipStatus.ACTIVE:
        raise ValidationError({"assignee_id": [_("Tickets are assigned to active HR members only.")]})
    if complaint.about_employee is not None and complaint.about_employee.membership_id == assignee.pk:
        raise ValidationError({"assignee_id": [_("A ticket is never assigned to the person it is about.")]})
    previous = complaint.assignee_id
    complaint.assignee = assignee
    _save(complaint)
    audit_change(
        actor=actor, action="complaint.assign", obj=complaint, changes={"assignee_id": [previous, assignee.pk]}
    )
    record_event(actor.organisation, events.COMPLAINT_ASSIGNED, events.complaint_payload(complaint), actor=actor)
    return complaint


@transaction.atomic
def complaint_transition(
    *, actor: Actor, complaint: Complaint, status: str, resolution: str | None = None
) -> Complaint:
    """Move along open -> in_progress -> waiting -> resolved -> closed (409 otherwise);
    resolving needs a resolution, which the reporter reads."""
    _require_handler(actor, complaint)
    if status not in COMPLAINT_TRANSITIONS:
        raise ValidationError({"status": [_("Unknown status.")]})
    if status not in COMPLAINT_TRANSITIONS[complaint.status]:
        raise Conflict(
            _("A ticket cannot go from %(old)s to %(new)s.") % {"old": complaint.status, "new": status},
            allowed=sorted(COMPLAINT_TRANSITIONS[complaint.status]),
        )
    if resolution is not None:
        complaint.resolution = resolution.strip()
    now = timezone.now()
    if status == ComplaintStatus.RESOLVED:
        if not complaint.resolution:
            raise ValidationError({"resolution": [_("Say how the ticket was resolved.")]})
        complaint.resolved_at = now
    elif status == ComplaintStatus.CLOSED:
        complaint.closed_at = now
    elif complaint.status == ComplaintStatus.RESOLVED:
        complaint.resolved_at = None  # reopened
    previous = complaint.status
    complaint.status = status
    _save(complaint)
    # the resolution is text the reporter reads: never in the audit trail
    audit_change(actor=actor, action="complaint.transition", obj=complaint, changes={"status": [previous, status]})
    record_event(actor.organisation, events.COMPLAINT_STATUS_CHANGED, events.complaint_payload(complaint), actor=actor)
    return complaint


@transaction.atomic
def complaint_note_add(*, actor: Actor, complaint: Complaint, body: str) -> ComplaintNote:
    """An internal note (HR and the assignee read it; the reporter never does)."""
    _require_handler(actor, complaint)
    note = ComplaintNote(
        organisation=actor.organisation,
        complaint=complaint,
        author=actor.membership,
        author_label=actor.label[:255],
        body=body.strip(),
    )
    _save(note)
    Complaint.objects.filter(pk=complaint.pk).update(updated_at=timezone.now())
    audit_change(actor=actor, action="complaint.note", obj=complaint, changes={"note_id": [None, note.pk]})
    return note
