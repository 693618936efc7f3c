"""Every write of payroll, by sub-domain (STYLE §1): reference data (``reference.py``),
commission rules (``rules.py``), the ledger (``ledger.py``; its bulk writes for imports in
``ledger_bulk.py``) and carrier statement imports (``imports.py`` upload and processing,
``import_rows.py``, ``matching.py``, ``parsing.py``, ``statements.py``, ``import_review.py``
matching by hand, finalise and roll back).

Callers say ``from payroll import services`` and use the public functions re-exported here.
Each rule has one home: the chargeback sign (:func:`chargeback_signed`), the producer's
amount (:func:`producer_share`, :func:`producer_amount`), the carrier of a ledger line
(:func:`transaction_carrier`), a shared policy's row divided among its writers
(:func:`allocate_shares`, :func:`writer_shares`) and a statement's date format (:func:`statement_date_format_for`).
"""

from .guards import leave_cancel_guard, time_paid_guard, timesheet_reopen_guard
from .import_review import import_batch_finalise, import_batch_rollback, import_row_match, import_row_match_check
from .import_state import CHUNK_SIZE, on_batch_queued
from .imports import batch_file, import_batch_create, import_batch_fail, import_batch_process
from .ledger import (
    SHARED_LINE_SPLIT,
    TRANSACTION_FIELDS,
    WriterShare,
    allocate_shares,
    override_bulk_create,
    override_create,
    producer_amount,
    producer_share,
    producer_split,
    transaction_carrier,
    transaction_create,
    transaction_transition,
    transaction_update,
    writer_shares,
)
from .ledger_bulk import (
    transaction_bulk_delete_for_import,
    transaction_bulk_import,
    transaction_bulk_import_from_rows,
)
from .pay_setup import (
    DEFAULT_PAY_CODES,
    ensure_default_pay_codes,
    overtime_rule_create,
    overtime_rule_update,
    pay_code_create,
    pay_code_update,
    pay_schedule_assign,
    pay_schedule_create,
    pay_schedule_update,
    require_payroll_admin,
)
from .reference import (
    DEFAULT_STATEMENT_DATE_FORMAT,
    carrier_create,
    carrier_update,
    category_create,
    category_update,
    policy_create,
    policy_update,
    statement_date_format_for,
)
from .rules import RuleEvaluation, chargeback_signed, commission_rule_evaluate, rule_set_create, rule_set_update
from .runs import (
    payroll_adjustment_add,
    payroll_run_acknowledge,
    payroll_run_approve,
    payroll_run_cancel,
    payroll_run_create,
    payroll_run_mark_paid,
    payroll_run_recalculate,
)
from .sources import SOURCE_ADAPTERS, register_source_adapter
from .sources_more import ExpenseAdapter, HolidayAdapter, LeaveAdapter

__all__ = [
    # payroll runs (issue 18)
    "DEFAULT_PAY_CODES",
    "ensure_default_pay_codes",
    "require_payroll_admin",
    "pay_schedule_create",
    "pay_schedule_update",
    "pay_schedule_assign",
    "pay_code_create",
    "pay_code_update",
    "overtime_rule_create",
    "overtime_rule_update",
    "payroll_run_create",
    "payroll_run_recalculate",
    "payroll_run_approve",
    "payroll_run_mark_paid",
    "payroll_run_cancel",
    "payroll_run_acknowledge",
    "payroll_adjustment_add",
    "timesheet_reopen_guard",
    "time_paid_guard",
    "leave_cancel_guard",
    "SOURCE_ADAPTERS",
    "LeaveAdapter",
    "ExpenseAdapter",
    "HolidayAdapter",
    "register_source_adapter",
    # reference data
    "DEFAULT_STATEMENT_DATE_FORMAT",
    "statement_date_format_for",
    "category_create",
    "category_update",
    "carrier_create",
    "carrier_update",
    "policy_create",
    "policy_update",
    # rules
    "RuleEvaluation",
    "chargeback_signed",
    "commission_rule_evaluate",
    "rule_set_create",
    "rule_set_update",
    # the ledger
    "TRANSACTION_FIELDS",
    "SHARED_LINE_SPLIT",
    "WriterShare",
    "allocate_shares",
    "writer_shares",
    "producer_share",
    "producer_split",
    "producer_amount",
    "transaction_carrier",
    "transaction_create",
    "transaction_update",
    "transaction_transition",
    "override_create",
    "override_bulk_create",
    "transaction_bulk_import",
    "transaction_bulk_import_from_rows",
    "transaction_bulk_delete_for_import",
    # statement imports
    "CHUNK_SIZE",
    "on_batch_queued",
    "batch_file",
    "import_batch_create",
    "import_batch_process",
    "import_batch_fail",
    "import_row_match",
    "import_row_match_check",
    "import_batch_finalise",
    "import_batch_rollback",
]
