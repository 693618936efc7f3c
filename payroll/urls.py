"""Page URLs of commissions under ``/app/commissions/`` (namespace ``commissions``): the
analytics and ledger pages and the producer portal (issue 6 points 4-6)."""

from django.urls import path

from .views.ledger import (
    AnalyticsView,
    DashboardView,
    LeaderboardView,
    LedgerView,
    ProducerBulkOverrideView,
    ProducerOverrideView,
    ProducerSalesView,
    SaleCreateView,
    TransactionDetailView,
)
from .views.portal import (
    PortalPoliciesView,
    PortalStatementCsvView,
    PortalStatementsView,
    PortalStatementView,
    PortalTransactionsView,
    PortalView,
)
from .views.setup import (
    CarrierFormView,
    CarrierListView,
    PolicyFormView,
    PolicyListView,
    RuleSetFormView,
    RuleSetListView,
    TransactionStatusView,
)

app_name = "commissions"

urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("leaderboard", LeaderboardView.as_view(), name="leaderboard"),
    path("ledger", LedgerView.as_view(), name="ledger"),
    path("analytics", AnalyticsView.as_view(), name="analytics"),
    path("sales/new", SaleCreateView.as_view(), name="sale-create"),
    path("transactions/<int:txn_pk>", TransactionDetailView.as_view(), name="transaction"),
    # issue 14 point 9: what only the API or the admin could do before
    path("transactions/<int:txn_pk>/status", TransactionStatusView.as_view(), name="transaction-status"),
    path("carriers", CarrierListView.as_view(), name="carriers"),
    path("carriers/new", CarrierFormView.as_view(), name="carrier-create"),
    path("carriers/<int:pk>", CarrierFormView.as_view(), name="carrier"),
    path("policies", PolicyListView.as_view(), name="policies"),
    path("policies/new", PolicyFormView.as_view(), name="policy-create"),
    path("policies/<int:pk>", PolicyFormView.as_view(), name="policy"),
    path("rule-sets", RuleSetListView.as_view(), name="rule-sets"),
    path("rule-sets/new", RuleSetFormView.as_view(), name="rule-set-create"),
    path("rule-sets/<int:pk>", RuleSetFormView.as_view(), name="rule-set"),
    path("producers/<int:pk>", ProducerSalesView.as_view(), name="producer"),
    path(
        "producers/<int:pk>/transactions/<int:txn_pk>/override",
        ProducerOverrideView.as_view(),
        name="producer-override",
    ),
    path("producers/<int:pk>/overrides", ProducerBulkOverrideView.as_view(), name="producer-bulk-override"),
    path("portal/", PortalView.as_view(), name="portal"),
    path("portal/sales", PortalTransactionsView.as_view(), name="portal-transactions"),
    path("portal/policies", PortalPoliciesView.as_view(), name="portal-policies"),
    path("portal/statements", PortalStatementsView.as_view(), name="portal-statements"),
    path("portal/statements/<str:month>.csv", PortalStatementCsvView.as_view(), name="portal-statement-csv"),
    path("portal/statements/<str:month>", PortalStatementView.as_view(), name="portal-statement"),
]
