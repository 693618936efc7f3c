"""``/v1/`` routes of the TrackTik connector (mounted by trackyoursheets/api/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    TracktikBillingReportView,
    TracktikConnectionTestView,
    TracktikConnectionView,
    TracktikContractViewSet,
    TracktikInvoiceReconciliationViewSet,
    TracktikPayCodesView,
    TracktikScrMatchViewSet,
    TracktikSyncRunViewSet,
    TracktikSyncView,
)

router = SimpleRouter(trailing_slash=False)
router.register("integrations/tracktik/runs", TracktikSyncRunViewSet, basename="tracktik-run")
router.register("integrations/tracktik/contracts", TracktikContractViewSet, basename="tracktik-contract")
router.register("integrations/tracktik/scr-matches", TracktikScrMatchViewSet, basename="tracktik-scr-match")
router.register(
    "integrations/tracktik/invoice-reconciliations",
    TracktikInvoiceReconciliationViewSet,
    basename="tracktik-invoice-reconciliation",
)

urlpatterns = [
    path("integrations/tracktik", TracktikConnectionView.as_view(), name="tracktik-connection"),
    path("integrations/tracktik/test", TracktikConnectionTestView.as_view(), name="tracktik-connection-test"),
    path("integrations/tracktik/sync", TracktikSyncView.as_view(), name="tracktik-sync"),
    path("integrations/tracktik/pay-codes", TracktikPayCodesView.as_view(), name="tracktik-pay-codes"),
    path("reports/tracktik-billing", TracktikBillingReportView.as_view(), name="tracktik-billing"),
    *router.urls,
]
