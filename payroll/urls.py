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
    PortalStatementsView,
    PortalStatementView,
    PortalTransactionsView,
    PortalView,
)

app_name = "commissions"

urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("leaderboard", LeaderboardView.as_view(), name="leaderboard"),
    path("ledger", LedgerView.as_view(), name="ledger"),
    path("analytics", AnalyticsView.as_view(), name="analytics"),
    path("sales/new", SaleCreateView.as_view(), name="sale-create"),
    path("transactions/<int:txn_pk>", TransactionDetailView.as_view(), name="transaction"),
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
    path("portal/statements/<str:month>", PortalStatementView.as_view(), name="portal-statement"),
]
