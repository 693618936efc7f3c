"""The models of everything that becomes pay, by sub-domain: the commission ledger
(``ledger.py``), commission rule sets (``rules.py``) and carrier statement imports
(``imports.py``). Import them from here: ``from payroll.models import CommissionTransaction``."""

from .imports import ImportAlias, ImportBatch, ImportRow
from .ledger import (
    CENT,
    HUNDRED,
    MONEY,
    PERCENT,
    Carrier,
    Category,
    CommissionOverride,
    CommissionTransaction,
    Policy,
    PolicyProducer,
    money,
    percent_validators,
)
from .rules import CommissionRule, CommissionRuleSet
from .runs import (
    NOTES_MAX_LENGTH,
    PayrollAcknowledgement,
    PayrollAdjustment,
    PayrollEntry,
    PayrollLine,
    PayrollRun,
    PayrollSourceClaim,
    expand_sources,
)
from .schedules import PERIODS_PER_YEAR, OvertimeRule, PayCode, PayPeriod, PaySchedule, PayScheduleAssignment

__all__ = [
    "CENT",
    "HUNDRED",
    "MONEY",
    "PERCENT",
    "money",
    "percent_validators",
    "Carrier",
    "Category",
    "Policy",
    "PolicyProducer",
    "CommissionRuleSet",
    "CommissionRule",
    "CommissionTransaction",
    "CommissionOverride",
    "ImportBatch",
    "ImportRow",
    "ImportAlias",
    "NOTES_MAX_LENGTH",
    "PERIODS_PER_YEAR",
    "PaySchedule",
    "PayScheduleAssignment",
    "PayPeriod",
    "PayCode",
    "OvertimeRule",
    "PayrollRun",
    "PayrollEntry",
    "PayrollLine",
    "PayrollSourceClaim",
    "expand_sources",
    "PayrollAdjustment",
    "PayrollAcknowledgement",
]
