"""REST endpoints of payroll, by sub-domain: the commission ledger (``ledger.py``) and
statement imports (``imports.py``)."""

from .imports import ImportBatchViewSet, ImportRowViewSet, TransactionImportViewSet
from .ledger import (
    CarrierViewSet,
    CategoryViewSet,
    CommissionReportView,
    CommissionRuleSetViewSet,
    CommissionTransactionViewSet,
    PolicyViewSet,
)
from .runs import OvertimeRuleViewSet, PayCodeViewSet, PayrollRunViewSet, PayScheduleViewSet

__all__ = [
    "OvertimeRuleViewSet",
    "PayCodeViewSet",
    "PayrollRunViewSet",
    "PayScheduleViewSet",
    "CarrierViewSet",
    "CategoryViewSet",
    "CommissionReportView",
    "CommissionRuleSetViewSet",
    "CommissionTransactionViewSet",
    "ImportBatchViewSet",
    "ImportRowViewSet",
    "PolicyViewSet",
    "TransactionImportViewSet",
]
