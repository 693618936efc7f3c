"""GraphQL of the hr app: its Query and Mutation are mixed into trackyoursheets/schema.py.

Thin (STYLE §2.5): reads through :mod:`hr.selectors` (the same visibility as REST: the
directory by role, documents by audience, tickets only for the reporter, HR and the
assignee), filters through :mod:`hr.filters`, writes through :mod:`hr.services`.
``payType``/``payRate`` are null unless the actor is HR, an owner or an admin; a ticket's
``reporter`` is null when it is anonymous; its ``notes`` are empty unless the actor handles it.
Scope ``hr.read`` / ``hr.write``.

By sub-domain: ``employees.py``, ``documents.py``, ``complaints.py``; ``schema.py`` holds
the Query and Mutation, ``scopes.py`` the scopes.
"""

from .complaints import AssignHRComplaint, AssignHRComplaintInput, HRComplaintNoteType, HRComplaintType, HRPersonType
from .documents import AcknowledgeHRDocument, HRDocumentAckInput, HRDocumentAcknowledgementType, HRDocumentType
from .employees import (
    EmergencyContactInput,
    EmergencyContactType,
    EmployeeType,
    ExternalIdType,
    UpsertEmployee,
    UpsertEmployeeInput,
)
from .schema import Mutation, Query
from .scopes import READ, WRITE

__all__ = [
    "READ",
    "WRITE",
    "EmergencyContactInput",
    "EmergencyContactType",
    "EmployeeType",
    "ExternalIdType",
    "UpsertEmployee",
    "UpsertEmployeeInput",
    "AcknowledgeHRDocument",
    "HRDocumentAckInput",
    "HRDocumentAcknowledgementType",
    "HRDocumentType",
    "AssignHRComplaint",
    "AssignHRComplaintInput",
    "HRComplaintNoteType",
    "HRComplaintType",
    "HRPersonType",
    "Mutation",
    "Query",
]
