"""``/v1/`` routes of the timetracking app (mounted by trackyoursheets/api/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .expenses import ExpenseCategoryViewSet, ExpenseViewSet
from .reports import TaskReportView, TimelineReportView, TrackedHoursReportView
from .requests import RateChangeViewSet, TimeRequestViewSet
from .timesheets import TimesheetSettingsView, TimesheetViewSet
from .viewers import ProjectViewerViewSet
from .views import (
    ClientViewSet,
    ContractViewSet,
    ImportJobView,
    ProjectViewSet,
    SearchView,
    SummaryReportView,
    TaskViewSet,
    TimeEntryBulkView,
    TimeEntryImportView,
    TimeEntryViewSet,
    TimerStartView,
    TimerStatusView,
    TimerStopView,
    TimeSettingsView,
)

router = SimpleRouter(trailing_slash=False)
router.register("clients", ClientViewSet, basename="time-client")
router.register("projects", ProjectViewSet, basename="time-project")
router.register("tasks", TaskViewSet, basename="time-task")
router.register("contracts", ContractViewSet, basename="time-contract")
router.register("time-entries", TimeEntryViewSet, basename="time-entry")
router.register("timesheets", TimesheetViewSet, basename="timesheet")
router.register("time-requests", TimeRequestViewSet, basename="time-request")
router.register("rates", RateChangeViewSet, basename="time-rate")
router.register("expenses", ExpenseViewSet, basename="expense")
router.register("expense-categories", ExpenseCategoryViewSet, basename="expense-category")
router.register("project-viewers", ProjectViewerViewSet, basename="project-viewer")

urlpatterns = [
    path("time-entries/bulk", TimeEntryBulkView.as_view(), name="time-entry-bulk"),
    path("time-entries/import-csv", TimeEntryImportView.as_view(), name="time-entry-import-csv"),
    path("time-entries/imports/<int:pk>", ImportJobView.as_view(), name="time-entry-import-job"),
    path("timer/status", TimerStatusView.as_view(), name="timer-status"),
    path("timer/start", TimerStartView.as_view(), name="timer-start"),
    path("timer/stop", TimerStopView.as_view(), name="timer-stop"),
    path("search", SearchView.as_view(), name="time-search"),
    path("reports/summary", SummaryReportView.as_view(), name="time-summary"),
    path("reports/tracked-hours", TrackedHoursReportView.as_view(), name="time-report-tracked-hours"),
    path("reports/timeline", TimelineReportView.as_view(), name="time-report-timeline"),
    path("reports/tasks", TaskReportView.as_view(), name="time-report-tasks"),
    path("time-settings", TimeSettingsView.as_view(), name="time-settings"),
    path("timesheet-settings", TimesheetSettingsView.as_view(), name="timesheet-settings"),
    *router.urls,
]
