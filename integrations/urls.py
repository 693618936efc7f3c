"""Page URLs under ``/app/webhooks/`` (namespace ``webhooks``), mounted by trackyoursheets/urls.py."""

from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("", views.WebhookListView.as_view(), name="list"),
    path("new", views.WebhookCreateView.as_view(), name="create"),
    path("<int:pk>", views.WebhookDetailView.as_view(), name="detail"),
    path("<int:pk>/rotate-secret", views.WebhookRotateView.as_view(), name="rotate"),
    path("<int:pk>/test", views.WebhookTestView.as_view(), name="test"),
    path("<int:pk>/delete", views.WebhookDeleteView.as_view(), name="delete"),
    path("<int:pk>/deliveries/<int:delivery_pk>/redeliver", views.WebhookRedeliverView.as_view(), name="redeliver"),
]
