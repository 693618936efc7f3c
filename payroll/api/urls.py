"""``/v1/`` routes of payroll: the commission ledger and statement imports (mounted by
trackyoursheets/api/urls.py).

``transactions/import`` is registered before ``transactions``, so it is never taken for a
transaction id (``transactions/{id}`` only matches digits anyway)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    CarrierViewSet,
    CategoryViewSet,
    CommissionReportView,
    CommissionRuleSetViewSet,
    CommissionTransactionViewSet,
    ImportBatchViewSet,
    ImportRowViewSet,
    OvertimeRuleViewSet,
    PayCodeViewSet,
    PayrollRunViewSet,
    PayScheduleViewSet,
    PolicyViewSet,
    TransactionImportViewSet,
)

router = SimpleRouter(trailing_slash=False)
router.register("transactions/import", TransactionImportViewSet, basename="transaction-import")
router.register("imports", ImportBatchViewSet, basename="import")
router.register(r"imports/(?P<import_id>[0-9]+)/rows", ImportRowViewSet, basename="import-row")
router.register("carriers", CarrierViewSet, basename="carrier")
router.register("categories", CategoryViewSet, basename="category")
router.register("policies", PolicyViewSet, basename="policy")
router.register("commission-rules", CommissionRuleSetViewSet, basename="commission-rule-set")
router.register("transactions", CommissionTransactionViewSet, basename="transaction")
router.register("payroll/pay-schedules", PayScheduleViewSet, basename="pay-schedule")
router.register("payroll/pay-codes", PayCodeViewSet, basename="pay-code")
router.register("payroll/overtime-rules", OvertimeRuleViewSet, basename="overtime-rule")
router.register("payroll/runs", PayrollRunViewSet, basename="payroll-run")

urlpatterns = [
    path("reports/commissions", CommissionReportView.as_view(), name="report-commissions"),
    *router.urls,
]
