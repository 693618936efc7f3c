"""GraphQL of payroll, by sub-domain: the commission ledger (``ledger.py``) and statement
imports (``imports.py``), mixed into trackyoursheets/schema.py."""

import graphene

from .imports import Mutation as ImportsMutation
from .imports import Query as ImportsQuery
from .ledger import CarrierType, CommissionReportType, CommissionTransactionType, PolicyType
from .ledger import Mutation as LedgerMutation
from .ledger import Query as LedgerQuery
from .runs import Mutation as RunsMutation
from .runs import PayrollRunType
from .runs import Query as RunsQuery

__all__ = [
    "PayrollRunType",
    "CarrierType",
    "PolicyType",
    "CommissionTransactionType",
    "CommissionReportType",
    "Query",
    "Mutation",
]


class Query(LedgerQuery, ImportsQuery, RunsQuery, graphene.ObjectType):
    """Reads of payroll: the commission ledger, statement imports, payroll runs."""


class Mutation(LedgerMutation, ImportsMutation, RunsMutation, graphene.ObjectType):
    """Writes of payroll: the commission ledger, statement imports, payroll runs."""
