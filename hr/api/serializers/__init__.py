"""REST shapes of the hr app.

Pay (``pay_type``, ``pay_rate``) is in an employee's representation only for HR, owners,
admins and integrations (STYLE §3.8): for everyone else the keys are absent. A ticket's
``reporter`` is null when it is anonymous, for everyone; its internal ``notes`` are only
there for HR and the assignee.

By sub-domain: ``employees.py``, ``documents.py``, ``complaints.py``.
"""

from ...models import sees_hr_portal  # re-exported (the views decide pay visibility with it)
from .complaints import (
    ComplaintAssignSerializer,
    ComplaintCreatedSerializer,
    ComplaintFollowSerializer,
    ComplaintFollowViewSerializer,
    ComplaintInputSerializer,
    ComplaintNoteInputSerializer,
    ComplaintNoteSerializer,
    ComplaintSerializer,
    ComplaintTransitionSerializer,
    ComplaintUpdateSerializer,
    PersonSerializer,
)
from .documents import (
    AcknowledgementSerializer,
    AcknowledgementStatusSerializer,
    HRDocumentInputSerializer,
    HRDocumentSerializer,
    HRDocumentUpdateSerializer,
    HRDocumentVersionInputSerializer,
    HRDocumentVersionSerializer,
)
from .employees import (
    PAY_FIELDS,
    DashboardSerializer,
    EmergencyContactSerializer,
    EmployeeInputSerializer,
    EmployeeSerializer,
    EmployeeUpsertResultSerializer,
    EmployeeUpsertRowSerializer,
    EmployeeUpsertSerializer,
    OnboardingCheckSerializer,
    OnboardingSerializer,
    TerminateInputSerializer,
)

__all__ = [
    "sees_hr_portal",
    "DashboardSerializer",
    "EmergencyContactSerializer",
    "EmployeeInputSerializer",
    "EmployeeSerializer",
    "EmployeeUpsertResultSerializer",
    "EmployeeUpsertRowSerializer",
    "EmployeeUpsertSerializer",
    "OnboardingCheckSerializer",
    "OnboardingSerializer",
    "PAY_FIELDS",
    "TerminateInputSerializer",
    "AcknowledgementSerializer",
    "AcknowledgementStatusSerializer",
    "HRDocumentInputSerializer",
    "HRDocumentSerializer",
    "HRDocumentUpdateSerializer",
    "HRDocumentVersionInputSerializer",
    "HRDocumentVersionSerializer",
    "ComplaintAssignSerializer",
    "ComplaintCreatedSerializer",
    "ComplaintFollowSerializer",
    "ComplaintFollowViewSerializer",
    "ComplaintInputSerializer",
    "ComplaintNoteInputSerializer",
    "ComplaintNoteSerializer",
    "ComplaintSerializer",
    "ComplaintTransitionSerializer",
    "ComplaintUpdateSerializer",
    "PersonSerializer",
]
