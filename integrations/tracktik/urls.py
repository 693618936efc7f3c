"""Page URLs under ``/app/tracktik/`` (namespace ``tracktik``), mounted by trackyoursheets/urls.py."""

from django.urls import path

from . import views

app_name = "tracktik"

urlpatterns = [
    path("", views.SettingsView.as_view(), name="settings"),
    path("test", views.TestView.as_view(), name="test"),
    path("sync", views.SyncView.as_view(), name="sync"),
    path("runs/<int:pk>", views.RunView.as_view(), name="run"),
    path("contracts", views.ContractListView.as_view(), name="contracts"),
    path("billing", views.BillingView.as_view(), name="billing"),
    path("scr", views.ScrListView.as_view(), name="scr"),
    path("scr/<int:pk>", views.ScrDetailView.as_view(), name="scr-match"),
    path("invoices", views.InvoiceListView.as_view(), name="invoices"),
    path("invoices/<int:pk>", views.InvoiceDetailView.as_view(), name="invoice"),
]
