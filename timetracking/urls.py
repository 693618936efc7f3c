"""Page URLs of the timetracking app, mounted under ``/app/time/`` by trackyoursheets/urls.py."""

from django.urls import path

from . import timesheet_views, viewer_views, views

app_name = "time"

urlpatterns = [
    path("", views.TimerView.as_view(), name="timer"),
    path("timer/start", views.TimerStartPage.as_view(), name="timer-start"),
    path("timer/stop", views.TimerStopPage.as_view(), name="timer-stop"),
    path("entries/add", views.EntryAddPage.as_view(), name="entry-add"),
    path("entries/<int:pk>/edit", views.EntryEditPage.as_view(), name="entry-edit"),
    path("entries/<int:pk>/delete", views.EntryDeletePage.as_view(), name="entry-delete"),
    path("week", views.WeekView.as_view(), name="week"),
    path("timesheet", timesheet_views.MyTimesheetPage.as_view(), name="timesheet"),
    path("timesheets/<int:pk>", timesheet_views.TimesheetDetailPage.as_view(), name="timesheet-detail"),
    path(
        "timesheets/<int:pk>/<slug:action>",
        timesheet_views.TimesheetActionPage.as_view(),
        name="timesheet-action",
    ),
    path("approvals", timesheet_views.ApprovalInboxPage.as_view(), name="approvals"),
    path("import", views.ImportPage.as_view(), name="import"),
    path("projects", views.ProjectListView.as_view(), name="projects"),
    path("projects/<int:pk>", views.ProjectDetailView.as_view(), name="project"),
    path("portal", viewer_views.ViewerPortalPage.as_view(), name="viewer-portal"),
]
