"""Page URLs of the hr app, mounted at ``/app/hr/`` by trackyoursheets/urls.py."""

from django.urls import path

from . import views
from .views import leave

app_name = "hr"

urlpatterns = [
    # the HR portal (owners, admins, HR)
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("directory", views.DirectoryView.as_view(), name="directory"),
    path("directory.csv", views.DirectoryExportView.as_view(), name="directory-export"),
    path("employees/new", views.EmployeeCreateView.as_view(), name="employee-create"),
    path("employees/<int:pk>", views.EmployeeDetailView.as_view(), name="employee"),
    path("employees/<int:pk>/terminate", views.EmployeeTerminateView.as_view(), name="employee-terminate"),
    path("documents", views.DocumentListView.as_view(), name="documents"),
    path("documents/new", views.DocumentCreateView.as_view(), name="document-create"),
    path("documents/<int:pk>", views.DocumentDetailView.as_view(), name="document"),
    path("tickets", views.TicketQueueView.as_view(), name="tickets"),
    path("tickets.csv", views.TicketExportView.as_view(), name="tickets-export"),
    path("leave-policies", leave.LeavePoliciesView.as_view(), name="leave-policies"),
    path("leave-policies/new", leave.LeavePolicyFormView.as_view(), name="leave-policy-create"),
    path("leave-policies/<int:pk>", leave.LeavePolicyFormView.as_view(), name="leave-policy"),
    path("leave-types/<int:pk>", leave.LeaveTypeEditView.as_view(), name="leave-type"),
    path("holiday-calendars", leave.HolidayCalendarsView.as_view(), name="holiday-calendars"),
    path("holiday-calendars/new", leave.HolidayCalendarFormView.as_view(), name="holiday-calendar-create"),
    path("holiday-calendars/<int:pk>", leave.HolidayCalendarFormView.as_view(), name="holiday-calendar"),
    path("leave-balances", leave.LeaveBalancesView.as_view(), name="leave-balances"),
    # managers, HR, owners, admins
    path("team-leave", leave.TeamLeaveView.as_view(), name="team-leave"),
    # every member
    path("leave", leave.MyLeaveView.as_view(), name="my-leave"),
    path("leave/preview", leave.LeavePreviewView.as_view(), name="leave-preview"),
    path("leave/<int:pk>/<str:action>", leave.LeaveActionView.as_view(), name="leave-action"),
    path("my-documents", views.MyDocumentsView.as_view(), name="my-documents"),
    path("documents/<int:pk>/download", views.DocumentDownloadView.as_view(), name="document-download"),
    path("documents/<int:pk>/acknowledge", views.DocumentAcknowledgeView.as_view(), name="document-acknowledge"),
    path("report", views.ReportConcernView.as_view(), name="report"),
    path("my-tickets", views.MyTicketsView.as_view(), name="my-tickets"),
    path("tickets/<int:pk>", views.TicketDetailView.as_view(), name="ticket"),
    path("follow/<str:token>", views.FollowTicketView.as_view(), name="follow-ticket"),
]
