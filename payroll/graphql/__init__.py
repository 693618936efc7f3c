"""GraphQL of payroll, by sub-domain: the commission ledger (``ledger.py``) and statement
imports (``imports.py``), mixed into trackyoursheets/schema.py."""

import graphene

from .imports import Mutation as ImportsMutation
from .imports import Query as ImportsQuery
from .ledger import CarrierType, CommissionReportType, CommissionTransactionType, PolicyType
from .ledger import Mutation as LedgerMutation
from .ledger import Query as LedgerQuery

__all__ = ["CarrierType", "PolicyType", "CommissionTransactionType", "CommissionReportType", "Query", "Mutation"]


class Query(LedgerQuery, ImportsQuery, graphene.ObjectType):
    """Reads of payroll: the commission ledger, then statement imports."""


class Mutation(LedgerMutation, ImportsMutation, graphene.ObjectType):
    """Writes of payroll: the commission ledger, then statement imports."""
