"""``/v1/webhooks`` and statement import routes (mounted by trackyoursheets/api/urls.py).

``transactions/import`` is registered here, and this module is included before payroll's, so
it is never taken for a transaction id (payroll's ``transactions/{id}`` only matches digits)."""

from rest_framework.routers import SimpleRouter

from .import_views import ImportBatchViewSet, ImportRowViewSet, TransactionImportViewSet
from .views import WebhookDeliveryViewSet, WebhookSubscriptionViewSet

router = SimpleRouter(trailing_slash=False)
router.register("webhooks", WebhookSubscriptionViewSet, basename="webhook")
router.register(r"webhooks/(?P<webhook_id>[0-9]+)/deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")
router.register("transactions/import", TransactionImportViewSet, basename="transaction-import")
router.register("imports", ImportBatchViewSet, basename="import")
router.register(r"imports/(?P<import_id>[0-9]+)/rows", ImportRowViewSet, basename="import-row")

urlpatterns = router.urls
