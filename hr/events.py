"""Outbox topics of the hr app, registered in the outbox catalogue (``integrations/outbox.py``)
from ``apps.py``, and their payloads.

Payloads carry ids and non-personal facts only: no names, emails, pay, ticket subjects or
descriptions, and never who reported a ticket (issue 8 point 4).
"""

from __future__ import annotations

import datetime

__all__ = [
    "TOPICS",
    "EMPLOYEE_CREATED",
    "EMPLOYEE_UPDATED",
    "EMPLOYEE_TERMINATED",
    "DOCUMENT_PUBLISHED",
    "DOCUMENT_ACKNOWLEDGED",
    "COMPLAINT_CREATED",
    "COMPLAINT_ASSIGNED",
    "COMPLAINT_STATUS_CHANGED",
    "employee_payload",
    "document_payload",
    "acknowledgement_payload",
    "complaint_payload",
    "LEAVE_REQUESTED",
    "LEAVE_APPROVED",
    "LEAVE_REJECTED",
    "LEAVE_CANCELLED",
    "leave_request_payload",
]

EMPLOYEE_CREATED = "hr.employee.created"
EMPLOYEE_UPDATED = "hr.employee.updated"
EMPLOYEE_TERMINATED = "hr.employee.terminated"
DOCUMENT_PUBLISHED = "hr.document.published"
DOCUMENT_ACKNOWLEDGED = "hr.document.acknowledged"
#: part of the public contract (API guide, "Webhooks")
COMPLAINT_CREATED = "hr.complaint.created"
COMPLAINT_ASSIGNED = "hr.complaint.assigned"
COMPLAINT_STATUS_CHANGED = "hr.complaint.status_changed"

LEAVE_REQUESTED = "hr.leave.requested"
LEAVE_APPROVED = "hr.leave.approved"
LEAVE_REJECTED = "hr.leave.rejected"
LEAVE_CANCELLED = "hr.leave.cancelled"

TOPICS: dict[str, str] = {
    EMPLOYEE_CREATED: "An employee was added to the directory.",
    EMPLOYEE_UPDATED: "An employee's directory record changed.",
    EMPLOYEE_TERMINATED: "An employee was terminated.",
    DOCUMENT_PUBLISHED: "An HR document or a new version of it was published (everyone reads it again).",
    DOCUMENT_ACKNOWLEDGED: "An employee acknowledged a version of an HR document.",
    COMPLAINT_CREATED: "An employee filed a new HR ticket.",
    COMPLAINT_ASSIGNED: "An HR ticket was assigned to an HR member.",
    COMPLAINT_STATUS_CHANGED: ("An HR ticket moved to another status (in progress, waiting, resolved, closed)."),
    LEAVE_REQUESTED: "An employee requested leave.",
    LEAVE_APPROVED: "A leave request was approved (its hours are taken from the balance).",
    LEAVE_REJECTED: "A leave request was rejected.",
    LEAVE_CANCELLED: "A leave request was cancelled (approved hours come back to the balance).",
}


def _instant(value):
    """ISO 8601 in UTC with ``Z``, as REST writes it."""
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def employee_payload(employee) -> dict:
    """Ids and directory facts; no names, contact details or pay."""
    return {
        "id": employee.pk,
        "status": employee.status,
        "office_id": employee.office_id,
        "manager_id": employee.manager_id,
        "membership_id": employee.membership_id,
        "employment_type": employee.employment_type,
        "external_ids": {row.source: row.external_id for row in employee.external_ids.all()},
    }


def document_payload(document) -> dict:
    version = document.current_version
    return {
        "id": document.pk,
        "category": document.category,
        "version": version.label if version else None,
        "version_number": version.number if version else None,
        "audience": document.audience,
        "requires_acknowledgement": document.requires_acknowledgement,
        "published_at": _instant(document.published_at),
    }


def acknowledgement_payload(acknowledgement) -> dict:
    return {
        "id": acknowledgement.pk,
        "document_id": acknowledgement.document_id,
        "version_number": acknowledgement.version.number,
        "employee_id": acknowledgement.employee_id,
        "acknowledged_at": _instant(acknowledgement.acknowledged_at),
    }


def complaint_payload(complaint) -> dict:
    """What an integration needs to route a ticket: never the reporter, the subject or the text."""
    return {
        "id": complaint.pk,
        "reference": complaint.reference,
        "category": complaint.category,
        "priority": complaint.priority,
        "status": complaint.status,
        "anonymous": complaint.is_anonymous,
        "assigned": complaint.assignee_id is not None,
        "created_at": _instant(complaint.created_at),
    }


def leave_request_payload(request) -> dict:
    """Ids, dates and hours: no names, notes or reasons."""
    return {
        "id": request.pk,
        "employee_id": request.employee_id,
        "leave_type_id": request.leave_type_id,
        "status": request.status,
        "unit": request.unit,
        "start_date": request.start_date.isoformat(),
        "end_date": request.end_date.isoformat(),
        "hours": str(request.hours),
    }
