"""Pages of the hr app at ``/app/hr/`` (issue 8 point 6).

- the HR portal (owners, admins, HR): dashboard, directory with search and filters and a
  CSV export, employee profile with the onboarding checklist, documents with
  acknowledgement coverage; the ticket queue is for HR only (owners and admins do not read
  tickets by role);
- every member: "documents to read" with an acknowledge button, "report a concern",
  "my tickets", a ticket's page (only if they may see it) and the private follow page of an
  anonymous report.

Thin views: reads through selectors, changes through services; everything users typed is
escaped by the templates (no ``|safe``); no inline scripts (static/js/hr.js).

By sub-domain: ``base.py`` (the page bases), ``directory.py``, ``documents.py``, ``tickets.py``.
"""

from .base import HR_LINKS, HR_PORTAL, PAGE_SIZE, HRPage, MemberHRPage
from .directory import (
    DashboardView,
    DirectoryExportView,
    DirectoryView,
    EmployeeCreateView,
    EmployeeDetailView,
    EmployeeFormMixin,
    EmployeeTerminateView,
)
from .documents import (
    DocumentAcknowledgeView,
    DocumentCreateView,
    DocumentDetailView,
    DocumentDownloadView,
    DocumentListView,
    MyDocumentsView,
)
from .tickets import (
    FollowTicketView,
    MyTicketsView,
    ReportConcernView,
    TicketDetailView,
    TicketExportView,
    TicketQueueView,
)

__all__ = [
    "HRPage",
    "HR_LINKS",
    "HR_PORTAL",
    "MemberHRPage",
    "PAGE_SIZE",
    "DashboardView",
    "DirectoryExportView",
    "DirectoryView",
    "EmployeeCreateView",
    "EmployeeDetailView",
    "EmployeeFormMixin",
    "EmployeeTerminateView",
    "DocumentAcknowledgeView",
    "DocumentCreateView",
    "DocumentDetailView",
    "DocumentDownloadView",
    "DocumentListView",
    "MyDocumentsView",
    "FollowTicketView",
    "MyTicketsView",
    "ReportConcernView",
    "TicketDetailView",
    "TicketExportView",
    "TicketQueueView",
]
