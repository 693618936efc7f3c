"""Page URLs of statement imports under ``/app/imports/`` (namespace ``imports``)."""

from django.urls import path

from .views import imports as views

app_name = "imports"

urlpatterns = [
    path("", views.ImportListView.as_view(), name="list"),
    path("new", views.ImportUploadView.as_view(), name="upload"),
    path("<int:pk>", views.ImportDetailView.as_view(), name="detail"),
    path("<int:pk>/progress", views.ImportProgressView.as_view(), name="progress"),
    path("<int:pk>/rows/<int:row_pk>/match", views.ImportRowMatchView.as_view(), name="match"),
    path("<int:pk>/finalise", views.ImportFinaliseView.as_view(), name="finalise"),
    path("<int:pk>/rollback", views.ImportRollbackView.as_view(), name="rollback"),
]
