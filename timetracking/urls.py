"""Page URLs of the timetracking app, mounted under ``/app/time/`` by trackyoursheets/urls.py."""

from django.urls import path

from . import catalogue_views, expense_views, request_views, timesheet_views, viewer_views, views

app_name = "time"

urlpatterns = [
    path("", views.TimerView.as_view(), name="timer"),
    path("timer/start", views.TimerStartPage.as_view(), name="timer-start"),
    path("timer/stop", views.TimerStopPage.as_view(), name="timer-stop"),
    path("entries", views.EntryListView.as_view(), name="entries"),
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
    path("requests", request_views.TimeRequestsPage.as_view(), name="requests"),
    path("requests/<int:pk>/<slug:action>", request_views.TimeRequestActionPage.as_view(), name="request-action"),
    path("expenses", expense_views.ExpensesPage.as_view(), name="expenses"),
    path("expenses/<int:pk>/receipt", expense_views.ExpenseReceiptPage.as_view(), name="expense-receipt"),
    path("expenses/<int:pk>/<slug:action>", expense_views.ExpenseActionPage.as_view(), name="expense-action"),
    path("expense-categories", expense_views.ExpenseCategoriesPage.as_view(), name="expense-categories"),
    path(
        "expense-categories/<int:pk>/archive",
        expense_views.ExpenseCategoryArchivePage.as_view(),
        name="expense-category-archive",
    ),
    path("import", views.ImportPage.as_view(), name="import"),
    path("projects", views.ProjectListView.as_view(), name="projects"),
    path("projects/<int:pk>", views.ProjectDetailView.as_view(), name="project"),
    # issue 14 point 9: clients, projects and tasks from the pages (create, edit, archive)
    path("clients", catalogue_views.ClientListView.as_view(), name="clients"),
    path("clients/new", catalogue_views.ClientFormView.as_view(), name="client-create"),
    path("clients/<int:pk>", catalogue_views.ClientFormView.as_view(), name="client"),
    path("clients/<int:pk>/archive", catalogue_views.ClientArchiveView.as_view(), name="client-archive"),
    path("projects/new", catalogue_views.ProjectFormView.as_view(), name="project-create"),
    path("projects/<int:pk>/edit", catalogue_views.ProjectFormView.as_view(), name="project-edit"),
    path("projects/<int:pk>/archive", catalogue_views.ProjectArchiveView.as_view(), name="project-archive"),
    path(
        "projects/<int:pk>/tasks/new",
        catalogue_views.TaskFormView.as_view(creating=True),
        name="task-create",
    ),
    path("tasks/<int:pk>", catalogue_views.TaskFormView.as_view(), name="task"),
    path("tasks/<int:pk>/delete", catalogue_views.TaskDeleteView.as_view(), name="task-delete"),
    path("portal", viewer_views.ViewerPortalPage.as_view(), name="viewer-portal"),
]
