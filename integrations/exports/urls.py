"""Page URLs under ``/app/exports/`` (namespace ``exports``), mounted by trackyoursheets/urls.py."""

from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("", views.ExportListView.as_view(), name="list"),
    path("<int:pk>", views.ExportDetailView.as_view(), name="detail"),
    path("<int:pk>/status", views.ExportStatusView.as_view(), name="status"),
    path("<int:pk>/download", views.ExportDownloadView.as_view(), name="download"),
    path("<int:pk>/delete", views.ExportDeleteView.as_view(), name="delete"),
]
