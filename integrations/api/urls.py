"""``/v1/webhooks`` routes (mounted by trackyoursheets/api/urls.py). Statement imports moved to
payroll/api/urls.py (issue 12)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from ..exports.api import ReportExportRequestView, ReportExportViewSet
from .views import WebhookDeliveryViewSet, WebhookSubscriptionViewSet

router = SimpleRouter(trailing_slash=False)
router.register("webhooks", WebhookSubscriptionViewSet, basename="webhook")
router.register(r"webhooks/(?P<webhook_id>[0-9]+)/deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")

router.register("reports/exports", ReportExportViewSet, basename="report-export")

urlpatterns = [
    path("reports/export", ReportExportRequestView.as_view(), name="report-export-request"),
    *router.urls,
]
