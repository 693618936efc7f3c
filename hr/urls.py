"""Page URLs of the hr app, mounted at ``/app/hr/`` by trackyoursheets/urls.py."""

from django.urls import path

from . import views

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
    # every member
    path("my-documents", views.MyDocumentsView.as_view(), name="my-documents"),
    path("documents/<int:pk>/download", views.DocumentDownloadView.as_view(), name="document-download"),
    path("documents/<int:pk>/acknowledge", views.DocumentAcknowledgeView.as_view(), name="document-acknowledge"),
    path("report", views.ReportConcernView.as_view(), name="report"),
    path("my-tickets", views.MyTicketsView.as_view(), name="my-tickets"),
    path("tickets/<int:pk>", views.TicketDetailView.as_view(), name="ticket"),
    path("follow/<str:token>", views.FollowTicketView.as_view(), name="follow-ticket"),
]
