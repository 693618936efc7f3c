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

By sub-domain: ``access.py`` (who sees what), ``employees.py``, ``documents.py``,
``complaints.py``. Django finds the models through this package, which imports them all.
"""

from ..choices import EmployeeStatus  # re-exported (callers name it with the models)
from .access import handles_complaints, is_integration, sees_hr_portal
from .calendars import DEFAULT_WEEK, WEEKDAY_FIELDS, Holiday, HolidayGroup, WorkSchedule
from .complaints import REPLY_MAX_LENGTH, Complaint, ComplaintNote, ComplaintQuerySet, ComplaintReply
from .documents import HRDocument, HRDocumentAcknowledgement, HRDocumentQuerySet, HRDocumentVersion
from .employees import MAX_HIERARCHY_DEPTH, Employee, EmployeeExternalId, EmployeeQuerySet, manager_chain_problem
from .leave import (
    LEAVE_REASON_MAX_LENGTH,
    MAX_HOURS,
    LeaveAccount,
    LeaveLedgerEntry,
    LeavePolicy,
    LeaveRequest,
    LeaveType,
)

__all__ = [
    "DEFAULT_WEEK",
    "WEEKDAY_FIELDS",
    "Holiday",
    "HolidayGroup",
    "WorkSchedule",
    "LEAVE_REASON_MAX_LENGTH",
    "MAX_HOURS",
    "LeaveAccount",
    "LeaveLedgerEntry",
    "LeavePolicy",
    "LeaveRequest",
    "LeaveType",
    "EmployeeStatus",
    "handles_complaints",
    "is_integration",
    "sees_hr_portal",
    "Employee",
    "EmployeeExternalId",
    "EmployeeQuerySet",
    "MAX_HIERARCHY_DEPTH",
    "manager_chain_problem",
    "HRDocument",
    "HRDocumentAcknowledgement",
    "HRDocumentQuerySet",
    "HRDocumentVersion",
    "Complaint",
    "ComplaintReply",
    "REPLY_MAX_LENGTH",
    "ComplaintNote",
    "ComplaintQuerySet",
]
