"""Page URLs of the timetracking app, mounted under ``/app/time/`` by trackyoursheets/urls.py."""

from django.urls import path

from . import views

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
    path("import", views.ImportPage.as_view(), name="import"),
    path("projects", views.ProjectListView.as_view(), name="projects"),
    path("projects/<int:pk>", views.ProjectDetailView.as_view(), name="project"),
]
