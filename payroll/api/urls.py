"""``/v1/`` routes of the commission ledger (mounted by trackyoursheets/api/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    CarrierViewSet,
    CategoryViewSet,
    CommissionReportView,
    CommissionRuleSetViewSet,
    CommissionTransactionViewSet,
    PolicyViewSet,
)

router = SimpleRouter(trailing_slash=False)
router.register("carriers", CarrierViewSet, basename="carrier")
router.register("categories", CategoryViewSet, basename="category")
router.register("policies", PolicyViewSet, basename="policy")
router.register("commission-rules", CommissionRuleSetViewSet, basename="commission-rule-set")
router.register("transactions", CommissionTransactionViewSet, basename="transaction")

urlpatterns = [
    path("reports/commissions", CommissionReportView.as_view(), name="report-commissions"),
    *router.urls,
]
