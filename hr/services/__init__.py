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

By sub-domain: ``employees.py`` (the directory and its sync), ``documents.py`` (documents,
versions, acknowledgements), ``complaints.py`` (HR tickets); ``_common.py`` what they share.
Callers say ``from hr import services``.
"""

from .accruals import (
    accrue_for_hours_worked,
    accrue_for_pay_periods,
    accrue_for_timesheets,
    policy_for,
    post_accruals,
    post_year_end,
)
from .complaints import (
    COMPLAINT_AUDITED,
    COMPLAINT_UPDATE_FIELDS,
    FOLLOW_TOKEN_BYTES,
    ComplaintCreated,
    complaint_assign,
    complaint_create,
    complaint_note_add,
    complaint_reply_add,
    complaint_reply_add_by_token,
    complaint_require_handler,
    complaint_transition,
    complaint_update,
)
from .directory_sync import DirectorySyncResult, employee_sync_from_source
from .documents import (
    DOCUMENT_UPDATE_FIELDS,
    document_acknowledge,
    document_create,
    document_update,
    document_version_add,
)
from .employees import (
    EMPLOYEE_FIELDS,
    MAX_UPSERT,
    PAY_FIELDS,
    STRIPPED,
    employee_create,
    employee_for_new_member,
    employee_on_member_joined,
    employee_terminate,
    employee_update,
    employee_upsert_many,
)
from .leave import (
    LeavePreview,
    can_decide_leave,
    employee_today,
    leave_adjust,
    leave_preview,
    leave_request_approve,
    leave_request_cancel,
    leave_request_create,
    leave_request_reject,
    register_leave_cancel_guard,
)
from .leave_import import ImportedLeave, import_external_leave, withdraw_external_leave
from .leave_setup import (
    holiday_group_create,
    holiday_group_update,
    leave_policy_create,
    leave_policy_update,
    leave_type_create,
    leave_type_update,
    work_schedule_set,
)

__all__ = [
    "ImportedLeave",
    "import_external_leave",
    "withdraw_external_leave",
    "DirectorySyncResult",
    "employee_sync_from_source",
    "EMPLOYEE_FIELDS",
    "MAX_UPSERT",
    "PAY_FIELDS",
    "STRIPPED",
    "employee_create",
    "employee_for_new_member",
    "employee_on_member_joined",
    "employee_terminate",
    "employee_update",
    "employee_upsert_many",
    "DOCUMENT_UPDATE_FIELDS",
    "document_acknowledge",
    "document_create",
    "document_update",
    "document_version_add",
    "COMPLAINT_AUDITED",
    "COMPLAINT_UPDATE_FIELDS",
    "ComplaintCreated",
    "FOLLOW_TOKEN_BYTES",
    "complaint_assign",
    "complaint_create",
    "complaint_note_add",
    "complaint_reply_add",
    "complaint_reply_add_by_token",
    "complaint_require_handler",
    "complaint_transition",
    "complaint_update",
    "accrue_for_hours_worked",
    "accrue_for_pay_periods",
    "accrue_for_timesheets",
    "policy_for",
    "post_accruals",
    "post_year_end",
    "LeavePreview",
    "can_decide_leave",
    "employee_today",
    "leave_adjust",
    "leave_preview",
    "leave_request_approve",
    "leave_request_cancel",
    "leave_request_create",
    "leave_request_reject",
    "register_leave_cancel_guard",
    "holiday_group_create",
    "holiday_group_update",
    "leave_policy_create",
    "leave_policy_update",
    "leave_type_create",
    "leave_type_update",
    "work_schedule_set",
]
